"""Providers and residents in Debian's Chromium, with axe-core on every page: a provider asks a clarification
question that the council answers and publishes to every bidder (without the asker); a resident, not signed in,
walks a council's public pages (opportunities, the contracts register and a contract's published ratings) and
registers a community group's interest, which the council then sees on the opportunity and in its partner finder."""

from __future__ import annotations

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.domain.lifecycle import Stage
from commonweal.web.models import Tender
from commonweal.web.providers.models import Clarification
from commonweal.web.public.models import Interest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Brightwater Care asks: will the council share last year's visit volumes by ward?"
PUBLISHED = "Will the council share last year's visit volumes by ward?"


def test_a_provider_asks_and_the_council_answers_every_bidder(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tender = world["southdale"]
    Tender.objects.filter(pk=tender.pk).update(stage=Stage.OPEN.value)  # open for bids: questions may be asked
    for user in User.objects.filter(username__in=["brightwater.bids", "sdhs.bids", "southdale.commissioner"]):
        user.set_password(PASSWORD)
        user.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        # the provider finds the tender under its council and asks
        provider = journey.sign_in("brightwater.bids")
        provider.click("a:has-text('Provider portal')")
        journey.check(provider)
        expect(provider.locator("main")).to_contain_text("Southdale District Council")
        provider.click(f"a:has-text('{tender.reference}')")
        journey.check(provider)
        provider.click("button:has-text('Send the question')")  # empty: the error summary says so
        expect(provider.locator(".govuk-error-summary")).to_contain_text("Enter your question")
        journey.check(provider)
        provider.fill("#question", QUESTION)
        provider.click("button:has-text('Send the question')")
        expect(provider.locator(".govuk-notification-banner")).to_contain_text("Your question is sent")
        journey.check(provider)

        # the council sees who asked, words the question without them and publishes the answer
        council = journey.sign_in("southdale.commissioner")
        council.goto(f"{live_server.url}/tenders/{tender.pk}/")
        council.click("a:has-text('Clarification questions')")
        journey.check(council)
        asked = Clarification.objects.get(question=QUESTION)
        expect(council.locator("main")).to_contain_text("Brightwater Care Ltd (brightwater.bids)")
        council.fill(f"#q{asked.pk}-published_question", PUBLISHED)
        council.fill(f"#q{asked.pk}-answer", "Yes: the volumes by ward are in appendix D, published today.")
        council.click(f"#publish-{asked.pk}")
        expect(council.locator(".govuk-notification-banner")).to_contain_text("published to every bidder")
        journey.check(council)

        # another bidder reads the answer, and nothing says who asked
        other = journey.sign_in("sdhs.bids")
        other.goto(f"{live_server.url}/portal/tenders/{tender.pk}/")
        journey.check(other)
        main = other.locator("main")
        expect(main).to_contain_text(PUBLISHED)
        expect(main).to_contain_text("appendix D")
        expect(main).not_to_contain_text("Brightwater")
        browser.close()
    assert journey.violations == []


def test_a_resident_walks_the_public_pages_and_registers_interest(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    commissioner = User.objects.get(username="shared.commissioner")
    commissioner.set_password(PASSWORD)
    commissioner.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)
        resident = browser.new_context(bypass_csp=True).new_page()
        resident.goto(live_server.url + "/public/")
        journey.check(resident)
        resident.click("a:has-text('Northfield Borough Council')")
        journey.check(resident)
        main = resident.locator("main")
        expect(main).to_contain_text("Community meals")
        expect(main).not_to_contain_text("Carers' breaks")  # the draft
        # the contracts register: filtered to one service, then one contract's published ratings and social value
        resident.click("a:has-text('The contracts register')")
        journey.check(resident)
        expect(resident.locator("main")).to_contain_text("NBC-C-001")
        resident.select_option("#service", "Highways")
        resident.click("button:has-text('Filter')")
        journey.check(resident)
        expect(resident.locator("tbody").first).not_to_contain_text("NBC-C-001")
        resident.click("a:has-text('NBC-C-006')")
        journey.check(resident)
        expect(resident.locator("main")).to_contain_text("From the contract performance notice")
        expect(resident.locator("main")).to_contain_text("Verified as delivered")
        resident.click(".govuk-breadcrumbs a:has-text('Northfield Borough Council')")
        journey.check(resident)
        resident.click("a:has-text('Day opportunities for adults with learning disabilities')")
        journey.check(resident)
        expect(resident.locator("main")).to_contain_text("North and east localities")
        resident.click("a:has-text('Register your organisation')")
        journey.check(resident)
        resident.click("button:has-text('Register interest')")  # empty: each field says what it needs
        expect(resident.locator(".govuk-error-summary li")).to_have_count(5)
        journey.check(resident)
        resident.fill("#organisation_name", "Westfield Allotment Society")
        resident.check("input[name=kind][value=vcse]")
        resident.check("input[name=purpose][value=engagement]")
        resident.fill("#contact_name", "Pat Green")
        resident.fill("#email", "pat@westfield-allotments.example")
        resident.click("button:has-text('Register interest')")
        expect(resident.locator("h1")).to_contain_text("Interest registered")
        journey.check(resident)

        # the council's commissioner sees who registered
        council = journey.sign_in("shared.commissioner")
        council.goto(f"{live_server.url}/organisations/northfield/opportunities/")
        journey.check(council)
        council.click("a:has-text('Day opportunities for adults with learning disabilities')")
        journey.check(council)
        expect(council.locator("main")).to_contain_text("Westfield Allotment Society")
        # and finds it among the candidates of the community partner finder, as the kind it stated
        council.goto(f"{live_server.url}/organisations/northfield/spend/partners/")
        journey.check(council)
        expect(council.locator("main")).to_contain_text("Westfield Allotment Society")
        expect(council.locator("main")).not_to_contain_text("Pat Green")
        browser.close()
    assert Interest.objects.filter(organisation_name="Westfield Allotment Society").count() == 1
    assert journey.violations == []


def test_a_bidder_uploads_its_own_documents_where_the_council_lets_it(world, live_server, monkeypatch,
                                                                        tmp_path) -> None:
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import sync_playwright
    from test_portal_bids import PDF, open_for_bids

    from commonweal.web.models import BidDocument

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tender = world["southdale"]
    # open for bids, the notice's last day recorded, Southdale Home Support's bid recorded by the council
    own = open_for_bids(tender, timezone.localdate() + dt.timedelta(days=10))
    for user in User.objects.filter(username__in=["sdhs.bids", "southdale.commissioner"]):
        user.set_password(PASSWORD)
        user.save()
    response = tmp_path / "method-statement.pdf"
    response.write_bytes(PDF)
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        # the council lets its bidders upload
        council = journey.sign_in("southdale.commissioner")
        council.goto(f"{live_server.url}/tenders/{tender.pk}/")
        council.click("a:has-text(\"Bidders' own uploads\")")
        journey.check(council)
        council.check("input[name=allowed][value=yes]")
        council.click("button:has-text('Save')")
        expect(council.locator(".govuk-notification-banner")).to_contain_text("Bidders now upload")
        journey.check(council)

        # the bidder sends its method statement before the deadline
        bidder = journey.sign_in("sdhs.bids")
        bidder.goto(f"{live_server.url}/portal/tenders/{tender.pk}/")
        bidder.click("a:has-text('Your bid documents')")
        journey.check(bidder)
        bidder.click("button:has-text('Send the document')")  # nothing chosen: the error summary says so
        expect(bidder.locator(".govuk-error-summary")).to_be_visible()
        journey.check(bidder)
        bidder.set_input_files("#document", str(response))
        bidder.check("input[name=purpose][value=response]")
        bidder.click("button:has-text('Send the document')")
        expect(bidder.locator(".govuk-notification-banner")).to_contain_text("method-statement.pdf is received")
        expect(bidder.locator("main table")).to_contain_text("method-statement.pdf")
        journey.check(bidder)
        browser.close()
    assert BidDocument.objects.get(name="method-statement.pdf").bid_id == own.pk
    assert journey.violations == []
