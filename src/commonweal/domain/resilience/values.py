"""Ratings and the *missing* value that every metric, score and warning share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.numbers import money
from commonweal.domain.rag import Rag


@dataclass(frozen=True)
class Missing:
    """A value that cannot be computed, with the plain-English reason why.

    `implies` carries a rating when the reason itself tells us something: net debt with no positive EBITDA to
    service it is red even though the ratio has no meaning; a net cash position makes "free cash flow to net
    debt" meaningless but is favourable. Otherwise the rating is MISSING.
    """

    reason: str
    implies: Rag | None = None

    def __str__(self) -> str:
        return "missing"


Value = Decimal | Missing

DAYS_IN_YEAR = Decimal(365)


def shown(value: Decimal, unit: str) -> str:
    """A metric value as people read it: pounds, a percentage (stored as a fraction) or a ratio to 2 places."""
    if unit == "£":
        return money(value, 0)
    if unit == "percent":
        return f"{value:.1%}"
    return f"{value:.2f}"
