"""The JSON API (django-ninja). Token authentication; every route calls the same `commonweal.web.data` functions as
the pages, so the permission checks are the same code. The OpenAPI document is at /api/openapi.json (the
interactive docs page is off: it would load scripts from a CDN, which the Content Security Policy forbids)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from commonweal.domain.lifecycle import Stage
from commonweal.web import data
from commonweal.web.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        found = ApiToken.objects.filter(digest=digest, user__is_active=True).select_related("user").first()
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(title="Commonweal", version="1.0.0", auth=TokenAuth(), docs_url=None)


@api.exception_handler(data.NotFound)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(data.Forbidden)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(data.Refused)
def _refused(request: HttpRequest, exc: data.Refused) -> HttpResponse:
    return api.create_response(request, {"detail": "refused", "problems": list(exc.problems)}, status=409)


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
    bid: int
    criterion: int
    score: Decimal
    rationale: str


class DeclarationIn(Schema):
    has_conflict: bool
    details: str = ""


class AdvanceIn(Schema):
    target: Stage
    award_notice_published: dt.date | None = None


class ModerationOut(Schema):
    bid: int
    bidder: str
    criterion: int
    scores: list[ScoreOut]
    spread: Decimal | None
    flagged: bool
    consensus: Decimal | None


class AuditOut(Schema):
    sequence: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]  # only the fields the caller may see at this stage
    withheld: list[str]  # the fields withheld from them: scores, rationales, prices or bid content
    hash: str | None  # None when a field is withheld (the hash would let guesses of it be tested)


def _tender_out(access: data.Access) -> dict[str, Any]:
    t = access.tender
    return {"id": t.pk, "organisation": t.organisation.name, "reference": t.reference, "title": t.title,
            "stage": t.stage, "roles": sorted(r.value for r in access.roles)}


def _score_out(s: data.ScoreView) -> dict[str, Any]:
    return {"bid": s.bid_id, "criterion": s.criterion_id, "evaluator": s.evaluator, "score": s.score,
            "rationale": s.rationale}


@api.get("/tenders", response=list[TenderOut])
def list_tenders(request: HttpRequest) -> list[dict[str, Any]]:
    return [_tender_out(a) for a in data.tenders_for(request.user)]


@api.get("/tenders/{tender_id}", response=TenderDetail)
def get_tender(request: HttpRequest, tender_id: int) -> dict[str, Any]:
    access = data.tender_access(request.user, tender_id)
    step = data.next_step(access, timezone.localdate())
    return {
        **_tender_out(access),
        "standstill_last_day": access.tender.standstill_last_day,
        "next_step": None if step is None else {
            "action": step.transition.action, "target": step.transition.target.value,
            "allowed": step.allowed, "missing": list(step.missing),
        },
    }


@api.post("/tenders/{tender_id}/advance", response=TenderOut)
def advance(request: HttpRequest, tender_id: int, body: AdvanceIn) -> dict[str, Any]:
    access = data.tender_access(request.user, tender_id)
    data.advance(access, body.target, timezone.localdate(), award_notice_published=body.award_notice_published)
    return _tender_out(access)


@api.post("/tenders/{tender_id}/declaration", response={201: dict[str, bool]})
def declare(request: HttpRequest, tender_id: int, body: DeclarationIn) -> tuple[int, dict[str, bool]]:
    access = data.tender_access(request.user, tender_id)
    made = data.declare(access, body.has_conflict, body.details)
    return 201, {"has_conflict": made.has_conflict}


@api.get("/tenders/{tender_id}/bids", response=list[BidOut])
def list_bids(request: HttpRequest, tender_id: int) -> list[dict[str, Any]]:
    access = data.tender_access(request.user, tender_id)
    return [{"id": b.id, "lot": b.lot, "bidder": b.bidder, "response": b.response, "price": b.price}
            for b in data.bids(access)]


@api.get("/tenders/{tender_id}/scores/mine", response=list[ScoreOut])
def my_scores(request: HttpRequest, tender_id: int) -> list[dict[str, Any]]:
    return [_score_out(s) for s in data.my_scores(data.tender_access(request.user, tender_id))]


@api.put("/tenders/{tender_id}/scores", response=ScoreOut)
def put_score(request: HttpRequest, tender_id: int, body: ScoreIn) -> dict[str, Any]:
    access = data.tender_access(request.user, tender_id)
    saved = data.record_score(access, body.bid, body.criterion, body.score, body.rationale)
    return {"bid": saved.bid_id, "criterion": saved.criterion_id, "evaluator": access.actor, "score": saved.score,
            "rationale": saved.rationale}


@api.get("/tenders/{tender_id}/scores", response=list[ScoreOut])
def all_scores(request: HttpRequest, tender_id: int) -> list[dict[str, Any]]:
    return [_score_out(s) for s in data.all_scores(data.tender_access(request.user, tender_id))]


@api.get("/tenders/{tender_id}/moderation", response=list[ModerationOut])
def moderation(request: HttpRequest, tender_id: int) -> list[dict[str, Any]]:
    access = data.tender_access(request.user, tender_id)
    return [
        {"bid": r.bid.id, "bidder": r.bid.bidder, "criterion": r.criterion.pk,
         "scores": [_score_out(s) for s in r.scores], "spread": r.spread, "flagged": r.flagged,
         "consensus": r.consensus.score if r.consensus else None}
        for r in data.moderation_sheet(access)
    ]


@api.put("/tenders/{tender_id}/moderation", response=ScoreOut)
def put_moderation(request: HttpRequest, tender_id: int, body: ScoreIn) -> dict[str, Any]:
    access = data.tender_access(request.user, tender_id)
    saved = data.record_moderation(access, body.bid, body.criterion, body.score, body.rationale)
    return {"bid": saved.bid_id, "criterion": saved.criterion_id, "evaluator": access.actor, "score": saved.score,
            "rationale": saved.rationale}


@api.get("/tenders/{tender_id}/results", response=dict[str, Any])
def results(request: HttpRequest, tender_id: int) -> dict[str, Any]:
    """The evaluation engine's results (the same JSON as `commonweal evaluate --format json`), once prices are
    opened."""
    return data.results_json(data.tender_access(request.user, tender_id))


@api.get("/tenders/{tender_id}/audit", response=list[AuditOut])
def audit_trail(request: HttpRequest, tender_id: int) -> list[dict[str, Any]]:
    """The tender's audit entries, disclosed by the same rules as the page (`data.audit_trail`)."""
    access = data.tender_access(request.user, tender_id)
    return [{"sequence": e.sequence, "at": e.at, "actor": e.actor, "action": e.action, "detail": e.detail,
             "withheld": list(e.withheld), "hash": e.hash} for e in data.audit_trail(access)]
