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

from commonweal.web.access import issue_token
from commonweal.web.api import api
from commonweal.web.models import Bid, ConflictDeclaration, Criterion

pytestmark = pytest.mark.db

NORTHFIELD = ["commissioner", "evaluator1", "evaluator3", "moderator", "finance", "viewer", "admin",
              "shared.commissioner"]
OUTSIDER = "southdale.commissioner"  # another organisation: Northfield's objects do not exist for them
ANONYMOUS = "anonymous"
ROLES = [*NORTHFIELD, OUTSIDER, ANONYMOUS]
NORTHFIELD_ONLY = ["commissioner", "viewer", "admin"]  # their view of Southdale's objects: not found
READERS = {"commissioner", "moderator", "finance", "viewer", "shared.commissioner"}
COMMISSIONERS = {"commissioner", "shared.commissioner"}


def answers(allowed: dict[str, int] | int, who: set[str] | None = None, *, denied: int = 403, outsider: int = 404,
            anonymous: int = 302) -> dict[str, int]:
    """The expected status for every role: `allowed` for `who` (or a per-user mapping), `denied` for the other
    Northfield users, `outsider` for the other organisation's commissioner, `anonymous` when signed out."""
    table = {name: denied for name in NORTHFIELD}
    if isinstance(allowed, dict):
        table.update(allowed)
    else:
        table.update({name: allowed for name in who or set(NORTHFIELD)})
    table[OUTSIDER] = outsider
    table[ANONYMOUS] = anonymous
    return table


TENDER_STAFF = set(NORTHFIELD)

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
    "api-1.0.0:openapi-json": ("GET", {}, answers(200, outsider=200, anonymous=200)),
}

# pages whose form also posts to them (PAGES checks the GET): url name -> (POST data, expected status per role)
POSTED: dict[str, tuple[dict[str, str], dict[str, int]]] = {
    # tenders area (new): evaluator1 has scored everything and submits (then locked); evaluator3 must declare first
    "submit_scores": ({}, answers({"evaluator1": 302, "evaluator3": 302})),
    # tenders area (new): no file chosen: each field's error, nothing saved
    "bid_documents": ({}, answers(400, COMMISSIONERS)),
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
    return {"tender_id": tender.pk, "bid_id": bid.pk, "criterion_id": criterion.pk, "fmt": "csv",
            "slug": tender.organisation.slug, "user_id": person.pk, "token": "not-a-token",
            "invitation_id": 1,
            # tenders area (new)
            "declaration_id": getattr(ConflictDeclaration.objects.filter(tender=tender).order_by("pk").first(),
                                      "pk", 0),
            "document_id": 1}


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
        "organisation_home": ["slug"], "invite": ["slug"],
        "person": ["slug", "user_id"], "person_role": ["slug", "user_id"], "person_remove": ["slug", "user_id"],
        "person_active": ["slug", "user_id"], "person_reset": ["slug", "user_id"], "join": ["token"],
        "reset_password": ["token"], "team_remove": ["tender_id"], "cancel_invitation": ["slug", "invitation_id"],
        # tenders area (new)
        "conflict": ["tender_id", "declaration_id"], "score": ["tender_id", "bid_id", "criterion_id"],
        "submit_scores": ["tender_id"], "bid_documents": ["tender_id", "bid_id"],
        "bid_document": ["tender_id", "document_id"],
    }
    return reverse(name, kwargs={k: objects[k] for k in resolver_match_args.get(name, [])})


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
        if not any(k in path for k in ("/tenders/", "/organisations/")) or path == "/tenders/":
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
    tokens = {name: issue_token(User.objects.get(username=name), "matrix") for name in [*NORTHFIELD, OUTSIDER]}
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
