"""Social Return on Investment: an impact map → present value → SROI ratio, with a break-even sensitivity table.

Method (the SROI Network's "A guide to Social Return on Investment", 2012, stages 4–5):

- each outcome's impact in its first year is `quantity × proxy × (1 − deadweight) × (1 − displacement) ×
  (1 − attribution)`; in each later year of its `duration` it falls by `drop_off`:
  `impact_k = impact_1 × (1 − drop_off)^(k − 1)`;
- benefits of year k of an outcome fall in appraisal year `start_year + k − 1` (start_year 1 = the first year
  after the investment, which is made in year 0 and not discounted);
- each year is discounted at the HM Treasury Green Book's standard discount rate (social time preference rate):
  3.5% a year for years 0–30, 3.0% for years 31–75 and 2.5% for years 76–125 (Green Book, Annex A6
  "Discounting", Table 8 "Declining Long Term Discount Rate"), so the discount factor for year t is the product
  of 1 / (1 + r_y) over years y = 1..t. No rate is shipped beyond year 125;
- SROI ratio = present value ÷ investment; net SROI ratio = (present value − investment) ÷ investment.

The sensitivity table holds, for every outcome and every assumption, the single value that would bring the
ratio to exactly 1 with everything else unchanged, and whether that value lies in the assumption's valid range:
the assumptions that "would bring the ratio below 1" are the reachable ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from commonweal.domain.socialvalue.library import PENNY

ONE = Decimal(1)
RATIO_PLACES = Decimal("0.0001")

# (first year, last year, rate): HM Treasury Green Book, Annex A6, Table 8, standard STPR.
GREEN_BOOK_DISCOUNT_RATES: tuple[tuple[int, int, Decimal], ...] = (
    (0, 30, Decimal("0.035")),
    (31, 75, Decimal("0.030")),
    (76, 125, Decimal("0.025")),
)


def discount_rate(year: int, schedule: tuple[tuple[int, int, Decimal], ...] = GREEN_BOOK_DISCOUNT_RATES) -> Decimal:
    for first, last, rate in schedule:
        if first <= year <= last:
            return rate
    raise ValueError(f"no discount rate for year {year}: the schedule covers years 0–{schedule[-1][1]}")


def discount_factors(
    last_year: int, schedule: tuple[tuple[int, int, Decimal], ...] = GREEN_BOOK_DISCOUNT_RATES
) -> tuple[Decimal, ...]:
    """Discount factors for years 0..last_year: DF_0 = 1, DF_t = DF_(t−1) / (1 + r_t)."""
    factors = [ONE]
    for year in range(1, last_year + 1):
        factors.append(factors[-1] / (ONE + discount_rate(year, schedule)))
    return tuple(factors)


@dataclass(frozen=True)
class ImpactLine:
    """One row of an impact map. Fractions (deadweight … drop_off) are 0–1."""

    outcome: str
    quantity: Decimal
    proxy: Decimal
    duration: int
    deadweight: Decimal = Decimal(0)
    displacement: Decimal = Decimal(0)
    attribution: Decimal = Decimal(0)
    drop_off: Decimal = Decimal(0)
    stakeholder: str = ""
    measure_id: str = ""
    start_year: int = 1

    @property
    def first_year_impact(self) -> Decimal:
        return (
            self.quantity * self.proxy * (ONE - self.deadweight) * (ONE - self.displacement)
            * (ONE - self.attribution)
        )

    def yearly_impacts(self) -> tuple[tuple[int, Decimal], ...]:
        """(appraisal year, undiscounted impact) for each year of the outcome's duration."""
        impacts, impact = [], self.first_year_impact
        for k in range(self.duration):
            impacts.append((self.start_year + k, impact))
            impact *= ONE - self.drop_off  # repeated product: Decimal refuses 0 ** 0 when drop-off is 100%
        return tuple(impacts)


@dataclass(frozen=True)
class ImpactMap:
    name: str
    investment: Decimal
    lines: tuple[ImpactLine, ...]


@dataclass(frozen=True)
class YearValue:
    year: int
    impact: Decimal
    discount_factor: Decimal
    present_value: Decimal


@dataclass(frozen=True)
class LineResult:
    line: ImpactLine
    years: tuple[YearValue, ...]
    present_value: Decimal


Assumption = Literal["quantity", "proxy", "deadweight", "displacement", "attribution", "drop_off", "duration"]


@dataclass(frozen=True)
class SensitivityRow:
    """`break_even`: the value of `assumption` on `outcome` at which the ratio is exactly 1 (for duration, a
    whole number of years: see `analyse`); None when no value in the valid range gets there. The ratio falls
    below 1 when the assumption moves past `break_even` in `direction`."""

    outcome: str
    assumption: Assumption
    current: Decimal
    break_even: Decimal | None
    direction: Literal["below", "above"]

    @property
    def reachable(self) -> bool:
        return self.break_even is not None

    @property
    def change(self) -> Decimal | None:
        """Relative change from the current value to break-even (−0.25 = a 25% fall), to 4 dp."""
        if self.break_even is None or not self.current:
            return None
        return ((self.break_even - self.current) / self.current).quantize(RATIO_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class SroiResult:
    impact_map: ImpactMap
    lines: tuple[LineResult, ...]
    present_value: Decimal
    net_present_value: Decimal
    ratio: Decimal
    net_ratio: Decimal
    sensitivity: tuple[SensitivityRow, ...]


def _line_result(line: ImpactLine, factors: tuple[Decimal, ...]) -> LineResult:
    years = tuple(
        YearValue(year, impact, factors[year], impact * factors[year]) for year, impact in line.yearly_impacts()
    )
    return LineResult(line, years, sum((y.present_value for y in years), Decimal(0)))


def line_present_value(line: ImpactLine) -> Decimal:
    return _line_result(line, discount_factors(max(line.start_year + line.duration - 1, 0))).present_value


def analyse(impact_map: ImpactMap) -> SroiResult:
    """Present value, ratios and the sensitivity table of an impact map."""
    if impact_map.investment <= 0:
        raise ValueError("the investment must be more than £0 for an SROI ratio")
    last_year = max((line.start_year + line.duration - 1 for line in impact_map.lines), default=0)
    factors = discount_factors(last_year)
    results = [_line_result(line, factors) for line in impact_map.lines]
    total = sum((r.present_value for r in results), Decimal(0))
    investment = impact_map.investment
    present_value = total.quantize(PENNY, ROUND_HALF_UP)
    return SroiResult(
        impact_map=impact_map,
        lines=tuple(results),
        present_value=present_value,
        net_present_value=(total - investment).quantize(PENNY, ROUND_HALF_UP),
        ratio=(total / investment).quantize(RATIO_PLACES, ROUND_HALF_UP),
        net_ratio=((total - investment) / investment).quantize(RATIO_PLACES, ROUND_HALF_UP),
        sensitivity=_sensitivity(results, total, investment),
    )


def _sensitivity(results: list[LineResult], total: Decimal, investment: Decimal) -> tuple[SensitivityRow, ...]:
    rows: list[SensitivityRow] = []
    for result in results:
        line, line_pv = result.line, result.present_value
        # the present value this line must have for the whole map's ratio to be exactly 1
        target = investment - (total - line_pv)
        factor = target / line_pv if line_pv else None
        scaled: tuple[Assumption, ...] = ("quantity", "proxy")
        for name in scaled:
            current = getattr(line, name)
            value = None if factor is None or factor < 0 else (current * factor).quantize(PENNY, ROUND_HALF_UP)
            rows.append(SensitivityRow(line.outcome, name, current, value, "below"))
        reductions: tuple[Assumption, ...] = ("deadweight", "displacement", "attribution")
        for name in reductions:
            current = getattr(line, name)
            value = None
            if factor is not None:
                candidate = ONE - (ONE - current) * factor
                if 0 <= candidate <= 1:
                    value = candidate.quantize(RATIO_PLACES, ROUND_HALF_UP)
            rows.append(SensitivityRow(line.outcome, name, current, value, "above"))
        rows.append(SensitivityRow(line.outcome, "drop_off", line.drop_off, _drop_off_break_even(line, target),
                                   "above"))
        rows.append(SensitivityRow(line.outcome, "duration", Decimal(line.duration),
                                   _duration_break_even(line, target, line_pv >= target), "below"))
    return tuple(rows)


def _drop_off_break_even(line: ImpactLine, target: Decimal) -> Decimal | None:
    """The drop-off (0–1) at which the line's present value equals `target`, by bisection (the present value
    falls as drop-off rises); None when no drop-off in 0–1 gets there or drop-off has no effect."""
    if line.duration < 2:
        return None
    low, high = Decimal(0), ONE
    highest, lowest = (line_present_value(replace(line, drop_off=d)) for d in (low, high))
    if not lowest <= target <= highest:
        return None
    for _ in range(60):
        middle = (low + high) / 2
        if line_present_value(replace(line, drop_off=middle)) > target:
            low = middle
        else:
            high = middle
    return ((low + high) / 2).quantize(RATIO_PLACES, ROUND_HALF_UP)


def _duration_break_even(line: ImpactLine, target: Decimal, above: bool) -> Decimal | None:
    """When the ratio is at least 1: the longest duration (whole years) at which it falls below 1. When it is
    below 1: the shortest duration at which it reaches 1, within the discount schedule. None when none does."""
    if above:
        for years in range(line.duration - 1, -1, -1):
            if line_present_value(replace(line, duration=years)) < target:
                return Decimal(years)
        return None
    limit = GREEN_BOOK_DISCOUNT_RATES[-1][1] - line.start_year + 1
    for years in range(line.duration + 1, limit + 1):
        if line_present_value(replace(line, duration=years)) >= target:
            return Decimal(years)
    return None
