"""Small evaluation models and records for tests, built in code so each test shows its own figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from commonweal.domain.evaluation.model import (
    Criterion,
    CriterionGroup,
    EvaluationModel,
    Lot,
    PriceRule,
    SensitivityPolicy,
)
from commonweal.domain.evaluation.records import Bid, EvaluatorScore, ModeratedScore
from commonweal.domain.evaluation.scales import PRESETS, Descriptor, ScoringScale

D = Decimal
PERCENT_SCALE = ScoringScale("0-100", tuple(Descriptor(D(i), str(i), "") for i in range(101)))


def model(
    price_weight: int = 40,
    formula: str = "relative_to_lowest",
    quality: int = 45,
    social: int = 15,
    scale: ScoringScale = PRESETS["0-5"],
    **changes: object,
) -> EvaluationModel:
    """Price + one quality criterion Q + one social value criterion SV, on `scale`."""
    base = EvaluationModel(
        price=PriceRule(D(price_weight), formula, {}),
        groups=(
            CriterionGroup("quality", "Quality", D(quality), "quality"),
            CriterionGroup("social_value", "Social value", D(social), "social_value"),
        ),
        criteria=(
            Criterion("Q", "Quality", "quality", D(100), scale),
            Criterion("SV", "Social value", "social_value", D(100), scale),
        ),
        sensitivity=SensitivityPolicy(samples=2_000),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def lot(evaluation_model: EvaluationModel, budget: Decimal | None = None) -> Lot:
    return Lot("1", "Lot one", evaluation_model, budget)


def records(
    rows: Sequence[tuple[str, str, int, int]], evaluators: Sequence[str] = ("E1",)
) -> tuple[list[Bid], list[EvaluatorScore], list[ModeratedScore]]:
    """rows: (bidder, price, Q score, SV score); every evaluator gives the consensus score."""
    bids, scores, consensus = [], [], []
    for bidder, price, q, sv in rows:
        bids.append(Bid(bidder, "1", D(price)))
        for criterion, value in (("Q", q), ("SV", sv)):
            for evaluator in evaluators:
                scores.append(EvaluatorScore(evaluator, bidder, "1", criterion, D(value), "evidence"))
            consensus.append(ModeratedScore(bidder, "1", criterion, D(value), "agreed"))
    return bids, scores, consensus
