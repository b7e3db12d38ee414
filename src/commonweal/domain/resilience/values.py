"""Ratings and the *missing* value that every metric, score and warning share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Rating(Enum):
    """Red/amber/green, plus MISSING when a figure could not be computed (never shown as green or as zero)."""

    RED = "red"
    AMBER = "amber"
    MISSING = "missing"
    GREEN = "green"

    @property
    def severity(self) -> int:
        """Higher is worse: red 3, amber 2, missing 1, green 0. Registers sort on this, most severe first."""
        return _SEVERITY[self]


_SEVERITY = {Rating.RED: 3, Rating.AMBER: 2, Rating.MISSING: 1, Rating.GREEN: 0}


@dataclass(frozen=True)
class Missing:
    """A value that cannot be computed, with the plain-English reason why.

    `implies` carries a rating when the reason itself tells us something: net debt with no positive EBITDA to
    service it is red even though the ratio has no meaning; a net cash position makes "free cash flow to net
    debt" meaningless but is favourable. Otherwise the rating is MISSING.
    """

    reason: str
    implies: Rating | None = None

    def __str__(self) -> str:
        return "missing"


Value = Decimal | Missing

DAYS_IN_YEAR = Decimal(365)


def pounds(value: Decimal) -> str:
    """`-1234567.8` -> `−£1,234,568`: whole pounds, the sign before the £ as people write it."""
    return f"{'−' if value < 0 else ''}£{abs(value):,.0f}"


def shown(value: Decimal, unit: str) -> str:
    """A metric value as people read it: pounds, a percentage (stored as a fraction) or a ratio to 2 places."""
    if unit == "£":
        return pounds(value)
    if unit == "percent":
        return f"{value:.1%}"
    return f"{value:.2f}"


def worst(ratings: list[Rating]) -> Rating:
    """The most severe of red/amber/green; MISSING only when nothing could be rated at all."""
    rated = [r for r in ratings if r is not Rating.MISSING]
    if not rated:
        return Rating.MISSING
    return max(rated, key=lambda r: r.severity)
