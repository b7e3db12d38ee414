"""Sensitivity against hand-worked cases."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.records import AbnormallyLowDecision
from commonweal.domain.evaluation.sensitivity import analyse

from .builders import lot, model, records

D = Decimal


def test_tipping_point_from_quality_to_price_by_hand() -> None:
    # A: £100, Q 3, SV 3 -> 40 + 27 + 9 = 76; B: £120, Q 5, SV 5 -> 33.33 + 45 + 15 = 93.33 (B wins)
    # moving d points from quality to price: A = 76 + 0.4d, B = 93.333 − 0.1667d; equal at d = 30.588,
    # so the first 0.01 step where A leads is 30.59
    bids, scores, consensus = records([("A", "100", 3, 3), ("B", "120", 5, 5)])
    sensitivity = analyse(evaluate_lot(lot(model()), bids, scores, consensus))
    tips = {(t.source, t.target): t for t in sensitivity.tipping_points}
    assert tips[("quality", "price")].shift == D("30.59")
    assert tips[("quality", "price")].new_winner == "A"
    # from social value (15 points) to price would need 30.6 points: not possible
    assert tips[("social_value", "price")].shift is None
    # moving weight towards quality or social value only helps B
    assert tips[("price", "quality")].shift is None
    assert len(sensitivity.tipping_points) == 6


def test_monte_carlo_win_probability_is_reproducible_and_sums_to_one() -> None:
    # two close bids, three evaluators who disagree: both can win
    bids, scores, consensus = records([("A", "100", 4, 3), ("B", "104", 4, 4)], evaluators=("E1", "E2", "E3"))
    scores = [replace(s, score=D(5)) if (s.evaluator, s.bidder, s.criterion) == ("E3", "A", "Q") else s for s in scores]
    scores = [replace(s, score=D(3)) if (s.evaluator, s.bidder, s.criterion) == ("E2", "B", "Q") else s for s in scores]
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    first, second = analyse(result), analyse(result)
    assert first.win_probability == second.win_probability
    assert abs(sum(first.win_probability.values()) - 1) < 1e-9
    assert 0 < first.win_probability["A"] < 1 and 0 < first.win_probability["B"] < 1


def test_a_clear_winner_wins_every_sample() -> None:
    bids, scores, consensus = records([("A", "100", 1, 1), ("B", "101", 5, 5)])
    sensitivity = analyse(evaluate_lot(lot(model()), bids, scores, consensus))
    assert sensitivity.win_probability == {"A": 0.0, "B": 1.0}


def _reversal_case() -> tuple[object, ...]:
    # Low £60 (accepted after explanation), Y £100 Q3 SV3, Z £110 Q3 SV4.
    # With Low: Y = 40×60/100 (24) + 27 + 9 = 60.00; Z = 40×60/110 (21.82) + 27 + 12 = 60.82: Z wins.
    # Without Low: Y = 40 + 36 = 76.00; Z = 36.36 + 39 = 75.36: Y wins. Removing a losing bid flips the winner.
    bids, scores, consensus = records([("Low", "60", 1, 1), ("Y", "100", 3, 3), ("Z", "110", 3, 4)])
    accepted = AbnormallyLowDecision("Low", "1", "accepted", "evidenced", "panel", dt.date(2026, 1, 5))
    return bids, scores, consensus, [accepted]


def test_rank_reversal_by_hand() -> None:
    bids, scores, consensus, decisions = _reversal_case()
    result = evaluate_lot(lot(model()), bids, scores, consensus, decisions=decisions)  # type: ignore[arg-type]
    assert result.winner is not None and result.winner.bidder == "Z"
    sensitivity = analyse(result)
    assert [(r.removed, r.new_winner) for r in sensitivity.rank_reversal] == [("Low", "Y")]


def test_winner_under_every_formula_by_hand() -> None:
    bids, scores, consensus, decisions = _reversal_case()
    result = evaluate_lot(lot(model(), budget=D(100)), bids, scores, consensus, decisions=decisions)  # type: ignore[arg-type]
    sensitivity = analyse(result)
    # min-max linear over 60..110: Low = 40 + 9 + 3 = 52; Y = 40 × (110 − 100)/50 = 8 + 36 = 44; Z = 0 + 39 = 39
    assert sensitivity.winner_by_formula["relative_to_lowest"] == "Z"
    assert sensitivity.winner_by_formula["min_max_linear"] == "Low"
    # deduction from lowest: Low 52; Y = 40 × (1 − 40/60) = 13.33 + 36 = 49.33; Z = 40 × (1 − 50/60) = 6.67 + 39
    assert sensitivity.winner_by_formula["deduction_from_lowest"] == "Low"
    assert "monetised_quality" not in sensitivity.winner_by_formula
    assert "value_per_point" in sensitivity.formula_notes["monetised_quality"]
    assert set(sensitivity.winner_by_formula) | set(sensitivity.formula_notes) == {
        "relative_to_lowest",
        "deduction_from_lowest",
        "min_max_linear",
        "deviation_from_average",
        "against_budget",
        "price_per_quality_point",
        "monetised_quality",
        "prozorro",
    }
