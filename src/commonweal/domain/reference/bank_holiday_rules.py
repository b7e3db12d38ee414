"""Bank holidays computed from the statutory pattern, for years no published list covers.

The pattern: the Banking and Financial Dealings Act 1971, Schedule 1 (as amended), names the bank holidays of each
part of the United Kingdom, and the early May bank holiday (and Northern Ireland's 12 July) is appointed each year
by royal proclamation under s.1(3); when a holiday falls on a Saturday or Sunday, a substitute weekday is
appointed (the next weekday that is not already a holiday). GOV.UK's "UK bank holidays" list follows this pattern
in every year it publishes, except for one-off proclamations (a coronation, a jubilee, a state funeral) and the
occasional moved early May holiday, which no rule can foresee: computed years are labelled as computed, and a
published list is preferred wherever one is shipped.

Easter Sunday is the Gregorian computus (the anonymous "Meeus/Jones/Butcher" algorithm), which the Calendar Act
1750 makes the rule for the date of Easter in the United Kingdom.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

MONDAY, SATURDAY = 0, 5


class Division(StrEnum):
    """GOV.UK's three bank holiday divisions."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


def easter_sunday(year: int) -> dt.date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(MONDAY - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    after = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = after - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - MONDAY) % 7)


def holidays_in(division: Division, year: int) -> frozenset[dt.date]:
    """The bank holidays of `division` in `year` by the statutory pattern, substitute days included."""
    easter = easter_sunday(year)
    # fixed-date holidays, which take a substitute day at a weekend; then those that always fall on a weekday
    fixed = [dt.date(year, 1, 1)]
    weekday = [easter - dt.timedelta(days=2), _first_monday(year, 5), _last_monday(year, 5)]
    if division == Division.SCOTLAND:
        fixed += [dt.date(year, 1, 2), dt.date(year, 11, 30)]
        weekday += [_first_monday(year, 8)]
    else:
        weekday += [easter + dt.timedelta(days=1), _last_monday(year, 8)]
    if division == Division.NORTHERN_IRELAND:
        fixed += [dt.date(year, 3, 17), dt.date(year, 7, 12)]
    fixed += [dt.date(year, 12, 25), dt.date(year, 12, 26)]
    taken = set(weekday) | {day for day in fixed if day.weekday() < SATURDAY}
    for day in sorted(d for d in fixed if d.weekday() >= SATURDAY):
        substitute = day
        while substitute.weekday() >= SATURDAY or substitute in taken:
            substitute += dt.timedelta(days=1)
        taken.add(substitute)
    return frozenset(taken)
