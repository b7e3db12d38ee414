"""Bank holidays in England and Wales, 2024–2028.

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
