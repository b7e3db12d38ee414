"""CSV and XLSX exports that are safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by Excel,
LibreOffice or Google Sheets (CSV injection). Following OWASP's CSV Injection guidance, such text cells are
prefixed with a single quote so they display as text. Numbers (Decimal, int) are written as numbers, so a
negative amount stays a number rather than being quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`'=HYPERLINK(...)'` -> `"'=HYPERLINK(...)"`; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _replace_atomically(path: Path, write: Any) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    names = _columns(rows, columns)

    def write(target: Path) -> None:
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([neutralise(n) for n in names])
            for row in rows:
                writer.writerow([neutralise(_text(row.get(n))) for n in names])

    _replace_atomically(path, write)


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal | int | float | dt.date) and not isinstance(value, bool):
        return value
    return neutralise(str(_text(value)))


def write_xlsx(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None,
               sheet: str = "data") -> None:
    from openpyxl import Workbook

    names = _columns(rows, columns)
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet[:31]
    worksheet.append([neutralise(n) for n in names])
    for row in rows:
        worksheet.append([_cell(row.get(n)) for n in names])
    _replace_atomically(path, workbook.save)


def write_table(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    """CSV or XLSX by the file's suffix."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, rows, columns)
    else:
        write_csv(path, rows, columns)
