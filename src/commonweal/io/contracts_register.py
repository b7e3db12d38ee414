"""A contracts register as councils publish it under the Local Government Transparency Code 2015 (Part 2,
"Procurement information": for each contract, agreement or order over £5,000, the reference number, title,
department responsible, description, supplier name and details, the sum to be paid over the contract (or the
estimated annual spending), VAT that cannot be recovered, start, end and review dates, whether it came from an
invitation to quote or to tender, and whether the supplier is an SME and/or a VCSE, with its registration
number). The field list is the Code's; the paragraph number is unverified here, so docs/contracts.md cites the
Part and heading.

One row per contract, CSV or XLSX, read through `commonweal.io.tabular` (so within `commonweal.io.structured`'s
bounds). Column names are ours (normalised, case- and spacing-insensitive); `kind` (goods, services or works)
and `frequency` (monthly or quarterly returns) are Commonweal's own columns, since the Code does not record
them and the modification and return rules need them. Every problem is raised together, naming file, row and
column; a file with any problem yields nothing, so nothing partial is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.contracts.model import ContractKind, Frequency
from commonweal.io.errors import ProblemCollector
from commonweal.io.tabular import Row, parse_iso_date, parse_money, parse_table

REQUIRED = ("reference", "title", "department", "supplier", "value", "start_date", "end_date", "kind")
OPTIONAL = (
    "description",
    "supplier_registration_number",
    "irrecoverable_vat",
    "review_date",
    "procedure",
    "sme",
    "vcse",
    "frequency",
)
MAX_TEXT = 300  # Commonweal default: the register's short fields fit the workspace's columns


@dataclass(frozen=True)
class RegisterRow:
    row: int
    reference: str
    title: str
    description: str
    department: str
    supplier: str
    supplier_identifier: str
    value: Decimal
    irrecoverable_vat: Decimal | None
    start: dt.date
    end: dt.date
    review_date: dt.date | None
    procedure: str
    sme: bool
    vcse: bool
    kind: ContractKind
    frequency: Frequency


def _flag(row: Row, column: str, problems: ProblemCollector) -> bool:
    text = row.get(column).lower()
    if text in ("", "no", "n", "false"):
        return False
    if text in ("yes", "y", "true"):
        return True
    problems.add(row.file, f"expected yes or no, found '{row.get(column)}'", row=row.number, column=column)
    return False


def _date(row: Row, column: str, problems: ProblemCollector, required: bool = True) -> dt.date | None:
    text = row.get(column)
    if not text and not required:
        return None
    value = parse_iso_date(text)
    if value is None:
        # never guess day and month order: a published register's 03/04/2025 is refused, not read
        problems.add(row.file, f"expected a date as YYYY-MM-DD, found '{text}'", row=row.number, column=column)
    return value


def _money(row: Row, column: str, problems: ProblemCollector, required: bool = True) -> Decimal | None:
    text = row.get(column)
    if not text and not required:
        return None
    value = parse_money(text)
    if value is None or value < 0:
        problems.add(
            row.file,
            f"expected an amount in pounds of 0 or more such as 125000.00, found '{text}'",
            row=row.number,
            column=column,
        )
        return None
    return value


def read_register(name: str, data: bytes) -> tuple[RegisterRow, ...]:
    """Every row of an uploaded register, checked; InputError (every problem) when any row is bad."""
    table = parse_table(name, data, REQUIRED)
    problems = ProblemCollector()
    for column in table.columns:
        if column and column not in REQUIRED + OPTIONAL:
            problems.add(
                name, "is not a register column; expected " + ", ".join(REQUIRED + OPTIONAL), row=1, column=column
            )
    rows: list[RegisterRow] = []
    seen: dict[str, int] = {}
    for row in table:
        before = len(problems.problems)
        texts = {
            c: row.get(c)
            for c in (
                "reference",
                "title",
                "department",
                "supplier",
                "description",
                "supplier_registration_number",
                "procedure",
            )
        }
        for column in ("reference", "title", "supplier"):
            if not texts[column]:
                problems.add(name, "expected a value, found an empty cell", row=row.number, column=column)
        for column, text in texts.items():
            if len(text) > MAX_TEXT and column != "description":
                problems.add(
                    name, f"expected at most {MAX_TEXT} characters, found {len(text)}", row=row.number, column=column
                )
        if texts["reference"] in seen:
            problems.add(
                name,
                f"reference '{texts['reference']}' is also on row {seen[texts['reference']]}",
                row=row.number,
                column="reference",
            )
        seen.setdefault(texts["reference"], row.number)
        value = _money(row, "value", problems)
        vat = _money(row, "irrecoverable_vat", problems, required=False)
        start, end = _date(row, "start_date", problems), _date(row, "end_date", problems)
        review = _date(row, "review_date", problems, required=False)
        if start and end and end < start:
            problems.add(
                name, f"expected the end date on or after the start date {start}", row=row.number, column="end_date"
            )
        kind = next((k for k in ContractKind if k.value == row.get("kind").lower()), None)
        if kind is None:
            problems.add(
                name,
                f"expected one of goods, services, works, found '{row.get('kind')}'",
                row=row.number,
                column="kind",
            )
        frequency_text = row.get("frequency").lower() or Frequency.QUARTERLY.value  # Commonweal default
        frequency = next((f for f in Frequency if f.value == frequency_text), None)
        if frequency is None:
            problems.add(
                name,
                f"expected monthly or quarterly, found '{row.get('frequency')}'",
                row=row.number,
                column="frequency",
            )
        sme, vcse = _flag(row, "sme", problems), _flag(row, "vcse", problems)
        if len(problems.problems) > before:
            continue
        assert value is not None and start and end and kind and frequency
        rows.append(
            RegisterRow(
                row.number,
                texts["reference"],
                texts["title"],
                texts["description"],
                texts["department"],
                texts["supplier"],
                texts["supplier_registration_number"],
                value,
                vat,
                start,
                end,
                review,
                texts["procedure"],
                sme,
                vcse,
                kind,
                frequency,
            )
        )
    if not table.rows:
        problems.add(name, "has no contracts: expected one row per contract under the header")
    problems.raise_if_any()
    return tuple(rows)
