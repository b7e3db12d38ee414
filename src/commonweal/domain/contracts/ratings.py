"""Performance ratings per KPI, per period and per contract, in the categories of a contract performance notice.

Procurement Act 2023 s.71(2) requires a contracting authority that has set KPIs under s.52(1) to assess the
supplier's performance against them at least once every twelve months, and publish the assessment. The
Procurement Regulations 2024 reg 39(5) fixes the ratings a Contract Performance Notice uses:

- Good: performance is meeting or exceeding the key performance indicators
- Approaching target: performance is close to meeting the key performance indicators
- Requires improvement: performance is below the key performance indicators
- Inadequate: performance is significantly below the key performance indicators
- Other: performance cannot be described as good, approaching target, requires improvement or inadequate

How "close to" and "significantly below" translate into numbers is the council's call, recorded per KPI as its
tolerance band (`Kpi.tolerance`, `Kpi.inadequate_beyond`). How KPI ratings combine into a period or contract
rating is a Commonweal default (the weakest KPI rating sets the overall rating), see `combine`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from commonweal.domain.contracts.model import (
    S52_MINIMUM_KPIS,
    S52_VALUE_THRESHOLD,
    Contract,
    Kpi,
    Period,
    Return,
    with_unit,
)
from commonweal.domain.numbers import money


class Rating(StrEnum):
    """Procurement Regulations 2024 reg 39(5) contract performance notice ratings."""

    GOOD = "good"
    APPROACHING_TARGET = "approaching target"
    REQUIRES_IMPROVEMENT = "requires improvement"
    INADEQUATE = "inadequate"
    OTHER = "other"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    @property
    def is_miss(self) -> bool:
        """Anything short of Good misses the target."""
        return self in (Rating.APPROACHING_TARGET, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)


_DESCRIPTIONS = {
    Rating.GOOD: "Performance is meeting or exceeding the key performance indicators",
    Rating.APPROACHING_TARGET: "Performance is close to meeting the key performance indicators",
    Rating.REQUIRES_IMPROVEMENT: "Performance is below the key performance indicators",
    Rating.INADEQUATE: "Performance is significantly below the key performance indicators",
    Rating.OTHER: "Performance cannot be described as good, approaching target, requires improvement or inadequate",
}

# Worst first: the order `combine` reads when the weakest rating sets the overall one.
_SEVERITY = (Rating.INADEQUATE, Rating.REQUIRES_IMPROVEMENT, Rating.APPROACHING_TARGET, Rating.GOOD)


@dataclass(frozen=True)
class RatedValue:
    rating: Rating
    reason: str


def rate_value(kpi: Kpi, actual: Decimal) -> RatedValue:
    """Rate one figure against a KPI's target and tolerance band.

    Met or beaten: Good. Short by no more than `tolerance`: Approaching target. Short by no more than
    `inadequate_beyond`: Requires improvement. Further short: Inadequate.
    """
    shortfall = kpi.shortfall(actual)
    against = f"{with_unit(actual, kpi.unit)} against a target of {with_unit(kpi.target, kpi.unit)}"
    if shortfall <= 0:
        return RatedValue(Rating.GOOD, f"{against}: met")
    if shortfall <= kpi.tolerance:
        return RatedValue(Rating.APPROACHING_TARGET, f"{against}: short by {shortfall}, within the tolerance "
                          f"of {kpi.tolerance}")
    if shortfall <= kpi.inadequate_beyond:
        return RatedValue(Rating.REQUIRES_IMPROVEMENT, f"{against}: short by {shortfall}, beyond the tolerance "
                          f"of {kpi.tolerance}")
    return RatedValue(Rating.INADEQUATE, f"{against}: short by {shortfall}, beyond the {kpi.inadequate_beyond} "
                      "the council set as significantly below target")


def combine(ratings: Iterable[Rating]) -> Rating:
    """Commonweal default: the weakest KPI rating is the overall rating; Other when nothing could be rated.

    Weakest-link keeps a failing KPI from being averaged away by good ones, which is what a contract manager
    needs to see first. Ratings of Other (a KPI not measured) do not lower the overall rating.
    """
    present = set(ratings)
    return next((r for r in _SEVERITY if r in present), Rating.OTHER)


@dataclass(frozen=True)
class KpiPeriodRating:
    kpi: str
    period: Period
    actual: Decimal | None
    rating: Rating
    reason: str


@dataclass(frozen=True)
class KpiAssessment:
    """One KPI over the assessment window: its rating, why, and its period-by-period history."""

    kpi: Kpi
    rating: Rating
    reason: str
    window_average: Decimal | None
    history: tuple[KpiPeriodRating, ...]


def rate_kpi_periods(kpi: Kpi, returns: Sequence[Return]) -> tuple[KpiPeriodRating, ...]:
    """The KPI's rating in each return, in period order; Other where the return has no figure for it."""
    rated = []
    for ret in sorted(returns, key=lambda r: r.period):
        found = next((m for m in ret.measurements if m.kpi == kpi.id), None)
        if found is None:
            rated.append(KpiPeriodRating(kpi.id, ret.period, None, Rating.OTHER, "no figure in this return"))
            continue
        result = rate_value(kpi, found.actual)
        rated.append(KpiPeriodRating(kpi.id, ret.period, found.actual, result.rating, result.reason))
    return tuple(rated)


def assess_kpi(kpi: Kpi, window: Sequence[Return]) -> KpiAssessment:
    """Rate a KPI over the assessment window by the mean of its figures in the window's returns.

    The mean (Commonweal default) rates sustained performance rather than one good or bad month; the history
    keeps every period's own rating for the consecutive-misses trigger.
    """
    history = rate_kpi_periods(kpi, window)
    figures = [h.actual for h in history if h.actual is not None]
    if not figures:
        return KpiAssessment(kpi, Rating.OTHER, "no figures reported in the assessment window", None, history)
    # rated on the exact mean; only the figure shown is rounded, so rounding never moves a rating
    average = sum(figures, Decimal(0)) / len(figures)
    rating = rate_value(kpi, average).rating
    shown = rate_value(kpi, average.quantize(Decimal("0.01"))).reason
    return KpiAssessment(kpi, rating, f"mean of {len(figures)} period(s): {shown}", average, history)


@dataclass(frozen=True)
class PeriodRating:
    period: Period
    rating: Rating
    reasons: tuple[str, ...]


def rate_periods(contract: Contract, returns: Sequence[Return]) -> tuple[PeriodRating, ...]:
    """Each return's overall rating: the weakest of its KPI ratings (see `combine`)."""
    rows = []
    for ret in sorted(returns, key=lambda r: r.period):
        per_kpi = [rate_kpi_periods(kpi, [ret])[0] for kpi in contract.kpis]
        overall = combine(r.rating for r in per_kpi)
        reasons = tuple(f"{r.kpi}: {r.rating.value} ({r.reason})" for r in per_kpi if r.rating is not Rating.GOOD)
        rows.append(PeriodRating(ret.period, overall, reasons))
    return tuple(rows)


def s52_applies(contract: Contract) -> bool:
    """Procurement Act 2023 s.52(1) binds a contract worth more than £5 million, unless the authority considers
    KPIs could not appropriately assess performance (`kpi_exemption_reason`); it does not reach light touch
    contracts."""
    return contract.value > S52_VALUE_THRESHOLD and not contract.light_touch and not contract.kpi_exemption_reason


def s52_warning(contract: Contract) -> str | None:
    """Procurement Act 2023 s.52(1): before entering into a public contract with an estimated value of more
    than £5 million, the authority must set at least three KPIs, unless it considers the supplier's performance
    could not appropriately be assessed by reference to KPIs (recorded here as `kpi_exemption_reason`).
    The duty does not reach light touch contracts, so none is raised for them.
    """
    if not s52_applies(contract) or len(contract.kpis) >= S52_MINIMUM_KPIS:
        return None
    return (
        f"The contract's estimated value of {money(contract.value, None)} is more than £5 million, so the "
        f"Procurement Act 2023 s.52(1) requires at least {S52_MINIMUM_KPIS} KPIs to be set; it has "
        f"{len(contract.kpis)}. Set more KPIs, or record why performance could not appropriately be assessed by "
        "KPIs (kpi_exemption_reason)."
    )
