"""Assessment summaries carry what Procurement Regulations 2024 reg 31 requires."""

from dataclasses import replace
from decimal import Decimal

from commonweal.domain.evaluation.assessment import assessment_summaries, award_recommendation
from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import Tender
from commonweal.domain.evaluation.sensitivity import TippingPoint, analyse

from .builders import lot, model, records

D = Decimal


def _evaluate(threshold: Decimal | None = None) -> tuple[Tender, object]:
    m = model()
    m = replace(m, criteria=(replace(m.criteria[0], threshold=threshold), m.criteria[1]))
    evaluation_lot = lot(m)
    bids, scores, consensus = records([("A", "100", 4, 2), ("B", "110", 5, 5), ("C", "125", 1, 5)])
    consensus = [replace(c, rationale=f"{c.bidder} {c.criterion}: evidence in section 2") for c in consensus]
    tender = Tender(
        "REF-1", "Home care", "Fernbridge Borough Council", (evaluation_lot,), criteria_published_at="ITT part 3"
    )
    return tender, evaluate_lot(evaluation_lot, bids, scores, consensus)


def test_the_winners_summary_has_criteria_scores_explanations_and_totals() -> None:
    tender, result = _evaluate()
    summaries = assessment_summaries(tender, result)  # type: ignore[arg-type]
    winner = summaries[0]
    assert (winner.supplier, winner.successful, winner.rank) == ("B", True, 1)
    # reg 31(2)(d): each criterion's title, relative importance and how it was assessed, and where the full criteria are
    assert [(c.id, c.weight) for c in winner.award_criteria] == [("price", D(40)), ("Q", D(45)), ("SV", D(15))]
    assert "0 Unacceptable" in winner.award_criteria[1].how_assessed
    assert winner.criteria_published_at == "ITT part 3"
    # reg 31(2)(e): each score with an explanation from the moderation rationale, sub-totals and the total
    q = winner.assessment.criteria[0]
    assert (q.score, q.maximum, q.points) == (D(5), D(5), D("45.00"))
    assert "B Q: evidence in section 2" in q.explanation and "Excellent" in q.explanation
    assert winner.assessment.total == D("96.36")
    assert winner.assessment.subtotals == {"quality": D("45.00"), "social_value": D("15.00"), "price": D("36.36")}
    assert winner.most_advantageous is None and winner.further_explanation == ()


def test_explanations_read_as_clean_sentences() -> None:
    tender, result = _evaluate()
    loser = next(s for s in assessment_summaries(tender, result) if s.supplier == "A")  # type: ignore[arg-type]
    # the scale's descriptor ends in a full stop of its own; inside the brackets it is dropped, not doubled
    assert loser.assessment.criteria[0].explanation == (
        "Score 4 of 5 (Good: Fully meets the requirement with relevant evidence; minor reservations at most). "
        "A Q: evidence in section 2."
    )


def test_an_unsuccessful_summary_explains_why_and_shows_the_most_advantageous_tender() -> None:
    tender, result = _evaluate()
    loser = next(s for s in assessment_summaries(tender, result) if s.supplier == "A")  # type: ignore[arg-type]
    assert not loser.successful
    assert loser.further_explanation == (
        "The tender ranked 2 of 3 with a total of 82.00; the most advantageous tender scored 96.36, 14.36 points more.",
    )
    assert loser.most_advantageous is not None and loser.most_advantageous.supplier == "B"


def test_an_excluded_tender_is_told_why() -> None:
    tender, result = _evaluate(threshold=D(2))
    excluded = next(s for s in assessment_summaries(tender, result) if s.supplier == "C")  # type: ignore[arg-type]
    assert excluded.further_explanation == (
        "The tender was excluded: it scored 1 on Q 'Quality', below the minimum 2.",
    )
    assert "not scored because the tender was excluded" in excluded.assessment.price_explanation


def test_award_recommendation_states_the_winner_and_cautions() -> None:
    _, result = _evaluate()
    recommendation = award_recommendation(result, analyse(result))  # type: ignore[arg-type]
    assert recommendation.recommended == "B" and recommendation.runner_up == "A"
    assert recommendation.margin == D("14.36") and recommendation.final
    assert recommendation.reasons[0].startswith("B submitted the most advantageous tender with 96.36 points")


def test_tipping_point_cautions_name_the_components_in_prose() -> None:
    _, result = _evaluate()
    sensitivity = analyse(result)  # type: ignore[arg-type]
    tip = TippingPoint("quality", "social_value", D(3), "A")
    sensitivity = replace(sensitivity, tipping_points=(tip,), weight_band=D(5))  # a 3-point shift is within ±5
    recommendation = award_recommendation(result, sensitivity)  # type: ignore[arg-type]
    assert "Moving 3 percentage points of weight from quality to social value would make A the winner." in (
        recommendation.cautions
    )
