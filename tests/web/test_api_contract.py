"""The API keeps its published contract: Schemathesis generates requests from /api/openapi.json (valid and invalid
ones, then chains of calls through the links it finds) as each role, against the demo world on the real database,
and runs every check (no server error, documented status codes and content types, response bodies matching their
schemas, invalid data rejected, valid data accepted, authentication not ignored, 405 for undocumented methods).

Bounded for CI: COMMONWEAL_SCHEMATHESIS_EXAMPLES examples per operation and mode (default 5) and as many stateful
runs. A longer run: `COMMONWEAL_SCHEMATHESIS_EXAMPLES=500 .venv/bin/pytest -m db tests/web/test_api_contract.py`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode

from commonweal.web.access import issue_token

pytestmark = pytest.mark.db

EXAMPLES = int(os.environ.get("COMMONWEAL_SCHEMATHESIS_EXAMPLES", "5"))
# every kind of user: Northfield's roles, and Southdale's commissioner, to whom Northfield's tender does not exist
ROLES = ["commissioner", "evaluator1", "moderator", "finance", "viewer", "admin", "southdale.commissioner"]
BOUNDED = hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
)


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """Schemathesis calls the real WSGI app, which closes the database connection after each request; the test's
    transaction lives on that connection, so keep it open, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema(settings: Any) -> Any:
    settings.ALLOWED_HOSTS = ["*"]  # Schemathesis's WSGI client calls the app as "localhost" or its own host name
    return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


def _headers(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(User.objects.get(username=role), 'schemathesis')}"}


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_keeps_the_contract(world, settings, keep_connection, role: str) -> None:
    schema = _schema(settings)
    headers = _headers(role)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @BOUNDED
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                case.call_and_validate(headers=headers)

            call()


@pytest.mark.parametrize("role", ROLES)
def test_chains_of_calls_keep_the_contract(world, settings, keep_connection, role: str) -> None:
    schema = _schema(settings)
    headers = _headers(role)

    machine = schema.as_state_machine()
    # Schemathesis infers the links from the response schemas: a tender's id from the list feeds every tender route
    assert sum(name.startswith("GET_api_tenders___200") for name in vars(machine)) == 11

    class Calls(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            # named as the caller's headers, so the authentication check knows which header to take away
            case.validate_response(response, headers=headers, additional_checks=additional_checks,
                                   transport_kwargs=kwargs)

    run_state_machine_as_test(Calls, settings=hypothesis_settings(BOUNDED, stateful_step_count=6))


def test_errors_are_json_in_the_one_error_shape(world, client) -> None:
    """Django-level errors under /api/ (an unknown path, a method a path does not have) answer JSON too."""
    token = _headers("commissioner")
    unknown = client.get("/api/no-such-thing", HTTP_AUTHORIZATION=token["Authorization"])
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Not Found", "problems": []}
    wrong_method = client.delete("/api/tenders", HTTP_AUTHORIZATION=token["Authorization"])
    assert wrong_method.status_code == 405
    assert wrong_method["Allow"] == "GET"
    assert wrong_method.json()["detail"] == "Method Not Allowed"
    invalid = client.put(f"/api/tenders/{world['northfield'].pk}/scores", json.dumps({"score": "nine"}),
                         content_type="application/json", HTTP_AUTHORIZATION=token["Authorization"])
    assert invalid.status_code == 422
    assert invalid.json()["detail"] == "invalid request"
    assert any(p.startswith("body.payload.score") or "score" in p for p in invalid.json()["problems"])


@pytest.mark.parametrize("text", ["\ud800", "before\x00after"])
def test_text_that_cannot_be_stored_is_refused_with_422(world, client, text: str) -> None:
    """A lone surrogate or a NUL in a rationale or a declaration is refused, never a 500, and nothing is saved."""
    from commonweal.web.models import AuditEntry, ConflictDeclaration, Score

    tender = world["northfield"]
    before = (Score.objects.count(), ConflictDeclaration.objects.count(), AuditEntry.objects.count())
    for role, path, body in [
        ("evaluator3", f"/api/tenders/{tender.pk}/declaration", {"has_conflict": True, "details": text}),
        ("evaluator1", f"/api/tenders/{tender.pk}/scores", {"bid": 1, "criterion": 1, "score": 1, "rationale": text}),
    ]:
        method = client.post if path.endswith("declaration") else client.put
        response = method(path, json.dumps(body), content_type="application/json",
                          HTTP_AUTHORIZATION=_headers(role)["Authorization"])
        assert response.status_code == 422, response.content
        assert response["Content-Type"] == "application/json"
    assert (Score.objects.count(), ConflictDeclaration.objects.count(), AuditEntry.objects.count() - 2) == before


def test_a_fault_answers_json_without_detail_of_the_fault(world, client, monkeypatch) -> None:
    """An unexpected exception in a route (injected here) is a JSON 500 saying nothing of the fault, and Django's
    own 500 handler answers JSON under /api/ too."""
    from django.test import RequestFactory

    from commonweal.web import api, views

    token = _headers("commissioner")

    def broken(user: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api, "tenders_for", broken)  # the name the route calls
    response = client.get("/api/tenders", HTTP_AUTHORIZATION=token["Authorization"])
    assert response.status_code == 500
    assert response.json()["problems"] == [] and "secret" not in response.content.decode()
    django_level = views.server_error(RequestFactory().get("/api/tenders"))
    assert (django_level.status_code, django_level["Content-Type"]) == (500, "application/json")
