"""Cell values of published spend files: amounts, dates, fiscal periods and redaction markers.

Every parser returns a value or raises `ValueError` with a message a person can act on; the reader turns that
message into a rejection naming the file, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
# A value further than this from a whole penny is a real fraction of a penny, not a float artefact
# (`4582.499999999`) of a spreadsheet export. Commonweal default.
FLOAT_ARTEFACT_TOLERANCE = Decimal("0.000001")

_AMOUNT_NOISE = re.compile(r"[£\ufffd,\s]|GBP", re.IGNORECASE)
_AMOUNT_NOISE_BUT_COMMAS = re.compile(r"[£\ufffd\s]|GBP", re.IGNORECASE)
# ASCII digits only: `int` and `Decimal` read Arabic-Indic and fullwidth digits too, which no finance system
# exports; such a cell is refused like any other that is not a number.
_AMOUNT_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$")
# Commas only as thousands separators: no comma, or one group of 1-3 digits then groups of exactly three, with no
# digit before it and no comma after it. `1234,5` (a decimal comma) is refused, never read as £12,345.
# (No look-arounds: the fast path runs the same pattern in polars' regex engine.)
GROUPED_COMMAS = r"^[^,]*$|^[^0-9,]*[0-9]{1,3}(,[0-9]{3})+([^0-9,][^,]*)?$"
_GROUPED = re.compile(GROUPED_COMMAS)
# DECIMAL(18,2), the store's money type: 16 digits of pounds.
AMOUNT_LIMIT = Decimal(10) ** 16


def parse_amount(text: str) -> Decimal:
    """`'£1,234.50'`, `'-£2,520.00'`, `'£-5'`, `'2,520.00-'`, `'(33.32)'`, `'1.10000000001'` -> exact pounds.

    The sign may come before or after the `£`, trail the number (ledger style) or be brackets. A value with
    more than two decimal places is rounded to the penny only when it is a float artefact of a spreadsheet
    export; a real fraction of a penny is refused rather than rounded silently.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("amount is blank; expected an amount in pounds such as 1234.56")
    if not _GROUPED.match(_AMOUNT_NOISE_BUT_COMMAS.sub("", raw)):
        raise ValueError(f"amount '{raw}' has a comma that is not a thousands separator (a decimal comma?); "
                         "expected pounds with a decimal point such as 1234.56 or 1,234.56")
    negative = False
    body = _AMOUNT_NOISE.sub("", raw)
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body.upper().endswith("CR"):
        negative, body = True, body[:-2]
    if body.startswith("-"):
        negative, body = not negative, body[1:]
    elif body.endswith("-"):
        negative, body = not negative, body[:-1]
    body = body.lstrip("+")
    if not _AMOUNT_NUMBER.match(body):
        raise ValueError(f"amount '{raw}' is not a number; expected pounds such as 1234.56 or -£2,520.00")
    try:
        value = Decimal(body)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only valid decimals
        raise ValueError(f"amount '{raw}' is not a number") from exc
    too_large = ValueError(f"amount '{raw}' is too large: amounts are stored up to 9999999999999999.99 pounds")
    if value >= AMOUNT_LIMIT:  # before rounding, which a 29-digit number would overflow
        raise too_large
    pennies = value.quantize(PENNY, rounding=ROUND_HALF_UP)
    if abs(pennies - value) > FLOAT_ARTEFACT_TOLERANCE:
        raise ValueError(f"amount '{raw}' has a fraction of a penny; expected pounds and pence")
    if pennies >= AMOUNT_LIMIT:
        raise too_large
    return -pennies if negative else pennies


REDACTION_PATTERN = (
    r"\bredact(ed|ion)?\b|withheld|personal\s+(data|information|details)|commercial(ly)?\s+(in\s*)?confiden|"
    r"not\s+disclosed|data\s+protection|\bdp\s+act\b"
)
_REDACTION = re.compile(REDACTION_PATTERN, re.IGNORECASE)


def is_redaction(text: str) -> bool:
    """`REDACTED UNDER DP ACT`, `Redacted Personal Information`, `REDACTED - Personal Information`, ..."""
    return bool(_REDACTION.search(text))


# Values a council writes in a date column for an aggregated row that has no single date.
NO_SINGLE_DATE = frozenset({"VARIOUS", "MULTIPLE", "VARIOUS DATES"})

_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"], start=1)}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", re.ASCII)
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$", re.ASCII)
_NAMED_MONTH = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4}|\d{2})$", re.ASCII)
_FISCAL_PERIOD = re.compile(r"^(\d{4})(\d{2})$", re.ASCII)
# A month with no day (`Sep 2014`, `September-2014`): Stockport's Clearing Date.
_MONTH_ONLY = re.compile(r"^([A-Za-z]{3,9})[ -](\d{4})$", re.ASCII)

DATE_ORDERS = ("dmy", "mdy")


class AmbiguousDateOrderError(ValueError):
    """Every numeric date in the column reads both as day/month and month/day."""


@dataclass(frozen=True)
class DateFormat:
    """How one file writes its dates: `iso`, `dmy`, `mdy`, `named` (`14-Jan-2011`), `fiscal` (`202205`)."""

    style: str
    sample: str

    def describe(self) -> str:
        return {
            "iso": "yyyy-mm-dd",
            "dmy": "dd/mm/yyyy (day first)",
            "mdy": "mm/dd/yyyy (month first)",
            "named": "dd-Mon-yyyy or dd-Mon-yy",
            "fiscal": "YYYYPP financial-year period (period 1 = April)",
            "month": "Mon yyyy (a month, no day)",
        }[self.style]


def _year(text: str) -> int:
    # Two-digit years are read as 20yy: spend publication began in 2010 (Commonweal default).
    return 2000 + int(text) if len(text) == 2 else int(text)


def fiscal_period_start(year: int, period: int) -> dt.date:
    """Period `p` of financial year `year`/`year+1` -> the first day of its month.

    UK local authorities' financial year runs from 1 April to 31 March (Interpretation Act 1978, Schedule 1,
    "financial year"; Local Government Finance Act 1992), so period 1 is April and `202205` is August 2022.
    """
    if not 1 <= period <= 12:
        raise ValueError(f"period {year}{period:02d} is not a month of a financial year (periods run 01..12)")
    month = (period + 2) % 12 + 1
    return dt.date(year if month >= 4 else year + 1, month, 1)


def detect_date_format(values: Iterable[str], stated_order: str | None = None) -> DateFormat | None:
    """Decide one date format for a whole column, never guessing between day/month and month/day.

    Returns None when the column holds no dates at all. Raises AmbiguousDateOrderError when every numeric
    date could be read either way (and the order was not stated), ValueError when the column mixes orders.
    """
    styles: dict[str, str] = {}
    day_first = month_first = False
    numeric_sample = ""
    for value in values:
        text = value.strip()
        if not text or text.upper() in NO_SINGLE_DATE:
            continue
        if _ISO.match(text):
            styles.setdefault("iso", text)
        elif match := _NUMERIC.match(text):
            styles.setdefault("numeric", text)
            numeric_sample = numeric_sample or text
            first, second = int(match[1]), int(match[2])
            day_first |= first > 12
            month_first |= second > 12
        elif _NAMED_MONTH.match(text):
            styles.setdefault("named", text)
        elif _FISCAL_PERIOD.match(text):
            styles.setdefault("fiscal", text)
        elif (match := _MONTH_ONLY.match(text)) and match[1][:3].lower() in _MONTHS:
            styles.setdefault("month", text)
    if not styles:
        return None
    if "numeric" in styles:
        if day_first and month_first:
            raise ValueError(
                f"dates mix day-first and month-first orders (e.g. {numeric_sample}); fix the file or state "
                "the order with --date-order")
        if stated_order:
            order = stated_order
        elif day_first:
            order = "dmy"
        elif month_first:
            order = "mdy"
        else:
            raise AmbiguousDateOrderError(
                f"every date (e.g. {numeric_sample}) reads both as day/month and month/day; state the order "
                "with --date-order dmy (or mdy), or `date_order: dmy` in the --column-map file")
        return DateFormat(order, styles["numeric"])
    style = next(iter(styles))  # the first style seen leads; ISO cells parse in any file
    return DateFormat(style, styles[style])


def parse_date(text: str, fmt: DateFormat) -> dt.date:
    """Parse one cell in the file's detected format; ISO cells are accepted in any file."""
    value = text.strip()
    try:
        if match := _ISO.match(value):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if fmt.style in DATE_ORDERS and (match := _NUMERIC.match(value)):
            a, b = int(match[1]), int(match[2])
            day, month = (a, b) if fmt.style == "dmy" else (b, a)
            return dt.date(_year(match[3]), month, day)
        if match := _NAMED_MONTH.match(value):
            named = _MONTHS.get(match[2][:3].lower())
            if named is not None:
                return dt.date(_year(match[3]), named, int(match[1]))
        if fmt.style == "fiscal" and (match := _FISCAL_PERIOD.match(value)):
            return fiscal_period_start(int(match[1]), int(match[2]))
        if fmt.style == "month" and (match := _MONTH_ONLY.match(value)) and match[1][:3].lower() in _MONTHS:
            return dt.date(int(match[2]), _MONTHS[match[1][:3].lower()], 1)
    except ValueError as exc:
        raise ValueError(f"date '{value}' is not a real date") from exc
    raise ValueError(f"date '{value}' is not a date in this file's format, {fmt.describe()} (e.g. {fmt.sample})")


def looks_like_date(text: str) -> bool:
    """Whether a cell reads as a date in any notation the reader knows (evidence for finding the date column)."""
    value = text.strip()
    if _ISO.match(value) or _NUMERIC.match(value) or _FISCAL_PERIOD.match(value):
        return True
    if named := _NAMED_MONTH.match(value):
        return named[2][:3].lower() in _MONTHS
    month = _MONTH_ONLY.match(value)
    return month is not None and month[1][:3].lower() in _MONTHS
