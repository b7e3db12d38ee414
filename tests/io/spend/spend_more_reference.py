"""The expected figures for `shared/data/spend-more/`, computed independently of the importer.

Written from the folder's manifest alone (its encoding, header line, header text and amount column for each
file), with the csv module and python-calamine read directly and the amount cleaned with plain string
operations: nothing here comes from `commonweal.io`. A data row is a row under a header whose amount cell holds
a number; a row whose cells are the header again (a header part-way down) starts a new block, whose amount
column is found by its name in that row. Run it to print the figures: `python tests/io/spend/spend_more_reference.py
../shared/data/spend-more`.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


@dataclass(frozen=True)
class Expected:
    rows: int
    total: Decimal


def manifest(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def _amount(cell: object) -> Decimal | None:
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return Decimal(repr(cell)).quantize(Decimal("0.01"))
    text = str(cell).replace("£", "").replace(",", "").replace(" ", "").strip()
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if not _NUMBER.match(text):
        return None
    value = Decimal(text)
    return -value if negative else value


def _rows(path: Path, facts: dict[str, str]) -> list[list[object]]:
    if facts["format"] in ("XLS", "XLSX"):
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        return [list(r) for name in workbook.sheet_names
                for r in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)]
    encoding = facts["encoding"]
    codec = "cp1252" if encoding.startswith("cp1252") else "utf-8-sig"
    return [list(r) for r in csv.reader(io.StringIO(path.read_bytes().decode(codec), newline=""))]


def expected(path: Path, facts: dict[str, str]) -> Expected:
    """Rows with an amount, and their total, under the manifest's amount column (found again by name under every
    header row that names it and the supplier column)."""
    amount_name = facts["amount_column"].split(" (")[0].strip()  # "Amount (column F, then column E ...)"
    supplier_name = facts["supplier_column"].strip()
    rows = _rows(path, facts)
    start = int(facts["header_line_index"].split()[0].rstrip(","))
    column = None
    count, total = 0, Decimal(0)
    for row in rows[start:]:
        texts = [str(c).strip() for c in row]
        if amount_name in texts and supplier_name in texts:
            column = texts.index(amount_name)
            continue
        if column is None or len(row) <= column:
            continue
        value = _amount(row[column])
        if value is not None:
            count += 1
            total += value
    return Expected(count, total)


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    for name, facts in sorted(manifest(folder).items()):
        figures = expected(folder / name, facts)
        print(f"{name}: {figures.rows} rows, £{figures.total:,.2f}")
