"""Near ties: totals equal at the ranking precision are said to be level, with the exact totals and the declared
tie-break rule that decided (Amey Highways v West Sussex CC [2018] EWHC 1976 (TCC) turned on 0.03 points)."""

from decimal import Decimal

from commonweal.domain.evaluation.assessment import assessment_summaries, award_recommendation
from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import Tender
from commonweal.domain.evaluation.sensitivity import analyse

from .builders import lot, model, records

D = Decimal

# price 40 (relative to lowest), quality 45 and social value 15 on 0-5:
# Ames: £100, Q 4 (36), SV 2 (6): 40 + 42 = 82 exactly.
# Bell: £117.63, Q 5 (45), SV 1 (3): 40 × 100/117.63 = 34.00493... + 48 = 82.00493...: ahead on the exact totals,
# level with Ames at 2 decimal places; the default tie-break (social value first) puts Ames first.
ROWS = [("Ames", "100", 4, 2), ("Bell", "117.63", 5, 1), ("Cole", "150", 2, 2)]


def _result(**changes: object):  # type: ignore[no-untyped-def]
    bids, scores, consensus = records(ROWS)
    return evaluate_lot(lot(model(**changes)), bids, scores, consensus)


def test_totals_level_at_the_ranking_precision_are_marked_with_the_rule_that_decided() -> None:
    result = _result()
    ames, bell, cole = result.ranking
    assert (ames.bidder, ames.total, bell.bidder, bell.total) == ("Ames", D("82.00"), "Bell", D("82.00"))
    assert ames.exact_total == D(82) and D("82.0049") < bell.exact_total < D("82.0050")
    assert not ames.tied and not bell.tied  # the rule broke the tie: each has its own rank
    assert ames.level is not None and ames.level.level_with == ("Bell",) and ames.level.precision == 2
    assert bell.level is not None and bell.level.decided_by == "social_value"
    assert cole.level is None


def test_the_recommendation_says_the_totals_are_equal_and_what_decided() -> None:
    result = _result()
    recommendation = award_recommendation(result, analyse(result))
    assert recommendation.recommended == "Ames" and recommendation.level
    assert recommendation.margin == D(0) and recommendation.exact_margin < 0  # Bell is ahead before rounding
    note = next(c for c in recommendation.cautions if "equal at 2 decimal places" in c)
    assert "exact totals 82 and 82.0049" in note
    assert "social value (more points first) ranked Ames above Bell" in note


def test_the_losers_assessment_summary_explains_the_tie_break() -> None:
    result = _result()
    tender = Tender("T1", "Near tie", "A council", (result.lot,))
    bell = next(s for s in assessment_summaries(tender, result) if s.supplier == "Bell")
    explanation = " ".join(bell.further_explanation)
    assert "equal at 2 decimal places, 82.00" in explanation
    assert "points more" not in explanation  # never "0.00 points more"
    assert "tie-break rule on social value" in explanation


def test_a_tie_no_rule_separates_is_said_to_be_unresolved() -> None:
    bids, scores, consensus = records([("Ames", "100", 4, 2), ("Bell", "100", 4, 2)])
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    assert all(r.tied and r.level is not None and r.level.decided_by is None for r in result.ranking)
    assert result.winner is None


def test_at_four_decimal_places_the_bids_are_not_level_and_the_exact_order_ranks() -> None:
    result = _result(ranking_precision=4)
    assert [r.bidder for r in result.admissible[:2]] == ["Bell", "Ames"]
    assert all(r.level is None for r in result.ranking)


def test_a_margin_smaller_than_the_rounding_is_said_to_be() -> None:
    # Bell at £117.62: 40 × 100/117.62 = 34.00782... + 48 = 82.00782... -> 82.01 against Ames's 82.00: ranked apart,
    # but the exact margin (0.00782) is smaller than the 0.01 the totals are rounded to
    bids, scores, consensus = records([("Ames", "100", 4, 2), ("Bell", "117.62", 5, 1)])
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    recommendation = award_recommendation(result, analyse(result))
    assert recommendation.recommended == "Bell" and not recommendation.level
    assert any("smaller than the 0.01 to which totals are rounded" in c for c in recommendation.cautions)


def test_price_points_are_exact_not_floats_kept_to_ten_places() -> None:
    # Bell's price points are 40 × 100 / 117.63 = 400000/11763, a fraction that never ends: its exact total is
    # that fraction plus 48 to the 28 digits every exact figure is shown with, not a float rounded at 10 places
    from fractions import Fraction

    from commonweal.domain.evaluation.model import fraction_decimal

    bell = next(r for r in _result().ranking if r.bidder == "Bell")
    assert bell.exact_total == fraction_decimal(Fraction(400000, 11763) + 48)
    assert len(str(bell.exact_total).split(".")[1]) > 10
    assert bell.price_points == D("34.00")  # rounding is for showing only


def test_every_additive_formula_scores_the_exact_evaluation_with_fractions() -> None:
    # the same formula code scores the evaluation exactly and the Monte Carlo in floats; the two agree to float
    # precision, and the evaluation's figure is the exact one
    from fractions import Fraction

    import numpy as np

    from commonweal.domain.evaluation import price

    prices = [Fraction(100), Fraction(11763, 100), Fraction(150)]
    for name, formula in price.FORMULAS.items():
        if formula.combined:
            continue
        params = {"benchmark": D(120)} if formula.needs_budget else {}
        exact = formula.totals(np.array(prices, dtype=object), np.zeros(3, dtype=object),
                               price.context(formula, D(40), params, D(120), exact=True))
        floats = formula.totals(np.array([float(p) for p in prices]), np.zeros(3),
                                price.context(formula, D(40), params, D(120)))
        assert all(isinstance(v, (Fraction, int)) for v in exact), name
        assert np.allclose([float(v) for v in exact], floats), name
