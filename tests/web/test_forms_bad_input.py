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

from commonweal.domain.socialvalue.maturity import QUESTIONS
from commonweal.web.contracts.models import Contract
from commonweal.web.forms import TEXT_MAX_CHARS
from commonweal.web.models import Bid, ConflictDeclaration, Criterion, Tender
from commonweal.web.socialvalue.models import CoreValue, TenderMeasure
from commonweal.web.spend import worker
from commonweal.web.spend.models import SpendFigures, SpendImport
from commonweal.web.suppliers.models import WatchedSupplier
from commonweal.web.tenders import data

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"
ACCOUNTS = Path(__file__).resolve().parents[2] / "examples" / "suppliers" / "accounts.csv"
GREENWAY = "Greenway Community Care Ltd"  # a supplier on Northfield's demo watchlist
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
BAD["optional number"] = [v for v in BAD["number"] if v != ""]  # a blank optional amount is "not known"
ALSO_SURVIVED = {"text": [INVALID_UTF8, "\u202e\ufeff"]}  # no server error; may be accepted


@dataclass
class Form:
    """A page's form: who may post it, on which tender, the fields by kind and a valid (or validly refused) form."""

    user: str
    tender: str  # "northfield" or "southdale" (the demo's tenders)
    fields: dict[str, str]
    valid: dict[str, Any] = field(default_factory=dict)
    stage: str | None = None  # put the tender at this stage first (the form is for that stage); spend: `_spend_stage`
    conflict: bool = False  # evaluator3 declares a conflict first (the form decides it)
    built: bool = False  # on a draft made by the builder, with no bids (the one kind of tender the builder edits)
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


_CORE_VALUE_FIELDS = {"title": "text", "outcomes": "choice", "measures": "choice", "proportionality": "text"}
# A fictional licensed library of one measure (not a real TOM or HACT value): what an organisation imports
OWN_LIBRARY = (b"measure_id,theme,outcome,measure,unit,proxy_gbp,price_year,source_title,licence\n"
               b"TEST-OWN-1,Communities,More volunteering,Fictional licensed measure,hour,1.00,2025,"
               b"Fictional test library,CC BY-NC-ND 4.0\n")
SOCIAL_VALUE = EXAMPLE.parent / "socialvalue"


def _social_value_files(name: str) -> dict[str, Any]:
    """The valid upload of each social value form (files, and the form's text fields)."""
    if name == "sv_library_import":
        return {"library": SimpleUploadedFile("own.csv", OWN_LIBRARY), "name": "Test TOMs", "version": "2026"}
    if name == "sv_ppn002":
        return {"model": SimpleUploadedFile("ppn002.csv", shipped_model_csv())}
    if name == "sv_sroi":
        return {"impact_map": SimpleUploadedFile("impact-map.yaml", (SOCIAL_VALUE / "impact-map.yaml").read_bytes())}
    return {"commitments": SimpleUploadedFile("c.csv", (SOCIAL_VALUE / "awarded-commitments.csv").read_bytes()),
            "returns": SimpleUploadedFile("r.csv", (SOCIAL_VALUE / "delivery-returns.csv").read_bytes()),
            "title": "Another contract", "supplier": "Calder Community Care CIC", "first_year": "2026"}


def shipped_model_csv() -> bytes:
    from importlib import resources

    return resources.files("commonweal").joinpath("data", "socialvalue", "ppn002.csv").read_bytes()


# a tender made by the builder: the builder's valid answers, and the draft its edit is walked on
BUILT = {"title": "Day care", "reference": "NEW-2026-002", "price_weight": "40",
         "price_formula": "relative_to_lowest", "tie_break": "price",
         "lot-0-id": "1", "lot-0-title": "All",
         "group-0-id": "quality", "group-0-title": "Quality", "group-0-weight": "50",
         "group-1-id": "social_value", "group-1-title": "Social value", "group-1-weight": "10",
         "criterion-0-id": "Q1", "criterion-0-title": "Q", "criterion-0-group": "quality",
         "criterion-0-weight": "100", "criterion-1-id": "S1", "criterion-1-title": "S",
         "criterion-1-group": "social_value", "criterion-1-weight": "100"}

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
    # the tender's own documents, while it is open for bids: a title and a file
    "tender_documents": Form("commissioner", "northfield", {"document": "file"}, stage="open", files=True),
    "upload_scores": Form("evaluator1", "northfield", {"scores": "file"}, {"scores": ("scores.csv", "evaluator1")},
                          files=True),
    "upload_moderation": Form("moderator", "northfield", {"scores": "file"}, {"scores": ("moderation.csv", None)},
                              stage="moderation", files=True),
    "moderate": Form("moderator", "northfield", {"score": "number", "rationale": "text"},
                     {"score": "3", "rationale": "The panel agreed"}, stage="moderation"),
    "abnormally_low": Form("southdale.commissioner", "southdale", {"decision": "choice", "reason": "text"},
                           {"decision": "accepted", "reason": "The supplier explained its costs"}),
    # tenders area: the tender builder (its check-your-answers page only confirms), and a bid entered by form: the
    # demo's model has a quantitative criterion, whose offer comes with a commitments file, so even the well-formed
    # bid is refused by the engine's check (bids by form are saved in tests/web/test_tender_builder.py)
    "build_tender": Form("shared.commissioner", "northfield",
                         {"title": "text", "reference": "text", "price_weight": "text", "tie_break": "text",
                          "criterion-0-weight": "text"},
                         BUILT),
    "check_tender": Form("shared.commissioner", "northfield", {}),
    # the builder opened on a draft tender it made (the edit keeps its answers in the session until confirmed)
    "edit_tender": Form("shared.commissioner", "northfield",
                        {"title": "text", "price_weight": "text", "tie_break": "text", "criterion-0-weight": "text"},
                        {**BUILT, "title": "Day care (revised)", "price_weight": "30", "group-0-weight": "60"},
                        built=True),
    "check_tender_edit": Form("shared.commissioner", "northfield", {}, built=True),
    "add_bid": Form("commissioner", "northfield", {"lot": "choice", "bidder": "text", "price": "number",
                                                   "gate-0": "choice"},
                    {"lot": "{lot_id}", "bidder": "New Bidder Ltd", "price": "1000000", "gate-0": "pass",
                     "gate-1": "pass"}, stage="closed"),
    "upload": Form("shared.commissioner", "northfield",
                   {"tender": "file", "bids": "file", "gates": "optional file", "commitments": "optional file",
                    "socialvalue": "optional file"}, files=True),
    # the social value area (the demo's Northfield core values; the last one, net zero, is used by no tender)
    "sv_core_value_new": Form("shared.commissioner", "northfield", _CORE_VALUE_FIELDS, {
        "title": "Warm homes", "outcomes": "Lower carbon emissions", "measures": "CO2-DESNZ-2030",
        "proportionality": "Heating is most of a housing repairs contract's emissions"}),
    "sv_core_value": Form("shared.commissioner", "northfield", _CORE_VALUE_FIELDS, {
        "title": "Net zero travel", "outcomes": "Lower carbon emissions", "measures": "CO2-DESNZ-2024",
        "proportionality": "Travel between clients is most of a care contract's emissions"}),
    "sv_core_value_remove": Form("shared.commissioner", "northfield", {"confirm": "choice"}, {"confirm": "yes"}),
    "sv_tender": Form("shared.commissioner", "northfield", {"core_value": "id", "measure": "choice",
                                                            "relevance": "text", "proportionality": "text"},
                      {"core_value": "{jobs_value_id}", "measure": "NEET-1824-YR",
                       "relevance": "Care work is a first job for many young people",
                       "proportionality": "Two placements a year"}, stage="draft"),
    "sv_tender_remove": Form("shared.commissioner", "northfield", {"confirm": "choice"}, {"confirm": "yes"},
                             stage="draft"),
    "sv_maturity": Form("shared.commissioner", "northfield",
                        {"taken_on": "date", **{q.id: "choice" for q in QUESTIONS}},
                        {"taken_on": "2026-12-01", **{q.id: "moderately" for q in QUESTIONS}}),
    "sv_library_import": Form("shared.commissioner", "northfield", {"library": "file"}, files=True),
    "sv_ppn002": Form("shared.commissioner", "northfield", {"model": "file"}, files=True),
    "sv_contract_record": Form("shared.commissioner", "northfield",
                               {"commitments": "file", "returns": "optional file"}, files=True),
    "sv_sroi": Form("shared.commissioner", "northfield", {"impact_map": "file"}, files=True),
    "supplier_add": Form("shared.commissioner", "northfield",
                         {"name": "text", "tier": "choice", "critical": "choice",
                          "annual_contract_value": "optional number", "council_spend_with_supplier": "optional number",
                          "council_spend_in_service_area": "optional number"},
                         {"name": "Newly Watched Ltd", "tier": "medium", "critical": "no",
                          "annual_contract_value": "250000.50"}),
    "supplier_accounts": Form("shared.commissioner", "northfield", {"accounts": "file"}, files=True),
    # publishing area (the optional identifier, descriptions and reasons take any valid text, so only the fields
    # that must refuse something are walked)
    "publishing_settings": Form("shared.commissioner", "northfield", {"ocid_prefix": "text"},
                                {"ocid_prefix": "ocds-abc123", "buyer_identifier": "GB-PPON-EXAMPLE-1"}),
    "notice_facts": Form("commissioner", "northfield",
                         {"above_threshold": "choice", "category": "choice", "procedure": "choice",
                          "tender_period_end": "date", "engagement_closes_on": "date",
                          "assessment_summaries_sent": "date", "terminated_on": "date", "expected_notice_on": "date"},
                         {"above_threshold": "yes", "category": "services", "procedure": "open",
                          "tender_period_end": "2026-03-02", "engagement_description": "Supplier events",
                          "engagement_closes_on": "2025-12-12", "assessment_summaries_sent": "2026-06-15"}),
    "contract_notice_facts": Form("shared.commissioner", "northfield",
                                  {"signed_on": "date", "above_threshold": "choice", "public_service_mutual": "choice",
                                   "supported_employment_provider": "choice", "ended_on": "date",
                                   "final_value": "optional number"},
                                  {"signed_on": "2025-12-01", "above_threshold": "yes", "public_service_mutual": "no",
                                   "supported_employment_provider": "no", "ended_on": "2026-11-30",
                                   "end_reason": "Terminated by agreement", "final_value": "512000.50"}),
    "performance_failures": Form("shared.commissioner", "northfield",
                                 {"requirement": "text", "description": "text", "decided_on": "date",
                                  "penalty_on": "date", "penalty_type": "choice", "penalty_value": "optional number"},
                                 {"requirement": "Weekly reviews of every care plan",
                                  "description": "Reviews missed for six weeks", "decided_on": "2026-11-02",
                                  "penalty_on": "2026-11-16", "penalty_type": "imposed", "penalty_value": "12500.00"}),
    "pipeline_year": Form("shared.commissioner", "northfield",
                          {"pays_over_threshold": "choice", "lead_months": "optional number"},
                          {"pays_over_threshold": "yes", "lead_months": "12"}),
    "notice_record": Form("commissioner", "northfield", {"published_on": "date", "notice_identifier": "text"},
                          {"published_on": "2026-01-05", "notice_identifier": "001234-2026"}),
    "supplier_dependency": Form("shared.commissioner", "northfield",
                                {"tier": "choice", "critical": "choice", "annual_contract_value": "optional number",
                                 "council_spend_with_supplier": "optional number",
                                 "council_spend_in_service_area": "optional number"},
                                {"tier": "high", "critical": "yes", "annual_contract_value": "1500000"}),
    # spend: an upload (checked as a table before it is queued), the mapping screen of an import that stopped to
    # ask (every other field of it is optional: blank means "detect"), a decision on a listed pair of names
    "spend": Form("shared.commissioner", "northfield", {"spend_file": "file"}, files=True),
    "spend_mapping": Form("shared.commissioner", "northfield", {"period": "date"},
                          {"period": "2025-04", "date_order": "dmy", "header_row": "1"}, stage="needs_mapping"),
    "spend_reviews": Form("shared.commissioner", "northfield",
                          {"left": "text", "right": "text", "decision": "choice", "reason": "text"},
                          {"left": "{left}", "right": "{right}", "decision": "same", "reason": "One company"},
                          stage="imported"),
    # the organisation's local postcode areas (its admin, or its commissioner)
    "spend_local_areas": Form("admin", "northfield", {"areas": "text"}, {"areas": "M5, M6"}),
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
# The contracts area's forms are walked by tests/web/test_contracts.py::test_hostile_values_on_every_contracts_form,
# on its own objects (a contract, its review and action).
WALKED_IN_TEST_CONTRACTS = {"contract_create", "contracts_import", "contract_folder_import", "contract_manager",
                            "contract_kpis", "contract_kpi_exemption", "contract_return", "contract_returns_upload",
                            "contract_variations", "contract_review_open", "contract_review_meeting",
                            "contract_review_option", "contract_review_decision", "contract_review_action",
                            "contract_action_done", "contract_evidence_delete"}
# providers area: walked in tests/web/test_portal.py::test_every_form_refuses_hostile_values_and_saves_nothing
WALKED_IN_TEST_PORTAL = {"bidders", "answer_clarification", "portal_tender", "register_interest", "opportunities",
                         "opportunity", "opportunity_lot", "opportunity_tender", "contract_provider", "portal_return",
                         "portal_returns_upload",
                         "contract_return_check", "portal_return_respond", "portal_concern", "bidder_uploads",
                         "portal_bid", "portal_start_bid", "portal_ratings"}


def _page_routes(patterns: list[URLPattern | URLResolver] | None = None) -> list[URLPattern]:
    """Every named page route, those of included areas too (the API's routes are the Schemathesis test's)."""
    found: list[URLPattern] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver) and not p.namespace:
            found.extend(_page_routes(p.url_patterns))
        elif isinstance(p, URLPattern) and p.name:
            found.append(p)
    return found


def _spend_stage(tender: Tender, stage: str) -> None:
    """The spend forms' preconditions: the demo's first import stopped to ask, or every import run."""
    if stage == "needs_mapping":
        SpendImport.objects.filter(pk=_first_import(tender)).update(status=SpendImport.NEEDS_MAPPING)
    else:
        worker.run_pending()


def _first_import(tender: Tender) -> int:
    return SpendImport.objects.filter(organisation=tender.organisation).order_by("pk").values_list("pk", flat=True)[0]


def _objects(tender: Tender) -> dict[str, object]:
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    assert bid is not None
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    assert criterion is not None
    values = list(CoreValue.objects.filter(organisation=tender.organisation).order_by("position"))
    watched = WatchedSupplier.objects.filter(organisation=tender.organisation, name=GREENWAY).first()
    selection = TenderMeasure.objects.filter(tender=tender).first()
    return {"tender_id": tender.pk, "bid_id": bid.pk, "criterion_id": criterion.pk, "fmt": "csv", "lot_id": bid.lot_id,
            "slug": tender.organisation.slug, "user_id": User.objects.get(username="viewer").pk,
            "invitation_id": 1, "token": "not-a-token", "value_id": values[-1].pk, "jobs_value_id": values[0].pk,
            "selection_id": selection.pk if selection else 1, "programme_id": 1, "document": "xlsx",
            "supplier_id": watched.pk if watched else 1, "review_id": 1,
            # the organisation's first contract (a contract's notice facts are walked here)
            "contract_id": Contract.objects.filter(organisation=tender.organisation).order_by("pk").first().pk,
            "action_id": 1, "source": "tender",
            "key": str(tender.pk), "code": "UK4", "year": 2027, "file": "spend-over-500",
            # providers area: ids the admin cannot reach (the resolver needs them to build the paths)
            "clarification_id": 1, "opportunity_id": 1, "import_id": _first_import(tender),
            **_pair(tender),
            # tenders area (new): the tender's declared conflict, or any declaration
            "declaration_id": getattr(ConflictDeclaration.objects.filter(tender=tender).order_by(
                "-has_conflict", "pk").first(), "pk", 0),
            "document_id": 1, "return_id": 1, "evidence_id": 1}


def _pair(tender: Tender) -> dict[str, str]:
    """The first pair of look-alike names listed for review, once the organisation's spend is imported."""
    stored = SpendFigures.objects.filter(organisation=tender.organisation).first()
    pairs = stored.report.get("review_candidates", []) if stored else []
    return {"left": pairs[0]["left"], "right": pairs[0]["right"]} if pairs else {"left": "", "right": ""}


def _path(pattern: URLPattern, objects: dict[str, object]) -> str:
    return reverse(pattern.name, kwargs={k: objects[k] for k in pattern.pattern.converters})  # type: ignore[attr-defined]


def _objects_for(form: Form, tender: Tender) -> dict[str, object]:
    objects = _objects(tender)
    if form.built:
        made = data.create_built_tender(User.objects.get(username=form.user), tender.organisation.slug,
                                        BUILT)
        objects["tender_id"] = made.pk
    return objects


def _saved() -> tuple[int, ...]:
    """How many rows every table of the workspace holds (audit entries, scores, declarations...; every area's
    tables), and users."""
    areas = [c for c in apps.get_app_configs() if c.name.startswith("commonweal.web")]
    return (*(m.objects.count() for area in areas for m in area.get_models()), User.objects.count())


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
    assert posting == set(FORMS) | WALKED_IN_TEST_PEOPLE | WALKED_IN_TEST_CONTRACTS | WALKED_IN_TEST_PORTAL


def _post_fields(client: Client, path: str, values: dict[str, str | bytes]) -> Any:
    body = urlencode(list(values.items()))
    return client.generic("POST", path, body, content_type="application/x-www-form-urlencoded")


def _greenway_accounts() -> bytes:
    lines = (ACCOUNTS).read_text(encoding="utf-8").splitlines()
    return "\n".join([lines[0], *(line for line in lines if line.startswith(GREENWAY))]).encode() + b"\n"


def _file_values(name: str, form: Form) -> dict[str, Any]:
    if name.startswith("sv_"):
        return _social_value_files(name)
    if name == "supplier_accounts":
        return {"accounts": SimpleUploadedFile("accounts.csv", _greenway_accounts()), "unit": "£"}
    if name == "spend":
        return {"spend_file": SimpleUploadedFile("spend.csv", b"Payment Date,Supplier Name,Amount\r\n"
                                                              b"13/04/2025,Acme Ltd,10.00\r\n")}
    if name == "tender_documents":
        return {"document": SimpleUploadedFile("specification.pdf", b"%PDF-1.4\n%%EOF\n"), "title": "Specification"}
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
    if form.stage in ("needs_mapping", "imported"):
        _spend_stage(tender, form.stage)
    elif form.stage:
        Tender.objects.filter(pk=tender.pk).update(stage=form.stage)
    if form.conflict:
        ConflictDeclaration.objects.create(tender=tender, user=User.objects.get(username="evaluator3"),
                                           has_conflict=True, details="A family link")
    objects = _objects_for(form, tender)
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
        settings.COMMONWEAL_SPEND_UPLOAD_MAX_BYTES = 200_000
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
    assert accepted.status_code == (400 if name in ("advance", "add_bid") else 302), accepted.content[:2000]
    # the builder keeps a half-built tender in the session only, until its check page confirms it
    assert (_saved() != before) is (name not in ("advance", "login", "add_bid", "build_tender", "edit_tender"))
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
    if form.stage in ("needs_mapping", "imported"):
        _spend_stage(tender, form.stage)
    elif form.stage:
        Tender.objects.filter(pk=tender.pk).update(stage=form.stage)
    if form.conflict:
        ConflictDeclaration.objects.create(tender=tender, user=User.objects.get(username="evaluator3"),
                                           has_conflict=True, details="A family link")
    objects = _objects_for(form, tender)
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
