"""The statutory pattern reproduces the published England and Wales list, and handles every substitute case."""

import datetime as dt

import pytest

from commonweal.domain.reference.bank_holiday_rules import Division, easter_sunday, holidays_in
from commonweal.domain.reference.bank_holidays import ENGLAND_AND_WALES

D = dt.date


@pytest.mark.parametrize("year", range(2024, 2029))
def test_the_rules_give_the_published_england_and_wales_list(year: int) -> None:
    published = {d for d in ENGLAND_AND_WALES.dates if d.year == year}
    assert holidays_in(Division.ENGLAND_AND_WALES, year) == published


def test_easter_dates_known_from_the_calendar() -> None:
    assert [easter_sunday(y) for y in (2024, 2025, 2038, 2285)] == [D(2024, 3, 31), D(2025, 4, 20), D(2038, 4, 25),
                                                                     D(2285, 3, 22)]


def test_christmas_on_a_sunday_moves_to_tuesday_after_boxing_day() -> None:
    # 2033: Christmas is a Sunday; Boxing Day is Monday 26; Christmas's substitute is Tuesday 27
    days = holidays_in(Division.ENGLAND_AND_WALES, 2033)
    assert {D(2033, 12, 26), D(2033, 12, 27)} <= days and D(2033, 12, 25) not in days


def test_scotland_and_northern_ireland_have_their_own_days() -> None:
    scotland = holidays_in(Division.SCOTLAND, 2031)
    assert D(2031, 1, 2) in scotland and D(2031, 8, 4) in scotland  # 2 January; first Monday in August
    assert D(2031, 12, 1) in scotland  # St Andrew's Day (Sunday 30 November) moves to Monday
    assert D(2031, 4, 14) not in scotland  # no Easter Monday in Scotland
    ni = holidays_in(Division.NORTHERN_IRELAND, 2031)
    assert D(2031, 3, 17) in ni and D(2031, 7, 14) in ni  # St Patrick's Day; 12 July is a Saturday -> Monday 14


def test_a_calendar_covers_the_published_years_then_the_computed_ones() -> None:
    from commonweal.domain.calendar import OutsideCalendar, standstill_period
    from commonweal.domain.reference.bank_holidays import bank_holidays

    calendar = bank_holidays()
    assert calendar.computed_from == 2029 and calendar.last_year == 2099
    assert "statutory pattern" in calendar.source and "gov.uk" in calendar.source.lower()
    # a notice published on Wednesday 24 December 2031: Christmas and Boxing Day, a weekend and New Year's Day are
    # not working days: 24, 29, 30, 31 December, 2, 5, 6 and 7 January are the eight
    period = standstill_period(D(2031, 12, 24), calendar)
    assert period.last_day == D(2032, 1, 7)
    with pytest.raises(OutsideCalendar, match="2100 is outside"):
        standstill_period(D(2100, 1, 4), calendar)
    with pytest.raises(OutsideCalendar, match="2023 is outside"):
        standstill_period(D(2023, 6, 1), calendar)
    assert bank_holidays(Division.SCOTLAND).computed_from == 2024
