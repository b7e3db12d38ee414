"""Tables people open in spreadsheet programs (CSV and XLSX), with formula injection neutralised.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by Excel,
LibreOffice or Google Sheets (OWASP, "CSV Injection"). Such text is written with a leading apostrophe so it shows
as typed and never runs. Numbers (Decimal, int) and dates are written as values, so a negative amount stays a
number. CSV is UTF-8 with a byte order mark, so Excel reads £ and accents correctly.

Two shapes of input, one writer: `csv_bytes` / `xlsx_bytes` take a header and row sequences (the web app streams
them as downloads); `write_csv` / `write_xlsx` / `write_table` take records (mappings) and write a file atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`'=HYPERLINK(...)'` -> `"'=HYPERLINK(...)"`; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers and dates stay values, lists are joined, text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float | dt.date) and not isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    return neutralise(str(value))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31]
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        # openpyxl would store a str starting with "=" as a formula; _cell() has prefixed those already
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: a reader never sees half a file."""
    temp = path.with_name(f".{path.name}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    names = _columns(rows, columns)
    _write_atomically(path, csv_bytes(names, ([row.get(n) for n in names] for row in rows)))


def write_xlsx(
    path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, sheet: str = "data"
) -> None:
    names = _columns(rows, columns)
    _write_atomically(path, xlsx_bytes(sheet, names, ([row.get(n) for n in names] for row in rows)))


def write_table(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    """CSV or XLSX by the file's suffix."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, rows, columns)
    else:
        write_csv(path, rows, columns)
