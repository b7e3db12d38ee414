"""Social value over time: what contracts committed, what fell due, what suppliers reported delivered and what was
verified, rolled up by contract, by core value and by financial year.

The inputs are a small interface, so any source plugs in: the commitments of a winning bid recorded in the social
value area today, and the contracts area's returns when they arrive. A commitment or delivery is valued by the one
valuation (`commitments.value_units`); a record-only measure is counted, never priced.

Years are financial years named by the calendar year they start in (2026 = April 2026 to March 2027, the local
government financial year); quarters are the financial year's (Q1 = April to June). A commitment is *due* once
its year has ended at the reporting date. *Delivered* is every reported return that was not rejected; *verified*
only the returns checked against evidence (as `delivery.track_delivery` counts them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.socialvalue.commitments import value_units
from commonweal.domain.socialvalue.delivery import Verification
from commonweal.domain.socialvalue.library import Library

# The label for measures in no core value (the council mapped its core values after the contract was let).
NO_CORE_VALUE = "Not in a core value"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CommittedLine:
    """`quantity` units of `measure_id` a contract's supplier committed to deliver in financial `year`."""

    contract: str
    measure_id: str
    year: int
    quantity: Decimal


@dataclass(frozen=True)
class DeliveredLine:
    """A return: `quantity` units of `measure_id` delivered on `contract` in `year` (and `quarter` 1–4 of it, or
    None for a return covering the whole year)."""

    contract: str
    measure_id: str
    year: int
    quarter: int | None
    quantity: Decimal
    verification: Verification


@dataclass(frozen=True)
class AsAt:
    """The reporting date: the end of `quarter` (1–4) of financial `year`; quarter 4 is the year's end (annual)."""

    year: int
    quarter: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError("a quarter is 1, 2, 3 or 4")

    def reported(self, year: int, quarter: int | None) -> bool:
        """A return for (`year`, `quarter`) falls on or before this date; a whole-year return counts at year end."""
        return year < self.year or (year == self.year and (quarter or 4) <= self.quarter)

    def ended(self, year: int) -> bool:
        return year < self.year or (year == self.year and self.quarter == 4)

    @property
    def months(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The first and last (year, month) of the financial year to this date: April to the quarter's end."""
        end = 3 * self.quarter + 3  # Q1 ends in June, Q4 in the March after
        return (self.year, 4), (self.year + end // 13, (end - 1) % 12 + 1)

    @property
    def label(self) -> str:
        span = f"{self.year}/{(self.year + 1) % 100:02d}"
        return span if self.quarter == 4 else f"Q{self.quarter} {span}"


@dataclass(frozen=True)
class RollUpRow:
    contract: str
    core_value: str
    year: int
    committed: Decimal
    due: Decimal
    delivered: Decimal
    verified: Decimal
    record_only: int  # commitments to record-only measures, counted in units and never priced


@dataclass(frozen=True)
class Total:
    label: str
    committed: Decimal
    due: Decimal
    delivered: Decimal
    verified: Decimal


@dataclass(frozen=True)
class ValuedLine:
    """A commitment (`verification` None) or a return, valued (None: record only) and placed under its core value:
    what is stored when the inputs change, so a report for any date only sums."""

    contract: str
    core_value: str
    year: int
    quarter: int | None
    value: Decimal | None
    verification: Verification | None = None


def value_lines(
    committed: Iterable[CommittedLine],
    delivered: Iterable[DeliveredLine],
    library: Library,
    core_value_of: Mapping[str, str],
) -> tuple[tuple[ValuedLine, ...], tuple[ValuedLine, ...]]:
    """Each commitment and return valued by the one valuation and placed under the core value its measure serves
    (`core_value_of`; measures in none go under `NO_CORE_VALUE`)."""

    def place(measure_id: str) -> str:
        return core_value_of.get(measure_id, NO_CORE_VALUE)

    commitments = tuple(
        ValuedLine(c.contract, place(c.measure_id), c.year, None,
                   value_units(c.quantity, library.measure(c.measure_id)))
        for c in committed
    )
    returns = tuple(
        ValuedLine(d.contract, place(d.measure_id), d.year, d.quarter,
                   value_units(d.quantity, library.measure(d.measure_id)), d.verification)
        for d in delivered
    )
    return commitments, returns


def roll_up(committed: Iterable[ValuedLine], delivered: Iterable[ValuedLine], as_at: AsAt) -> tuple[RollUpRow, ...]:
    """One row per (contract, core value, year) up to the reporting year, in that order. A return for a measure the
    contract did not commit to still counts as delivered: it is shown, never dropped; rejected returns never count."""
    cells: dict[tuple[str, str, int], list[Decimal]] = {}
    record_only: dict[tuple[str, str, int], int] = {}

    def cell(line: ValuedLine) -> list[Decimal]:
        key = (line.contract, line.core_value, line.year)
        record_only.setdefault(key, 0)
        return cells.setdefault(key, [ZERO, ZERO, ZERO, ZERO])

    for line in committed:
        if line.year > as_at.year:
            continue
        row = cell(line)
        if line.value is None:
            record_only[(line.contract, line.core_value, line.year)] += 1
            continue
        row[0] += line.value
        if as_at.ended(line.year):
            row[1] += line.value
    for line in delivered:
        if line.verification == "rejected" or not as_at.reported(line.year, line.quarter) or line.value is None:
            continue
        row = cell(line)
        row[2] += line.value
        if line.verification == "verified":
            row[3] += line.value
    return tuple(
        RollUpRow(contract, core_value, year, committed_, due, delivered_, verified, record_only[key])
        for key, (committed_, due, delivered_, verified) in sorted(cells.items())
        for contract, core_value, year in (key,)
    )


def totals(rows: Iterable[RollUpRow], by: Callable[[RollUpRow], str]) -> tuple[Total, ...]:
    """The rows summed by `by` (contract, core value or year), in first-seen order."""
    sums: dict[str, list[Decimal]] = {}
    for row in rows:
        found = sums.setdefault(by(row), [ZERO, ZERO, ZERO, ZERO])
        for i, amount in enumerate((row.committed, row.due, row.delivered, row.verified)):
            found[i] += amount
    return tuple(Total(label, *amounts) for label, amounts in sums.items())
