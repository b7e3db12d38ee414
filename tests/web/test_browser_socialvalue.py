"""The social value pages in Debian's Chromium, with axe-core on every page: a commissioner of both councils sets
a core value (after an empty form's errors), searches the measures library and imports the council's own library,
reads PPN 002, asks bidders for a measure on a draft tender, records a contract's commitments and returns, uploads
an SROI impact map, takes the maturity self-assessment, and reads (with its spend shares and riskiest
suppliers) and downloads the report to members."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import launch
from django.contrib.auth.models import User
from playwright.sync_api import expect
from test_browser_journeys import PASSWORD, Journey

from commonweal.domain.lifecycle import Stage
from commonweal.domain.socialvalue.maturity import QUESTIONS
from commonweal.web.models import Tender
from commonweal.web.socialvalue.models import CoreValue, MaturityAssessment, TenderMeasure
from commonweal.web.spend import worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "socialvalue"
OWN_LIBRARY = (b"measure_id,theme,outcome,measure,unit,proxy_gbp,price_year,source_title,licence\n"
               b"TEST-OWN-1,Communities,More volunteering,Fictional licensed measure,hour,7.00,2025,"
               b"Fictional test library,CC BY-NC-ND 4.0\n")


def test_a_commissioner_works_through_every_social_value_page(world, live_server, monkeypatch, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = User.objects.get(username="shared.commissioner")
    user.set_password(PASSWORD)
    user.save()
    tender = world["northfield"]
    Tender.objects.filter(pk=tender.pk).update(stage=Stage.DRAFT.value)
    own = tmp_path / "own.csv"
    own.write_bytes(OWN_LIBRARY)
    worker.run_pending()  # the demo's queued spend, for the report's spend section
    base = f"{live_server.url}/social-value/northfield"
    with sync_playwright() as p:
        browser = launch(p)
        journey = Journey(browser, live_server.url)
        page = journey.sign_in("shared.commissioner")

        page.click("a:has-text('Social value')")
        journey.check(page)
        page.click("a:has-text('Northfield Borough Council')")
        expect(page.locator("h1")).to_contain_text("Social value")
        journey.check(page)

        # a core value: the empty form says what each field needs, then it is saved
        page.click("a:has-text('Add a core value')")
        journey.check(page)
        page.click("button:has-text('Save the core value')")
        expect(page.locator(".govuk-error-summary li")).to_have_count(4)
        journey.check(page)
        page.fill("#title", "Warm homes")
        page.check("input[name=outcomes][value='Lower carbon emissions']")
        page.check("input[name=measures][value='CO2-DESNZ-2030']")
        page.fill("#proportionality", "Heating is most of a repairs contract's emissions")
        page.click("button:has-text('Save the core value')")
        expect(page.locator("main")).to_contain_text("Core value Warm homes saved")
        journey.check(page)
        assert CoreValue.objects.filter(organisation__slug="northfield", title="Warm homes").exists()

        # the measures library: search, then the council's own licensed library
        page.goto(base + "/measures/?q=carbon")
        expect(page.locator("#found")).to_contain_text("3 of")
        journey.check(page)
        page.click("a:has-text('Import your own licensed library')")
        journey.check(page)
        page.set_input_files("#library", str(own))
        page.fill("#name", "Test TOMs")
        page.fill("#version", "2026")
        page.click("button:has-text('Check and import the library')")
        expect(page.locator("main")).to_contain_text("TEST-OWN-1")
        journey.check(page)

        page.goto(base + "/ppn-002/")
        expect(page.locator("#shipped")).to_contain_text("PPN-para-3")
        journey.check(page)

        # a draft tender asks bidders for a measure of a core value
        page.goto(f"{live_server.url}/tenders/{tender.pk}/social-value/")
        journey.check(page)
        page.select_option("#core_value", label="Local jobs at the Real Living Wage")
        page.select_option("#measure", "NEET-1824-YR")
        page.fill("#relevance", "Care work is a first job for many young people")
        page.fill("#proportionality", "Two placements a year")
        page.click("button:has-text('Ask bidders for this measure')")
        expect(page.locator("main")).to_contain_text("Bidders will be asked for NEET-1824-YR")
        journey.check(page)
        assert TenderMeasure.objects.filter(tender=tender, measure_id="NEET-1824-YR").exists()

        # a contract's commitments and returns, then the roll-up
        page.goto(base + "/delivery/record/")
        journey.check(page)
        page.fill("#title", "Day services (Calder)")
        page.fill("#supplier", "Calder Community Care CIC")
        page.fill("#first_year", "2025")
        page.set_input_files("#commitments", str(EXAMPLES / "awarded-commitments.csv"))
        page.set_input_files("#returns", str(EXAMPLES / "delivery-returns.csv"))
        page.click("button:has-text('Check and record')")
        expect(page.locator("#by-contract")).to_contain_text("Day services (Calder)")
        # the contracts area's let contract with social value (started a year ago) is in this year's roll-up too
        expect(page.locator("#by-contract")).to_contain_text("NBC-C-001 Home care, north locality")
        journey.check(page)
        page.fill("#year", "2025")
        page.select_option("#quarter", "4")
        page.click("button:has-text('Show this period')")
        expect(page.locator("h1")).to_contain_text("2025/26")
        journey.check(page)

        # SROI: upload an impact map and read its ratio and sensitivity
        page.goto(base + "/sroi/")
        journey.check(page)
        page.set_input_files("#impact_map", str(EXAMPLES / "impact-map.yaml"))
        page.click("button:has-text('Work out the SROI')")
        expect(page.locator("#sensitivity")).to_be_visible()
        journey.check(page)

        # maturity: every question answered, kept beside the earlier ones
        page.goto(base + "/maturity/")
        journey.check(page)
        page.fill("#taken_on", "2026-12-05")
        for question in QUESTIONS:
            page.check(f"input[name={question.id}][value=moderately]")
        page.click("button:has-text('Save the self-assessment')")
        expect(page.locator("main")).to_contain_text("Self-assessment saved")
        journey.check(page)
        assert MaturityAssessment.objects.filter(organisation__slug="northfield").count() == 3

        # the report to members, and its spreadsheet
        page.click("a:has-text('Report to members')")
        expect(page.locator("#by-core-value")).to_be_visible()
        expect(page.locator("#spend")).to_contain_text("with SMEs")
        expect(page.locator("#local")).to_contain_text("with local suppliers (a postcode in NF)")
        expect(page.locator("#suppliers")).to_contain_text("Harbourside Home Support Ltd")
        journey.check(page)
        with page.expect_download() as download:
            page.click("a:has-text('spreadsheet (XLSX)')")
        assert download.value.suggested_filename.endswith(".xlsx")
        browser.close()
    assert journey.violations == [], journey.violations
