"""Evaluate a tender: the use case behind `commonweal evaluate`, the demo and the web results page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from commonweal.domain.evaluation.assessment import (
    AssessmentSummary,
    AwardRecommendation,
    assessment_summaries,
    award_recommendation,
)
from commonweal.domain.evaluation.evaluate import LotResult, evaluate_lot
from commonweal.domain.evaluation.model import CriterionWeight, Tender
from commonweal.domain.evaluation.sensitivity import Reversal, Sensitivity, TippingPoint, analyse
from commonweal.domain.numbers import exact_text, plain
from commonweal.domain.provenance import RuleViolation
from commonweal.io.errors import InputError
from commonweal.io.tender_folder import TenderFolder, issues_to_problems, load_tender_folder


@dataclass(frozen=True)
class LotEvaluation:
    result: LotResult
    sensitivity: Sensitivity
    summaries: tuple[AssessmentSummary, ...]
    recommendation: AwardRecommendation


@dataclass(frozen=True)
class TenderEvaluation:
    tender: Tender
    lots: tuple[LotEvaluation, ...]

    def as_json(self) -> dict[str, Any]:
        return tender_json(self)


def evaluate_tender(folder: TenderFolder, sensitivities: Mapping[str, Sensitivity] | None = None) -> TenderEvaluation:
    """Evaluate every lot of a validated tender folder, with sensitivity, summaries and recommendations.

    `sensitivities` (by lot id) are a previous run's on the same inputs (`sensitivity_from_data`): the exact scoring
    runs again (milliseconds) and the Monte Carlo, the costly part, does not."""
    lots = []
    for lot in folder.tender.lots:
        try:
            result = evaluate_lot(lot, **folder.for_lot(lot.id))
        except RuleViolation as exc:
            raise InputError(issues_to_problems(exc.issues, "tender.yaml")) from exc
        sensitivity = sensitivities[lot.id] if sensitivities is not None else analyse(result)
        lots.append(
            LotEvaluation(
                result=result,
                sensitivity=sensitivity,
                summaries=assessment_summaries(folder.tender, result),
                recommendation=award_recommendation(result, sensitivity),
            )
        )
    return TenderEvaluation(folder.tender, tuple(lots))


def sensitivity_data(sensitivity: Sensitivity) -> dict[str, Any]:
    """A Sensitivity as JSON-ready data, exact (decimals as strings), so `sensitivity_from_data` gives it back
    equal; unlike `tender_json`, which is for readers and gives numbers."""
    return {
        "winner": sensitivity.winner,
        "win_probability": sensitivity.win_probability,
        "tipping_points": [[t.source, t.target, None if t.shift is None else str(t.shift), t.new_winner]
                           for t in sensitivity.tipping_points],
        "winner_by_formula": sensitivity.winner_by_formula,
        "formula_notes": sensitivity.formula_notes,
        "rank_reversal": [[r.removed, r.new_winner] for r in sensitivity.rank_reversal],
        "samples": sensitivity.samples,
        "weight_band": str(sensitivity.weight_band),
    }


def sensitivity_from_data(data: Mapping[str, Any]) -> Sensitivity:
    return Sensitivity(
        winner=data["winner"],
        win_probability=dict(data["win_probability"]),
        tipping_points=tuple(TippingPoint(source, target, None if shift is None else Decimal(shift), new_winner)
                             for source, target, shift, new_winner in data["tipping_points"]),
        winner_by_formula=dict(data["winner_by_formula"]),
        formula_notes=dict(data["formula_notes"]),
        rank_reversal=tuple(Reversal(removed, new_winner) for removed, new_winner in data["rank_reversal"]),
        samples=data["samples"],
        weight_band=Decimal(data["weight_band"]),
    )


def evaluate_folder(path: Path) -> TenderEvaluation:
    return evaluate_tender(load_tender_folder(path))


RANKING_HEADER = (
    "lot", "rank", "bidder", "price", "price_points", "quality", "social_value", "total", "excluded", "flags",
)


def ranking_rows(evaluation: TenderEvaluation) -> list[list[str | int | Decimal]]:
    """The ranking of every lot as table rows (the CSV of `commonweal evaluate` and the web's CSV/XLSX export):
    money and points as exact decimals (so a spreadsheet gets numbers), exclusion reasons (or else flags) joined
    with ` | `; an empty cell is ""."""
    cent = Decimal("0.01")
    return [
        [
            lot.result.lot.id,
            r.rank or "",
            r.bidder,
            r.bid.price.quantize(cent),
            r.price_points if r.price_points is not None else "",
            r.quality.quantize(cent),
            r.social_value.quantize(cent),
            r.total if r.total is not None else "",
            "yes" if r.excluded else "no",
            " | ".join(r.exclusion_reasons or r.flags),
        ]
        for lot in evaluation.lots
        for r in lot.result.ranking
    ]


def _number(value: Decimal | None) -> float | None:
    """Scores (not money) as JSON numbers; they are already rounded to the model's precision."""
    return float(value) if value is not None else None


def _money(value: Decimal | None) -> str | None:
    """Money as an exact string of pounds and pence, never a float."""
    return f"{value:.2f}" if value is not None else None


def _fraction(value: Fraction) -> str:
    """An exact fraction as text: '5.5' when it is a short decimal, else '55/6'."""
    shown = exact_text(value, places=10)
    return shown if " " not in shown else f"{value.numerator}/{value.denominator}"


def weight_json(weight: CriterionWeight) -> dict[str, Any]:
    """A criterion's weight as written and normalised: exact values as text, rounded ones as numbers."""
    return {
        "criterion": weight.criterion.id,
        "group": weight.criterion.group,
        "parent": weight.criterion.parent,
        "weight_as_written": _fraction(weight.criterion.exact),
        "written_as": weight.form,
        "share_of_parent": _fraction(weight.share_of_parent),
        "share_of_parent_percent": round(float(weight.share_of_parent * 100), 4),
        "weight_percent": round(float(weight.of_whole), 4),
        "weight_percent_exact": _fraction(weight.of_whole),
    }


def tender_json(evaluation: TenderEvaluation) -> dict[str, Any]:
    tender = evaluation.tender
    lots = []
    for lot in evaluation.lots:
        result, sensitivity, recommendation = lot.result, lot.sensitivity, lot.recommendation
        lots.append(
            {
                "lot": result.lot.id,
                "title": result.lot.title,
                "budget": _money(result.lot.budget),
                "final": result.final,
                "pending": list(result.pending),
                "price_formula": result.lot.model.price.formula,
                "criteria_weights": [weight_json(w) for w in result.lot.model.weights()],
                "ranking": [
                    {
                        "bidder": r.bidder,
                        "rank": r.rank,
                        "total": _number(r.total),
                        "price": _money(r.bid.price),
                        "scores": {k: _number(v) for k, v in r.scores().items()},
                        "price_elements": {
                            element: {"price": _money(dict(r.bid.element_prices)[element]),
                                      "points": _number(points)}
                            for element, points in r.element_points
                        },
                        "criteria": {
                            cs.criterion.id: {"score": _number(cs.score), "points": round(float(cs.points), 4)}
                            for cs in r.criteria
                        },
                        "flags": list(r.flags),
                        "excluded": r.excluded,
                        "exclusion_reasons": list(r.exclusion_reasons),
                        "tied": r.tied,
                        "exact_total": plain(r.exact_total) if r.exact_total is not None else None,
                        # equal to another bid's total at the ranking precision, and what decided between them
                        "level": {
                            "at_decimal_places": r.level.precision,
                            "with": list(r.level.level_with),
                            "decided_by_tie_break": r.level.decided_by,
                        } if r.level else None,
                    }
                    for r in result.ranking
                ],
                "abnormally_low": [
                    {
                        "bidder": f.bidder,
                        "price": _money(f.price),
                        "reasons": list(f.reasons),
                        "decision": f.decision.decision if f.decision else None,
                        "decided_by": f.decision.decided_by if f.decision else None,
                        "decided_on": f.decision.decided_on.isoformat() if f.decision else None,
                    }
                    for f in result.abnormally_low
                ],
                "sensitivity": {
                    "winner": sensitivity.winner,
                    "samples": sensitivity.samples,
                    "weight_band": _number(sensitivity.weight_band),
                    "win_probability": sensitivity.win_probability,
                    "tipping_points": [
                        {"from": t.source, "to": t.target, "shift": _number(t.shift), "new_winner": t.new_winner}
                        for t in sensitivity.tipping_points
                    ],
                    "winner_by_formula": sensitivity.winner_by_formula,
                    "formula_notes": sensitivity.formula_notes,
                    "rank_reversal": [
                        {"removed": r.removed, "new_winner": r.new_winner} for r in sensitivity.rank_reversal
                    ],
                },
                "recommendation": {
                    "recommended": recommendation.recommended,
                    "total": _number(recommendation.total),
                    "runner_up": recommendation.runner_up,
                    "margin": _number(recommendation.margin),
                    "exact_margin": plain(recommendation.exact_margin)
                    if recommendation.exact_margin is not None else None,
                    "level": recommendation.level,
                    "final": recommendation.final,
                    "reasons": list(recommendation.reasons),
                    "cautions": list(recommendation.cautions),
                },
            }
        )
    return {
        "tender": {"reference": tender.reference, "title": tender.title, "buyer": tender.buyer},
        "lots": lots,
    }
