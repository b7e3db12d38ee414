"""A new person's journey in Debian's Chromium, with axe-core on every page: the admin invites them, they open the
one-time link, choose a password and sign in, a commissioner makes them an evaluator on Northfield's tender, and
they declare no conflict and score a bid."""

from __future__ import annotations

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.web.models import ConflictDeclaration, Score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long passphrase for Jo 2026"


def test_an_invited_person_joins_and_evaluates(world, live_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tender = world["northfield"]
    for user in User.objects.filter(username__in=["admin", "commissioner"]):
        user.set_password(PASSWORD)
        user.save()
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)

        # the admin invites Jo as a plain member of Northfield and sees the link once
        page = journey.sign_in("admin")
        page.click("a:has-text('members')")
        journey.check(page)
        page.click("a:has-text('Invite a person')")
        journey.check(page)
        page.click("button:has-text('Create the invitation')")  # nothing filled in: every field says what it needs
        expect(page.locator(".govuk-error-summary li")).to_have_count(3)
        journey.check(page)
        page.fill("#username", "jo.evaluator")
        page.fill("#display_name", "Jo Evaluator")
        page.check("input[name=role][value=member]")
        page.click("button:has-text('Create the invitation')")
        expect(page.locator("h1")).to_contain_text("Invitation created")
        journey.check(page)
        link = page.locator("#one-time-link").inner_text().strip()
        assert link.startswith(live_server.url + "/people/join/")

        # Jo opens the link (not signed in), chooses a password, and signs in with it
        jo = browser.new_context(bypass_csp=True).new_page()
        jo.goto(link)
        journey.check(jo)
        jo.fill("#password1", NEW_PASSWORD)
        jo.fill("#password2", NEW_PASSWORD)
        jo.click("button:has-text('Set the password')")
        expect(jo.locator("main")).to_contain_text("Welcome to Northfield Borough Council")
        journey.check(jo)
        jo.click("button:has-text('Sign out')")
        jo.goto(live_server.url + "/sign-in/")
        jo.fill("#username", "jo.evaluator")
        jo.fill("#password", NEW_PASSWORD)
        jo.click("button:has-text('Sign in')")
        expect(jo.locator("main")).to_contain_text("Nothing needs your attention in Northfield Borough Council now")
        journey.check(jo)

        # the commissioner gives Jo the evaluator role on Northfield's tender
        page = journey.sign_in("commissioner")
        page.goto(f"{live_server.url}/tenders/{tender.pk}/team/")
        journey.check(page)
        page.select_option("#username", "jo.evaluator")
        page.select_option("#role", "evaluator")
        page.click("button:has-text('Give the role')")
        expect(page.locator("main")).to_contain_text("jo.evaluator is now evaluator on this tender")
        journey.check(page)

        # Jo declares no conflict and scores the first criterion of a bid
        jo.goto(f"{live_server.url}/tenders/{tender.pk}/evaluate/")
        assert "/declare/" in jo.url
        journey.check(jo)
        jo.check("input[name=has_conflict][value=no]")
        jo.click("button:has-text('Declare')")
        expect(jo.locator("h1")).to_contain_text("Your evaluation")
        journey.check(jo)
        jo.click("tbody a >> nth=0")
        journey.check(jo)
        first_form = jo.locator("form").filter(has=jo.locator("input[name=score]")).first
        first_form.locator("input[name=score][value='3']").check()
        first_form.locator("textarea").fill("Meets the requirement with some gaps (section 3)")
        first_form.locator("#save-next").click()  # the scoring page: "Save and continue" (tenders area)
        expect(jo.locator(".govuk-notification-banner")).to_contain_text("Score saved")
        journey.check(jo)
        browser.close()

    jo_user = User.objects.get(username="jo.evaluator")
    assert ConflictDeclaration.objects.filter(tender=tender, user=jo_user, has_conflict=False).exists()
    assert Score.objects.filter(evaluator=jo_user, bid__lot__tender=tender, score=3).count() == 1
    assert journey.violations == []
