"""Scoring scales with descriptors.

A scale is the set of scores an evaluator may give for a criterion, with what each score means. Presets cover the
scales UK councils commonly publish; a tender may define its own. The descriptors in the presets are Commonweal's
default wording (generic, in the style councils use) and every tender may replace them: the descriptors published
in the tender documents are the ones that bind.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property


@dataclass(frozen=True)
class Descriptor:
    score: Decimal
    label: str
    description: str


@dataclass(frozen=True)
class ScoringScale:
    """Allowed scores are exactly the descriptors' scores (a discrete scale, as published to bidders)."""

    id: str
    descriptors: tuple[Descriptor, ...]

    # cached: a large evaluation asks these tens of thousands of times
    @cached_property
    def scores(self) -> tuple[Decimal, ...]:
        return tuple(sorted(d.score for d in self.descriptors))

    @cached_property
    def minimum(self) -> Decimal:
        return self.scores[0]

    @cached_property
    def maximum(self) -> Decimal:
        return self.scores[-1]

    @cached_property
    def span(self) -> Decimal:
        """The scale's range, maximum − minimum."""
        return self.maximum - self.minimum

    @cached_property
    def _allowed(self) -> frozenset[Decimal]:
        return frozenset(self.scores)

    def allows(self, score: Decimal) -> bool:
        return score in self._allowed

    def exact_fraction(self, score: Decimal) -> Fraction:
        """Where a score on the scale sits between its minimum (0) and maximum (1), exactly (a third on a 0–3 scale
        is 1/3, not 0.333…)."""
        return self._exact_fractions[score]

    @cached_property
    def _exact_fractions(self) -> dict[Decimal, Fraction]:
        span = Fraction(self.maximum - self.minimum)
        return {score: Fraction(score - self.minimum) / span for score in self.scores}

    def nearest(self, value: Decimal) -> Decimal:
        """The score on the scale nearest `value`, halves going up (2.5 on 0–5 is 3)."""
        found = self._nearest.get(value)
        if found is None:
            found = self._nearest[value] = min(self.scores, key=lambda score: (abs(score - value), -score))
        return found

    @cached_property
    def _nearest(self) -> dict[Decimal, Decimal]:
        # a lot asks for the same few means thousands of times
        return {}

    def descriptor(self, score: Decimal) -> Descriptor | None:
        return self._descriptors.get(score)

    @cached_property
    def _descriptors(self) -> dict[Decimal, Descriptor]:
        found: dict[Decimal, Descriptor] = {}
        for d in self.descriptors:
            found.setdefault(d.score, d)  # the first, as a search of the list would find
        return found

    def problems(self) -> list[str]:
        found: list[str] = []
        if len(self.descriptors) < 2:
            found.append(f"scale '{self.id}' needs at least two scores")
        scores = [d.score for d in self.descriptors]
        if len(set(scores)) != len(scores):
            found.append(f"scale '{self.id}' lists a score twice")
        return found


def _scale(scale_id: str, rows: list[tuple[int, str, str]]) -> ScoringScale:
    return ScoringScale(scale_id, tuple(Descriptor(Decimal(s), label, text) for s, label, text in rows))


_FIVE_LEVELS = [
    ("Unacceptable", "No response, or the response fails to address the requirement."),
    ("Poor", "Addresses the requirement only in part, with significant gaps or risks and little evidence."),
    ("Adequate", "Meets the requirement, with some minor gaps or weaknesses in the evidence."),
    ("Good", "Fully meets the requirement with relevant evidence; minor reservations at most."),
    ("Excellent", "Exceeds the requirement with strong, specific evidence and no reservations."),
]

PRESETS: dict[str, ScoringScale] = {
    "0-3": _scale(
        "0-3",
        [
            (0, "Unacceptable", "Fails to address the requirement."),
            (1, "Poor", "Addresses the requirement in part, with significant weaknesses."),
            (2, "Good", "Meets the requirement with relevant evidence."),
            (3, "Excellent", "Exceeds the requirement with strong, specific evidence."),
        ],
    ),
    "0-4": _scale("0-4", [(i, label, text) for i, (label, text) in enumerate(_FIVE_LEVELS)]),
    "0-5": _scale(
        "0-5",
        [
            (0, "Unacceptable", "No response, or the response fails to address the requirement."),
            (1, "Very poor", "Major omissions or serious concerns; very little evidence."),
            (2, "Poor", "Addresses the requirement only in part, with significant gaps or risks."),
            (3, "Adequate", "Meets the requirement, with some minor gaps or weaknesses."),
            (4, "Good", "Fully meets the requirement with relevant evidence; minor reservations at most."),
            (5, "Excellent", "Exceeds the requirement with strong, specific evidence and no reservations."),
        ],
    ),
    "0-10": _scale(
        "0-10",
        [
            (0, "Unacceptable", "No response, or fails to address the requirement."),
            (1, "Very poor", "Major omissions; almost no evidence."),
            (2, "Very poor", "Major omissions; little evidence."),
            (3, "Poor", "Significant gaps or risks."),
            (4, "Poor", "Several gaps or weaknesses."),
            (5, "Adequate", "Meets the requirement with some weaknesses."),
            (6, "Adequate", "Meets the requirement with minor weaknesses."),
            (7, "Good", "Fully meets the requirement with relevant evidence."),
            (8, "Good", "Fully meets the requirement with strong evidence."),
            (9, "Excellent", "Exceeds the requirement with strong, specific evidence."),
            (10, "Excellent", "Exceeds the requirement in every respect, with compelling evidence."),
        ],
    ),
    "0-25-50-75-100": _scale(
        "0-25-50-75-100",
        [(i * 25, label, text) for i, (label, text) in enumerate(_FIVE_LEVELS)],
    ),
}
