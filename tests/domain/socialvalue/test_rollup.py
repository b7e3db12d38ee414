"""Roll-up of social value over time: committed, due, delivered and verified by contract, core value and year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commonweal.domain.socialvalue.library import Library, Licence, Measure
from commonweal.domain.socialvalue.rollup import (
    NO_CORE_VALUE,
    AsAt,
    CommittedLine,
    DeliveredLine,
    roll_up,
    totals,
    value_lines,
)

# fictional measures: £10 per hour, £1,000 per person-year, and a record-only count
LIBRARY = Library("test", "1", (
    Measure("HOURS", "Communities", "More volunteering", "Volunteering hours", "hour", "test", Licence("OGL"),
            proxy=Decimal("10")),
    Measure("JOBS", "Jobs", "More people in work", "Jobs", "person_year", "test", Licence("OGL"),
            proxy=Decimal("1000")),
    Measure("COUNT", "Jobs", "More people in work", "Counted only", "week", "test", Licence("OGL")),
))
PLACE = {"HOURS": "Community", "JOBS": "Jobs"}


def _rows(as_at: AsAt):
    committed = [CommittedLine("A", "HOURS", 2025, Decimal(100)), CommittedLine("A", "JOBS", 2025, Decimal(2)),
                 CommittedLine("A", "JOBS", 2026, Decimal(3)), CommittedLine("B", "COUNT", 2025, Decimal(5))]
    delivered = [DeliveredLine("A", "HOURS", 2025, 1, Decimal(40), "verified"),
                 DeliveredLine("A", "HOURS", 2025, 3, Decimal(30), "unverified"),
                 DeliveredLine("A", "HOURS", 2025, 4, Decimal(30), "rejected"),
                 DeliveredLine("A", "JOBS", 2025, None, Decimal(1), "verified"),
                 DeliveredLine("A", "JOBS", 2026, 1, Decimal(1), "verified")]
    return roll_up(*value_lines(committed, delivered, LIBRARY, PLACE), as_at)


def test_a_year_end_rolls_up_committed_due_delivered_and_verified() -> None:
    rows = {(r.contract, r.core_value, r.year): r for r in _rows(AsAt(2025, 4))}
    hours = rows[("A", "Community", 2025)]
    # 100 h × £10 committed and due; 40 verified + 30 unverified delivered; the rejected 30 never count
    assert (hours.committed, hours.due, hours.delivered, hours.verified) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("700.00"), Decimal("400.00"))
    jobs = rows[("A", "Jobs", 2025)]
    assert (jobs.committed, jobs.delivered, jobs.verified) == (Decimal("2000.00"), Decimal("1000.00"),
                                                               Decimal("1000.00"))
    assert ("A", "Jobs", 2026) not in rows  # a later year is outside the report
    counted = rows[("B", NO_CORE_VALUE, 2025)]
    assert counted.record_only == 1 and counted.committed == 0


def test_mid_year_nothing_of_the_year_is_due_and_later_quarters_are_not_yet_reported() -> None:
    rows = {(r.contract, r.core_value, r.year): r for r in _rows(AsAt(2025, 2))}
    hours = rows[("A", "Community", 2025)]
    assert hours.due == 0 and hours.committed == Decimal("1000.00")
    assert hours.delivered == Decimal("400.00")  # Q1 only; Q3's return comes later
    assert rows[("A", "Jobs", 2025)].delivered == 0  # a whole-year return counts at the year's end


def test_a_past_year_is_due_in_a_later_year() -> None:
    rows = {(r.contract, r.core_value, r.year): r for r in _rows(AsAt(2026, 1))}
    assert rows[("A", "Jobs", 2025)].due == Decimal("2000.00")
    assert rows[("A", "Jobs", 2026)].due == 0 and rows[("A", "Jobs", 2026)].verified == Decimal("1000.00")


def test_totals_sum_by_core_value() -> None:
    found = {t.label: t for t in totals(_rows(AsAt(2026, 4)), lambda r: r.core_value)}
    assert found["Jobs"].committed == Decimal("5000.00")
    assert found["Jobs"].due == Decimal("5000.00")
    assert found["Jobs"].verified == Decimal("2000.00")


@pytest.mark.parametrize("quarter", [0, 5])
def test_a_quarter_is_one_to_four(quarter: int) -> None:
    with pytest.raises(ValueError, match="quarter"):
        AsAt(2026, quarter)


@pytest.mark.parametrize(("quarter", "last"), [(1, (2025, 6)), (2, (2025, 9)), (3, (2025, 12)), (4, (2026, 3))])
def test_a_reporting_date_spans_april_to_the_end_of_its_quarter(quarter: int, last: tuple[int, int]) -> None:
    assert AsAt(2025, quarter).months == ((2025, 4), last)
