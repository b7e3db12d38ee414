"""Every URL pattern and every API route, for every role, on this organisation's and another organisation's
objects. A route without an entry in PAGES or API fails the test, so no route ships without a decision.

The world is the demo: Northfield's tender in evaluation (evaluator1 has declared and scored, evaluator3 has not),
Southdale's tender is another organisation's object for Northfield-only users.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from commonweal.domain.notices.duties import financial_year
from commonweal.web import documents
from commonweal.web.access import issue_token
from commonweal.web.api import api
from commonweal.web.contracts.models import Action, Contract, Evidence, Return, Review
from commonweal.web.models import Bid, ConflictDeclaration, Criterion, TenderDocument
from commonweal.web.providers.models import Clarification, ContractProvider
from commonweal.web.public.models import Opportunity, Status
from commonweal.web.socialvalue.models import CoreValue, SroiProgramme, TenderMeasure
from commonweal.web.spend.models import SpendImport
from commonweal.web.suppliers.models import WatchedSupplier

pytestmark = pytest.mark.db

NORTHFIELD = ["commissioner", "evaluator1", "evaluator3", "moderator", "finance", "viewer", "admin",
              "shared.commissioner"]
OUTSIDER = "southdale.commissioner"  # another organisation: Northfield's objects do not exist for them
ANONYMOUS = "anonymous"
# providers area: a provider of the same council (Brightwater Care bids for Northfield's tender, and Southdale's), a
# provider of another council (Southdale Home Support, Southdale's only) and one with no relationship (a community
# group). Unless an entry says otherwise, each gets what the other organisation's commissioner gets.
SAME_COUNCIL_PROVIDER = "brightwater.bids"
PROVIDERS = [SAME_COUNCIL_PROVIDER, "sdhs.bids", "community.lead"]
ROLES = [*NORTHFIELD, OUTSIDER, *PROVIDERS, ANONYMOUS]
NORTHFIELD_ONLY = ["commissioner", "viewer", "admin"]  # their view of Southdale's objects: not found
READERS = {"commissioner", "moderator", "finance", "viewer", "shared.commissioner"}
COMMISSIONERS = {"commissioner", "shared.commissioner"}
CONTRACT_READERS = {"viewer", "shared.commissioner"}  # contracts area: Northfield's organisation readers
PUBLISHING_READERS = COMMISSIONERS | {"viewer"}  # publishing area


def answers(allowed: dict[str, int] | int, who: set[str] | None = None, *, denied: int = 403, outsider: int = 404,
            anonymous: int = 302, providers: dict[str, int] | None = None) -> dict[str, int]:
    """The expected status for every role: `allowed` for `who` (or a per-user mapping), `denied` for the other
    Northfield users, `outsider` for the other organisation's commissioner (and for providers, unless `providers`
    says otherwise), `anonymous` when signed out."""
    table = {name: denied for name in NORTHFIELD}
    if isinstance(allowed, dict):
        table.update(allowed)
    else:
        table.update({name: allowed for name in who or set(NORTHFIELD)})
    table[OUTSIDER] = outsider
    table.update({name: outsider for name in PROVIDERS} | (providers or {}))
    table[ANONYMOUS] = anonymous
    return table


# providers area: the pages everyone may see, signed in or not
EVERYONE = answers(200, outsider=200, anonymous=200)


TENDER_STAFF = set(NORTHFIELD)
SPEND_READERS = {"viewer", "admin", "shared.commissioner"}
SPEND_WRITERS = {"shared.commissioner"}
SPEND_SETTERS = {"admin", "shared.commissioner"}  # the local postcode areas: the organisation's admins too

# url name -> (method, POST data, expected status per role)
PAGES: dict[str, tuple[str, dict[str, str], dict[str, int]]] = {
    "home": ("GET", {}, answers(200, outsider=200)),
    "organisation_home": ("GET", {}, answers(200)),
    "login": ("GET", {}, answers(200, outsider=200, anonymous=200)),
    "logout": ("POST", {}, answers(302, outsider=302)),
    "tenders": ("GET", {}, answers(200, outsider=200)),
    "tender": ("GET", {}, answers(200)),
    # tenders area (new): the next step's confirmation page (moving from evaluation to moderation): those who take
    # it see what is missing; the rest are forbidden
    "advance": ("GET", {}, answers(200, {"commissioner", "moderator", "shared.commissioner"})),
    # tenders area (new): a declaration (evaluator1 declared no conflict): commissioners see it, nobody else
    "conflict": ("GET", {}, answers(200, COMMISSIONERS)),
    "team": ("GET", {}, answers(200, COMMISSIONERS)),
    "declare": ("GET", {}, answers(200, {"evaluator1", "evaluator3"})),
    "evaluate": ("GET", {}, answers({"evaluator1": 200, "evaluator3": 302})),
    # tenders area (new): one bid at a time redirects to its first criterion still to score
    "score_bid": ("GET", {}, answers({"evaluator1": 302, "evaluator3": 302})),
    # tenders area (new): one criterion of one bid; evaluator3 has not declared and is sent to declare
    "score": ("GET", {}, answers({"evaluator1": 200, "evaluator3": 302})),
    "submit_scores": ("GET", {}, answers({"evaluator1": 200, "evaluator3": 302})),
    # tenders area (new): a bid's documents, added by its commissioners; the demo has none to serve (each
    # document's visibility by role and stage: tests/web/test_bid_documents.py)
    "bid_documents": ("GET", {}, answers(200, COMMISSIONERS)),
    # the tender's own documents: everyone with a role on the tender reads them; bidders through the portal
    "tender_documents": ("GET", {}, answers(200)),
    "tender_document": ("GET", {}, answers(200)),
    "portal_tender_document": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    "bid_document": ("GET", {}, answers(404, outsider=404)),
    "upload_scores": ("GET", {}, answers(200, {"evaluator1", "evaluator3"})),
    "upload_moderation": ("GET", {}, answers(200, {"moderator"})),
    "moderation": ("GET", {}, answers(409, {"commissioner", "moderator", "shared.commissioner"})),
    "moderate": ("GET", {}, answers(409, {"moderator"})),
    "results": ("GET", {}, answers(409, READERS)),
    "results_export": ("GET", {}, answers(409, READERS)),
    "abnormally_low": ("GET", {}, answers(200, COMMISSIONERS)),
    "summary": ("GET", {}, answers(409, READERS)),
    "summary_pdf": ("GET", {}, answers(409, READERS)),
    "recommendation": ("GET", {}, answers(409, READERS)),
    "recommendation_pdf": ("GET", {}, answers(409, READERS)),
    "audit": ("GET", {}, answers(200, {"commissioner", "admin", "shared.commissioner"})),
    "audit_export": ("GET", {}, answers(200, {"commissioner", "admin", "shared.commissioner"})),
    "members": ("GET", {}, answers(200, {"admin"})),
    # people: only the organisation's admin; {user_id} is the admin themselves, so each action is refused (the
    # last admin) or invalid (nothing chosen), 400, and the matrix changes nobody
    "invite": ("GET", {}, answers(200, {"admin"})),
    "person": ("GET", {}, answers(200, {"admin"})),
    # the demo has no invitation: the admin finds none, the others may not look
    "cancel_invitation": ("POST", {"confirm": "yes"}, answers({"admin": 404})),
    "person_role": ("POST", {"action": "remove", "role": "admin"}, answers(400, {"admin"})),
    "person_remove": ("POST", {"confirm": "yes"}, answers(400, {"admin"})),
    "person_active": ("POST", {"active": "no"}, answers(400, {"admin"})),
    "person_reset": ("POST", {"confirm": "yes"}, answers(400, {"admin"})),
    # one-time links need no sign-in; a wrong token is not found for everyone
    "join": ("GET", {}, answers(404, outsider=404, anonymous=404)),
    "reset_password": ("GET", {}, answers(404, outsider=404, anonymous=404)),
    "password": ("GET", {}, answers(200, outsider=200)),
    "team_remove": ("POST", {"username": "evaluator2", "role": "finance"}, answers(400, COMMISSIONERS)),
    "upload": ("GET", {}, answers(200, {"shared.commissioner"})),
    # tenders area: the tender builder, for the organisation's commissioners; its check-your-answers page sends
    # them back to the builder while nothing is built
    "build_tender": ("GET", {}, answers(200, {"shared.commissioner"})),
    "check_tender": ("GET", {}, answers(302, {"shared.commissioner"})),
    "template_tender": ("GET", {}, answers(200, outsider=200)),
    # the demo tender is in evaluation: no more bids; its folder for its commissioners only
    "add_bid": ("GET", {}, answers(409, COMMISSIONERS)),
    "tender_folder": ("GET", {}, answers(200, COMMISSIONERS)),
    # the builder's edit of the demo tender, which is past draft: refused to its commissioners with the reason
    "edit_tender": ("GET", {}, answers(409, COMMISSIONERS)),
    "check_tender_edit": ("GET", {}, answers(409, COMMISSIONERS)),
    "api-1.0.0:openapi-json": ("GET", {}, answers(200, outsider=200, anonymous=200)),
    # suppliers area: the organisation's commissioners and viewers read its watchlist, its commissioners change it
    "suppliers": ("GET", {}, answers(200, outsider=200)),
    "watchlist": ("GET", {}, answers(200, {"viewer", "shared.commissioner"})),
    "supplier": ("GET", {}, answers(200, {"viewer", "shared.commissioner"})),
    "supplier_add": ("GET", {}, answers(200, {"shared.commissioner"})),
    "supplier_accounts": ("GET", {}, answers(200, {"shared.commissioner"})),
    # socialvalue area: every member of the organisation reads; its commissioners (organisation role) change it
    "socialvalue": ("GET", {}, answers(200, outsider=200)),
    "sv_overview": ("GET", {}, answers(200)),
    "sv_core_value_new": ("GET", {}, answers(200, {"shared.commissioner"})),
    "sv_core_value": ("GET", {}, answers(200, {"shared.commissioner"})),
    # {value_id} is used by the demo tender's measures: removing it is refused
    "sv_core_value_remove": ("POST", {"confirm": "yes"}, answers(400, {"shared.commissioner"})),
    "sv_measures": ("GET", {}, answers(200)),
    "sv_library_import": ("GET", {}, answers(200, {"shared.commissioner"})),
    "sv_ppn002": ("GET", {}, answers(200)),
    "sv_delivery": ("GET", {}, answers(200)),
    "sv_contract_record": ("GET", {}, answers(200, {"shared.commissioner"})),
    "sv_sroi": ("GET", {}, answers(200)),
    "sv_sroi_programme": ("GET", {}, answers(200)),
    "sv_maturity": ("GET", {}, answers(200)),
    "sv_report": ("GET", {}, answers(200)),
    "sv_report_download": ("GET", {}, answers(200)),
    "sv_tender": ("GET", {}, answers(200)),
    # the tender is past its draft: its measures no longer change
    "sv_tender_remove": ("POST", {"confirm": "yes"}, answers(400, COMMISSIONERS)),
    # contracts area: organisation readers (viewer, and shared.commissioner, the organisation's commissioner) read;
    # the organisation's commissioner (or a contract's manager, tests/web/test_contracts.py) changes; the demo's
    # `commissioner`, evaluators, moderator and finance officer hold no organisation role, so no contract is theirs
    "contracts": ("GET", {}, answers(200, outsider=200)),
    "contracts_register": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contracts_export": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contracts_dashboard": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contract_create": ("GET", {}, answers(200, {"shared.commissioner"})),
    "contracts_import": ("GET", {}, answers(200, {"shared.commissioner"})),
    "contract_folder_import": ("GET", {}, answers(200, {"shared.commissioner"})),
    "contract": ("GET", {}, answers(200, CONTRACT_READERS)),
    # each POST below is refused by its form or its rule (400) for those allowed, so the matrix changes nothing
    "contract_manager": ("POST", {"username": "nobody"}, answers(400, {"shared.commissioner"})),
    "contract_kpis": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contract_kpi_exemption": ("POST", {"reason": "a\x00b"}, answers(400, {"shared.commissioner"})),
    "contract_return": ("GET", {}, answers(200, {"shared.commissioner"})),
    "contract_returns_upload": ("GET", {}, answers(200, {"shared.commissioner"})),
    # a return's evidence file: the council's contract readers and the contract's own provider, no other provider
    "contract_evidence": ("GET", {}, answers(200, CONTRACT_READERS, providers={SAME_COUNCIL_PROVIDER: 200})),
    # deleting it (a confirmation page, then a POST): the contract's writers or whoever added it (the demo's admin,
    # who holds no contract role now); the provider only for files it added to its own return, so not this one
    "contract_evidence_delete": ("GET", {}, answers(200, {"shared.commissioner"},
                                                    providers={SAME_COUNCIL_PROVIDER: 403})),
    "contract_variations": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contract_pack": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contract_pack_pdf": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contract_review_open": ("GET", {}, answers(200, {"shared.commissioner"})),
    "contract_review": ("GET", {}, answers(200, CONTRACT_READERS)),
    "contract_review_meeting": ("POST", {}, answers(400, {"shared.commissioner"})),
    "contract_review_option": ("POST", {}, answers(400, {"shared.commissioner"})),
    "contract_review_decision": ("POST", {}, answers(400, {"shared.commissioner"})),
    "contract_review_action": ("POST", {}, answers(400, {"shared.commissioner"})),
    # marking an action done needs only sight of the contract (its owner may be anyone in the organisation)
    "contract_action_done": ("POST", {}, answers(400, CONTRACT_READERS)),
    # publishing area: every member sees the calendar of the notices they may read (none for those who read no
    # notice); a tender's commissioners and viewers preview and download its notices; its commissioners record
    # them and their facts; the organisation's commissioners set its OCID prefix
    "publishing_index": ("GET", {}, answers(200, outsider=200)),
    "publishing": ("GET", {}, answers(200)),
    "publishing_settings": ("GET", {}, answers(200, {"shared.commissioner"})),
    "notice_facts": ("GET", {}, answers(200, COMMISSIONERS)),
    "notice_preview": ("GET", {}, answers(200, PUBLISHING_READERS)),
    "notice_download": ("GET", {}, answers(200, PUBLISHING_READERS)),
    # a tender's preliminary market engagement invitation list (contacts): the organisation's commissioners, as
    # its pipeline
    "engagement_invitees": ("GET", {}, answers(200, {"shared.commissioner"})),
    "notice_record": ("POST", {}, answers(400, COMMISSIONERS)),
    # a contract's notice facts: its organisation's commissioners (the contract's readers see 403)
    "contract_notice_facts": ("GET", {}, answers(200, {"shared.commissioner"})),
    # a contract's performance failures and the organisation's pipeline record: its commissioners
    "performance_failures": ("GET", {}, answers(200, {"shared.commissioner"})),
    "pipeline_year": ("GET", {}, answers(200, {"shared.commissioner"})),
    # the transparency files: the roles that read both the organisation's spend and its contracts register
    "transparency": ("GET", {}, answers(200, CONTRACT_READERS)),
    "transparency_download": ("GET", {}, answers(200, CONTRACT_READERS)),
    "supplier_dependency": ("GET", {}, answers(200, {"shared.commissioner"})),
    # providers area: the council's side of a tender's bidders and questions
    "bidders": ("GET", {}, answers(200, COMMISSIONERS)),
    "clarifications": ("GET", {}, answers(200, COMMISSIONERS)),
    # an empty answer is refused by its form; {clarification_id} is Southdale's question (not this tender's)
    "answer_clarification": ("POST", {}, answers(400, COMMISSIONERS)),
    # the provider portal: a list for anyone signed in; a tender only for the provider invited to it (a council's
    # own staff are no bidders: not found)
    "portal": ("GET", {}, answers(200, outsider=200)),
    "portal_tender": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    # whether a tender's bidders upload their own documents: its commissioners choose; the bidder's own bid
    # documents page only for the provider invited (the other council's provider and the community group: not found)
    "bidder_uploads": ("GET", {}, answers(200, COMMISSIONERS)),
    "portal_bid": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    "portal_start_bid": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    # the council links a contract to its provider (commissioner or the contract's manager); the provider's contract
    # list for anyone signed in; a contract only for the provider it is let to (the demo's NBC-C-001: Brightwater)
    "contract_provider": ("GET", {}, answers(200, {"shared.commissioner"})),
    "portal_contracts": ("GET", {}, answers(200, outsider=200)),
    "portal_contract": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    # the provider submits its returns and responds to the council's check, which the council makes (commissioner
    # or the contract's manager); an empty response is refused by its form
    "contract_return_check": ("GET", {}, answers(200, {"shared.commissioner"})),
    "portal_return": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    "portal_returns_upload": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    "portal_concern": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    # the performance ratings the council is to publish (UK9), for the provider the contract is let to
    "portal_ratings": ("GET", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 200})),
    "portal_return_respond": ("POST", {}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    # the public pages need no sign-in
    "public_index": ("GET", {}, EVERYONE),
    "public_council": ("GET", {}, EVERYONE),
    "public_opportunity": ("GET", {}, EVERYONE),
    "public_download": ("GET", {}, EVERYONE),
    "register_interest": ("GET", {}, EVERYONE),
    # the public contracts register: {contract_id} is a Northfield contract whose contract details notice is recorded
    "public_contracts": ("GET", {}, EVERYONE),
    "public_contract": ("GET", {}, EVERYONE),
    "public_contracts_download": ("GET", {}, EVERYONE),
    # the council's pipeline: its organisation-wide commissioners
    "opportunities": ("GET", {}, answers(200, {"shared.commissioner"})),
    "opportunity": ("GET", {}, answers(200, {"shared.commissioner"})),
    "opportunity_lot": ("POST", {}, answers(400, {"shared.commissioner"})),
    # {opportunity_id} leads to no tender yet, so an empty choice (no tender) is refused as no change
    "opportunity_tender": ("POST", {}, answers(400, {"shared.commissioner"})),
    # spend area: the organisation's spend is seen by its organisation-wide roles (admin, commissioner, viewer);
    # its commissioners upload, state a file's columns and decide look-alike names; {import_id} is the demo's
    # file, still waiting for the worker
    "spend_home": ("GET", {}, answers(200, outsider=200)),
    "spend": ("GET", {}, answers(200, SPEND_READERS)),
    "spend_import": ("GET", {}, answers(200, SPEND_READERS)),
    "spend_rejections": ("GET", {}, answers(200, SPEND_READERS)),
    "spend_mapping": ("GET", {}, answers(200, SPEND_WRITERS)),
    "spend_report": ("GET", {}, answers(200, SPEND_READERS)),
    "spend_reviews": ("GET", {}, answers(200, SPEND_READERS)),
    "spend_partners": ("GET", {}, answers(200, SPEND_READERS)),
    "spend_local_areas": ("GET", {}, answers(200, SPEND_READERS)),
}

# pages whose form also posts to them (PAGES checks the GET): url name -> (POST data, expected status per role)
POSTED: dict[str, tuple[dict[str, str], dict[str, int]]] = {
    # tenders area (new): evaluator1 has scored everything and submits (then locked); evaluator3 must declare first
    "submit_scores": ({}, answers({"evaluator1": 302, "evaluator3": 302})),
    # tenders area (new): no file chosen: each field's error, nothing saved
    "bid_documents": ({}, answers(400, COMMISSIONERS)),
    # tenders area: no title, no file: each field's error (the commissioners), the rest forbidden
    "tender_documents": ({}, answers(400, COMMISSIONERS)),
    # tenders area (new): moving to moderation is refused to those who take it (scores missing), the rest forbidden
    "advance": ({"target": "moderation"}, answers(400, {"commissioner", "moderator", "shared.commissioner"})),
    # tenders area (new): evaluator1 declared no conflict: there is nothing to decide (400), the rest forbidden
    "conflict": ({"outcome": "continues", "reason": "Mitigated"}, answers(400, COMMISSIONERS)),
    # Northfield's prices are still sealed: commissioners are refused (400, nothing saved), the rest forbidden
    "abnormally_low": ({"decision": "accepted", "reason": "Explained and evidenced"}, answers(400, COMMISSIONERS)),
    # empty forms: each field's error, nothing saved
    "invite": ({}, answers(400, {"admin"})),
    "team": ({"username": "evaluator2", "role": ""}, answers(400, COMMISSIONERS)),
    "password": ({}, answers(400, outsider=400)),
    "join": ({}, answers(404, outsider=404, anonymous=404)),
    # suppliers area: empty forms, each field's error, nothing saved
    "supplier_add": ({}, answers(400, {"shared.commissioner"})),
    "supplier_accounts": ({}, answers(400, {"shared.commissioner"})),
    "sv_core_value_new": ({}, answers(400, {"shared.commissioner"})),
    "sv_core_value": ({}, answers(400, {"shared.commissioner"})),
    "sv_library_import": ({}, answers(400, {"shared.commissioner"})),
    "sv_ppn002": ({}, answers(400, {"shared.commissioner"})),
    "sv_contract_record": ({}, answers(400, {"shared.commissioner"})),
    "sv_sroi": ({}, answers(400, {"shared.commissioner"})),
    "sv_maturity": ({}, answers(400, {"shared.commissioner"})),
    "sv_tender": ({}, answers(400, COMMISSIONERS)),
    # contracts area: empty forms, each field's error, nothing saved
    "contract_create": ({}, answers(400, {"shared.commissioner"})),
    "contracts_import": ({}, answers(400, {"shared.commissioner"})),
    "contract_folder_import": ({}, answers(400, {"shared.commissioner"})),
    "contract_kpis": ({}, answers(400, {"shared.commissioner"})),
    "contract_return": ({}, answers(400, {"shared.commissioner"})),
    "contract_returns_upload": ({}, answers(400, {"shared.commissioner"})),
    # not confirmed: refused by its form, nothing deleted
    "contract_evidence_delete": ({}, answers(400, {"shared.commissioner"}, providers={SAME_COUNCIL_PROVIDER: 403})),
    "contract_variations": ({}, answers(400, {"shared.commissioner"})),
    "contract_review_open": ({}, answers(400, {"shared.commissioner"})),
    # publishing area: empty forms, each field's error, nothing saved
    "publishing_settings": ({}, answers(400, {"shared.commissioner"})),
    "notice_facts": ({}, answers(400, COMMISSIONERS)),
    "contract_notice_facts": ({}, answers(400, {"shared.commissioner"})),
    "performance_failures": ({}, answers(400, {"shared.commissioner"})),
    "pipeline_year": ({}, answers(400, {"shared.commissioner"})),
    "supplier_dependency": ({}, answers(400, {"shared.commissioner"})),
    # providers area: empty forms, each field's error, nothing saved
    "bidders": ({}, answers(400, COMMISSIONERS)),
    # Northfield's tender is in evaluation: the invited provider's empty question is refused by its form
    "portal_tender": ({}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    # nothing chosen: each field's error, nothing saved
    "bidder_uploads": ({}, answers(400, COMMISSIONERS)),
    "portal_bid": ({}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    "portal_start_bid": ({}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    "contract_provider": ({}, answers(400, {"shared.commissioner"})),
    "contract_return_check": ({}, answers(400, {"shared.commissioner"})),
    "portal_return": ({}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    # no file chosen: the upload form's error, nothing saved
    "portal_returns_upload": ({}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    "portal_concern": ({}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    "portal_ratings": ({}, answers({}, denied=404, providers={SAME_COUNCIL_PROVIDER: 400})),
    "register_interest": ({}, answers(400, outsider=400, anonymous=400)),
    "opportunities": ({}, answers(400, {"shared.commissioner"})),
    "opportunity": ({}, answers(400, {"shared.commissioner"})),
    # spend: no file chosen; the import is waiting, so its columns cannot be stated; no pair chosen
    "spend": ({}, answers(400, SPEND_WRITERS)),
    "spend_mapping": ({}, answers(400, SPEND_WRITERS)),
    "spend_reviews": ({}, answers(400, SPEND_WRITERS)),
    # a town's name is no postcode area: refused by the form, nothing saved
    "spend_local_areas": ({"areas": "Salford"}, answers(400, SPEND_SETTERS)),
}


def matrix() -> list[tuple[str, str, dict[str, str], dict[str, int]]]:
    """(url name, method, POST data, expected status per role) for every page entry."""
    return [(name, method, form, expected) for name, (method, form, expected) in PAGES.items()] + [
        (name, "POST", form, expected) for name, (form, expected) in POSTED.items()
    ]


# "METHOD /api/path" -> (JSON body, expected status per role); signed-out callers get 401
API: dict[str, tuple[dict[str, object] | None, dict[str, int]]] = {
    "GET /api/tenders": (None, answers(200, outsider=200, anonymous=401)),
    "GET /api/tenders/{tender_id}": (None, answers(200, anonymous=401)),
    "POST /api/tenders/{tender_id}/advance": (
        {"target": "moderation"}, answers(409, {"commissioner", "moderator", "shared.commissioner"}, anonymous=401)),
    "POST /api/tenders/{tender_id}/declaration": (
        {"has_conflict": True, "details": ""}, answers(409, {"evaluator1", "evaluator3"}, anonymous=401)),
    "GET /api/tenders/{tender_id}/bids": (None, answers(200, READERS | {"evaluator1"}, anonymous=401)),
    "GET /api/tenders/{tender_id}/scores/mine": (None, answers(200, {"evaluator1", "evaluator3"}, anonymous=401)),
    "PUT /api/tenders/{tender_id}/scores": (
        {"bid": "{bid}", "criterion": "{criterion}", "score": 9, "rationale": ""},
        answers(409, {"evaluator1"}, anonymous=401)),
    # nobody sees all individual scores before moderation
    "GET /api/tenders/{tender_id}/scores": (None, answers(403, anonymous=401)),
    "GET /api/tenders/{tender_id}/moderation": (
        None, answers(409, {"commissioner", "moderator", "shared.commissioner"}, anonymous=401)),
    "PUT /api/tenders/{tender_id}/moderation": (
        {"bid": "{bid}", "criterion": "{criterion}", "score": 3, "rationale": "agreed"},
        answers(409, {"moderator"}, anonymous=401)),
    "GET /api/tenders/{tender_id}/results": (None, answers(409, READERS, anonymous=401)),
    "GET /api/tenders/{tender_id}/audit": (None, answers(200, {"commissioner", "admin", "shared.commissioner"},
                                                         anonymous=401)),
}


def url_names(patterns: list[URLPattern | URLResolver] | None = None, namespace: str = "") -> list[str]:
    """Every named page pattern; the API's own patterns are covered by the OpenAPI routes below."""
    found: list[str] = []
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            found.extend(url_names(p.url_patterns, f"{p.namespace}:" if p.namespace else namespace))
        elif p.name and (not namespace or p.name == "openapi-json"):
            found.append(namespace + p.name)
    return found


def api_routes() -> list[str]:
    schema = api.get_openapi_schema()
    return [f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods]


def test_every_route_has_an_entry() -> None:
    assert sorted(set(url_names())) == sorted(PAGES)
    assert set(POSTED) <= {name for name, (method, _, _) in PAGES.items() if method == "GET"}
    assert sorted(api_routes()) == sorted(API)


def _objects(tender) -> dict[str, object]:
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    # a person of the organisation: Northfield's admin (see PAGES), or Southdale's commissioner
    person = User.objects.get(username="admin" if tender.organisation.slug == "northfield" else OUTSIDER)
    # a watched supplier of the organisation (Southdale watches none: Northfield's, which it must not find)
    watched = WatchedSupplier.objects.filter(organisation__slug="northfield").order_by("pk").first()
    value = CoreValue.objects.filter(organisation=tender.organisation).order_by("position").first()
    programme = SroiProgramme.objects.filter(organisation=tender.organisation).first()
    selection = TenderMeasure.objects.filter(tender=tender).first()
    # contracts area: the organisation's demo contract with an open review and its actions
    contract = (Contract.objects.filter(organisation=tender.organisation, reviews__isnull=False).first()
                or Contract.objects.filter(organisation=tender.organisation).first())
    review = Review.objects.filter(contract__organisation=tender.organisation).first()
    action = Action.objects.filter(review=review).first()
    # providers area: a contract the council has linked to its provider
    linked = ContractProvider.objects.filter(contract__organisation=tender.organisation).order_by("pk").first()
    # contracts area: an evidence file of a return of the contract let to the provider, stored as a return stores it
    linked_return = Return.objects.filter(contract_id=linked.contract_id).order_by("pk").first() if linked else None
    evidence = None
    if linked_return is not None:
        kept = documents.store(f"{tender.organisation.slug}/contracts/{linked.contract_id}", "evidence.pdf",
                               b"%PDF-1.4\n%%EOF\n")
        evidence = Evidence.objects.create(ret=linked_return, line="", name="evidence.pdf", added_by=person,
                                           **kept.fields())
    # tenders area: one of the tender's own documents, stored as the commissioner's page stores it
    kept = documents.store(f"{tender.organisation.slug}/tenders/{tender.pk}/documents", "specification.pdf",
                           b"%PDF-1.4\n%%EOF\n")
    tender_document = TenderDocument.objects.create(tender=tender, title="Specification", name="specification.pdf",
                                                    added_by=person, **kept.fields())
    return {"tender_id": tender.pk, "bid_id": bid.pk, "criterion_id": criterion.pk, "fmt": "csv",
            "tender_document_id": tender_document.pk,
            "slug": tender.organisation.slug, "user_id": person.pk, "token": "not-a-token",
            "invitation_id": 1, "supplier_id": watched.pk,
            "value_id": value.pk, "programme_id": programme.pk if programme else 1,
            "selection_id": selection.pk, "document": "xlsx",
            "contract_id": contract.pk, "review_id": review.pk if review else 1,
            "action_id": action.pk if action else 1,
            "linked_contract_id": linked.contract_id if linked else contract.pk,
            "return_id": getattr(Return.objects.filter(contract=contract).order_by("pk").first(), "pk", 1),
            "evidence_id": evidence.pk if evidence else 1,
            "source": "tender", "key": str(tender.pk), "code": "UK4",
            "year": financial_year(timezone.localdate()), "file": "spend-over-500",
            # providers area: the demo's one question waiting for Southdale's answer, and a published opportunity
            "clarification_id": Clarification.objects.get(answered_at__isnull=True).pk,
            "opportunity_id": Opportunity.objects.filter(council=tender.organisation, status=Status.PLANNED)
            .order_by("pk").first().pk,
            "import_id": SpendImport.objects.filter(organisation=tender.organisation).order_by("pk").first().pk,
            # tenders area (new)
            "declaration_id": getattr(ConflictDeclaration.objects.filter(tender=tender).order_by("pk").first(),
                                      "pk", 0),
            "document_id": 1}


# the paths under which a route names an organisation's own objects; the area lists themselves are not objects
AREA_PREFIXES = ("/tenders/", "/organisations/", "/suppliers/", "/social-value/", "/contracts/", "/publishing/",
                 "/spend/")


# lists of the signed-in person's own objects whose paths contain an area prefix (each person sees their own list)
OWN_LISTS = {"portal_contracts"}


def _page_path(name: str, objects: dict[str, object]) -> str:
    resolver_match_args = {
        "tender": ["tender_id"], "advance": ["tender_id"], "team": ["tender_id"], "declare": ["tender_id"],
        "evaluate": ["tender_id"], "upload_scores": ["tender_id"], "upload_moderation": ["tender_id"],
        "score_bid": ["tender_id", "bid_id"], "moderation": ["tender_id"],
        "moderate": ["tender_id", "bid_id", "criterion_id"], "results": ["tender_id"],
        "results_export": ["tender_id", "fmt"], "abnormally_low": ["tender_id", "bid_id"],
        "summary": ["tender_id", "bid_id"], "summary_pdf": ["tender_id", "bid_id"],
        "recommendation": ["tender_id"], "recommendation_pdf": ["tender_id"],
        "audit": ["tender_id"], "audit_export": ["tender_id"], "members": ["slug"], "upload": ["slug"],
        "build_tender": ["slug"], "check_tender": ["slug"], "add_bid": ["tender_id"], "tender_folder": ["tender_id"],
        "edit_tender": ["tender_id"], "check_tender_edit": ["tender_id"],
        "organisation_home": ["slug"], "invite": ["slug"],
        "person": ["slug", "user_id"], "person_role": ["slug", "user_id"], "person_remove": ["slug", "user_id"],
        "person_active": ["slug", "user_id"], "person_reset": ["slug", "user_id"], "join": ["token"],
        "reset_password": ["token"], "team_remove": ["tender_id"], "cancel_invitation": ["slug", "invitation_id"],
        "watchlist": ["slug"], "supplier_add": ["slug"], "supplier": ["slug", "supplier_id"],
        "supplier_accounts": ["slug", "supplier_id"], "supplier_dependency": ["slug", "supplier_id"],
        "sv_overview": ["slug"], "sv_core_value_new": ["slug"], "sv_core_value": ["slug", "value_id"],
        "sv_core_value_remove": ["slug", "value_id"], "sv_measures": ["slug"], "sv_library_import": ["slug"],
        "sv_ppn002": ["slug"], "sv_delivery": ["slug"], "sv_contract_record": ["slug"], "sv_sroi": ["slug"],
        "sv_sroi_programme": ["slug", "programme_id"], "sv_maturity": ["slug"], "sv_report": ["slug"],
        "sv_report_download": ["slug", "document"], "sv_tender": ["tender_id"],
        "sv_tender_remove": ["tender_id", "selection_id"],
        # contracts area
        "contracts_register": ["slug"], "contracts_export": ["slug", "fmt"], "contracts_dashboard": ["slug"],
        "contract_create": ["slug"], "contracts_import": ["slug"], "contract_folder_import": ["slug"],
        **{name: ["contract_id"] for name in ("contract", "contract_manager", "contract_kpis",
                                              "contract_kpi_exemption", "contract_return", "contract_returns_upload",
                                              "contract_variations", "contract_pack", "contract_pack_pdf",
                                              "contract_review_open")},
        **{name: ["contract_id", "review_id"] for name in ("contract_review", "contract_review_meeting",
                                                           "contract_review_option", "contract_review_decision",
                                                           "contract_review_action")},
        "contract_action_done": ["contract_id", "action_id"],
        # publishing area
        "publishing": ["slug"], "publishing_settings": ["slug"], "notice_facts": ["slug", "tender_id"],
        "contract_notice_facts": ["slug", "contract_id"], "performance_failures": ["slug", "contract_id"],
        "pipeline_year": ["slug", "year"], "transparency": ["slug"], "transparency_download": ["slug", "file", "fmt"],
        "notice_preview": ["slug", "source", "key", "code"], "notice_download": ["slug", "source", "key", "code"],
        "notice_record": ["slug", "source", "key", "code"],
        # providers area
        "bidders": ["tender_id"], "clarifications": ["tender_id"],
        "answer_clarification": ["tender_id", "clarification_id"], "portal_tender": ["tender_id"],
        "bidder_uploads": ["tender_id"], "portal_bid": ["tender_id"],
        "portal_start_bid": ["tender_id"],
        "contract_provider": ["contract_id"], "portal_contract": ["linked_contract_id"],
        "contract_return_check": ["contract_id", "return_id"], "portal_return": ["linked_contract_id"],
        "portal_returns_upload": ["linked_contract_id"],
        "contract_evidence": ["linked_contract_id", "evidence_id"],
        "contract_evidence_delete": ["linked_contract_id", "evidence_id"],
        "portal_concern": ["linked_contract_id"], "portal_ratings": ["linked_contract_id"],
        "portal_return_respond": ["linked_contract_id", "return_id"],
        "public_council": ["slug"], "public_opportunity": ["slug", "opportunity_id"],
        "public_download": ["slug", "fmt"], "register_interest": ["slug", "opportunity_id"],
        "public_contracts": ["slug"], "public_contract": ["slug", "contract_id"],
        "public_contracts_download": ["slug", "fmt"],
        "opportunities": ["slug"], "opportunity": ["slug", "opportunity_id"],
        "opportunity_lot": ["slug", "opportunity_id"], "opportunity_tender": ["slug", "opportunity_id"],
        "engagement_invitees": ["slug", "tender_id"],
        "spend": ["slug"], "spend_import": ["slug", "import_id"], "spend_rejections": ["slug", "import_id"],
        "spend_mapping": ["slug", "import_id"], "spend_report": ["slug"], "spend_reviews": ["slug"],
        "spend_partners": ["slug"], "spend_local_areas": ["slug"],
        # tenders area (new)
        "conflict": ["tender_id", "declaration_id"], "score": ["tender_id", "bid_id", "criterion_id"],
        "submit_scores": ["tender_id"], "bid_documents": ["tender_id", "bid_id"],
        "bid_document": ["tender_id", "document_id"],
        "tender_documents": ["tender_id"], "tender_document": ["tender_id", "tender_document_id"],
        "portal_tender_document": ["tender_id", "tender_document_id"],
    }
    # an argument taken from another object than its name says ("linked_contract_id" fills "contract_id")
    renamed = {"linked_contract_id": "contract_id", "tender_document_id": "document_id"}
    return reverse(name, kwargs={renamed.get(k, k): objects[k] for k in resolver_match_args.get(name, [])})


_CLIENTS: dict[str, Client] = {}


def _client(name: str) -> Client:
    """One client per role: each new Client builds a new handler, and WhiteNoise re-scans the static files."""
    client = _CLIENTS.setdefault(name, Client())
    client.logout()
    if name != ANONYMOUS:
        client.force_login(User.objects.get(username=name))
    return client


def test_pages_answer_each_role_as_the_matrix_says(world) -> None:
    objects = _objects(world["northfield"])
    wrong = []
    for name, method, form, expected in matrix():
        path = _page_path(name, objects)
        for role in ROLES:
            client = _client(role)
            response = client.get(path) if method == "GET" else client.post(path, form)
            if response.status_code != expected[role]:
                wrong.append(f"{method} {path} as {role}: {response.status_code}, expected {expected[role]}")
    assert wrong == []


def test_another_organisations_objects_are_not_found(world) -> None:
    objects = _objects(world["southdale"])
    wrong = []
    for name, method, form, _ in matrix():
        path = _page_path(name, objects)
        if not any(k in path for k in AREA_PREFIXES) or path in AREA_PREFIXES or name in OWN_LISTS:
            continue
        if path.startswith("/public/"):  # a council's public pages answer everyone (their own tests: test_public_*)
            continue
        for role in NORTHFIELD_ONLY:
            client = _client(role)
            response = client.get(path) if method == "GET" else client.post(path, form)
            if response.status_code != 404:
                wrong.append(f"{method} {path} as {role}: {response.status_code}, expected 404")
    assert wrong == []


def _call(role: str, route: str, body: dict[str, object] | None, objects: dict[str, object], tokens: dict[str, str]):
    method, path = route.split(" ", 1)
    path = path.replace("{tender_id}", str(objects["tender_id"]))
    payload = None
    if body is not None:
        payload = json.dumps({k: (objects[v[1:-1] + "_id"] if isinstance(v, str) and v.startswith("{") else v)
                              for k, v in body.items()})
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role in tokens else {}
    return _client(ANONYMOUS).generic(method, path, payload or "", content_type="application/json", **headers)


def test_api_answers_each_role_as_the_matrix_says(world) -> None:
    tokens = {name: issue_token(User.objects.get(username=name), "matrix")
              for name in [*NORTHFIELD, OUTSIDER, *PROVIDERS]}
    objects = _objects(world["northfield"])
    wrong = []
    for route, (body, expected) in API.items():
        for role in ROLES:
            response = _call(role, route, body, objects, tokens)
            if response.status_code != expected[role]:
                wrong.append(f"{route} as {role}: {response.status_code} {response.content[:120]!r}, "
                             f"expected {expected[role]}")
    assert wrong == []
    other = _objects(world["southdale"])
    for route, (body, _) in API.items():
        if "{tender_id}" in route:
            for role in NORTHFIELD_ONLY:
                assert _call(role, route, body, other, tokens).status_code == 404, (route, role)


def test_a_bad_token_is_refused(world) -> None:
    response = _client(ANONYMOUS).get("/api/tenders", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
