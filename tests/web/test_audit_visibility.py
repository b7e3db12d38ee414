"""Audit entries that carry scores, rationales, prices or bid content reach a person, on the page, in its CSV
export and through the API, only when they may see that data at the tender's stage
(`commonweal.domain.audit.DETAIL_NEEDS`)."""

from __future__ import annotations

import ast
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonweal.domain.audit import DETAIL_NEEDS
from commonweal.domain.lifecycle import Role, Stage
from commonweal.web import engine
from commonweal.web.access import issue_token, tender_access
from commonweal.web.models import AuditEntry, ConflictDeclaration, Tender, TenderRole
from commonweal.web.tenders import data

pytestmark = pytest.mark.db

SRC = Path(__file__).resolve().parents[2] / "src" / "commonweal"
RATIONALE = "Rationale-marker-7f3a: strong workforce plan"
OWN_RATIONALE = "Own-rationale-marker-91c2"


def _score(username: str, tender: Tender, rationale: str) -> tuple[str, Decimal]:
    """Record a score as `username` through the data layer; (bidder, value)."""
    access = tender_access(User.objects.get(username=username), tender.pk)
    bid = data.bids(access)[0]
    criterion = next(c for c in data.criteria(access) if c.lot_id == bid.lot_id)
    value = engine.criterion_scale(criterion).scores[-1]
    data.record_score(access, bid.id, criterion.pk, Decimal(value), rationale)
    return bid.bidder, Decimal(value)


def _trail(client_for, username: str, tender: Tender) -> tuple[str, list[dict[str, object]]]:
    """The audit page's HTML followed by its CSV export, and the API's JSON, as `username` sees them."""
    client = client_for(username)
    page = client.get(f"/tenders/{tender.pk}/audit/")
    export = client.get(f"/tenders/{tender.pk}/audit.csv")
    token = issue_token(User.objects.get(username=username), "audit visibility")
    api = Client().get(f"/api/tenders/{tender.pk}/audit", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (page.status_code, export.status_code, api.status_code) == (200, 200, 200)
    assert "no-store" in export["Cache-Control"]
    return page.content.decode() + export.content.decode(), api.json()


def _score_entries(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for e in entries if e["action"] == "score_recorded"]


@pytest.fixture
def scored(world):
    """Northfield's tender in evaluation with one score from evaluator1 carrying a unique rationale."""
    tender = world["northfield"]
    bidder, _ = _score("evaluator1", tender, RATIONALE)
    return tender, bidder


@pytest.mark.parametrize("commissioner", ["commissioner", "shared.commissioner"])
def test_during_evaluation_commissioners_see_who_scored_what_but_no_score_or_rationale(scored, client_for,
                                                                                        commissioner):
    tender, bidder = scored
    html, entries = _trail(client_for, commissioner, tender)
    [entry] = _score_entries(entries)
    assert entry["actor"] == "evaluator1"
    assert entry["detail"]["bidder"] == bidder
    assert "score" not in entry["detail"] and "rationale" not in entry["detail"]
    assert {"score", "rationale"} <= set(entry["withheld"])
    assert RATIONALE not in html and RATIONALE not in json.dumps(entries)
    assert "withheld" in html


def test_the_admin_never_sees_bid_content_scores_or_rationales(scored, client_for):
    tender, bidder = scored
    for stage in (Stage.EVALUATION, Stage.MODERATION, Stage.PRICES_OPENED, Stage.AWARDED):
        Tender.objects.filter(pk=tender.pk).update(stage=stage.value)
        html, entries = _trail(client_for, "admin", tender)
        [entry] = _score_entries(entries)
        assert entry["actor"] == "evaluator1" and entry["action"] == "score_recorded"
        assert set(entry["detail"]) == {"criterion", "replaced"}
        assert set(entry["withheld"]) == {"bid", "bidder", "score", "rationale"}
        # nor the hash over them, against which guesses could be tested
        stored = AuditEntry.objects.get(action="score_recorded", tender=tender)
        assert entry["hash"] is None and stored.hash not in html
        for secret in (RATIONALE, bidder):
            assert secret not in html and secret not in json.dumps(entries)


@pytest.mark.parametrize("stage", [Stage.MODERATION, Stage.PRICES_OPENED, Stage.AWARDED])
@pytest.mark.parametrize("commissioner", ["commissioner", "shared.commissioner"])
def test_from_moderation_commissioners_see_scores_and_rationales(scored, client_for, stage, commissioner):
    tender, bidder = scored
    Tender.objects.filter(pk=tender.pk).update(stage=stage.value)
    html, entries = _trail(client_for, commissioner, tender)
    [entry] = _score_entries(entries)
    assert entry["detail"]["rationale"] == RATIONALE and entry["withheld"] == []
    assert entry["detail"]["bidder"] == bidder
    assert entry["hash"] == AuditEntry.objects.get(action="score_recorded", tender=tender).hash
    assert RATIONALE in html


def test_an_evaluator_sees_their_own_score_entries_but_not_others_before_moderation(scored, client_for):
    tender, _ = scored
    # the commissioner also evaluates this tender (declared, no conflict) and scores
    commissioner = User.objects.get(username="commissioner")
    TenderRole.objects.create(tender=tender, user=commissioner, role=Role.EVALUATOR.value)
    ConflictDeclaration.objects.create(tender=tender, user=commissioner, has_conflict=False)
    _score("commissioner", tender, OWN_RATIONALE)
    html, entries = _trail(client_for, "commissioner", tender)
    by_actor = {e["actor"]: e for e in _score_entries(entries)}
    assert by_actor["commissioner"]["detail"]["rationale"] == OWN_RATIONALE
    assert "rationale" in by_actor["evaluator1"]["withheld"]
    assert OWN_RATIONALE in html and RATIONALE not in html


def test_abnormally_low_decisions_are_shown_once_prices_are_open(world, client_for):
    tender = world["southdale"]
    access = tender_access(User.objects.get(username="southdale.commissioner"), tender.pk)
    bid = data.bids(access)[0]
    reason = "Reason-marker-5d1e: the explanation of the price holds"
    data.record_abnormally_low(access, bid.id, "accepted", reason, dt.date(2026, 12, 1))
    html, entries = _trail(client_for, "southdale.commissioner", tender)
    [entry] = [e for e in entries if e["action"] == "abnormally_low_decided"]
    assert entry["detail"]["reason"] == reason and entry["withheld"] == []
    assert reason in html


def test_every_audited_action_and_detail_field_in_the_code_is_classified():
    """A new `audit.record` action or detail field must be classified in DETAIL_NEEDS (else it is withheld from
    everyone): read every call in the source."""
    unclassified = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "record" and getattr(node.func, "value", None) is not None \
                    and getattr(node.func.value, "id", "") == "audit":
                action_arg = node.args[1] if len(node.args) > 1 else None
                if not (isinstance(action_arg, ast.Constant) and isinstance(action_arg.value, str)):
                    unclassified.append(f"{path.name}:{node.lineno}: action is not a literal")
                    continue
                action, details = action_arg.value, node.args[2:3]
            elif name in ("record_download", "_report_pdf"):
                action, details = "downloaded", [a for a in node.args if isinstance(a, ast.Dict)]
            else:
                continue
            if action not in DETAIL_NEEDS:
                unclassified.append(f"{path.name}:{node.lineno}: action {action!r}")
                continue
            keys = [k.value for d in details if isinstance(d, ast.Dict) for k in d.keys
                    if isinstance(k, ast.Constant)]
            unclassified += [f"{path.name}:{node.lineno}: {action}.{k}" for k in keys
                             if k not in DETAIL_NEEDS[action]]
    assert unclassified == []


def test_every_entry_the_demo_and_a_score_write_is_classified(scored):
    for action, detail in AuditEntry.objects.values_list("action", "detail"):
        assert action in DETAIL_NEEDS
        assert set(detail) <= set(DETAIL_NEEDS[action]), action
