"""Independent scoring and moderation.

Each evaluator scores alone, with a rationale; moderation then agrees a consensus score with its own rationale.
The originals are kept beside the consensus (never overwritten), so an auditor can see how far evaluators were
apart and how the consensus was reached. A spread at or beyond the model's threshold is flagged for discussion;
a consensus outside the evaluators' range is flagged too, because it needs an especially clear rationale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from commonweal.domain.evaluation.model import HUNDRED, Criterion
from commonweal.domain.evaluation.records import EvaluatorScore, ModeratedScore
from commonweal.domain.numbers import plain


@dataclass(frozen=True)
class Moderation:
    bidder: str
    lot: str
    criterion: str
    originals: tuple[EvaluatorScore, ...]
    consensus: ModeratedScore

    @cached_property
    def low(self) -> Decimal:
        return min(s.score for s in self.originals)

    @cached_property
    def high(self) -> Decimal:
        return max(s.score for s in self.originals)

    @property
    def spread(self) -> Decimal:
        return self.high - self.low

    def flags(self, criterion: Criterion, spread_threshold_percent: Decimal) -> tuple[str, ...]:
        found = []
        threshold = spread_limit(criterion, spread_threshold_percent)
        if self.spread >= threshold:
            found.append(
                f"evaluators' scores for {self.criterion} range from {self.low} to {self.high} (spread {self.spread}, "
                f"threshold {plain(threshold)}): discuss at moderation"
            )
        if not self.low <= self.consensus.score <= self.high:
            found.append(
                f"consensus {self.consensus.score} for {self.criterion} lies outside the evaluators' range "
                f"{self.low}–{self.high}: the rationale must explain why"
            )
        return tuple(found)


def spread_limit(criterion: Criterion, spread_threshold_percent: Decimal) -> Decimal:
    """The spread of evaluators' scores, on the criterion's scale, at which moderation must discuss them."""
    return (criterion.scale.maximum - criterion.scale.minimum) * spread_threshold_percent / HUNDRED


def moderate(
    scores: Iterable[EvaluatorScore], consensus: Iterable[ModeratedScore]
) -> dict[tuple[str, str], Moderation]:
    """Join each consensus score to the individual scores it moderates, keyed by (bidder, criterion).

    Every individual score ends up in exactly one Moderation (callers check beforehand that each scored
    (bidder, criterion) has a consensus, see `evaluate.check_inputs`).
    """
    originals: dict[tuple[str, str], list[EvaluatorScore]] = defaultdict(list)
    for score in scores:
        originals[(score.bidder, score.criterion)].append(score)
    return {
        (c.bidder, c.criterion): Moderation(
            bidder=c.bidder,
            lot=c.lot,
            criterion=c.criterion,
            originals=tuple(sorted(originals[(c.bidder, c.criterion)], key=lambda s: s.evaluator)),
            consensus=c,
        )
        for c in consensus
    }
