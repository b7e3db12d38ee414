"""Working days and the standstill period.

Procurement Act 2023 s.51(2): the mandatory standstill period is "the period of eight working days beginning with
the day on which the contract award notice is published". The contracting authority may not enter into the
contract before it ends. Weekends and bank holidays are not working days; the bank holidays are a parameter here
(`BankHolidays`), and `commonweal.domain.reference.bank_holidays` ships the England and Wales list published on
GOV.UK. The Act's own definition of "working day" is in its interpretation section (s.123); we have not checked
whether it also excludes bank holidays elsewhere in the United Kingdom (see docs/web.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

STANDSTILL_WORKING_DAYS = 8
"""Procurement Act 2023 s.51(2)."""


@dataclass(frozen=True)
class BankHolidays:
    """A named set of bank holidays, with where the list came from and the years it covers."""

    division: str
    source: str
    dates: frozenset[dt.date]
    first_year: int
    last_year: int
    # from this year on the dates are computed from the statutory pattern, not taken from a published list
    computed_from: int | None = None

    def covers(self, day: dt.date) -> bool:
        return self.first_year <= day.year <= self.last_year


class OutsideCalendar(ValueError):
    """A date falls outside the years the bank holiday list covers, so working days cannot be counted safely."""


def is_working_day(day: dt.date, holidays: BankHolidays) -> bool:
    if not holidays.covers(day):
        raise OutsideCalendar(
            f"{day.year} is outside the years Commonweal knows the {holidays.division} bank holidays for "
            f"({holidays.first_year}–{holidays.last_year}), so working days from {day.isoformat()} cannot be counted"
        )
    return day.weekday() < 5 and day not in holidays.dates


def working_days(start: dt.date, end: dt.date, holidays: BankHolidays) -> Iterable[dt.date]:
    """The working days from `start` to `end`, both included."""
    day = start
    while day <= end:
        if is_working_day(day, holidays):
            yield day
        day += dt.timedelta(days=1)


def nth_working_day(start: dt.date, count: int, holidays: BankHolidays) -> dt.date:
    """The `count`-th working day of a period "beginning with" `start` (`start` itself is day 1 when it is a
    working day), the way s.51(2) counts the standstill period."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    seen = 0
    while True:
        if is_working_day(day, holidays):
            seen += 1
            if seen == count:
                return day
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class Standstill:
    """The standstill period after a contract award notice: the contract may be entered into from `may_enter_on`."""

    notice_published: dt.date
    last_day: dt.date
    may_enter_on: dt.date


def standstill_period(
    notice_published: dt.date, holidays: BankHolidays, working_days_count: int = STANDSTILL_WORKING_DAYS
) -> Standstill:
    """The s.51 standstill: eight working days beginning with the day the contract award notice is published.

    `working_days_count` may be raised (s.51(3) lets an authority set a longer period) but never lowered below 8.
    """
    if working_days_count < STANDSTILL_WORKING_DAYS:
        raise ValueError(f"the standstill period is at least {STANDSTILL_WORKING_DAYS} working days (PA 2023 s.51)")
    last = nth_working_day(notice_published, working_days_count, holidays)
    return Standstill(notice_published=notice_published, last_day=last, may_enter_on=last + dt.timedelta(days=1))
