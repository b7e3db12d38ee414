"""The commissioner adds a bid's PDF response in the browser and the evaluator reads it beside the scoring form;
axe-core on every page visited."""

from __future__ import annotations

import pytest
from browser_support import axe_violations, launch
from django.contrib.auth.models import User
from playwright.sync_api import expect

from commonweal.web.models import Bid, BidDocument, Criterion, Tender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo password for browser tests"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_pdf_response_is_added_and_read_beside_the_scoring_form(world, live_server, monkeypatch, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tender = world["northfield"]
    Tender.objects.filter(pk=tender.pk).update(stage="closed")
    for name in ("commissioner", "evaluator3"):
        user = User.objects.get(username=name)
        user.set_password(PASSWORD)
        user.save()
    bid = Bid.objects.filter(lot__tender=tender).order_by("lot", "bidder").first()
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    pdf = tmp_path / "q1-response.pdf"
    pdf.write_bytes(PDF)
    violations: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)

        def sign_in(username: str):
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(live_server.url + "/sign-in/")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("button:has-text('Sign in')")
            page.wait_for_load_state("load")
            return page

        def check(page) -> None:
            page.wait_for_load_state("load")
            violations.extend(f"{page.url}: {v}" for v in axe_violations(page))

        page = sign_in("commissioner")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/")
        page.click(f"a:has-text('Documents'):has-text('{bid.bidder}')")
        check(page)
        page.set_input_files("#document", str(pdf))
        page.check("input[name=purpose][value=response]")
        page.select_option("#criterion", str(criterion.pk))
        page.click("button:has-text('Add the document')")
        expect(page.locator("main")).to_contain_text("Document q1-response.pdf added")
        check(page)
        assert BidDocument.objects.filter(bid=bid, criterion=criterion, kind="pdf").count() == 1

        Tender.objects.filter(pk=tender.pk).update(stage="evaluation")
        page = sign_in("evaluator3")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/declare/")
        page.check("input[name=has_conflict][value=no]")
        page.click("button:has-text('Declare')")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/bids/{bid.pk}/criteria/{criterion.pk}/")
        check(page)
        expect(page.locator("iframe.cw-document")).to_have_attribute("title", "q1-response.pdf")
        browser.close()
    assert violations == []
