"""Bank holidays: the published England and Wales list for 2024–2028, and any division and year after it from the
statutory pattern (`bank_holidays`).

The published list.

Source: GOV.UK, "UK bank holidays" (https://www.gov.uk/bank-holidays, the `england-and-wales` division of
https://www.gov.uk/bank-holidays.json), which lists the days under the Banking and Financial Dealings Act 1971 and
royal proclamation. Years GOV.UK had not yet published when this list was written (2027–2028) follow the
statutory pattern (New Year's Day, Good Friday, Easter Monday, early May, spring and summer bank holidays,
Christmas Day and Boxing Day, with substitute days when they fall at a weekend); one-off proclamations (a
coronation, a jubilee) would be added here when announced. Check against GOV.UK before relying on a later year.
"""

from __future__ import annotations

import datetime as dt

from commonweal.domain.calendar import BankHolidays
from commonweal.domain.reference.bank_holiday_rules import Division, holidays_in

_DATES = (
    # 2024
    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
    # 2025
    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
    # 2026: Boxing Day is a Saturday, substitute Monday 28 December
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
    # 2027: Christmas Day is a Saturday, substitutes Monday 27 and Tuesday 28 December
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
    # 2028: New Year's Day is a Saturday, substitute Monday 3 January
    "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26",
)

ENGLAND_AND_WALES = BankHolidays(
    division="England and Wales",
    source="GOV.UK UK bank holidays, england-and-wales (https://www.gov.uk/bank-holidays.json)",
    dates=frozenset(dt.date.fromisoformat(text) for text in _DATES),
    first_year=2024,
    last_year=2028,
)

# Commonweal default: the last year computed from the statutory pattern; a date after it is refused, never guessed.
COMPUTED_UNTIL = 2099


def bank_holidays(division: Division = Division.ENGLAND_AND_WALES, last_year: int = COMPUTED_UNTIL) -> BankHolidays:
    """The division's bank holidays from 2024: England and Wales from the published list while it lasts, every
    other year and division computed from the statutory pattern (`bank_holiday_rules`), labelled as such."""
    published = ENGLAND_AND_WALES if division == Division.ENGLAND_AND_WALES else None
    computed_from = published.last_year + 1 if published else ENGLAND_AND_WALES.first_year
    dates = set(published.dates) if published else set()
    for year in range(computed_from, last_year + 1):
        dates |= holidays_in(division, year)
    names = {Division.ENGLAND_AND_WALES: "England and Wales", Division.SCOTLAND: "Scotland",
             Division.NORTHERN_IRELAND: "Northern Ireland"}
    return BankHolidays(
        division=names[division],
        source=(f"{published.source} to {published.last_year}; " if published else "")
        + f"from {computed_from}, the statutory pattern (Banking and Financial Dealings Act 1971 Sch 1 and the "
        "annual proclamations; one-off proclamations cannot be foreseen and must be checked against GOV.UK)",
        dates=frozenset(dates),
        first_year=ENGLAND_AND_WALES.first_year,
        last_year=last_year,
        computed_from=computed_from,
    )
