"""A commissioner's publishing journey in Debian's Chromium, with axe-core on every page: the duty calendar shows
the overdue tender notice, its preview warns of the placeholder prefix; the commissioner sets the council's OCID
prefix, records the notice facts (an error first), records the tender notice's publication, and the calendar
shows it published."""

from __future__ import annotations

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.web.publishing.models import Publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_commissioner_previews_and_records_a_notice(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tender = world["northfield"]
    user = User.objects.get(username="shared.commissioner")
    user.set_password(PASSWORD)
    user.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)
        page = journey.sign_in("shared.commissioner")
        expect(page.locator("main")).to_contain_text("UK4 Tender notice is overdue")
        page.click("a.govuk-service-navigation__link:has-text('Publishing')")
        journey.check(page)
        page.click("a:has-text('Northfield Borough Council: notices due')")
        expect(page.locator(".govuk-tag--red")).to_have_count(1)
        journey.check(page)

        page.click("a:has-text('UK4 Tender notice')")
        expect(page.locator(".govuk-warning-text")).to_contain_text("Placeholder OCID prefix")
        expect(page.locator("main")).to_contain_text("0 errors")
        journey.check(page)

        page.goto(f"{live_server.url}/publishing/northfield/settings/")
        journey.check(page)
        page.fill("#ocid_prefix", "not a prefix")
        page.click("button:has-text('Save the settings')")
        expect(page.locator(".govuk-error-summary li")).to_have_count(1)
        journey.check(page)
        page.fill("#ocid_prefix", "ocds-abc123")
        page.click("button:has-text('Save the settings')")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
        journey.check(page)

        page.goto(f"{live_server.url}/publishing/northfield/tenders/{tender.pk}/facts/")
        journey.check(page)
        page.fill("#terminated_on", "2026-02-01")
        page.click("button:has-text('Save the notice facts')")
        expect(page.locator(".govuk-error-summary")).to_contain_text("and why, or neither")
        journey.check(page)
        page.fill("#terminated_on", "")
        page.click("button:has-text('Save the notice facts')")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("notice facts")

        page.goto(f"{live_server.url}/publishing/northfield/tender/{tender.pk}/notices/UK4/")
        expect(page.locator(".govuk-warning-text")).to_have_count(0)
        expect(page.locator("main")).to_contain_text("ocds-abc123-NBC-ASC-2026-014")
        page.click("button:has-text('Record the publication')")
        expect(page.locator(".govuk-error-summary li")).to_have_count(2)
        journey.check(page)
        page.fill("#published_on", "2026-01-05")
        page.fill("#notice_identifier", "004321-2026")
        page.click("button:has-text('Record the publication')")
        expect(page.locator("main")).to_contain_text("Published 2026-01-05")
        journey.check(page)
        browser.close()

    assert Publication.objects.filter(key=str(tender.pk), notice="UK4", notice_identifier="004321-2026").exists()
    assert journey.violations == []


def test_a_commissioner_records_a_contracts_end_and_previews_its_termination_notice(world, live_server,
                                                                                    monkeypatch) -> None:
    """The contract notice facts page (an error first), then the calendar's termination notice and its preview,
    axe-checked."""
    from playwright.sync_api import sync_playwright

    from commonweal.web.contracts.models import Contract

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    contract = Contract.objects.get(organisation__slug="northfield", reference="NBC-C-006")
    user = User.objects.get(username="shared.commissioner")
    user.set_password(PASSWORD)
    user.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)
        page = journey.sign_in("shared.commissioner")
        page.goto(f"{live_server.url}/publishing/northfield/")
        expect(page.locator("main")).to_contain_text("UK7 Contract details notice")
        page.click(f"a[href='/publishing/northfield/contracts/{contract.pk}/facts/'] >> nth=0")
        journey.check(page)
        page.fill("#ended_on", "2026-11-30")
        page.click("button:has-text('Save the notice facts')")
        expect(page.locator(".govuk-error-summary")).to_contain_text("and why")
        journey.check(page)
        page.fill("#end_reason", "Terminated by agreement")
        page.click("button:has-text('Save the notice facts')")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("notice facts")
        page.click("a:has-text('UK11 Contract termination notice')")
        expect(page.locator("main")).to_contain_text("0 errors")
        journey.check(page)
        browser.close()
    assert journey.violations == []


def test_a_commissioner_records_a_failure_the_pipeline_and_takes_the_transparency_files(world, live_server,
                                                                                       monkeypatch) -> None:
    """The performance failures page (an error first), the pipeline record and the UK1 preview, and the
    transparency page for a period (an error first), each checked with axe."""
    from playwright.sync_api import sync_playwright

    from commonweal.web.contracts.models import Contract
    from commonweal.web.publishing.models import PerformanceFailure

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    contract = Contract.objects.get(organisation__slug="northfield", reference="NBC-C-004")
    user = User.objects.get(username="shared.commissioner")
    user.set_password(PASSWORD)
    user.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)
        page = journey.sign_in("shared.commissioner")
        page.goto(f"{live_server.url}/publishing/northfield/")
        journey.check(page)
        page.click(f"a:has-text('Performance failures'):has-text('{contract.reference}') >> nth=0")
        journey.check(page)
        page.fill("#requirement", "Weekly reviews of every care plan")
        page.fill("#penalty_value", "12500")
        page.click("button:has-text('Record the failure')")
        expect(page.locator(".govuk-error-summary li")).to_have_count(2)  # what failed; which kind of penalty
        journey.check(page)
        page.fill("#description", "Reviews missed for six weeks")
        page.check("#penalty_type-2")
        page.click("button:has-text('Record the failure')")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("is recorded")
        expect(page.locator("table")).to_contain_text("Reviews missed for six weeks")
        journey.check(page)
        assert PerformanceFailure.objects.filter(contract=contract).count() == 2

        page.goto(f"{live_server.url}/publishing/northfield/")
        page.click("a:has-text('Pipeline record')")
        journey.check(page)
        page.fill("#lead_months", "")
        page.click("button:has-text('Save the pipeline record')")
        expect(page.locator(".govuk-error-summary")).to_contain_text("re-procurement lead time")
        journey.check(page)
        page.fill("#lead_months", "30")
        page.click("button:has-text('Save the pipeline record')")
        page.click("a:has-text('UK1 Pipeline notice')")
        expect(page.locator("main")).to_contain_text("0 errors")
        journey.check(page)

        page.goto(f"{live_server.url}/publishing/northfield/")
        page.click("a:has-text('Transparency files and payments data')")
        journey.check(page)
        page.fill("#start", "2026-02-30")
        page.click("button:has-text('Show the period')")
        expect(page.locator(".govuk-error-summary")).to_contain_text("first day of the period")
        journey.check(page)
        page.fill("#start", "2026-01-01")
        page.click("button:has-text('Show the period')")
        expect(page.locator("main")).to_contain_text("Payments compliance notice (s.69)")
        journey.check(page)
        browser.close()
