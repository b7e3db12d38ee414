"""The data layer enforces who sees what: sealed prices, independent scores, conflicts first, organisations apart."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonweal.domain.lifecycle import Role, Stage
from commonweal.web.access import Access, Forbidden, NotFound, Refused, tender_access
from commonweal.web.models import (
    AuditEntry,
    ConflictDeclaration,
    ModeratedScore,
    Score,
    ScoreSubmission,
    StoredEvaluation,
)
from commonweal.web.tenders import data

pytestmark = pytest.mark.db

TODAY = dt.date(2026, 11, 24)


def access(username: str, tender, *roles: Role) -> Access:
    return tender_access(User.objects.get(username=username), tender.pk, *roles)


def test_prices_are_sealed_in_the_query_until_finance_opens_them(world) -> None:
    tender = world["northfield"]
    for name in ("evaluator1", "commissioner", "moderator", "finance", "viewer"):
        user_access = access(name, tender)
        with CaptureQueriesContext(connection) as queries:
            assert all(b.price is None for b in data.bids(user_access)), name
        bid_queries = [q["sql"] for q in queries.captured_queries if "web_bid" in q["sql"]]
        assert bid_queries and not any('"price"' in sql for sql in bid_queries), name  # never even fetched
    assert all(b.price is not None for b in data.bids(access("moderator", world["southdale"])))


def test_evaluator_sees_no_bid_before_declaring(world) -> None:
    evaluator3 = access("evaluator3", world["northfield"])
    with pytest.raises(Forbidden, match="declare"):
        data.bids(evaluator3)
    data.declare(evaluator3, has_conflict=False, details="")
    assert len(data.bids(evaluator3)) == 10


def test_a_conflicted_evaluator_never_sees_bids_or_scores(world) -> None:
    evaluator3 = access("evaluator3", world["northfield"])
    data.declare(evaluator3, has_conflict=True, details="My sister runs Calder Community Care CIC")
    with pytest.raises(Forbidden):
        data.bids(evaluator3)
    criterion = data.criteria(evaluator3)[0]
    with pytest.raises(Forbidden):
        data.record_score(evaluator3, 1, criterion.pk, Decimal(3), "x")


def test_other_evaluators_scores_stay_hidden_until_moderation(world) -> None:
    evaluator1 = access("evaluator1", world["northfield"])
    mine = data.my_scores(evaluator1)
    # the example has 10 bids x 7 criteria = 70 scores per evaluator; evaluator1 sees only their own
    assert len(mine) == 70 and {s.evaluator for s in mine} == {"evaluator1"}
    with pytest.raises(Forbidden, match="independent"):
        data.all_scores(evaluator1)
    with pytest.raises(Forbidden):
        data.all_scores(access("moderator", world["northfield"]))


def test_another_organisations_tender_does_not_exist_for_a_user(world) -> None:
    with pytest.raises(NotFound):
        access("commissioner", world["southdale"])
    with pytest.raises(NotFound):
        access("southdale.commissioner", world["northfield"])
    # the shared service's commissioner works for both councils
    assert access("shared.commissioner", world["northfield"]).has(Role.COMMISSIONER)
    assert access("shared.commissioner", world["southdale"]).has(Role.COMMISSIONER)


def test_a_score_must_be_on_the_scale_with_a_rationale_and_is_audited(world) -> None:
    evaluator3 = access("evaluator3", world["northfield"])
    data.declare(evaluator3, has_conflict=False, details="")
    bid = data.bids(evaluator3)[0]
    criterion = next(c for c in data.criteria(evaluator3) if c.lot_id == bid.lot_id)
    with pytest.raises(Refused) as refused:
        data.record_score(evaluator3, bid.id, criterion.pk, Decimal("2.5"), " ")
    assert refused.value.problems == (
        f"Score for {criterion.reference} must be one of 0, 1, 2, 3, 4, 5",
        f"Give a rationale for the score against {criterion.reference}",
    )
    before = AuditEntry.objects.count()
    data.record_score(evaluator3, bid.id, criterion.pk, Decimal(4), "Strong continuity plan")
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.actor, entry.action, entry.detail["score"]) == ("evaluator3", "score_recorded", "4")


def test_moderation_waits_for_every_declaration_and_score(world) -> None:
    moderator = access("moderator", world["northfield"])
    with pytest.raises(Refused) as refused:
        data.advance(moderator, Stage.MODERATION, TODAY)
    problems = refused.value.problems
    # 10 bids x 7 criteria still to score by evaluator3, counted in one line; evaluator1 and 2 have scored everything
    # but not submitted their scores
    assert problems == ("evaluator3 has not declared conflicts of interest", "evaluator3: 70 scores missing",
                        "evaluator1: scores not yet submitted", "evaluator2: scores not yet submitted")


def test_finance_alone_opens_prices_and_only_when_all_is_moderated(world) -> None:
    tender = world["northfield"]
    evaluator3 = User.objects.get(username="evaluator3")
    ConflictDeclaration.objects.create(tender=tender, user=evaluator3, has_conflict=False)
    first = Score.objects.filter(bid__lot__tender=tender, evaluator__username="evaluator1")
    Score.objects.bulk_create(
        Score(bid=s.bid, criterion=s.criterion, evaluator=evaluator3, score=s.score, rationale=s.rationale)
        for s in first
    )
    for name in ("evaluator1", "evaluator2", "evaluator3"):
        ScoreSubmission.objects.create(tender=tender, evaluator=User.objects.get(username=name))
    data.advance(access("moderator", tender), Stage.MODERATION, TODAY)
    with pytest.raises(Forbidden):
        data.advance(access("moderator", tender), Stage.PRICES_OPENED, TODAY)
    finance = access("finance", tender)
    with pytest.raises(Refused) as refused:
        data.advance(finance, Stage.PRICES_OPENED, TODAY)
    # one line per bid, each with its 7 criteria to moderate
    assert len(refused.value.problems) == 10
    assert all(p.endswith(", 7 consensus scores missing") for p in refused.value.problems)
    moderator = access("moderator", tender)
    for s in first:
        data.record_moderation(moderator, s.bid_id, s.criterion_id, s.score, "agreed")
    assert ModeratedScore.objects.filter(bid__lot__tender=tender).count() == 70
    assert not StoredEvaluation.objects.filter(tender=tender).exists()
    data.advance(finance, Stage.PRICES_OPENED, TODAY)
    assert access("evaluator1", tender).stage == Stage.PRICES_OPENED
    # opening the prices evaluated the tender once and stored the result for every page
    assert StoredEvaluation.objects.get(tender=tender).has_ranking
    assert all(b.price is not None for b in data.bids(access("viewer", tender)))


def test_award_recommendation_waits_for_the_abnormally_low_decision(world) -> None:
    commissioner = access("shared.commissioner", world["southdale"])
    with pytest.raises(Refused) as refused:
        data.advance(commissioner, Stage.AWARD_RECOMMENDED, TODAY)
    assert refused.value.problems == (
        "Abnormally low tender decision not recorded: lot 1: Harbour Healthcare Group plc",
    )
    harbour = next(b for b in data.bids(commissioner) if b.bidder == "Harbour Healthcare Group plc" and b.lot == "1")
    data.record_abnormally_low(commissioner, harbour.id, "accepted", "Explained and evidenced", TODAY)
    data.advance(commissioner, Stage.AWARD_RECOMMENDED, TODAY)
    # contract award notice published Monday 2026-11-30: 8 working days end Wednesday 2026-12-09
    data.advance(commissioner, Stage.STANDSTILL, dt.date(2026, 11, 30), award_notice_published=dt.date(2026, 11, 30))
    assert commissioner.tender.standstill_last_day == dt.date(2026, 12, 9)
    with pytest.raises(Refused, match="until the end of 2026-12-09"):
        data.advance(commissioner, Stage.AWARDED, dt.date(2026, 12, 9))
    data.advance(commissioner, Stage.AWARDED, dt.date(2026, 12, 10))
    actions = list(AuditEntry.objects.filter(tender=world["southdale"]).values_list("action", flat=True))
    assert actions[-4:] == ["abnormally_low_decided", "stage_changed", "stage_changed", "stage_changed"]


@pytest.mark.django_db(transaction=True)
def test_audit_is_written_in_the_same_transaction_as_the_change() -> None:
    from commonweal.web import audit

    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record("someone", "anything", {})


def test_the_commissioner_builds_the_team_and_finance_never_evaluates(world) -> None:
    commissioner = access("commissioner", world["northfield"])
    data.assign_role(commissioner, "viewer", Role.EVALUATOR)
    assert access("viewer", world["northfield"]).has(Role.EVALUATOR)
    with pytest.raises(Refused) as refused:
        data.assign_role(commissioner, "finance", Role.EVALUATOR)
    assert refused.value.problems == ("The price opener (finance) cannot also evaluate this tender",)
    with pytest.raises(Refused, match="not a member of Northfield"):
        data.assign_role(commissioner, "southdale.commissioner", Role.VIEWER)
    with pytest.raises(Forbidden):
        data.assign_role(access("moderator", world["northfield"]), "viewer", Role.MODERATOR)
    assert AuditEntry.objects.filter(action="role_assigned").count() == 1


def test_the_standstill_cannot_be_skipped_by_the_notice_date(world) -> None:
    """Procurement Act 2023 ss.50-51: the standstill runs from the contract award notice, so its date can be neither
    in the future nor before the award was recommended (a 2024 date entered in 2026 would end the standstill at
    once)."""
    commissioner = access("shared.commissioner", world["southdale"])
    harbour = next(b for b in data.bids(commissioner) if b.bidder == "Harbour Healthcare Group plc" and b.lot == "1")
    data.record_abnormally_low(commissioner, harbour.id, "accepted", "Explained and evidenced", TODAY)
    data.advance(commissioner, Stage.AWARD_RECOMMENDED, dt.date(2026, 12, 6))
    for published, why in ((dt.date(2024, 1, 2), "before the award was recommended on 2026-12-06"),
                           (dt.date(2026, 12, 7), "after today, 2026-12-06"),
                           (dt.date(2031, 6, 2), "after today, 2026-12-06")):
        with pytest.raises(Refused) as refused:
            data.advance(commissioner, Stage.STANDSTILL, dt.date(2026, 12, 6), award_notice_published=published)
        assert refused.value.fields == ("award_notice_published",) and why in refused.value.problems[0]
    assert commissioner.tender.stage == Stage.AWARD_RECOMMENDED.value


def test_a_standstill_in_a_year_after_the_published_holidays_is_counted_from_the_rules(world) -> None:
    commissioner = access("shared.commissioner", world["southdale"])
    harbour = next(b for b in data.bids(commissioner) if b.bidder == "Harbour Healthcare Group plc" and b.lot == "1")
    data.record_abnormally_low(commissioner, harbour.id, "accepted", "Explained and evidenced", TODAY)
    data.advance(commissioner, Stage.AWARD_RECOMMENDED, dt.date(2030, 12, 20))
    # Monday 23 December 2030; 25 and 26 December and 1 January are bank holidays (computed, not published), so the
    # eight working days are 23, 24, 27, 30, 31 December, 2, 3 and 6 January
    data.advance(commissioner, Stage.STANDSTILL, dt.date(2030, 12, 23), award_notice_published=dt.date(2030, 12, 23))
    assert commissioner.tender.standstill_last_day == dt.date(2031, 1, 6)
