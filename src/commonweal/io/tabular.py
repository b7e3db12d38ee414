"""Read a small CSV or XLSX table (a tender's bids, scores, accounts, returns...) into rows that remember where
they came from, and parse their fields strictly.

This is for files Commonweal defines the layout of; the bytes come through `commonweal.io.structured` (size,
encoding, CSV strictness, XLSX zip checks, row/column/cell limits). Published council spend files, with their
preambles and encodings, have their own tolerant reader in the spend ingest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from commonweal.io.errors import InputError, Problem, ProblemCollector
from commonweal.io.structured import TABLE_SUFFIXES, Folder, csv_rows, exact_number, limits, read_bytes, xlsx_rows

__all__ = ["TABLE_SUFFIXES", "Row", "Table", "find_table", "normalise_header", "parse_decimal", "parse_iso_date",
           "parse_money", "parse_pounds", "parse_table", "read_table"]


def normalise_header(name: object) -> str:
    """`' Bidder Name '` -> `bidder_name`: headers are matched case- and spacing-insensitively."""
    text = "" if name is None else str(name)
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


class Row(NamedTuple):
    """One data row: `number` is the spreadsheet row (header = 1), `values` maps normalised headers to text.
    Immutable like a frozen dataclass, and built several times faster (a tender folder has tens of thousands)."""

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
    name = Folder.of(folder).find_table(stem)
    return folder / name if name is not None else None


def read_table(
    path: Path,
    required: Sequence[str],
    label: str | None = None,
) -> Table:
    """Read `path` (CSV, or the first sheet of an XLSX), insisting on the `required` columns; see `parse_table`."""
    name = label or path.name
    return parse_table(name, read_bytes(path, name), required, suffix=path.suffix)


def parse_table(name: str, data: bytes, required: Sequence[str], suffix: str | None = None) -> Table:
    """Read a table from bytes (an upload, or a file's content): CSV, or the first sheet of an XLSX by `suffix`
    (default: the suffix of `name`), within the limits of `commonweal.io.structured`.

    Unknown extra columns are kept (later issues extend layouts). Blank rows are skipped, not counted as data. A
    CSV row with fewer or more fields than the header is refused with its row number, never shifted into other
    columns. Raises InputError naming the file, row and column for every problem.
    """
    problems = ProblemCollector()
    kind = (suffix or Path(name).suffix).lower()
    raw = xlsx_rows(name, data) if kind == ".xlsx" else csv_rows(name, data)
    header = next(raw, None)
    if header is None:
        problems.add(name, f"is empty; expected a header row with columns {', '.join(required)}")
        problems.raise_if_any()
    columns = [normalise_header(h) for h in header or []]
    while columns and not columns[-1]:  # spreadsheets pad the header with blank cells
        columns.pop()
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
    fields = len(header or [])
    cells, max_cells = 0, limits().max_cells
    for number, values in enumerate(raw, start=2):
        if not "".join(values).strip():  # a blank row (one join, not a test per cell)
            continue
        cells += len(values)
        if cells > max_cells:
            raise InputError([Problem(name, f"has more than {max_cells:,} cells (Commonweal default limit "
                                            "COMMONWEAL_INPUT_MAX_CELLS)", row=number)])
        if kind == ".xlsx":  # a grid cannot shift: only a value beyond the header's columns is a problem
            if any(v.strip() for v in values[len(columns) :]):
                problems.add(name, f"has a value in column {len(columns) + 1} or beyond, which has no header",
                             row=number)
                continue
        elif len(values) != fields:  # a CSV row that does not match the header would shift its fields
            why = "an unquoted comma or a stray field" if len(values) > fields else "a field is missing"
            problems.add(name, f"has {len(values)} fields but the header has {fields}: {why}; nothing in this "
                               "row was read", row=number)
            continue
        table.rows.append(Row(file=name, number=number, values=dict(zip(columns, values, strict=False))))
    problems.raise_if_any()
    return table


_MONEY = re.compile(r"^(?P<sign>-)?£?(?P<number>[0-9]{1,3}(,[0-9]{3})+|[0-9]+)(?P<fraction>\.[0-9]{1,2})?$", re.ASCII)


def parse_money(text: str) -> Decimal | None:
    """`'£1,234.50'` -> `Decimal('1234.50')`; None when the text is not an amount in pounds and pence (a decimal
    comma such as `1234,5` is refused, never read as a thousands separator)."""
    match = _MONEY.match(text.strip().replace(" ", ""))
    if not match:
        return None
    return exact_number(f"{match['sign'] or ''}{match['number']}{match['fraction'] or ''}", thousands=True)


def parse_pounds(text: str) -> Decimal | None:
    """An amount in pounds to any number of places (`'£1,234.5678'` -> `Decimal('1234.5678')`), for per-unit values
    and accounts figures that are not payments; None when the text is not a number. Commas must group thousands."""
    cleaned = text.strip()
    sign = "-" if cleaned.startswith("-") else ""
    return exact_number(sign + cleaned.removeprefix("-").removeprefix("£"), thousands=True)


def parse_decimal(text: str) -> Decimal | None:
    """A plain decimal number (`'3'`, `'2.5'`, `'-0.25'`); None for anything else, including `nan`, `inf`,
    exponents and numbers of more digits than Commonweal reads (`commonweal.io.structured.exact_number`)."""
    return exact_number(text)


def parse_iso_date(text: str) -> dt.date | None:
    """Only ISO 8601 `YYYY-MM-DD`: Commonweal's own files never leave dd/mm versus mm/dd to a guess."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
