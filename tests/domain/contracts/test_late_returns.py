"""When a return is late: the first period after the latest return that ended more than the grace days ago."""

from __future__ import annotations

import datetime as dt

from commonweal.domain.contracts.model import Frequency, Period, first_missing_period


def test_no_return_yet_counts_from_the_contracts_first_month() -> None:
    start = dt.date(2026, 1, 15)
    assert first_missing_period(start, Frequency.QUARTERLY, None, dt.date(2026, 4, 30)) is None  # 30 days: not late
    assert first_missing_period(start, Frequency.QUARTERLY, None, dt.date(2026, 5, 1)) == Period(
        dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_the_period_after_the_latest_return_with_its_own_grace() -> None:
    last = dt.date(2026, 9, 30)
    assert first_missing_period(dt.date(2025, 1, 1), Frequency.MONTHLY, last, dt.date(2026, 12, 1)) == Period(
        dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert first_missing_period(dt.date(2025, 1, 1), Frequency.MONTHLY, last, dt.date(2026, 12, 1),
                                grace_days=60) is None
