"""Independent scoring and moderation.

Each evaluator scores alone, with a rationale; moderation then agrees a consensus score with its own rationale.
The originals are kept beside the consensus (never overwritten), so an auditor can see how far evaluators were
apart and how the consensus was reached. A spread at or beyond the model's threshold is flagged for discussion;
a consensus outside the evaluators' range is flagged too, because it needs an especially clear rationale.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from commonweal.domain.bulk import new_record
from commonweal.domain.evaluation.model import HUNDRED, Criterion
from commonweal.domain.evaluation.records import EvaluatorScore, ModeratedScore
from commonweal.domain.evaluation.scales import ScoringScale
from commonweal.domain.numbers import plain


class Moderation(NamedTuple):
    """The consensus on one bid's criterion beside the evaluators' own scores. Immutable; a NamedTuple rather than
    a frozen dataclass because an evaluation builds one per bid per criterion (see `CriterionScore`)."""

    bidder: str
    lot: str
    criterion: str
    originals: tuple[EvaluatorScore, ...]
    consensus: ModeratedScore
    low: Decimal  # the lowest and highest of the evaluators' scores
    high: Decimal

    def flags(self, threshold: Decimal) -> tuple[str, ...]:
        """What moderation must look at; `threshold` is the criterion's `spread_limit` (worked out once per
        criterion by the caller, not once per bid)."""
        found = []
        low, high, score = self.low, self.high, self.consensus.score
        if high - low >= threshold:
            found.append(
                f"evaluators' scores for {self.criterion} range from {low} to {high} (spread {high - low}, "
                f"threshold {plain(threshold)}): discuss at moderation"
            )
        if not low <= score <= high:
            found.append(
                f"consensus {score} for {self.criterion} lies outside the evaluators' range "
                f"{low}–{high}: the rationale must explain why"
            )
        if reads_as_average(self.consensus.rationale):
            found.append(
                f"the consensus rationale for {self.criterion} reads as an average of the evaluators' marks: "
                f"{AVERAGING_CASE}"
            )
        return tuple(found)

    def rounded_mean(self, scale: ScoringScale) -> Decimal:
        """The evaluators' mean score rounded to the nearest score on the scale (halves go up)."""
        return scale.nearest(sum([s.score for s in self.originals], Decimal(0)) / len(self.originals))


# A consensus reached by averaging the evaluators' marks rather than by moderating them was held unlawful in
# Bromcom Computers plc v United Learning Trust [2022] EWHC 3262 (TCC).
AVERAGING_CASE = (
    "averaging marks instead of moderating them was held unlawful in Bromcom Computers plc v United Learning Trust "
    "[2022] EWHC 3262 (TCC); record the discussion that reached the score"
)
AVERAGING_WORDS = re.compile(r"\b(averag\w*|arithmetic mean|mean (?:of|score|mark)|split the difference)", re.I)


@lru_cache(maxsize=4096)
def reads_as_average(rationale: str) -> bool:
    """Whether a consensus rationale reads as an average of the evaluators' marks (each wording checked once)."""
    return AVERAGING_WORDS.search(rationale) is not None


def averaged_bid(moderations: Iterable[Moderation], criteria: Iterable[Criterion]) -> str | None:
    """A flag when a bid's consensus equals the evaluators' rounded mean on every criterion, at least one of which
    they marked differently (where all agree, the mean is no evidence of averaging)."""
    scales = {c.id: c.scale for c in criteria}
    found = [m for m in moderations if m.criterion in scales and m.originals]
    disputed = [m for m in found if m.high > m.low]
    if not disputed or any(m.consensus.score != m.rounded_mean(scales[m.criterion]) for m in found):
        return None
    return (
        f"every consensus score equals the evaluators' rounded mean ({len(found)} criteria, {len(disputed)} marked "
        f"differently): {AVERAGING_CASE}"
    )


def spread_limit(criterion: Criterion, spread_threshold_percent: Decimal) -> Decimal:
    """The spread of evaluators' scores, on the criterion's scale, at which moderation must discuss them."""
    return criterion.scale.span * spread_threshold_percent / HUNDRED


def moderate(
    scores: Iterable[EvaluatorScore], consensus: Iterable[ModeratedScore]
) -> dict[tuple[str, str], Moderation]:
    """Join each consensus score to the individual scores it moderates, keyed by (bidder, criterion).

    Every individual score ends up in exactly one Moderation (callers check beforehand that each scored
    (bidder, criterion) has a consensus, see `evaluate.check_inputs`).
    """
    scores, consensus = list(scores), list(consensus)
    # with no more scores than consensus scores, perhaps each (bidder, criterion) was scored once, as in a plain
    # scoring pass: then its one score is the whole range, and no grouping is needed
    once = {(s.bidder, s.criterion): s for s in scores} if len(scores) <= len(consensus) else {}
    if len(once) == len(scores):
        moderations = {}
        for c in consensus:
            key = (c.bidder, c.criterion)
            score = once.get(key)
            if score is None:  # a consensus with nothing to moderate: the general join below
                break
            moderations[key] = new_record(Moderation, (c.bidder, c.lot, c.criterion, (score,), c, score.score,
                                                       score.score))
        else:
            return moderations
    grouped: dict[tuple[str, str], list[EvaluatorScore]] = defaultdict(list)
    # one sort by evaluator, then grouping keeps that order within each (bidder, criterion)
    for score in sorted(scores, key=attrgetter("evaluator")):
        grouped[(score.bidder, score.criterion)].append(score)
    moderations = {}
    for c in consensus:
        key = (c.bidder, c.criterion)
        found = tuple(grouped.get(key, ()))
        if len(found) == 1:  # one evaluator: nothing to compare
            low = high = found[0].score
        else:
            marks = [s.score for s in found] or [c.score]
            low, high = min(marks), max(marks)
        moderations[key] = new_record(Moderation, (c.bidder, c.lot, c.criterion, found, c, low, high))
    return moderations

