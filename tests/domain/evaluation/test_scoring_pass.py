"""The scoring pass keeps each bid's values in a compact form and builds its per-criterion records only when they
are read (`BidResult.criteria`), and walks only the moderations worth a look: on a scaled tender (points weights
under a parent, a 0-3 scale giving thirds, an offered-value criterion, a score threshold, evaluators who differ and
evaluators who agree), every record, flag, exclusion and group total equals one worked out independently here."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from commonweal.domain.evaluation.evaluate import check_inputs, evaluate_lot
from commonweal.domain.evaluation.model import (
    AbnormallyLowPolicy,
    Criterion,
    CriterionGroup,
    EvaluationModel,
    Lot,
    PriceRule,
    QuantitativeRule,
    SensitivityPolicy,
    fraction_decimal,
)
from commonweal.domain.evaluation.moderation import Moderation, averaged_bid, moderate, spread_limit
from commonweal.domain.evaluation.records import Bid, EvaluatorScore, ModeratedScore
from commonweal.domain.evaluation.scales import PRESETS

D = Decimal


def scaled_tender(bids: int, evaluators: int, seed: int) -> tuple[
    Lot, list[Bid], list[EvaluatorScore], list[ModeratedScore], dict[tuple[str, str], Decimal]
]:
    rnd = random.Random(seed)
    five, three = PRESETS["0-5"], PRESETS["0-3"]
    criteria = (
        Criterion("Q1", "Delivery", "quality", D(50), five, threshold=D(1)),
        Criterion("Q2", "Staffing", "quality", D(50), five, criteria_weights="points"),
        Criterion("Q2a", "Recruitment", "quality", D("5.5"), three, parent="Q2"),
        Criterion("Q2b", "Training", "quality", D(4), three, parent="Q2"),
        Criterion("Q2c", "Retention", "quality", D("7.5"), five, parent="Q2"),
        Criterion("S1", "Local jobs", "social_value", D(60), five),
        Criterion("S2", "Hours volunteered", "social_value", D(40), five, kind="quantitative",
                  quantitative=QuantitativeRule("against_target", target=D(300))),
    )
    model = EvaluationModel(
        price=PriceRule(D(35), "relative_to_lowest"),
        groups=(CriterionGroup("quality", "Quality", D(50), "quality"),
                CriterionGroup("social_value", "Social value", D(15), "social_value")),
        criteria=criteria,
        abnormally_low=AbnormallyLowPolicy(D(100), D(100)),
        sensitivity=SensitivityPolicy(samples=100),
    )
    leaves = [c for c in model.leaves() if c.kind == "scored"]
    bid_list, scores, consensus, quantities = [], [], [], {}
    for b in range(bids):
        bidder = f"Supplier {b:02d}"
        bid_list.append(Bid(bidder, "1", D(rnd.randint(50_000, 90_000))))
        quantities[(bidder, "S2")] = D(rnd.randint(0, 400))
        for c in leaves:
            top = int(c.scale.maximum)
            agreed = rnd.randint(0, top)
            # most bids' evaluators agree; some differ by one, so only those bids have moderations worth a look
            marks = [min(top, max(0, agreed + (rnd.randint(-1, 1) if b % 4 == 0 else 0))) for _ in range(evaluators)]
            scores.extend(EvaluatorScore(f"E{e}", bidder, "1", c.id, D(m), "evidence") for e, m in enumerate(marks))
            consensus.append(ModeratedScore(bidder, "1", c.id, D(agreed), f"agreed on {c.id}"))
    return Lot("1", "Scaled lot", model), bid_list, scores, consensus, quantities


def reference_moderations(scores: list[EvaluatorScore], consensus: list[ModeratedScore]
                          ) -> dict[tuple[str, str], Moderation]:
    originals: dict[tuple[str, str], list[EvaluatorScore]] = defaultdict(list)
    for s in sorted(scores, key=lambda s: s.evaluator):
        originals[(s.bidder, s.criterion)].append(s)
    found = {}
    for c in consensus:
        given = tuple(originals[(c.bidder, c.criterion)])
        marks = [s.score for s in given] or [c.score]  # nothing to moderate: the consensus alone
        found[(c.bidder, c.criterion)] = Moderation(c.bidder, c.lot, c.criterion, given, c, min(marks), max(marks))
    return found


def test_moderate_equals_the_plain_join_with_one_evaluator_and_with_several() -> None:
    for evaluators in (1, 3):
        _, _, scores, consensus, _ = scaled_tender(12, evaluators, seed=evaluators)
        assert moderate(scores, consensus) == reference_moderations(scores, consensus)
    # a score repeated for one (bidder, criterion) takes the general path, and still joins every score
    _, _, scores, consensus, _ = scaled_tender(3, 1, seed=5)
    doubled = [*scores, replace(scores[0], evaluator="E9", score=D(0))]
    assert moderate(doubled, consensus) == reference_moderations(doubled, consensus)
    # as does a consensus that no evaluator scored (refused by `check_inputs`, but moderate stays total)
    extra = [*consensus, replace(consensus[0], criterion="Q9")]
    assert moderate(scores, extra) == reference_moderations(scores, extra)


def test_records_built_on_demand_equal_those_worked_out_independently() -> None:
    for evaluators in (1, 3):
        lot, bids, scores, consensus, quantities = scaled_tender(40, evaluators, seed=11 + evaluators)
        model = lot.model
        result = evaluate_lot(lot, bids, scores, consensus, quantities=quantities)
        moderations = reference_moderations(scores, consensus)
        agreed = {(c.bidder, c.criterion): c for c in consensus}
        leaves = model.leaves()
        assert len(result.ranking) == len(bids) and result.moderations == tuple(
            moderations[key] for key in sorted(moderations))
        assert any(r.excluded for r in result.ranking) and any(not r.excluded for r in result.ranking)
        for r in result.ranking:
            assert [cs.criterion for cs in r.criteria] == list(leaves)
            group_points: dict[str, Fraction] = defaultdict(Fraction)
            expected_flags: list[str] = []
            for cs, c in zip(r.criteria, leaves, strict=True):
                weight = model.exact_weight(c)
                if c.kind == "quantitative":
                    value = quantities[(r.bidder, c.id)]
                    assert c.quantitative is not None and c.quantitative.target is not None
                    share = min(Fraction(value) / Fraction(c.quantitative.target), Fraction(1))
                    assert (cs.score, cs.rationale, cs.moderation) == (value, "scored from the offered value", None)
                else:
                    m = moderations[(r.bidder, c.id)]
                    share = c.scale.exact_fraction(agreed[(r.bidder, c.id)].score)
                    assert (cs.score, cs.rationale, cs.moderation) == (m.consensus.score, m.consensus.rationale, m)
                    expected_flags.extend(m.flags(spread_limit(c, model.spread_threshold_percent)))
                assert (cs.fraction, cs.weight, cs.points) == (
                    fraction_decimal(share), fraction_decimal(weight), fraction_decimal(share * weight))
                group_points[c.group] += share * weight
            assert r.group_points == {g: fraction_decimal(p) for g, p in group_points.items()}
            assert r.exact_nonprice == sum(group_points.values())
            averaged = averaged_bid([moderations[(r.bidder, c.id)] for c in leaves if c.kind == "scored"], leaves)
            expected_flags.extend([averaged] if averaged else [])
            # after the moderation flags only a tie's note may follow (no price here is abnormally low)
            assert r.flags[:len(expected_flags)] == tuple(expected_flags)
            assert all(f.startswith("level with another bid") for f in r.flags[len(expected_flags):])
            below = agreed[(r.bidder, "Q1")].score < 1
            assert any("below the minimum 1" in reason for reason in r.exclusion_reasons) == below
        if evaluators == 3:
            assert any(r.flags for r in result.ranking) and any(not r.flags for r in result.ranking)
        # the same inputs give equal results, records and all
        assert evaluate_lot(lot, bids, scores, consensus, quantities=quantities) == result


def test_a_missing_score_or_moderation_among_sound_records_is_reported() -> None:
    # every record sound, so the checks count what each evaluator scored instead of listing every pair
    lot, bids, scores, consensus, quantities = scaled_tender(6, 2, seed=3)
    assert check_inputs(lot, bids, scores, consensus, quantities=quantities) == []
    gone, unmoderated = scores[7], consensus[4]
    issues = check_inputs(lot, bids, [s for s in scores if s is not gone], consensus[:4] + consensus[5:],
                          quantities=quantities)
    assert sorted(i.message for i in issues) == sorted([
        f"{gone.evaluator} has not scored {gone.bidder} on {gone.criterion}",
        f"{unmoderated.bidder} on {unmoderated.criterion} has not been moderated",
    ])
