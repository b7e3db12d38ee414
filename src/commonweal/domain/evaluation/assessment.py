"""Assessment summaries and the award recommendation.

Procurement Act 2023 s.50(3): before publishing a contract award notice after a competitive tendering procedure, a
contracting authority must give an assessment summary to each supplier that submitted an assessed tender.
The Procurement Regulations 2024, regulation 31, say what it contains:
- for the most advantageous tender (reg 31(2)): the supplier's name, contact postal and email address and unique
  identifier; the award criteria (in full, or a summary giving each criterion's title, relative importance and how
  it was to be assessed by reference to scores and the scores available, with where the full version can be read);
  and how the tender was assessed: the score for each criterion with an explanation by reference to relevant
  information in the tender (and for sub-criteria, how the tender was assessed against each), the total score and
  any sub-totals;
- for any other assessed tender (reg 31(3)): the same, to the extent the tender was assessed, any further
  explanation of why the contract is not being awarded to the supplier (for example a threshold not met), and the
  information about the most advantageous tender's assessment.
Commonweal draws each explanation from the moderation rationale, so the summary says what the evaluators agreed,
in their words. The Cabinet Office "Guidance: Assessment Summaries" advises explaining why a higher score was not
achieved; the descriptor for the score awarded is included to help with that.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from commonweal.domain.evaluation import price as price_formulas
from commonweal.domain.evaluation.evaluate import BidResult, CriterionScore, LotResult
from commonweal.domain.evaluation.model import COMPONENT_TITLES, Criterion, EvaluationModel, Tender
from commonweal.domain.evaluation.sensitivity import Sensitivity
from commonweal.domain.numbers import money, plain

CENT = Decimal("0.01")
CITATION = "Procurement Act 2023 s.50(3); Procurement Regulations 2024 reg 31"


@dataclass(frozen=True)
class CriterionSummary:
    """Reg 31(2)(d)(i): title, relative importance, how it was to be assessed and the scores available."""

    id: str
    title: str
    group: str
    parent: str | None
    weight: Decimal  # share of the whole evaluation, percent
    how_assessed: str
    scores_available: str


class CriterionAssessment(NamedTuple):
    """Reg 31(2)(e)(i): the score for one criterion and its explanation. A NamedTuple: a lot's summaries hold one
    per bid per criterion (see `evaluate.CriterionScore`)."""

    id: str
    title: str
    score: Decimal | None
    maximum: Decimal | None
    points: Decimal
    available_points: Decimal
    explanation: str


@dataclass(frozen=True)
class TenderAssessment:
    supplier: str
    price: Decimal
    price_points: Decimal | None
    price_explanation: str
    criteria: tuple[CriterionAssessment, ...]
    subtotals: dict[str, Decimal]  # by group id, and price
    total: Decimal | None


@dataclass(frozen=True)
class AssessmentSummary:
    tender_reference: str
    tender_title: str
    buyer: str
    lot: str
    lot_title: str
    supplier: str
    address: str
    email: str
    identifier: str
    successful: bool
    rank: int | None
    award_criteria: tuple[CriterionSummary, ...]
    criteria_published_at: str
    assessment: TenderAssessment
    further_explanation: tuple[str, ...]
    most_advantageous: TenderAssessment | None
    provisional: tuple[str, ...]  # why the result is not yet final (e.g. an abnormally low decision pending)
    citation: str = CITATION


def _how_assessed(model: EvaluationModel, criterion: Criterion) -> tuple[str, str]:
    if criterion.kind == "quantitative" and criterion.quantitative is not None:
        rule = criterion.quantitative
        if rule.method == "against_target":
            return (
                f"Scored from the value offered against a target of {rule.target}: value ÷ target, at most 1.",
                "0–100%",
            )
        cap = f", counting at most {rule.cap}" if rule.cap is not None else ""
        return (f"Scored from the value offered, in proportion to the best offer{cap}.", "0–100%")
    scale = criterion.scale
    labels = "; ".join(f"{plain(d.score)} {d.label}" for d in scale.descriptors)
    threshold = f" A score below {criterion.threshold} excludes the tender." if criterion.threshold is not None else ""
    return (
        f"Scored by evaluators on scale {scale.id} ({labels}), then moderated.{threshold}",
        f"{scale.minimum}–{scale.maximum}",
    )


def award_criteria(model: EvaluationModel) -> tuple[CriterionSummary, ...]:
    formula = price_formulas.FORMULAS[model.price.formula]
    rows = [
        CriterionSummary(
            "price", "Price", "price", None, model.price.weight, f"{formula.title}: {formula.formula}.", "0–100%"
        )
    ]
    for criterion in model.criteria:
        how, available = _how_assessed(model, criterion)
        rows.append(
            CriterionSummary(
                criterion.id,
                criterion.title,
                criterion.group,
                criterion.parent,
                model.effective_weight(criterion),
                how,
                available,
            )
        )
    return tuple(rows)


def _sentence(text: str) -> str:
    """`text` ending in exactly one full stop (descriptors and rationales are written with or without one)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _explain(cs: CriterionScore) -> str:
    if cs.moderation is None:
        return f"Value offered: {cs.score}. {_sentence(cs.rationale)}"
    descriptor = cs.criterion.scale.descriptor(cs.moderation.consensus.score)
    meaning = f" ({descriptor.label}: {descriptor.description.strip().rstrip('.')})" if descriptor else ""
    return f"Score {cs.score} of {cs.criterion.scale.maximum}{meaning}. {_sentence(cs.rationale)}"


def _element_explanation(model: EvaluationModel, bid: BidResult, element_id: str, points: Decimal) -> str:
    element = next(e for e in model.price.elements if e.id == element_id)
    price = dict(bid.bid.element_prices)[element_id]
    volume = f" × {plain(element.volume)} {element.unit}".rstrip() if element.volume != 1 or element.unit else ""
    formula = price_formulas.FORMULAS[element.formula]
    return (f"{element.title} {money(price)}{volume} scored {points} of {plain(element.weight)} "
            f"({formula.title.lower()}: {formula.formula})")


def tender_assessment(result: LotResult, bid: BidResult) -> TenderAssessment:
    model = result.lot.model
    formula = price_formulas.FORMULAS[model.price.formula]
    criteria = tuple(
        CriterionAssessment(
            id=cs.criterion.id,
            title=cs.criterion.title,
            score=cs.score,
            maximum=cs.criterion.scale.maximum if cs.moderation is not None else None,
            points=cs.points.quantize(CENT),
            available_points=cs.weight.quantize(CENT),
            explanation=_explain(cs),
        )
        for cs in bid.criteria
    )
    if bid.excluded:
        price_explanation = f"Price {money(bid.bid.price)} was not scored because the tender was excluded."
    elif formula.combined:
        price_explanation = (
            f"Price {money(bid.bid.price)} was combined with the non-price score by the {formula.title.lower()} method "
            f"({formula.formula}); price is not scored separately."
        )
    elif bid.element_points:
        price_explanation = (
            f"Price {money(bid.bid.price)} (the total of the price elements at the declared volumes) scored "
            f"{bid.price_points} of {plain(model.price.weight)} points, each element scored on its own: "
            + "; ".join(_element_explanation(model, bid, element_id, points) for element_id, points in
                        bid.element_points)
            + "."
        )
    else:
        whole_life = (" (the whole-life cost of the price elements at the declared volumes"
                      + (", discounted at the Green Book rates" if model.price.discount else "") + ")"
                      if model.price.elements else "")
        price_explanation = (
            f"Price {money(bid.bid.price)}{whole_life} scored {bid.price_points} of {plain(model.price.weight)} points "
            f"({formula.title.lower()}: {formula.formula})."
        )
    subtotals: dict[str, Decimal] = {g: p.quantize(CENT) for g, p in bid.group_points.items()}
    if bid.price_points is not None:
        subtotals["price"] = bid.price_points
    return TenderAssessment(
        supplier=bid.bidder,
        price=bid.bid.price,
        price_points=bid.price_points,
        price_explanation=price_explanation,
        criteria=criteria,
        subtotals=subtotals,
        total=bid.total,
    )


def rule_title(rule: str, model: EvaluationModel) -> str:
    """A tie-break rule in words: the component, group or criterion whose points decide."""
    if rule in COMPONENT_TITLES:
        return f"{COMPONENT_TITLES[rule].lower()} ({'the lower price' if rule == 'price' else 'more points'} first)"
    found = next((g.title for g in model.groups if g.id == rule), None)
    found = found or next((c.title for c in model.criteria if c.id == rule), rule)
    return f"{found} (more points first)"


def level_note(higher: BidResult, lower: BidResult, model: EvaluationModel) -> str | None:
    """Why two bids whose totals are equal at the ranking precision are ranked as they are, or None if their
    rounded totals differ. The exact totals are given, and the tie-break rule that decided (or that none did)."""
    if higher.total is None or higher.total != lower.total:
        return None
    places = model.ranking_precision
    exact = (
        f" (exact totals {plain(higher.exact_total)} and {plain(lower.exact_total)})"
        if higher.exact_total is not None and lower.exact_total is not None else ""
    )
    rule = lower.level.decided_by if lower.level is not None else None
    decided = (
        f"the declared tie-break rule on {rule_title(rule, model)} ranked {higher.bidder} above {lower.bidder}"
        if rule is not None else "no declared tie-break rule separates them"
    )
    return (f"The totals of {higher.bidder} and {lower.bidder} are equal at {places} decimal places, "
            f"{higher.total}{exact}: {decided}.")


def small_margin_note(higher: BidResult, lower: BidResult, model: EvaluationModel) -> str | None:
    """A margin between exact totals smaller than the rounding of the totals themselves, said as such."""
    if higher.exact_total is None or lower.exact_total is None or higher.total == lower.total:
        return None
    step = Decimal(1).scaleb(-model.ranking_precision)
    margin = higher.exact_total - lower.exact_total
    if abs(margin) >= step:
        return None
    return (f"The exact margin between {higher.bidder} and {lower.bidder} is {plain(margin)} points, smaller than "
            f"the {step} to which totals are rounded.")


def _further_explanation(result: LotResult, bid: BidResult, winner: BidResult | None) -> tuple[str, ...]:
    if bid.excluded:
        return tuple(f"The tender was excluded: it {reason}." for reason in bid.exclusion_reasons)
    if winner is None:
        return ("No single most advantageous tender has been identified yet: the leading tenders are level.",)
    model = result.lot.model
    if bid is winner:
        runner_up = next((r for r in result.admissible if r is not winner), None)
        if runner_up is None:
            return ()
        return tuple(n for n in (level_note(winner, runner_up, model), small_margin_note(winner, runner_up, model))
                     if n)
    assert bid.total is not None and winner.total is not None
    if (note := level_note(winner, bid, model)) is not None:
        return (f"The tender ranked {bid.rank} of {len(result.admissible)}. {note}",)
    explained = (
        f"The tender ranked {bid.rank} of {len(result.admissible)} with a total of {bid.total}; the most "
        f"advantageous tender scored {winner.total}, {winner.total - bid.total} points more.",
    )
    small = small_margin_note(winner, bid, model)
    return (*explained, small) if small else explained


def assessment_summaries(tender: Tender, result: LotResult) -> tuple[AssessmentSummary, ...]:
    """One summary per assessed tender in the lot, successful first."""
    winner = result.winner
    winner_assessment = tender_assessment(result, winner) if winner else None
    criteria = award_criteria(result.lot.model)
    summaries = []
    for bid in result.ranking:
        successful = winner is not None and bid is winner
        summaries.append(
            AssessmentSummary(
                tender_reference=tender.reference,
                tender_title=tender.title,
                buyer=tender.buyer,
                lot=result.lot.id,
                lot_title=result.lot.title,
                supplier=bid.bidder,
                address=bid.bid.address,
                email=bid.bid.email,
                identifier=bid.bid.identifier,
                successful=successful,
                rank=bid.rank,
                award_criteria=criteria,
                criteria_published_at=tender.criteria_published_at,
                assessment=tender_assessment(result, bid),
                further_explanation=_further_explanation(result, bid, winner),
                most_advantageous=None if successful else winner_assessment,
                provisional=result.pending,
            )
        )
    return tuple(summaries)


@dataclass(frozen=True)
class AwardRecommendation:
    lot: str
    lot_title: str
    recommended: str | None
    total: Decimal | None
    runner_up: str | None
    margin: Decimal | None  # between the rounded totals, as ranked
    exact_margin: Decimal | None  # between the exact totals
    level: bool  # the winner and the runner-up have equal totals at the ranking precision
    final: bool
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]


def award_recommendation(result: LotResult, sensitivity: Sensitivity) -> AwardRecommendation:
    """The recommendation to the decision-maker, with the cautions that sensitivity and the flags raise."""
    winner = result.winner
    admissible = result.admissible
    runner_up = next((r for r in admissible if r is not winner), None) if winner else None
    margin = winner.total - runner_up.total if winner and runner_up and winner.total and runner_up.total else None
    reasons: list[str] = []
    cautions: list[str] = list(result.pending)
    if winner is not None:
        reasons.append(
            f"{winner.bidder} submitted the most advantageous tender with {winner.total} points "
            f"(price {winner.price_points if winner.price_points is not None else 'combined'}, "
            f"quality {winner.quality.quantize(CENT)}, social value {winner.social_value.quantize(CENT)})."
        )
        if runner_up is not None:
            model = result.lot.model
            for note in (level_note(winner, runner_up, model), small_margin_note(winner, runner_up, model)):
                if note:
                    cautions.append(note)
    else:
        cautions.append("The leading tenders are level after every declared tie-break rule: no recommendation.")
    excluded = [r for r in result.ranking if r.excluded]
    if excluded:
        reasons.append(
            f"{len(excluded)} tender(s) excluded: "
            + "; ".join(f"{r.bidder} {r.exclusion_reasons[0]}" for r in excluded)
        )
    if winner is not None:
        probability = sensitivity.win_probability.get(winner.bidder)
        fragile_below = float(result.lot.model.sensitivity.fragile_below)
        if probability is not None and sensitivity.samples and probability < fragile_below:
            cautions.append(
                f"{winner.bidder} ranks first in only {probability:.0%} of {sensitivity.samples:,} simulations with "
                f"weights within ±{sensitivity.weight_band} points and scores within the evaluators' range: "
                "the award is fragile."
            )
        for tip in sensitivity.tipping_points:
            if tip.shift is not None and tip.shift <= sensitivity.weight_band:
                cautions.append(
                    f"Moving {tip.shift} percentage points of weight from {COMPONENT_TITLES[tip.source].lower()} to "
                    f"{COMPONENT_TITLES[tip.target].lower()} would make "
                    f"{tip.new_winner} the winner."
                )
        others = sorted({w for w in sensitivity.winner_by_formula.values() if w and w != winner.bidder})
        if others:
            cautions.append(f"Under another price formula the winner would be {', '.join(others)}.")
        cautions.extend(
            f"Removing {r.removed}'s tender would make {r.new_winner} the winner (rank reversal)."
            for r in sensitivity.rank_reversal
        )
        cautions.extend(f"{winner.bidder}: {flag}" for flag in winner.flags)
    return AwardRecommendation(
        lot=result.lot.id,
        lot_title=result.lot.title,
        recommended=winner.bidder if winner else None,
        total=winner.total if winner else None,
        runner_up=runner_up.bidder if runner_up else None,
        margin=margin,
        exact_margin=(winner.exact_total - runner_up.exact_total
                      if winner and runner_up and winner.exact_total is not None
                      and runner_up.exact_total is not None else None),
        level=bool(winner and runner_up and winner.total == runner_up.total),
        final=result.final,
        reasons=tuple(reasons),
        cautions=tuple(cautions),
    )
