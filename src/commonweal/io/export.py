"""Write tables people open in spreadsheet programs (CSV and XLSX), with formula injection neutralised.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by Excel,
LibreOffice or Google Sheets (OWASP, "CSV Injection"). Such text is written with a leading apostrophe so it shows
as typed and never runs. Numbers (Decimal, int) are written as numbers, so negative amounts stay numeric.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

Cell = str | int | Decimal | date | None

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Cell) -> Cell:
    """Text that a spreadsheet would treat as a formula gets a leading apostrophe; other values pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 CSV with a byte order mark, so Excel reads £ and accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31]
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        # openpyxl would store a str starting with "=" as a formula; neutralise() has prefixed those already.
        sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
