"""Issue #17's "Done when": from an empty organisation to the award recommendation through forms only (no YAML):
the tender built with the builder, bids entered with a document, three evaluators (one declares a conflict and is
replaced by the commissioner), scoring, moderation, opening prices and the recommendation, with axe-core on
every page visited. Each step is lean (one lot, two bids, two criteria) so the whole journey stays one test."""

from __future__ import annotations

import pytest
from browser_support import axe_violations, launch
from django.contrib.auth.models import User
from playwright.sync_api import expect

from commonweal.web.models import Bid, BidDocument, Criterion, Membership, Organisation, Tender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo password for browser tests"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PEOPLE = {"e.commissioner": "commissioner", "e.eval1": "", "e.eval2": "", "e.eval3": "", "e.eval4": "",
          "e.moderator": "", "e.finance": ""}
MARKS = {"Alder Care Ltd": {"Q1": "4", "SV1": "3"}, "Birch Support CIC": {"Q1": "3", "SV1": "5"}}


class Journey:
    def __init__(self, browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.checked: list[str] = []
        self.violations: list[str] = []

    def sign_in(self, username: str):
        page = self.browser.new_context(bypass_csp=True, accept_downloads=True).new_page()
        page.goto(self.base + "/sign-in/")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        self.check(page)
        return page

    def visit(self, page, path: str) -> None:
        page.goto(self.base + path)
        self.check(page)

    def check(self, page) -> None:
        page.wait_for_load_state("load")
        self.checked.append(page.url)
        self.violations += [f"{page.url}: {v}" for v in axe_violations(page)]

    def advance(self, page, tender: Tender, action: str) -> None:
        """A lifecycle step from the tender's task list, through its confirmation page."""
        self.visit(page, f"/tenders/{tender.pk}/")
        page.click(f".govuk-task-list a:has-text('{action}')")
        self.check(page)
        page.click(f"button:has-text('Confirm: {action.lower()}')")
        self.check(page)


def _organisation() -> Organisation:
    """An organisation with people and nothing else: no tender, no model, no bid."""
    organisation = Organisation.objects.create(name="Eastmere Borough Council", slug="eastmere")
    for username, role in PEOPLE.items():
        user = User.objects.create_user(username, password=PASSWORD)
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return organisation


def test_from_an_empty_organisation_to_the_award_recommendation_through_forms(live_server, monkeypatch,
                                                                              tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _organisation()
    pdf = tmp_path / "alder-q1.pdf"
    pdf.write_bytes(PDF)
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        # the commissioner builds the tender, checks the answers and creates it
        page = journey.sign_in("e.commissioner")
        journey.visit(page, "/tenders/")
        page.click("a:has-text('Create a tender for Eastmere Borough Council')")
        journey.check(page)
        for field, value in {
            "#title": "Community transport", "#reference": "EBC-CT-001",
            "#lot-0-id": "1", "#lot-0-title": "Whole borough", "#lot-0-budget": "250000",
            "#price_weight": "40",
            "#group-0-id": "quality", "#group-0-title": "Quality", "#group-0-weight": "50",
            "#group-1-id": "social_value", "#group-1-title": "Social value", "#group-1-weight": "5",
            "#criterion-0-id": "Q1", "#criterion-0-title": "Service design", "#criterion-0-group": "quality",
            "#criterion-0-weight": "100",
            "#criterion-1-id": "SV1", "#criterion-1-title": "Local volunteers", "#criterion-1-group": "social_value",
            "#criterion-1-weight": "100",
        }.items():
            page.fill(field, value)
        # checked as the person types: leaving the last field shows the reader's problem (95%), nothing submitted
        page.press("#criterion-1-weight", "Tab")
        expect(page.locator(".govuk-error-summary")).to_contain_text("must sum to 100, not 95")
        expect(page.locator("#price_weight-error")).to_be_visible()
        expect(page.locator("#criterion-1-weight")).to_have_value("100")
        assert page.url.endswith("/organisations/eastmere/tenders/build/")
        assert not Tender.objects.filter(reference="EBC-CT-001").exists()
        journey.check(page)
        page.click("button.govuk-button:has-text('Continue')")
        journey.check(page)
        # 95%: the engine's reader refuses it, at the field, and keeps what was typed
        expect(page.locator(".govuk-error-summary")).to_contain_text("must sum to 100, not 95")
        expect(page.locator("#lot-0-title")).to_have_value("Whole borough")
        page.fill("#group-1-weight", "10")
        page.press("#group-1-weight", "Tab")  # its check answered before Continue, as a person would see it
        page.wait_for_load_state("networkidle")
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
        page.click("button.govuk-button:has-text('Continue')")
        journey.check(page)
        expect(page.locator("h1")).to_contain_text("Check your answers")
        expect(page.locator("main")).to_contain_text("Eastmere Borough Council")
        page.click("button:has-text('Create the tender')")
        journey.check(page)
        expect(page.locator("main")).to_contain_text("Tender EBC-CT-001 created as a draft")
        tender = Tender.objects.get(reference="EBC-CT-001")

        # the bids, each by form, and a document for the first
        for bidder, price in (("Alder Care Ltd", "210000"), ("Birch Support CIC", "180000.50")):
            journey.visit(page, f"/tenders/{tender.pk}/")
            page.click("a:has-text('Add a bid')")
            journey.check(page)
            page.fill("#bidder", bidder)
            page.fill("#price", price)
            page.click("button:has-text('Add the bid')")
            journey.check(page)
            expect(page.locator("main")).to_contain_text(f"Bid from {bidder} added")
            if bidder == "Alder Care Ltd":
                page.set_input_files("#document", str(pdf))
                page.check("input[name=purpose][value=response]")
                page.click("button:has-text('Add the document')")
                journey.check(page)
        assert BidDocument.objects.filter(bid__lot__tender=tender).count() == 1

        # the team: three evaluators, a moderator and finance
        for username, role in (("e.eval1", "evaluator"), ("e.eval2", "evaluator"), ("e.eval3", "evaluator"),
                               ("e.moderator", "moderator"), ("e.finance", "finance")):
            journey.visit(page, f"/tenders/{tender.pk}/team/")
            page.select_option("#username", username)
            page.select_option("#role", role)
            page.click("button:has-text('Give the role')")
            journey.check(page)
        for action in ("Open the tender for bids", "Close the tender to bids", "Start evaluation"):
            journey.advance(page, tender, action)

        # e.eval3 declares a conflict; the commissioner replaces them with e.eval4
        evaluator = journey.sign_in("e.eval3")
        journey.visit(evaluator, f"/tenders/{tender.pk}/declare/")
        evaluator.check("input[name=has_conflict][value=yes]")
        evaluator.fill("#details", "My partner is a trustee of Birch Support CIC")
        evaluator.click("button:has-text('Declare')")
        journey.check(evaluator)
        journey.visit(page, f"/tenders/{tender.pk}/")
        page.click("a:has-text('e.eval3')")
        journey.check(page)
        page.check("input[name=outcome][value=replaced]")
        page.select_option("#replacement", "e.eval4")
        page.fill("#reason", "A close personal link to a bidder")
        page.click("button:has-text('Record the decision')")
        journey.check(page)

        # three evaluators declare, score every bid on every criterion and submit
        criteria = {c.pk: c.reference for c in Criterion.objects.filter(lot__tender=tender)}
        bids = list(Bid.objects.filter(lot__tender=tender))
        for name in ("e.eval1", "e.eval2", "e.eval4"):
            evaluator = journey.sign_in(name)
            journey.visit(evaluator, f"/tenders/{tender.pk}/declare/")
            evaluator.check("input[name=has_conflict][value=no]")
            evaluator.click("button:has-text('Declare')")
            journey.check(evaluator)
            assert "£" not in evaluator.content()
            for bid in bids:
                for criterion_id, reference in criteria.items():
                    journey.visit(evaluator, f"/tenders/{tender.pk}/bids/{bid.pk}/criteria/{criterion_id}/")
                    evaluator.check(f"input[name=score][value='{MARKS[bid.bidder][reference]}']")
                    evaluator.fill("#rationale", f"{reference} as the response shows")
                    evaluator.click("#save-next")
                    journey.check(evaluator)
            journey.visit(evaluator, f"/tenders/{tender.pk}/scores/submit/")
            evaluator.click("button:has-text('Submit my scores')")
            journey.check(evaluator)
            expect(evaluator.locator("main")).to_contain_text("Your scores are submitted and locked")

        # the moderator starts moderation and agrees each consensus score
        moderator = journey.sign_in("e.moderator")
        journey.advance(moderator, tender, "Start moderation")
        for bid in bids:
            for criterion_id, reference in criteria.items():
                journey.visit(moderator, f"/tenders/{tender.pk}/moderation/{bid.pk}/{criterion_id}/")
                moderator.check(f"input[name=score][value='{MARKS[bid.bidder][reference]}']")
                moderator.fill("#rationale", "Agreed by all three evaluators")
                moderator.click("button:has-text('Save the consensus score')")
                journey.check(moderator)

        # finance opens the prices; the commissioner recommends the award
        finance = journey.sign_in("e.finance")
        journey.advance(finance, tender, "Lock moderation and open prices")
        expect(finance.locator("main")).to_contain_text("Prices opened")
        journey.visit(page, f"/tenders/{tender.pk}/results/")
        assert "£180,000.50" in page.content()
        journey.advance(page, tender, "Recommend the award")
        expect(page.locator("main")).to_contain_text("The tender is now at stage: Award recommended")
        journey.visit(page, f"/tenders/{tender.pk}/recommendation/")
        expect(page.locator("main")).to_contain_text("Eastmere Borough Council")
        browser.close()

    assert journey.violations == []
    assert len(journey.checked) >= 40
