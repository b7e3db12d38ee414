"""Read a small CSV or XLSX table (a tender's bids, scores, accounts, returns...) into rows that remember where
they came from, and parse their fields strictly.

This is for files Commonweal defines the layout of. Published council spend files, with their preambles and
encodings, have their own tolerant reader in the spend ingest.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from commonweal.io.errors import ProblemCollector

TABLE_SUFFIXES = (".csv", ".xlsx")


def normalise_header(name: object) -> str:
    """`' Bidder Name '` -> `bidder_name`: headers are matched case- and spacing-insensitively."""
    text = "" if name is None else str(name)
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


@dataclass(frozen=True)
class Row:
    """One data row: `number` is the spreadsheet row (header = 1), `values` maps normalised headers to text."""

    file: str
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass
class Table:
    file: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def find_table(folder: Path, stem: str) -> Path | None:
    """The `stem.csv` or `stem.xlsx` in `folder`; both present is ambiguous and refused."""
    found = [folder / f"{stem}{suffix}" for suffix in TABLE_SUFFIXES if (folder / f"{stem}{suffix}").exists()]
    if len(found) > 1:
        problems = ProblemCollector()
        problems.add(str(found[0]), f"both {found[0].name} and {found[1].name} exist; keep only one")
        problems.raise_if_any()
    return found[0] if found else None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # openpyxl gives floats for numeric cells; repr keeps the shortest exact decimal form
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def _raw_rows(path: Path) -> Iterator[list[str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield [_cell_text(v) for v in values]
        finally:
            workbook.close()
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.reader(handle)


def read_table(
    path: Path,
    required: Sequence[str],
    label: str | None = None,
) -> Table:
    """Read `path` (CSV in UTF-8, or the first sheet of an XLSX), insisting on the `required` columns.

    Unknown extra columns are kept (later issues extend layouts). Blank rows are skipped, not counted as data.
    Raises InputError naming the file, row and column for a missing column or an unreadable file.
    """
    name = label or path.name
    problems = ProblemCollector()
    try:
        raw = _raw_rows(path)
        header = next(raw, None)
    except (UnicodeDecodeError, OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        # a file that is not the spreadsheet its name says (a broken or renamed .xlsx) is a bad input, not a fault
        problems.add(name, f"cannot be read as {path.suffix.lstrip('.').upper()}: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    if header is None:
        problems.add(name, f"is empty; expected a header row with columns {', '.join(required)}")
        problems.raise_if_any()
    columns = [normalise_header(h) for h in header or []]
    for wanted in required:
        if wanted not in columns:
            problems.add(name, f"missing column; expected columns {', '.join(required)}", row=1, column=wanted)
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            problems.add(name, "appears twice in the header", row=1, column=column)
        seen.add(column)
    problems.raise_if_any()
    table = Table(file=name, columns=columns)
    try:
        for number, values in enumerate(raw, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
                problems.add(name, f"has {len(values)} cells but the header has {len(columns)}", row=number)
                continue
            table.rows.append(Row(file=name, number=number, values=dict(zip(columns, values, strict=False))))
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.add(name, f"cannot be read: {exc}", row=len(table.rows) + 2)
    problems.raise_if_any()
    return table


_MONEY = re.compile(r"^(?P<sign>-)?£?(?P<number>\d{1,3}(,\d{3})+|\d+)(?P<fraction>\.\d{1,2})?$")


def parse_money(text: str) -> Decimal | None:
    """`'£1,234.50'` -> `Decimal('1234.50')`; None when the text is not an amount in pounds and pence."""
    match = _MONEY.match(text.strip().replace(" ", ""))
    if not match:
        return None
    number = match["number"].replace(",", "") + (match["fraction"] or "")
    value = Decimal(number)
    return -value if match["sign"] else value


def parse_pounds(text: str) -> Decimal | None:
    """An amount in pounds to any number of places (`'£1,234.5678'` -> `Decimal('1234.5678')`), for per-unit values
    and accounts figures that are not payments; None when the text is not a number."""
    return parse_decimal(text.replace("£", "").replace(",", ""))


def parse_decimal(text: str) -> Decimal | None:
    """A plain decimal number (`'3'`, `'2.5'`, `'-0.25'`); None when the text is anything else."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_iso_date(text: str) -> dt.date | None:
    """Only ISO 8601 `YYYY-MM-DD`: Commonweal's own files never leave dd/mm versus mm/dd to a guess."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
