"""The provider side of contracts in Debian's Chromium, with axe-core on every page: the provider finds its contract,
submits a return (errors first, then with an evidence file), raises "not working for us"; the council queries the
return with the file beside its line, the provider answers, the council accepts it and records its decision on the
concern, which reaches the provider."""

from __future__ import annotations

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.web.contracts.models import Contract, Return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_provider_works_on_its_contract_and_the_council_checks(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    c = Contract.objects.get(organisation__slug="northfield", reference="NBC-C-001")
    ret = Return.objects.filter(contract=c).order_by("-period_start").first()
    assert ret is not None
    for user in User.objects.filter(username__in=["brightwater.bids", "shared.commissioner"]):
        user.set_password(PASSWORD)
        user.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        provider = journey.sign_in("brightwater.bids")
        provider.goto(f"{live_server.url}/portal/contracts/")
        journey.check(provider)
        provider.click("a:has-text('NBC-C-001')")
        journey.check(provider)
        provider.click("a:has-text('Submit a return')")
        journey.check(provider)
        provider.click("button:has-text('Submit the return')")  # empty: the error summary says so
        expect(provider.locator(".govuk-error-summary")).to_be_visible()
        journey.check(provider)
        # the return again, with an evidence file for its first social value line: listed on the contract's page
        provider.fill("#period_start", ret.period_start.isoformat())
        provider.fill("#sv_0_quantity", "3")
        provider.set_input_files("#sv_0_file", files=[{"name": "payroll.pdf", "mimeType": "application/pdf",
                                                       "buffer": b"%PDF-1.4\n%%EOF\n"}])
        provider.click("button:has-text('Submit the return')")
        expect(provider.locator("main")).to_contain_text("payroll.pdf")
        journey.check(provider)
        provider.goto(f"{live_server.url}/portal/contracts/{c.pk}/concern/")
        provider.click("button:has-text('Send to the council')")
        expect(provider.locator(".govuk-error-summary")).to_contain_text("Choose what is not working")
        journey.check(provider)
        provider.check("input[value='provider_specification']")
        provider.fill("#description", "Visits of 15 minutes are too short")
        provider.click("button:has-text('Send to the council')")
        expect(provider.locator("main")).to_contain_text("Under review")
        journey.check(provider)

        council = journey.sign_in("shared.commissioner")
        council.goto(f"{live_server.url}/contracts/{c.pk}/provider/")
        expect(council.locator("main")).to_contain_text("Brightwater Care Ltd")
        journey.check(council)
        council.goto(f"{live_server.url}/contracts/{c.pk}/returns/{ret.pk}/check/")
        expect(council.locator("main")).to_contain_text("payroll.pdf")  # beside its line
        council.check("input[value='queried']")
        council.click("button:has-text('Save')")
        expect(council.locator(".govuk-error-summary")).to_contain_text("Enter the reason the provider will see")
        journey.check(council)
        council.check("input[value='queried']")
        council.fill("#reason", "Only 3 placements: which weeks?")
        council.click("button:has-text('Save')")
        expect(council.locator(".govuk-notification-banner")).to_contain_text("the provider sees it")
        journey.check(council)

        # the provider reads the query and answers it on its contract's page
        provider.goto(f"{live_server.url}/portal/contracts/{c.pk}/")
        expect(provider.locator("main")).to_contain_text("Only 3 placements: which weeks?")
        provider.fill(f"#response-{ret.pk}", "Weeks 2, 5 and 9: see the payroll extract")
        provider.click("button:has-text('Send response')")
        expect(provider.locator("main")).to_contain_text("Weeks 2, 5 and 9")
        journey.check(provider)

        # the council accepts the return with the answer beside it, then decides the provider's concern
        council.goto(f"{live_server.url}/contracts/{c.pk}/returns/{ret.pk}/check/")
        expect(council.locator("main")).to_contain_text("Weeks 2, 5 and 9")
        council.check("input[value='verified']")
        council.click("button:has-text('Save')")
        expect(council.locator(".govuk-notification-banner")).to_contain_text("the provider sees it")
        journey.check(council)
        review = c.reviews.get()
        council.goto(f"{live_server.url}{reverse('contract_review', args=[c.pk, review.pk])}")
        expect(council.locator("main")).to_contain_text("Visits of 15 minutes are too short")
        council.click("button:has-text('Record the decision')")  # empty: refused, and it says why
        expect(council.locator(".govuk-error-summary")).to_contain_text("Enter the reason for the decision")
        journey.check(council)
        council.fill("#meeting_on", "2026-12-01")
        council.fill("#attendees", "Contract manager; Brightwater's registered manager")
        council.fill("#meeting_notes", "Visit lengths discussed against the care plans")
        council.click("button:has-text('Record the meeting')")
        journey.check(council)
        council.select_option("#decision", "no_change")
        council.fill("#reason", "Visit lengths are set by each care plan; we will review them with you in March")
        council.click("button:has-text('Record the decision')")
        journey.check(council)

        provider.goto(f"{live_server.url}/portal/contracts/{c.pk}/")
        expect(provider.locator("main")).to_contain_text("we will review them with you in March")
        journey.check(provider)
        browser.close()
    ret.refresh_from_db()
    assert ret.status == "verified" and ret.provider_response.startswith("Weeks 2, 5 and 9")
    review.refresh_from_db()
    assert (review.status, review.decision) == ("decided", "no_change")
    assert journey.violations == []
