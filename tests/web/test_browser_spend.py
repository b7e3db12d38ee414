"""The spend area in Debian's Chromium, with axe-core on every page, the spend worker running beside the server:
Southdale's second demo file names two amount-like columns, so its import stops on the mapping screen; the
commissioner states the amount column there and the worker imports it; the report shows both files' spend; the
commissioner sets the council's local postcode areas and the report's local share follows them."""

from __future__ import annotations

import threading

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.web.spend import worker
from commonweal.web.spend.models import SpendImport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_mapping_screen_lets_a_commissioner_state_the_amount(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    person = User.objects.get(username="shared.commissioner")
    person.set_password(PASSWORD)
    person.save()
    stop = threading.Event()
    running = threading.Thread(target=worker.serve, kwargs={"poll_seconds": 0.2, "stop": stop}, daemon=True)
    running.start()  # the worker, as `commonweal web worker` runs it beside the server
    try:
        with sync_playwright() as p:
            browser = launch(p)
            journey = Journey(browser, live_server.url)
            page = journey.sign_in("shared.commissioner")
            page.click("a.govuk-service-navigation__link:has-text('Spend')")
            journey.check(page)
            page.click("a:has-text('Southdale')")
            journey.check(page)
            page.click("a:has-text('southdale_spend_2025-26_approvals.csv')")
            expect(page.locator("main")).to_contain_text("The import stopped to ask", timeout=60_000)
            journey.check(page)
            page.click("a:has-text('State the columns')")
            expect(page.locator("#sample")).to_contain_text("Amount Approved")
            journey.check(page)
            page.click("button:has-text('Import with these columns')")  # nothing stated: the form says so
            expect(page.locator(".govuk-error-summary li")).to_have_count(1)
            journey.check(page)
            page.select_option("#amount", "Amount Paid")
            page.click("button:has-text('Import with these columns')")
            expect(page.locator("main")).to_contain_text("Rows loaded", timeout=60_000)
            journey.check(page)
            expect(page.locator("main")).to_contain_text("stated by the person importing")
            page.click("a:has-text('Back to')")
            page.click("a:has-text('the spend report')")
            expect(page.locator("main")).to_contain_text("Top suppliers")
            journey.check(page)
            page.select_option("#service_area", "Adult Social Care")
            page.click("button:has-text('Show')")
            journey.check(page)
            # the organisation's local postcode areas, then the report's local share under them
            page.click("a:has-text('Back to')")
            page.click("a:has-text('Local postcode areas')")
            journey.check(page)
            expect(page.locator("#areas")).to_have_value("SD")  # the demo's own
            page.fill("#areas", "")
            page.click("button:has-text('Save the local areas')")  # nothing entered: the form says so
            expect(page.locator(".govuk-error-summary li")).to_have_count(1)
            journey.check(page)
            page.fill("#areas", "M5, M6")
            page.click("button:has-text('Save the local areas')")
            expect(page.locator(".govuk-summary-list")).to_contain_text("M5, M6")
            journey.check(page)
            page.click("a:has-text('Back to')")
            page.click("a:has-text('the spend report')")
            expect(page.locator("main")).to_contain_text("Local means a postcode in M5, M6")
            journey.check(page)
            browser.close()
    finally:
        stop.set()
        running.join(timeout=60)
    assert SpendImport.objects.filter(organisation__slug="southdale", status=SpendImport.DONE).count() == 2
    assert journey.violations == [], journey.violations
