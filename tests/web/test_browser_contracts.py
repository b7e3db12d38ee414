"""A contract manager's journey in Debian's Chromium, with axe-core on every page: Southdale's commissioner creates
the contract from the awarded tender once standstill is over and names its contract manager; the manager defines a
KPI, enters a poor return, opens a review from the trigger it fires, records the options for each side, the
meeting and the decision, and sets a follow-up action."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.domain.contracts.model import add_months
from commonweal.web.contracts.models import Contract, Review
from commonweal.web.models import Membership, Tender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"


def test_a_contract_manager_goes_from_award_to_a_renegotiation_decision(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    today = timezone.localdate()
    tender = world["southdale"]
    Tender.objects.filter(pk=tender.pk).update(stage="awarded", award_notice_published=today - dt.timedelta(days=20),
                                               standstill_last_day=today - dt.timedelta(days=8))
    manager = User.objects.get(username="contract.manager")
    Membership.objects.get_or_create(user=manager, organisation=tender.organisation, role="")
    for user in User.objects.filter(username__in=["southdale.commissioner", "contract.manager"]):
        user.set_password(PASSWORD)
        user.save()
    start = add_months(today.replace(day=1), -12)
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        # the commissioner creates the contract from the award and names its manager
        page = journey.sign_in("southdale.commissioner")
        page.click(".govuk-service-navigation a:has-text('Contracts')")
        journey.check(page)
        page.click("a:has-text('contracts register')")
        journey.check(page)
        page.click("a:has-text('Create a contract from an award')")
        journey.check(page)
        page.click("button:has-text('Create the contract')")  # nothing filled in: each field says what it needs
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        journey.check(page)
        page.select_option("#lot", index=0)
        page.fill("#reference", "SDC-HC-2027")
        page.fill("#service", "Adult social care")
        page.fill("#start", start.isoformat())
        page.fill("#end", (start + dt.timedelta(days=3 * 365)).isoformat())
        page.set_input_files("#commitments", str(EXAMPLE / "commitments.csv"))
        page.set_input_files("#socialvalue", str(EXAMPLE / "socialvalue.yaml"))
        page.click("button:has-text('Create the contract')")
        expect(page.locator("h1")).to_contain_text("SDC-HC-2027")
        journey.check(page)
        page.fill("#username", "contract.manager")
        page.click("button:has-text('Make contract manager')")
        expect(page.locator("main")).to_contain_text("contract.manager now manages this contract")
        journey.check(page)
        contract = Contract.objects.get(reference="SDC-HC-2027")
        assert contract.bid is not None and contract.supplier == contract.bid.bidder

        # the contract manager defines a KPI and enters a poor return
        page = journey.sign_in("contract.manager")
        page.goto(f"{live_server.url}/contracts/{contract.pk}/")
        journey.check(page)
        page.click("a:has-text('KPIs')")
        journey.check(page)
        page.fill("#code", "ONTIME")
        page.fill("#title", "Visits on time")
        page.fill("#target", "95")
        page.select_option("#direction", "higher_is_better")
        page.fill("#tolerance", "2")
        page.fill("#inadequate_beyond", "10")
        page.fill("#unit", "%")
        page.click("button:has-text('Save the KPI')")
        expect(page.locator("main")).to_contain_text("KPI ONTIME saved")
        journey.check(page)
        for offset in range(3):  # three quarters far below target: the consecutive-misses trigger fires
            page.goto(f"{live_server.url}/contracts/{contract.pk}/returns/new/")
            journey.check(page)
            page.fill("#period_start", add_months(start, 3 * offset).isoformat())
            page.fill(f"#kpi_{contract.kpis.get().pk}", "70")
            page.fill("#margin_pct", "-3")
            page.click("button:has-text('Save the return')")
            expect(page.locator("main")).to_contain_text("ratings and triggers are updated")
        journey.check(page)
        expect(page.locator("main")).to_contain_text("Inadequate")

        # a review from the fired trigger: options for each side, the meeting, the decision, an action
        page.click("a:has-text('Open a review for Consecutive KPI misses')")
        journey.check(page)
        page.fill("#reason", "Visits far below target for three quarters; provider reports a loss")
        page.click("button:has-text('Open the review')")
        expect(page.locator("main")).to_contain_text("Review opened")
        journey.check(page)
        for side, option, basis in (("council", "remedy_plan", "The contract's performance clauses"),
                                    ("provider", "variation", "Procurement Act 2023 s.74(1)(b)")):
            page.select_option("#side", side)
            page.select_option("#option", option)
            page.fill("#legal_basis", basis)
            page.click("button:has-text('Add the option')")
            expect(page.locator("main")).to_contain_text("Option recorded")
        journey.check(page)
        page.fill("#meeting_on", today.isoformat())
        page.fill("#attendees", "Council and provider")
        page.fill("#meeting_notes", "Agreed a recruitment plan")
        page.click("button:has-text('Record the meeting')")
        expect(page.locator("main")).to_contain_text("Meeting recorded")
        page.select_option("#decision", "remedy_plan")
        page.fill("#reason", "A remedy plan first; revisit the price at the next review")
        page.click("button:has-text('Record the decision')")
        expect(page.locator("main")).to_contain_text("Decision recorded")
        journey.check(page)
        page.fill("#description", "Send the remedy plan to the provider")
        page.select_option("#owner", "contract.manager")
        page.fill("#due_on", today.isoformat())
        page.click("button:has-text('Add the action')")
        expect(page.locator("main")).to_contain_text("Action added")
        journey.check(page)
        page.goto(live_server.url + "/")
        expect(page.locator("main")).to_contain_text("Send the remedy plan to the provider")
        journey.check(page)
        browser.close()
    review = Review.objects.get(contract=contract)
    assert (review.status, review.decision, review.options.count()) == ("decided", "remedy_plan", 2)
    assert journey.violations == []
