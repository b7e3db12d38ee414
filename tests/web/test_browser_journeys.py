"""The key journeys in Debian's Chromium, with axe-core on every page: no serious or critical violations.

Evaluator declares, scores and cannot see prices; moderator agrees scores; finance opens prices; commissioner sees
the ranking, downloads an assessment summary, records the abnormally low tender decision and recommends the award.
"""

from __future__ import annotations

import pytest
from browser_support import axe_violations, launch
from django.contrib.auth.models import User
from playwright.sync_api import expect

from commonweal.web.models import ModeratedScore, Score, ScoreSubmission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo password for browser tests"


class Journey:
    def __init__(self, browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.checked: list[str] = []
        self.violations: list[str] = []

    def sign_in(self, username: str):
        page = self.browser.new_context(bypass_csp=True, accept_downloads=True).new_page()
        page.goto(self.base + "/sign-in/")
        self.check(page)
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        self.check(page)
        return page

    def check(self, page) -> None:
        # a click that navigates returns once the new page starts loading; check it once it has loaded
        page.wait_for_load_state("load")
        self.checked.append(page.url)
        self.violations += [f"{page.url}: {v}" for v in axe_violations(page)]


def test_evaluate_moderate_open_prices_and_rank(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here are plain test set-up.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tender = world["northfield"]
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    # evaluator3 has scored everything but one criterion of the first bid (copied from evaluator1's scores)
    evaluator3 = User.objects.get(username="evaluator3")
    first = list(Score.objects.filter(bid__lot__tender=tender, evaluator__username="evaluator1")
                 .select_related("bid", "criterion")
                 .order_by("bid__lot__reference", "bid__bidder", "criterion__position"))
    left_out = first[0]
    Score.objects.bulk_create(
        Score(bid=s.bid, criterion=s.criterion, evaluator=evaluator3, score=s.score, rationale=s.rationale)
        for s in first[1:]
    )
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        # evaluator: conflicts first, then scoring; no price anywhere
        page = journey.sign_in("evaluator3")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/evaluate/")
        assert "/declare/" in page.url
        journey.check(page)
        page.check("input[name=has_conflict][value=no]")
        page.click("button:has-text('Declare')")
        assert page.url.endswith("/evaluate/")
        journey.check(page)
        assert "£" not in page.content()
        page.click(f"a:has-text('{left_out.bid.bidder}')")  # one bid at a time: its criterion still to score
        journey.check(page)
        assert "£" not in page.content() and "3580000" not in page.content()
        expect(page.locator("h1")).to_contain_text(f"{left_out.criterion.reference} ")
        criterion = left_out.criterion.pk
        page.check("input[name=score][value='4']")
        page.fill("#rationale", "Patch-based teams with a named coordinator (section 2.1)")
        page.evaluate("window.cwSamePage = true")
        page.focus("#save")
        page.click("#save")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Score saved")
        assert page.evaluate("window.cwSamePage === true")  # HTMX saved it in place, without reloading the page
        assert page.evaluate("document.activeElement.id") == "save"  # the focus stayed where it was
        journey.check(page)
        assert Score.objects.get(evaluator=evaluator3, bid=left_out.bid, criterion=left_out.criterion).score == 4
        # every score entered: submit them, through the confirmation page
        page.goto(f"{live_server.url}/tenders/{tender.pk}/evaluate/")
        expect(page.locator("#progress")).to_contain_text(f"{len(first)} of {len(first)} scored")
        page.click("a:has-text('Submit my scores')")
        journey.check(page)
        page.click("button:has-text('Submit my scores')")
        expect(page.locator("main")).to_contain_text("Your scores are submitted and locked")
        journey.check(page)
        for name in ("evaluator1", "evaluator2"):
            ScoreSubmission.objects.create(tender=tender, evaluator=User.objects.get(username=name))

        # moderator: start moderation, then agree the last score (the rest were agreed earlier)
        page = journey.sign_in("moderator")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/")
        page.click(".govuk-task-list a:has-text('Start moderation')")  # the step's confirmation page
        journey.check(page)
        expect(page.locator("main")).to_contain_text("Evaluators can no longer enter or change their scores")
        page.click("button:has-text('Confirm: start moderation')")
        journey.check(page)
        moderator = User.objects.get(username="moderator")
        ModeratedScore.objects.bulk_create(
            ModeratedScore(bid=s.bid, criterion=s.criterion, moderator=moderator, score=s.score, rationale="agreed")
            for s in first[1:]
        )
        page.goto(f"{live_server.url}/tenders/{tender.pk}/moderation/")
        journey.check(page)
        assert "£" not in page.content()
        page.click(f"a[href$='/moderation/{left_out.bid.pk}/{criterion}/']")
        journey.check(page)
        page.check("input[name=score][value='4']")
        page.fill("#rationale", "All three evaluators agreed: fully meets the requirement")
        page.click("button:has-text('Save the consensus score')")
        journey.check(page)
        assert ModeratedScore.objects.filter(bid__lot__tender=tender).count() == len(first)

        # finance: lock moderation and open the prices
        page = journey.sign_in("finance")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/")
        journey.check(page)
        page.click(".govuk-task-list a:has-text('Lock moderation and open prices')")
        journey.check(page)
        expect(page.locator("main")).to_contain_text("Prices are opened")
        page.click("button:has-text('Confirm: lock moderation and open prices')")
        expect(page.locator("main")).to_contain_text("Prices opened")
        journey.check(page)

        # commissioner: the ranking, and an assessment summary as PDF
        page = journey.sign_in("commissioner")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/results/")
        journey.check(page)
        assert page.locator("#ranking-lot-1 tbody tr").count() == 5
        assert "£3,580,000.00" in page.content()
        page.click("#ranking-lot-1 tbody tr >> nth=0 >> a:has-text('View')")
        journey.check(page)
        with page.expect_download() as download:
            page.click("a:has-text('Download this summary as PDF')")
        with open(download.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"

        # commissioner: the abnormally low tender decision (Procurement Act 2023 s.19(3)–(5)), then the award
        page.goto(f"{live_server.url}/tenders/{tender.pk}/")
        assert "Abnormally low tender decision not recorded" in page.content()
        page.goto(f"{live_server.url}/tenders/{tender.pk}/results/")
        page.click("a:has-text('Record the decision')")
        journey.check(page)
        page.click("button:has-text('Record the decision')")  # nothing chosen: the page says what is missing
        # expect() waits for the re-rendered form; counting at once could read the page before it arrives
        expect(page.locator(".govuk-error-summary li")).to_have_count(2)
        journey.check(page)
        page.check("input[name=decision][value=accepted]")
        page.fill("#reason", "The supplier's cost breakdown shows the price covers the wage floor")
        page.click("button:has-text('Record the decision')")
        # expect() waits for the redirect after the POST to finish rendering; page.content() could read too early
        expect(page.locator("main")).to_contain_text("Decision recorded for Harbour Healthcare Group plc")
        journey.check(page)
        page.goto(f"{live_server.url}/tenders/{tender.pk}/")
        page.click(".govuk-task-list a:has-text('Recommend the award')")
        journey.check(page)
        page.click("button:has-text('Confirm: recommend the award')")
        expect(page.locator("main")).to_contain_text("The tender is now at stage: Award recommended")
        journey.check(page)
        browser.close()

    assert len(journey.checked) >= 15
    assert journey.violations == []


def test_the_evaluator_journey_works_without_javascript(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    evaluator3 = User.objects.get(username="evaluator3")
    evaluator3.set_password(PASSWORD)
    evaluator3.save()
    tender = world["northfield"]
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(live_server.url + "/sign-in/")
        page.fill("#username", "evaluator3")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/declare/")
        page.check("input[name=has_conflict][value=no]")
        page.click("button:has-text('Declare')")
        page.click("a:has-text('Start scoring')")  # one criterion at a time, across the bids
        page.check("input[name=score][value='3']")
        page.fill("#rationale", "Meets the requirement with some gaps (section 3)")
        page.click("button:has-text('Save and continue')")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Score saved")
        expect(page.locator(".govuk-caption-l")).to_contain_text("2 of ")  # the next bid, same criterion
        page.click("a:has-text('Previous')")
        assert page.locator("input[name=score][value='3']").is_checked()
        assert page.locator("#rationale").input_value() == "Meets the requirement with some gaps (section 3)"
        browser.close()
    assert Score.objects.filter(evaluator=evaluator3, bid__lot__tender=tender, score=3).count() == 1
