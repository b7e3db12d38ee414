"""The tender builder in a browser (issue #17 point 1): "add another" rows (a price element and a criterion) added
with the real button, seen on check your answers and saved; then the draft edited (pre-filled, a criterion added,
its title changed) and saved, Continue pressed straight after typing; axe-core on every page visited."""

from __future__ import annotations

import pytest
from browser_support import axe_violations, launch
from django.contrib.auth.models import User
from playwright.sync_api import expect

from commonweal.io.tender_folder import parse_tender_yaml
from commonweal.web.models import Membership, Organisation, Tender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo password for browser tests"


def settled(page, last: str) -> None:
    """Leave the last field typed in and wait for its check to be answered and swapped in, as a person sees the
    problems (none) before pressing Continue (pressing it straight after typing is tested below)."""
    page.press(last, "Tab")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#cw-check-status")).to_have_text("No problems found")


def test_add_another_rows_and_editing_a_draft_tender_in_the_browser(live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    organisation = Organisation.objects.create(name="Westmoor District Council", slug="westmoor")
    Membership.objects.create(user=User.objects.create_user("w.commissioner", password=PASSWORD),
                              organisation=organisation, role="commissioner")
    violations: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(bypass_csp=True).new_page()

        def check() -> None:
            page.wait_for_load_state("load")
            violations.extend(f"{page.url}: {v}" for v in axe_violations(page))

        page.goto(live_server.url + "/sign-in/")
        page.fill("#username", "w.commissioner")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        check()
        page.goto(live_server.url + "/organisations/westmoor/tenders/build/")
        check()
        for field, value in {
            "#title": "Home adaptations", "#reference": "WDC-HA-001",
            "#lot-0-id": "1", "#lot-0-title": "Whole district",
            "#price_weight": "40",
            "#element-0-id": "survey", "#element-0-title": "Survey visit", "#element-0-weight": "10",
            "#element-0-volume": "300", "#element-0-unit": "visit",
            "#element-1-id": "ramp", "#element-1-title": "Ramp per metre", "#element-1-weight": "20",
            "#element-1-volume": "800", "#element-1-unit": "metre",
            "#group-0-id": "quality", "#group-0-title": "Quality", "#group-0-weight": "50",
            "#group-1-id": "social_value", "#group-1-title": "Social value", "#group-1-weight": "10",
            "#criterion-0-id": "Q1", "#criterion-0-title": "Method", "#criterion-0-group": "quality",
            "#criterion-0-weight": "100",
            "#criterion-1-id": "SV1", "#criterion-1-title": "Apprentices", "#criterion-1-group": "social_value",
            "#criterion-1-weight": "100",
        }.items():
            page.fill(field, value)
        page.check("#price_mode-2")  # price elements
        # checked as the person types: the problem is announced (a live region) while focus stays in the field
        page.fill("#element-1-weight", "25")
        page.press("#element-1-weight", "Tab")
        status = page.locator("#cw-check-status")
        expect(status).to_contain_text("There is a problem: Element 1 weight: lot 1: price elements' weights must "
                                       "sum to the price weight 40, not 35")
        expect(page.locator("#element-0-weight-error")).to_be_visible()
        expect(page.locator("#element-1-formula")).to_be_focused()  # the next field, after Tab
        page.fill("#element-1-weight", "20")
        # "Add another" (works without JavaScript: the same answers come back with one more row)
        page.click("#add-element")
        check()
        expect(page.locator("#element-2-id")).to_be_visible()
        expect(page.locator("#element-1-title")).to_have_value("Ramp per metre")
        page.fill("#element-2-id", "rail")
        page.fill("#element-2-title", "Grab rail")
        page.fill("#element-2-weight", "10")
        page.fill("#element-2-volume", "1200")
        page.click("#add-criterion")
        check()
        page.fill("#criterion-8-id", "Q2")
        page.fill("#criterion-8-title", "Aftercare")
        page.fill("#criterion-8-group", "quality")
        page.fill("#criterion-8-weight", "50")
        page.fill("#criterion-0-weight", "50")
        settled(page, "#criterion-0-weight")
        page.click("button.govuk-button:has-text('Continue')")
        check()
        expect(page.locator("h1")).to_contain_text("Check your answers")
        expect(page.locator("#check-price-elements")).to_contain_text("rail Grab rail: 10% by relative_to_lowest")
        expect(page.locator("main")).to_contain_text("Q2 Aftercare: 50% of the group")
        page.click("button:has-text('Create the tender')")
        check()
        tender = Tender.objects.get(reference="WDC-HA-001")
        model = parse_tender_yaml(tender.definition)[0].lots[0].model
        assert [e.id for e in model.price.elements] == ["survey", "ramp", "rail"]
        assert [c.id for c in model.criteria] == ["Q1", "SV1", "Q2"]

        # the draft edited: pre-filled from what was saved, a criterion added and a title changed
        page.goto(f"{live_server.url}/tenders/{tender.pk}/")
        check()
        page.click("a:has-text('Edit the tender')")
        check()
        expect(page.locator("#element-2-title")).to_have_value("Grab rail")
        expect(page.locator("#price_mode-2")).to_be_checked()
        page.fill("#title", "Home adaptations and repairs")
        page.click("#add-criterion")
        check()
        page.fill("#criterion-8-id", "Q3")
        page.fill("#criterion-8-title", "Safeguarding")
        page.fill("#criterion-8-group", "quality")
        page.fill("#criterion-8-weight", "20")
        # every check so far answered: the last one says the group sums to 120 until the next change
        with page.expect_response(lambda r: "criterion-8-weight=20" in (r.request.post_data or "")):
            page.press("#criterion-8-weight", "Tab")
        page.fill("#criterion-2-weight", "30")
        # Continue pressed straight after typing: the press sends the field's check, whose answer comes back before
        # the button is released; the click must still submit (the answer is not swapped in under the button)
        page.locator("button.govuk-button:has-text('Continue')").hover()
        with page.expect_response(lambda r: "criterion-2-weight=30" in (r.request.post_data or "")) as checked:
            page.mouse.down()
        assert checked.value.ok
        page.wait_for_timeout(300)  # time for a swap, had it not been dropped
        with page.expect_navigation():
            page.mouse.up()
        check()
        expect(page.locator("main")).to_contain_text("Q3 Safeguarding: 20% of the group")
        page.click("button:has-text('Save the changes')")
        check()
        expect(page.locator("main")).to_contain_text("Tender WDC-HA-001 saved")
        browser.close()
    tender.refresh_from_db()
    assert tender.title == "Home adaptations and repairs"
    assert [c.id for c in parse_tender_yaml(tender.definition)[0].lots[0].model.criteria] == ["Q1", "SV1", "Q2", "Q3"]
    assert not violations, violations
