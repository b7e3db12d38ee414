"""Every form the pages accept, walked with hostile values: empty, oversized, wrong-typed, NUL, invalid UTF-8 (a
lone surrogate's bytes), huge numbers, negative and non-numeric ids, broken files. Each is posted as a user allowed
to post, on top of an otherwise valid form: the answer is never a server error, and a refused form saves nothing
(no row in any of the workspace's tables, no audit entry).

The routes come from the URL resolver: any page route that accepts a POST and has no entry in FORMS fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commonweal.web.forms import TEXT_MAX_CHARS
from commonweal.web.models import Bid, ConflictDeclaration, Criterion, Tender

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"
PASSWORD = "demo password for tests"  # the `world` fixture's
INVALID_UTF8 = b"\xed\xa0\x80"  # the UTF-8 bytes of a lone surrogate (U+D800), which UTF-8 forbids

# What each kind of field must refuse; text fields also get INVALID_UTF8, which Django decodes to U+FFFD
# (valid text), so for them only "no server error" is asserted.
BAD: dict[str, list[str | bytes]] = {
    "text": ["", "   ", "x" * (TEXT_MAX_CHARS + 1), "a\x00b"],
    "choice": ["", "maybe", "\x00", "x" * (TEXT_MAX_CHARS + 1), "-1", INVALID_UTF8],
    "number": ["", "abc", "1e999999", "9" * 400, "-1", "NaN", "Infinity", "3.5.5", "0x10", "\x00", INVALID_UTF8],
    "id": ["", "abc", "-1", "0", "9" * 30, "1.5", "\x00", INVALID_UTF8],
    "date": ["abc", "2026-13-45", "0000-01-01", "9" * 400, "20261124", "\x00", INVALID_UTF8],
}
ALSO_SURVIVED = {"text": [INVALID_UTF8, "\u202e\ufeff"]}  # no server error; may be accepted


@dataclass
class Form:
    """A page's form: who may post it, on which tender, the fields by kind and a valid (or validly refused) form."""

    user: str
    tender: str  # "northfield" or "southdale" (the demo's tenders)
    fields: dict[str, str]
    valid: dict[str, Any] = field(default_factory=dict)
    stage: str | None = None  # put the tender at this stage first (the form is for that stage)
    conflict: bool = False  # evaluator3 declares a conflict first (the form decides it)
    files: bool = False


def _scores_csv(evaluator: str | None) -> bytes:
    """One row of the example's scores (as `evaluator`) or of its moderation, as a file of its own."""
    lines = (EXAMPLE / ("scores.csv" if evaluator else "moderation.csv")).read_text(encoding="utf-8").splitlines()
    row = lines[1] if evaluator is None else evaluator + "," + lines[1].split(",", 1)[1]
    return f"{lines[0]}\n{row}\n".encode()


def _tender_files() -> dict[str, tuple[str, bytes]]:
    yaml_text = (EXAMPLE / "tender.yaml").read_text(encoding="utf-8").replace("FBC-ASC-2026-014", "NEW-2026-001")
    # tenders area: the buyer must be the organisation the tender is created in
    yaml_text = yaml_text.replace("buyer: Fernbridge Borough Council", "buyer: Northfield Borough Council")
    return {"tender": ("tender.yaml", yaml_text.encode()), "bids": ("bids.csv", (EXAMPLE / "bids.csv").read_bytes()),
            "gates": ("gates.csv", (EXAMPLE / "gates.csv").read_bytes()),
            "commitments": ("commitments.csv", (EXAMPLE / "commitments.csv").read_bytes()),
            "socialvalue": ("socialvalue.yaml", (EXAMPLE / "socialvalue.yaml").read_bytes())}


FORMS: dict[str, Form] = {
    "login": Form("", "northfield", {"username": "text", "password": "text"},
                  {"username": "viewer", "password": PASSWORD, "next": "/tenders/"}),
    "logout": Form("viewer", "northfield", {}),
    # Northfield is in evaluation: even the well-formed form is refused (it is not time for standstill)
    # tenders area: the award notice's date is a GOV.UK date input (day, month, year)
    "advance": Form("commissioner", "northfield",
                    {"target": "choice", "award_notice_published-day": "id", "award_notice_published-month": "id",
                     "award_notice_published-year": "id"},
                    {"target": "standstill", "award_notice_published-day": "24", "award_notice_published-month": "11",
                     "award_notice_published-year": "2026"}),
    # tenders area (new)
    "conflict": Form("commissioner", "northfield", {"outcome": "choice", "replacement": "choice", "reason": "text"},
                     {"outcome": "replaced", "replacement": "viewer", "reason": "A close family link"}, conflict=True),
    "team": Form("commissioner", "northfield", {"username": "choice", "role": "choice"},
                 {"username": "viewer", "role": "moderator"}),
    "declare": Form("evaluator3", "northfield", {"has_conflict": "choice", "details": "text"},
                    {"has_conflict": "yes", "details": "My sister works for a bidder"}),
    # tenders area (new)
    "score": Form("evaluator1", "northfield", {"score": "number", "rationale": "text"},
                  {"score": "3", "rationale": "Meets the requirement"}),
    "submit_scores": Form("evaluator1", "northfield", {}),
    "bid_documents": Form("commissioner", "northfield", {"document": "file"}, stage="closed", files=True),
    "upload_scores": Form("evaluator1", "northfield", {"scores": "file"}, {"scores": ("scores.csv", "evaluator1")},
                          files=True),
    "upload_moderation": Form("moderator", "northfield", {"scores": "file"}, {"scores": ("moderation.csv", None)},
                              stage="moderation", files=True),
    "moderate": Form("moderator", "northfield", {"score": "number", "rationale": "text"},
                     {"score": "3", "rationale": "The panel agreed"}, stage="moderation"),
    "abnormally_low": Form("southdale.commissioner", "southdale", {"decision": "choice", "reason": "text"},
                           {"decision": "accepted", "reason": "The supplier explained its costs"}),
    "upload": Form("shared.commissioner", "northfield",
                   {"tender": "file", "bids": "file", "gates": "optional file", "commitments": "optional file",
                    "socialvalue": "optional file"}, files=True),
}


@pytest.fixture(autouse=True)
def _forget_sign_in_failures() -> Iterator[None]:
    # the sign-in form's refused posts count as failures in the cache; later tests must not find them
    yield
    cache.clear()


# The people area's forms are walked with hostile values by its own test
# (tests/web/test_people.py::test_no_people_form_fails_on_empty_oversized_or_wrong_typed_input), with its own objects
# (a member, an invitation link); every other POST route is walked here.
WALKED_IN_TEST_PEOPLE = {"invite", "cancel_invitation", "person_role", "person_remove", "person_active",
                         "person_reset", "join", "reset_password", "password", "team_remove"}


def _page_routes(patterns: list[URLPattern | URLResolver] | None = None) -> list[URLPattern]:
    """Every named page route, those of included areas too (the API's routes are the Schemathesis test's)."""
    found: list[URLPattern] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver) and not p.namespace:
            found.extend(_page_routes(p.url_patterns))
        elif isinstance(p, URLPattern) and p.name:
            found.append(p)
    return found


def _objects(tender: Tender) -> dict[str, object]:
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    assert bid is not None
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    assert criterion is not None
    return {"tender_id": tender.pk, "bid_id": bid.pk, "criterion_id": criterion.pk, "fmt": "csv",
            "slug": tender.organisation.slug, "user_id": User.objects.get(username="viewer").pk,
            "invitation_id": 1, "token": "not-a-token",
            # tenders area (new): the tender's declared conflict, or any declaration
            "declaration_id": getattr(ConflictDeclaration.objects.filter(tender=tender).order_by(
                "-has_conflict", "pk").first(), "pk", 0),
            "document_id": 1}


def _path(pattern: URLPattern, objects: dict[str, object]) -> str:
    return reverse(pattern.name, kwargs={k: objects[k] for k in pattern.pattern.converters})  # type: ignore[attr-defined]


def _saved() -> tuple[int, ...]:
    """How many rows every table of the workspace holds (audit entries, scores, declarations...), and users."""
    return (*(m.objects.count() for m in apps.get_app_config("web").get_models()), User.objects.count())


def _client(user: str) -> Client:
    client = Client()
    if user:
        client.force_login(User.objects.get(username=user))
    return client


def test_every_post_route_has_a_form_entry(world) -> None:
    """A route that accepts a POST (anything but 405 for a signed-in user) must be walked below."""
    objects = _objects(world["northfield"])
    # a fresh client each time: posting to sign-out signs the client out
    posting = {p.name for p in _page_routes() if _client("admin").post(_path(p, objects)).status_code != 405}
    assert posting == set(FORMS) | WALKED_IN_TEST_PEOPLE


def _post_fields(client: Client, path: str, values: dict[str, str | bytes]) -> Any:
    body = urlencode(list(values.items()))
    return client.generic("POST", path, body, content_type="application/x-www-form-urlencoded")


def _file_values(name: str, form: Form) -> dict[str, Any]:
    if name == "bid_documents":  # tenders area (new): a PDF, as a written response for the whole bid
        return {"document": SimpleUploadedFile("response.pdf", b"%PDF-1.4\n%%EOF\n"), "purpose": "response"}
    if name == "upload":
        return {k: SimpleUploadedFile(n, c) for k, (n, c) in _tender_files().items()}
    file_name, evaluator = form.valid["scores"]
    return {"scores": SimpleUploadedFile(file_name, _scores_csv(evaluator))}


FILE_BAD: list[tuple[str, Any]] = [
    ("missing", None),
    ("text instead of a file", "not a file"),
    ("empty", b""),
    ("binary garbage", bytes(range(256)) * 8),
    ("invalid UTF-8", INVALID_UTF8 * 50),
    ("NUL bytes", b"\x00" * 100),
    ("a broken spreadsheet", b"PK\x03\x04" + b"\x00" * 200),
    ("wrong extension", None),
    ("over the size limit", None),
]


def _bad_files(key: str, optional: bool, valid: Callable[[], dict[str, Any]],
               limit: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """The valid files (fresh from `valid`) with the file `key` replaced by each hostile one."""
    for label, bad in FILE_BAD:
        if optional and label in ("missing", "text instead of a file"):
            continue  # an optional file may be left out, and text in its place is no file
        values = valid()
        good = values.pop(key)
        stem = Path(good.name).stem
        if label == "wrong extension":
            values[key] = SimpleUploadedFile(stem + ".exe", good.read())
        elif label == "over the size limit":
            values[key] = SimpleUploadedFile(good.name, b"x" * (limit + 1))
        elif isinstance(bad, str):
            values[key] = bad
        elif isinstance(bad, bytes):
            values[key] = SimpleUploadedFile(stem + ".xlsx" if bad.startswith(b"PK") else good.name, bad)
        yield label, values


@pytest.mark.parametrize("name", sorted(n for n, f in FORMS.items() if f.fields))
def test_hostile_values_never_fail_the_server_and_save_nothing(world, settings, name: str) -> None:
    form = FORMS[name]
    tender = world[form.tender]
    if form.stage:
        Tender.objects.filter(pk=tender.pk).update(stage=form.stage)
    if form.conflict:
        ConflictDeclaration.objects.create(tender=tender, user=User.objects.get(username="evaluator3"),
                                           has_conflict=True, details="A family link")
    objects = _objects(tender)
    pattern = next(p for p in _page_routes() if p.name == name)
    path = _path(pattern, objects)
    client = _client(form.user)
    valid = {} if form.files else {k: v.format(**objects) for k, v in form.valid.items()}
    wrong: list[str] = []

    def check(label: str, response: Any, before: tuple[int, ...], refused: bool = True) -> None:
        if response.status_code >= 500:
            wrong.append(f"{label}: HTTP {response.status_code}")
        elif refused and not 400 <= response.status_code < 500:
            wrong.append(f"{label}: HTTP {response.status_code}, expected the form to be refused")
        elif refused and _saved() != before:
            wrong.append(f"{label}: something was saved")

    if form.files:
        settings.COMMONWEAL_UPLOAD_MAX_BYTES = 200_000  # each example file is smaller; "oversized" is larger
        for key, kind in form.fields.items():
            for label, values in _bad_files(key, kind.startswith("optional"), lambda: _file_values(name, form),
                                            settings.COMMONWEAL_UPLOAD_MAX_BYTES):
                before = _saved()
                check(f"{key} {label}", client.post(path, values), before)
    else:
        for key, kind in form.fields.items():
            for bad in BAD[kind]:
                before = _saved()
                check(f"{key}={bad[:40]!r}", _post_fields(client, path, {**valid, key: bad}), before)
    before = _saved()
    check("an empty form", client.post(path, {}), before)
    assert wrong == []
    # the valid form is accepted and saves, so "nothing saved" above is not true of every post
    before = _saved()
    accepted = client.post(path, _file_values(name, form)) if form.files else _post_fields(client, path, valid)
    assert accepted.status_code == (400 if name == "advance" else 302), accepted.content[:2000]
    assert (_saved() != before) is (name not in ("advance", "login"))
    if not form.files:
        for key, kind in form.fields.items():
            for odd in ALSO_SURVIVED.get(kind, []):
                check(f"{key}={odd!r}", _post_fields(client, path, {**valid, key: odd}), _saved(), refused=False)
        assert wrong == []


@pytest.mark.parametrize("name", sorted(n for n, f in FORMS.items() if f.fields))
def test_each_error_links_from_the_summary_to_its_field(world, name: str) -> None:
    """The GOV.UK error summary pattern: every problem in the summary links to an element on the page, and the
    fields show their own error messages."""
    form = FORMS[name]
    tender = world[form.tender]
    if form.stage:
        Tender.objects.filter(pk=tender.pk).update(stage=form.stage)
    if form.conflict:
        ConflictDeclaration.objects.create(tender=tender, user=User.objects.get(username="evaluator3"),
                                           has_conflict=True, details="A family link")
    objects = _objects(tender)
    path = _path(next(p for p in _page_routes() if p.name == name), objects)
    html = _client(form.user).post(path, {}).content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets, summary
    assert [t for t in targets if f'id="{t}"' not in html] == []
    if name != "advance":  # the stage's own problems are listed under "Next step", not at a field
        assert 'class="govuk-error-message"' in html


@pytest.mark.parametrize("huge", [2**63, 10**30])
def test_ids_beyond_any_table_in_the_path_are_refused(world, huge: int) -> None:
    """Every POST route with ids in its path, each id in turn beyond what a 64-bit key holds: refused (404, or 409
    where the tender's stage is checked first), never a 500, nothing saved."""
    objects = _objects(world["northfield"])
    wrong = []
    for pattern in _page_routes():
        form = FORMS.get(pattern.name)
        if form is None or not form.fields:
            continue
        for key in (k for k in pattern.pattern.converters if k.endswith("_id")):  # type: ignore[attr-defined]
            path = _path(pattern, {**objects, key: huge})
            before = _saved()
            status = _client(form.user).post(path, {}).status_code
            if status not in (404, 409) or _saved() != before:
                wrong.append(f"{path}: {status}")
    assert wrong == []
