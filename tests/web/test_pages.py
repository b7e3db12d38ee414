"""Every page every demo user can open is checked, GOV.UK Notify style: a title, form actions that resolve to our
own routes, a CSRF token in every POST form, and no duplicate ids."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from test_authorisation_matrix import PAGES, ROLES, _client, _objects, _page_path

pytestmark = pytest.mark.db


class PageShape(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.title = ""
        self._in_title = False
        self.forms: list[dict[str, str | None]] = []
        self.csrf_in_form: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag == "title" and not self.title:  # the document's title, not an SVG chart's
            self._in_title = True
        if tag == "form":
            self.forms.append(attributes)
            self.csrf_in_form.append(False)
        if tag == "input" and attributes.get("name") == "csrfmiddlewaretoken" and self.csrf_in_form:
            self.csrf_in_form[-1] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, text: str) -> None:
        if self._in_title:
            self.title += text


def check_page(path: str, html: str) -> list[str]:
    shape = PageShape()
    shape.feed(html)
    problems = []
    if not shape.title.strip().endswith("– Commonweal") or len(shape.title.strip()) <= len("– Commonweal"):
        problems.append(f"{path}: title {shape.title.strip()!r}")
    duplicates = [i for i, n in Counter(shape.ids).items() if n > 1]
    if duplicates:
        problems.append(f"{path}: duplicate ids {duplicates}")
    for form, has_csrf in zip(shape.forms, shape.csrf_in_form, strict=True):
        action = form.get("action")
        if not action:
            problems.append(f"{path}: a form without an action")
            continue
        try:
            resolve(action)
        except Resolver404:
            problems.append(f"{path}: form action {action} is not a route")
        if (form.get("method") or "get").lower() == "post" and not has_csrf:
            problems.append(f"{path}: POST form to {action} has no CSRF token")
    return problems


def _pages_seen(world) -> list[tuple[str, str, str]]:
    seen = []
    for tender in (world["northfield"], world["southdale"]):
        objects = _objects(tender)
        for name, (method, _, _) in PAGES.items():
            if method != "GET" or name.startswith("api-") or name.endswith("_pdf") or name in (
                    "results_export", "sv_report_download", "contract_pack"):
                continue  # documents, not pages (their answers are in the authorisation matrix)
            path = _page_path(name, objects)
            for role in [*ROLES, "evaluator2"]:
                client: Client = _client(role)
                response = client.get(path)
                if response.status_code in (200, 400, 403, 404, 409) and "text/html" in response["Content-Type"]:
                    seen.append((role, path, response.content.decode()))
    return seen


def test_every_page_has_a_title_working_forms_and_unique_ids(world) -> None:
    seen = _pages_seen(world)
    # sanity: the walk reached the results, summary, moderation and scoring pages
    paths = {path for _, path, _ in seen}
    for fragment in ("/results/", "/summaries/", "/moderation/", "/bids/", "/declare/", "/audit/", "/tenders/new/"):
        assert any(fragment in p for p in paths), fragment
    problems = [p for role, path, html in seen for p in check_page(f"{path} as {role}", html)]
    assert problems == []


def test_the_check_catches_a_duplicate_id_and_a_dead_form() -> None:
    html = ('<title>X – Commonweal</title><p id="a"></p><p id="a"></p>'
            '<form method="post" action="/nowhere/"></form>')
    assert check_page("/x", html) == [
        "/x: duplicate ids ['a']",
        "/x: form action /nowhere/ is not a route",
        "/x: POST form to /nowhere/ has no CSRF token",
    ]


def test_security_headers_are_set(world, client) -> None:
    response = client.get("/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_with_errors_are_checked_too(world, client_for, client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonweal.web.models import Bid, Criterion

    tender = world["northfield"].pk
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    evaluator = client_for("evaluator3")
    answers = [
        ("/sign-in/", client.post("/sign-in/", {"username": "viewer", "password": "wrong"})),
        (f"/tenders/{tender}/declare/", evaluator.post(f"/tenders/{tender}/declare/", {})),
        (f"/tenders/{tender}/advance/", client_for("moderator").post(f"/tenders/{tender}/advance/",
                                                                       {"target": "moderation"})),
        ("/organisations/northfield/tenders/new/", client_for("shared.commissioner").post(
            "/organisations/northfield/tenders/new/",
            {"tender": SimpleUploadedFile("tender.yaml", b"title: [unclosed"),
             "bids": SimpleUploadedFile("bids.csv", b"bidder,lot\n")})),
    ]
    evaluator.post(f"/tenders/{tender}/declare/", {"has_conflict": "no"})
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    scoring = f"/tenders/{tender}/bids/{bid.pk}/criteria/{criterion.pk}/"
    answers.append((scoring, evaluator.post(scoring, {})))
    answers.append((f"/tenders/{tender}/scores/upload/", evaluator.post(f"/tenders/{tender}/scores/upload/", {})))
    assert [response.status_code for _, response in answers] == [400] * 6
    problems = [p for path, response in answers for p in check_page(path, response.content.decode())]
    assert problems == []
    for _, response in answers:
        html = response.content.decode()
        assert "There is a problem" in html and "<title>Error: " in html


def test_pages_use_commonweals_typeface_and_icon_not_govuk_brand_assets(client) -> None:
    """Commonweal is not a GOV.UK service: no GDS Transport typeface, no crown icons or manifest. Every asset a
    page asks for is one of our static files (GOV.UK Frontend's CSS compiled by scripts/setup.sh)."""
    import re

    from django.contrib.staticfiles import finders

    html = client.get("/sign-in/").content.decode()
    assets = re.findall(r'(?:href|src)="/assets/([^"]+)"', html)
    assert "govuk/govuk-frontend.min.css" in assets and "commonweal/favicon.svg" in assets
    assert [a for a in assets if not finders.find(a)] == []
    assert not re.search(r"govuk-icon|favicon\.ico|manifest|govuk-opengraph", html)
    css = Path(finders.find("govuk/govuk-frontend.min.css")).read_text(encoding="utf-8")
    assert "@font-face" not in css and "GDS Transport" not in css and "/fonts/" not in css
    assert "font-family:arial,sans-serif" in css
    # none of GOV.UK Frontend's own fonts or crown images is served at all
    for name in ("fonts/light-94a07e06a1-v2.woff2", "images/govuk-crest.svg", "images/favicon.ico", "manifest.json"):
        assert finders.find(name) is None, name


def test_a_score_saves_in_place_with_htmx_and_as_a_plain_post_without(world, client_for) -> None:
    """HTMX is progressive enhancement: the same form posts either way; with HX-Request the page answers with the
    saved score (or its error) for the score column to be swapped in place, without it the page redirects: to
    itself ("Save") or to the next bid on the same criterion ("Save and continue")."""
    from commonweal.web.models import Bid, Criterion, Score

    tender = world["northfield"]
    evaluator = client_for("evaluator3")
    evaluator.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})
    bids = list(Bid.objects.filter(lot__tender=tender).order_by("lot", "bidder"))  # as the pages order them
    bid = bids[0]
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    path = f"/tenders/{tender.pk}/bids/{bid.pk}/criteria/{criterion.pk}/"
    form = {"score": "3", "rationale": "Meets the requirement (section 3)", "then": "stay"}

    refused = evaluator.post(path, {**form, "score": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="cw-score"' in html and "Select a score" in html and "govuk-error-message" in html
    assert not Score.objects.filter(evaluator__username="evaluator3", bid=bid).exists()

    saved = evaluator.post(path, form, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "Score saved" in saved.content.decode()
    assert Score.objects.get(evaluator__username="evaluator3", bid=bid, criterion=criterion).score == 3

    plain = evaluator.post(path, {**form, "score": "2"})
    assert plain.status_code == 302 and plain["Location"] == path
    assert Score.objects.get(evaluator__username="evaluator3", bid=bid, criterion=criterion).score == 2
    onward = evaluator.post(path, {**form, "then": "next"})
    assert onward["Location"] == f"/tenders/{tender.pk}/bids/{bids[1].pk}/criteria/{criterion.pk}/"
