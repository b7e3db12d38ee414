"""Re-basing a £ value from the price year its source gives to a chosen price year.

`value_in_target_year = value × deflator[target] / deflator[source]`, with HM Treasury's "GDP deflators at
market prices" as the index: the HM Treasury Green Book appraises in real terms at one price base, and values
from sources of different years are not added until they share one. The deflator series is data with its own
source (shipped: `commonweal/data/socialvalue/gdp_deflator.csv`). A value whose price year is not in the
series (a financial-year value against a calendar-year series, or a source that states no price base) is not
guessed: it stays record-only for that re-basing, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from commonweal.domain.socialvalue.library import PENNY


@dataclass(frozen=True)
class DeflatorSeries:
    """An index by period ("2022" for a calendar year, "2022/23" for a financial year), with its source."""

    name: str
    basis: str
    source: str
    licence: str
    index: tuple[tuple[str, Decimal], ...]

    def value(self, period: str) -> Decimal | None:
        return dict(self.index).get(period)


@dataclass(frozen=True)
class Rebased:
    """A re-based value, or (`value` None) the reason it could not be re-based."""

    value: Decimal | None
    from_year: str | None
    to_year: str
    reason: str = ""


def rebase(value: Decimal, from_year: str | None, to_year: str, series: DeflatorSeries) -> Rebased:
    """Re-base `value` (in `from_year` prices) to `to_year` prices, rounded to the penny (half up)."""
    if from_year is None:
        return Rebased(None, None, to_year, "the source states no price base year, so the value cannot be re-based")
    if from_year == to_year:
        return Rebased(value, from_year, to_year)
    source_index = series.value(from_year)
    target_index = series.value(to_year)
    missing = [year for year, index in ((from_year, source_index), (to_year, target_index)) if index is None]
    if source_index is None or target_index is None:
        return Rebased(
            None, from_year, to_year,
            f"{' and '.join(missing)} not in the {series.name} ({series.basis}); load a deflator series that "
            "covers it to re-base this value",
        )
    rebased = (value * target_index / source_index).quantize(PENNY, rounding=ROUND_HALF_UP)
    return Rebased(rebased, from_year, to_year)
