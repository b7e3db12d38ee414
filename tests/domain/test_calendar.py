import datetime as dt

import pytest

from commonweal.domain.calendar import OutsideCalendar, is_working_day, nth_working_day, standstill_period
from commonweal.domain.reference.bank_holidays import ENGLAND_AND_WALES

D = dt.date


def test_shipped_list_has_eight_weekday_holidays_each_year() -> None:
    # England and Wales have 8 bank holidays a year; a substitute day moves a weekend holiday to a weekday.
    for year in range(2024, 2029):
        days = [d for d in ENGLAND_AND_WALES.dates if d.year == year]
        assert len(days) == 8, year
        assert all(d.weekday() < 5 for d in days), year


def test_standstill_from_a_plain_monday() -> None:
    # Published Mon 2026-11-02 (day 1) .. Wed 11-11 is the 8th working day (Mon-Fri 5 days, Mon-Wed 3 more).
    period = standstill_period(D(2026, 11, 2), ENGLAND_AND_WALES)
    assert period.last_day == D(2026, 11, 11)
    assert period.may_enter_on == D(2026, 11, 12)


def test_standstill_over_christmas_2026_skips_substitute_boxing_day() -> None:
    # Published Fri 2026-12-18: 18 (1), 21 (2), 22 (3), 23 (4), 24 (5); 25 Christmas, 26-27 weekend,
    # 28 substitute Boxing Day; 29 (6), 30 (7), 31 (8).
    assert standstill_period(D(2026, 12, 18), ENGLAND_AND_WALES).last_day == D(2026, 12, 31)


def test_published_at_a_weekend_counts_from_the_next_working_day() -> None:
    # Sat 2025-04-19; Mon 21 is Easter Monday; Tue 22 (1) .. Thu 5/1 (8): 22,23,24,25,28,29,30,1.
    assert nth_working_day(D(2025, 4, 19), 8, ENGLAND_AND_WALES) == D(2025, 5, 1)


def test_good_friday_is_not_a_working_day() -> None:
    assert not is_working_day(D(2027, 3, 26), ENGLAND_AND_WALES)
    assert is_working_day(D(2027, 3, 25), ENGLAND_AND_WALES)


def test_dates_outside_the_list_are_refused_not_guessed() -> None:
    with pytest.raises(OutsideCalendar, match="2029"):
        standstill_period(D(2029, 1, 2), ENGLAND_AND_WALES)


def test_a_shorter_standstill_than_the_act_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        standstill_period(D(2026, 11, 2), ENGLAND_AND_WALES, working_days_count=5)
