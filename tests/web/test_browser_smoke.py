import pytest
from browser_support import axe_violations, launch
from django.contrib.auth.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_page(live_server) -> None:
    from playwright.sync_api import sync_playwright

    User.objects.create_user("smoke", password="a long smoke password")
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(live_server.url + "/sign-in/")
        print(page.title())
        print(axe_violations(page))
        page.fill("#username", "smoke")
        page.fill("#password", "a long smoke password")
        page.click("button:has-text('Sign in')")
        print(page.url, page.title())
        browser.close()
