"""The JSON API (django-ninja). Token authentication; every route calls the same `commonweal.web.tenders.data`
functions (on the access layer `commonweal.web.access`) as the pages, so the permission checks are the same code.
The OpenAPI document is at /api/openapi.json (the interactive docs page is off: it would load scripts from a CDN,
which the Content Security Policy forbids)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import wraps
from http import HTTPStatus
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from ninja import NinjaAPI, Path, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictStr, WithJsonSchema

from commonweal.domain.lifecycle import Stage
from commonweal.web import forms
from commonweal.web.access import Access, Forbidden, NotFound, Refused, tender_access, tenders_for
from commonweal.web.models import ApiToken, Score
from commonweal.web.tenders import data

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        found = ApiToken.objects.filter(digest=digest, user__is_active=True).select_related("user").first()
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(title="Commonweal", version="1.0.0", auth=TokenAuth(), docs_url=None)


# -- errors: one JSON body for every error status ----------------------------------------------------------------


class ErrorOut(Schema):
    """Every error the API answers: what went wrong, and for a refused request or invalid input each problem."""

    detail: str
    problems: list[str] = Field(default_factory=list)


def json_error(status: int, detail: str, problems: Iterable[str] = ()) -> JsonResponse:
    """An error answer in the API's one error shape; also used for Django-level errors under /api/."""
    return JsonResponse({"detail": detail, "problems": list(problems)}, status=status)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return json_error(404, str(exc))


@api.exception_handler(Forbidden)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return json_error(403, str(exc))


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return json_error(409, "refused", exc.problems)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Ninja's validation errors (a list of pydantic errors) in the one error shape: each problem names where."""
    problems = [f"{'.'.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors]
    return json_error(422, "invalid request", problems)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # 401 (no or bad token) and 400 (a body that is not JSON) come from ninja as HttpError
    return json_error(exc.status_code, str(exc))


@api.exception_handler(Exception)
def _fault(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API request failed: %s %s", request.method, request.path)
    return json_error(500, "Sorry, there is a problem with the service. Nothing was saved.")


def _json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a method a path does not have with a plain-text 405; give it the API's error shape, keeping
    the Allow header."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            replaced = json_error(response.status_code, HTTPStatus(response.status_code).phrase)
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    return wrapper


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URL patterns for urls.py: ninja's, each answering errors as JSON."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_errors(pattern.callback)
    return patterns, app_name, namespace


# -- request schemas: exactly what the API accepts ---------------------------------------------------------------


def _text(value: str) -> str:
    if (problem := forms.text_problem(value)) is not None:
        raise ValueError(problem)
    return value


def _json_number(value: object) -> Decimal:
    # a JSON number only: not a string, not a boolean (pydantic's lax mode would take both)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return Decimal(str(value))


def _json_integer(value: object) -> int:
    # a JSON integer, which JSON Schema says 128.0 also is; not a string or a boolean
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be an integer")
    return value


def _iso_date(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be a date in the form YYYY-MM-DD")
    return forms.iso_date(value)


# What the score columns hold (7 digits, 2 decimal places); whether a score is on the criterion's scale is the data
# layer's rule (409).
_SCORE_FIELD = Score._meta.get_field("score")
_SCORE_LIMIT = float(10 ** (_SCORE_FIELD.max_digits - _SCORE_FIELD.decimal_places))

Text = Annotated[
    StrictStr,
    Field(max_length=forms.TEXT_MAX_CHARS,
          json_schema_extra={"pattern": forms.TEXT_PATTERN, "description": forms.TEXT_RULE}),
    AfterValidator(_text),
]
Id = Annotated[int, Field(ge=1, le=forms.ID_MAX), BeforeValidator(_json_integer)]
ScoreValue = Annotated[
    Decimal, BeforeValidator(_json_number), Field(gt=-_SCORE_LIMIT, lt=_SCORE_LIMIT),
    WithJsonSchema({"type": "number", "exclusiveMinimum": -_SCORE_LIMIT, "exclusiveMaximum": _SCORE_LIMIT,
                    "description": "a number; it must be on the criterion's scoring scale"}),
]
NoticeDate = Annotated[dt.date | None, BeforeValidator(_iso_date)]


class TenderOut(Schema):
    id: int
    organisation: str
    reference: str
    title: str
    stage: str
    roles: list[str]


class StepOut(Schema):
    action: str
    target: str
    allowed: bool
    missing: list[str]


class TenderDetail(TenderOut):
    next_step: StepOut | None
    standstill_last_day: dt.date | None


class BidOut(Schema):
    id: int
    lot: str
    bidder: str
    response: str | None
    price: Decimal | None


class ScoreOut(Schema):
    bid: int
    criterion: int
    evaluator: str
    score: Decimal
    rationale: str


class ScoreIn(Schema):
    bid: Id
    criterion: Id
    score: ScoreValue
    rationale: Text


class DeclarationIn(Schema):
    has_conflict: StrictBool
    details: Text = ""


class AdvanceIn(Schema):
    target: Stage
    award_notice_published: NoticeDate = None


class ModerationOut(Schema):
    bid: int
    bidder: str
    criterion: int
    scores: list[ScoreOut]
    spread: Decimal | None
    flagged: bool
    consensus: Decimal | None


class DeclarationOut(Schema):
    has_conflict: bool


class AuditOut(Schema):
    sequence: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]  # only the fields the caller may see at this stage
    withheld: list[str]  # the fields withheld from them: scores, rationales, prices or bid content
    hash: str | None  # None when a field is withheld (the hash would let guesses of it be tested)


TenderId = Annotated[int, Path(ge=1, le=forms.ID_MAX)]


def _answers(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """A route's documented answers: its success schema and the error schema for each error status it can give.
    Every route needs a token (401) and validates what it is sent (422)."""
    return {**ok, **{status: ErrorOut for status in sorted({401, 422, *errors})}}


READ = (403, 404)  # a tender the user may not see (403) or that is not theirs (404)
WRITE = (400, 403, 404, 409)  # also a body that is not JSON (400) and a business rule that refuses (409)


def _tender_out(access: Access) -> dict[str, Any]:
    t = access.tender
    return {"id": t.pk, "organisation": t.organisation.name, "reference": t.reference, "title": t.title,
            "stage": t.stage, "roles": sorted(r.value for r in access.roles)}


def _score_out(s: data.ScoreView) -> dict[str, Any]:
    return {"bid": s.bid_id, "criterion": s.criterion_id, "evaluator": s.evaluator, "score": s.score,
            "rationale": s.rationale}


@api.get("/tenders", response=_answers({200: list[TenderOut]}))
def list_tenders(request: HttpRequest) -> list[dict[str, Any]]:
    return [_tender_out(a) for a in tenders_for(request.user)]


@api.get("/tenders/{tender_id}", response=_answers({200: TenderDetail}, *READ))
def get_tender(request: HttpRequest, tender_id: TenderId) -> dict[str, Any]:
    access = tender_access(request.user, tender_id)
    step = data.next_step(access, timezone.localdate())
    return {
        **_tender_out(access),
        "standstill_last_day": access.tender.standstill_last_day,
        "next_step": None if step is None else {
            "action": step.transition.action, "target": step.transition.target.value,
            "allowed": step.allowed, "missing": list(step.missing),
        },
    }


@api.post("/tenders/{tender_id}/advance", response=_answers({200: TenderOut}, *WRITE))
def advance(request: HttpRequest, tender_id: TenderId, body: AdvanceIn) -> dict[str, Any]:
    access = tender_access(request.user, tender_id)
    data.advance(access, body.target, timezone.localdate(), award_notice_published=body.award_notice_published)
    return _tender_out(access)


@api.post("/tenders/{tender_id}/declaration", response=_answers({201: DeclarationOut}, *WRITE))
def declare(request: HttpRequest, tender_id: TenderId, body: DeclarationIn) -> tuple[int, dict[str, bool]]:
    access = tender_access(request.user, tender_id)
    made = data.declare(access, body.has_conflict, body.details)
    return 201, {"has_conflict": made.has_conflict}


@api.get("/tenders/{tender_id}/bids", response=_answers({200: list[BidOut]}, *READ))
def list_bids(request: HttpRequest, tender_id: TenderId) -> list[dict[str, Any]]:
    access = tender_access(request.user, tender_id)
    return [{"id": b.id, "lot": b.lot, "bidder": b.bidder, "response": b.response, "price": b.price}
            for b in data.bids(access)]


@api.get("/tenders/{tender_id}/scores/mine", response=_answers({200: list[ScoreOut]}, *READ))
def my_scores(request: HttpRequest, tender_id: TenderId) -> list[dict[str, Any]]:
    return [_score_out(s) for s in data.my_scores(tender_access(request.user, tender_id))]


@api.put("/tenders/{tender_id}/scores", response=_answers({200: ScoreOut}, *WRITE))
def put_score(request: HttpRequest, tender_id: TenderId, body: ScoreIn) -> dict[str, Any]:
    access = tender_access(request.user, tender_id)
    saved = data.record_score(access, body.bid, body.criterion, body.score, body.rationale)
    return {"bid": saved.bid_id, "criterion": saved.criterion_id, "evaluator": access.actor, "score": saved.score,
            "rationale": saved.rationale}


@api.get("/tenders/{tender_id}/scores", response=_answers({200: list[ScoreOut]}, *READ))
def all_scores(request: HttpRequest, tender_id: TenderId) -> list[dict[str, Any]]:
    return [_score_out(s) for s in data.all_scores(tender_access(request.user, tender_id))]


@api.get("/tenders/{tender_id}/moderation", response=_answers({200: list[ModerationOut]}, *READ, 409))
def moderation(request: HttpRequest, tender_id: TenderId) -> list[dict[str, Any]]:
    access = tender_access(request.user, tender_id)
    return [
        {"bid": r.bid.id, "bidder": r.bid.bidder, "criterion": r.criterion.pk,
         "scores": [_score_out(s) for s in r.scores], "spread": r.spread, "flagged": r.flagged,
         "consensus": r.consensus.score if r.consensus else None}
        for r in data.moderation_sheet(access)
    ]


@api.put("/tenders/{tender_id}/moderation", response=_answers({200: ScoreOut}, *WRITE))
def put_moderation(request: HttpRequest, tender_id: TenderId, body: ScoreIn) -> dict[str, Any]:
    access = tender_access(request.user, tender_id)
    saved = data.record_moderation(access, body.bid, body.criterion, body.score, body.rationale)
    return {"bid": saved.bid_id, "criterion": saved.criterion_id, "evaluator": access.actor, "score": saved.score,
            "rationale": saved.rationale}


@api.get("/tenders/{tender_id}/results", response=_answers({200: dict[str, Any]}, *READ, 409))
def results(request: HttpRequest, tender_id: TenderId) -> dict[str, Any]:
    """The evaluation engine's results (the same JSON as `commonweal evaluate --format json`), once prices are
    opened."""
    return data.results_json(tender_access(request.user, tender_id))


@api.get("/tenders/{tender_id}/audit", response=_answers({200: list[AuditOut]}, *READ))
def audit_trail(request: HttpRequest, tender_id: TenderId) -> list[dict[str, Any]]:
    """The tender's audit entries, disclosed by the same rules as the page (`data.audit_trail`)."""
    access = tender_access(request.user, tender_id)
    return [{"sequence": e.sequence, "at": e.at, "actor": e.actor, "action": e.action, "detail": e.detail,
             "withheld": list(e.withheld), "hash": e.hash} for e in data.audit_trail(access)]
