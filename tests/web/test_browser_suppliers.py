"""The suppliers area in Debian's Chromium, with axe-core on every page: a commissioner sees the worsening supplier
on the home page, opens it, adds a supplier (fixing the form's errors first) and uploads its accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.web.suppliers.models import SupplierAssessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORSENING = Path(__file__).resolve().parents[2] / "examples" / "suppliers" / "worsening.csv"


def test_a_commissioner_follows_the_alert_and_watches_a_new_supplier(world, live_server, monkeypatch, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    for user in User.objects.filter(username__in=["shared.commissioner", "viewer"]):
        user.set_password(PASSWORD)
        user.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        page = journey.sign_in("shared.commissioner")
        page.click("a:has-text('Rating worsened from green to red')")
        expect(page.locator("h1")).to_contain_text("Harbourside Home Support Ltd")
        expect(page.locator("#reasons")).to_contain_text("accumulation rule")
        journey.check(page)

        page.click(".govuk-service-navigation a:has-text('Suppliers')")
        journey.check(page)
        page.click("a:has-text('Northfield Borough Council')")
        expect(page.locator("table").first.locator("tbody tr")).to_have_count(3)
        # suppliers of live contracts not yet watched, from the contracts register (axe checks this table too)
        expect(page.locator("table").nth(1).locator("tbody tr")).to_have_count(5)
        journey.check(page)
        page.click("a:has-text('Add a supplier')")
        page.fill("#annual_contract_value", "a lot")
        page.click("button:has-text('Add to the watchlist')")  # no name, a bad amount: both say what they need
        expect(page.locator(".govuk-error-summary li")).to_have_count(2)
        journey.check(page)
        page.fill("#name", "Harbourside Home Support (North) Ltd")
        page.fill("#annual_contract_value", "800000")
        page.click("button:has-text('Add to the watchlist')")
        expect(page.locator("main")).to_contain_text("No accounts yet")
        journey.check(page)

        # the file holds another company's accounts (the name differs): refused, nothing saved
        page.click("a:has-text('Upload accounts')")
        journey.check(page)
        page.set_input_files("#accounts", str(WORSENING))
        page.click("button:has-text('Check and save the accounts')")
        expect(page.locator(".govuk-error-summary")).to_contain_text("not of Harbourside Home Support (North) Ltd")
        journey.check(page)
        renamed = tmp_path / "north.csv"
        renamed.write_text(WORSENING.read_text(encoding="utf-8").replace(
            "Harbourside Home Support Ltd", "Harbourside Home Support (North) Ltd"), encoding="utf-8")
        page.set_input_files("#accounts", str(renamed))
        page.click("button:has-text('Check and save the accounts')")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("2024-03-31, 2025-03-31")
        journey.check(page)

        # the council's spend figures, learnt later, go on the dependency page
        page.click("a:has-text('Change the dependency')")
        journey.check(page)
        page.fill("#council_spend_with_supplier", "-5")
        page.click("button:has-text('Save the dependency')")
        expect(page.locator(".govuk-error-summary")).to_contain_text("zero or more")
        journey.check(page)
        page.fill("#council_spend_with_supplier", "800000")
        page.fill("#council_spend_in_service_area", "6000000")
        page.click("button:has-text('Save the dependency')")
        expect(page.locator("main")).to_contain_text("13.3%")  # £800,000 of £6,000,000
        journey.check(page)

        viewer = journey.sign_in("viewer")
        viewer.goto(live_server.url + "/suppliers/northfield/")
        expect(viewer.locator("a:has-text('Add a supplier')")).to_have_count(0)
        journey.check(viewer)

    assert SupplierAssessment.objects.get(supplier__name="Harbourside Home Support (North) Ltd").worsened
    assert journey.violations == []
