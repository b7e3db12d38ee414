"""The tolerant reader of council spend files as councils publish them (Local Government Transparency Code 2015).

It reads CSV and XLSX in UTF-8 (with a BOM, even a double-encoded one) or Windows-1252, skips report
preambles, maps header synonyms, drops marker columns (`INSERTED DETAIL`), parses amounts and dates exactly, and
accounts for every row: rows read = rows loaded + rows rejected, each rejection with its file, row, column and
reason. A file that cannot be understood as a whole raises `InputError` and yields nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from commonweal.io.errors import InputError, ProblemCollector
from commonweal.io.spend.layout import ColumnMap, Layout, detect_layout, is_header_row
from commonweal.io.spend.values import (
    NO_SINGLE_DATE,
    DateFormat,
    detect_date_format,
    is_redaction,
    parse_amount,
    parse_date,
)

# Cells a council writes for "no value": treated as blank in identifier and flag columns.
PLACEHOLDERS = frozenset({"", "N/A", "NA", "#N/A", "-", "NONE", "NULL", "NIL", "0", "NOT YET AVAILABLE"})
# Values of a contracts register that say "not stated" (framework call-offs, contracts still being let).
UNSTATED = PLACEHOLDERS | NO_SINGLE_DATE | {"TBC", "TBA", "X", "N/K", "UNKNOWN"}
_SPACES = re.compile(r"\s+")
TOTAL_ROW_PATTERN = r"^(grand\s+)?totals?\b"
_TOTAL_ROW = re.compile(TOTAL_ROW_PATTERN, re.IGNORECASE)
_TOTAL_ONLY = re.compile(r"^(grand\s+)?totals?\s*:?$", re.IGNORECASE)
_C1 = re.compile("[\x80-\x9f]")
DOUBLE_ENCODED_BOM = "ï»¿"


# A multi-byte UTF-8 character. Text in Windows-1252 almost never holds one (it would need, say, `Ã` then `©`).
_UTF8_CHARACTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Byte-order marks at the start, a UTF-8 one and double-encoded ones (`without_boms`), which any file may carry.
_LEADING_BOMS = re.compile(rb"(?:\xef\xbb\xbf|\xc3\xaf\xc2\xbb\xc2\xbf)*")


class MixedEncodingError(ValueError):
    """A file that is not UTF-8 but holds UTF-8 characters: two encodings in one file."""

    def __init__(self, bad_line: int, byte: int, utf8_line: int):
        self.line = bad_line
        super().__init__(
            f"mixes two encodings: byte 0x{byte:02X} on line {bad_line} is not UTF-8, yet line {utf8_line} holds "
            "UTF-8 text; read either way, some names would be garbled, so it is refused. Save the file again "
            "in one encoding (UTF-8) and import it again")


def text_encoding(chunks: Iterable[bytes]) -> str:
    """The one encoding of a file's bytes (given in order, in any chunks), decided on the whole file: `utf-8`
    when every byte is valid UTF-8; otherwise Windows-1252, the encoding of Excel on Windows in which most older
    files were saved (Latin-1 when it has bytes Windows-1252 leaves undefined). A file that is not UTF-8 but holds
    UTF-8 characters mixes the two and raises MixedEncodingError, rather than being decoded wrongly in part."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    bad: tuple[int, int] | None = None  # (line, byte) of the first byte that is not UTF-8
    first_utf8: int | None = None  # line of the first UTF-8 character
    cp1252 = True
    lines, tail, start = 1, b"", None
    for chunk in chunks:
        if bad is None:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError as exc:  # `exc.object` starts with any bytes held back from the last chunk
                bad = (lines + exc.object.count(b"\n", 0, exc.start), exc.object[exc.start])
        if first_utf8 is None:
            # the last 3 bytes of the chunk before are searched again, so a character split between chunks counts
            window = tail + chunk
            if start is None:  # BOMs are dropped whatever the encoding: not evidence of UTF-8 text
                start = _LEADING_BOMS.match(window).end()  # type: ignore[union-attr]
            if found := _UTF8_CHARACTER.search(window, start):
                first_utf8 = lines - tail.count(b"\n") + window.count(b"\n", 0, found.start())
        cp1252 = cp1252 and not any(b in chunk for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))
        lines += chunk.count(b"\n")
        tail, start = chunk[-3:], 0
    if bad is None:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = (lines, tail[-1])
    if bad is None:
        return "utf-8"
    if first_utf8 is not None:
        raise MixedEncodingError(bad[0], bad[1], first_utf8)
    return "cp1252" if cp1252 else "latin-1"


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name), in the one encoding `text_encoding` finds (the UTF-8 BOM dropped)."""
    encoding = text_encoding([data])
    text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    return without_boms(text, encoding)


def without_boms(text: str, encoding: str) -> tuple[str, str]:
    """Decoded text without its byte-order marks, and the encoding's name, noting a BOM that was encoded twice
    (`ï»¿`: a UTF-8 BOM read as Windows-1252 and saved again)."""
    text = text.lstrip("\ufeff")
    while text.startswith(DOUBLE_ENCODED_BOM):
        text, encoding = text[len(DOUBLE_ENCODED_BOM):].lstrip("\ufeff"), f"{encoding} (double-encoded BOM)"
    return text, encoding


def _c1_to_cp1252(match: re.Match[str]) -> str:
    # A C1 control inside UTF-8 text is a Windows-1252 character decoded as Latin-1 somewhere upstream.
    try:
        return match[0].encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:
        return ""


def clean_text(value: str) -> str:
    """Trim, turn non-breaking spaces and runs of whitespace into one space, and repair C1 characters."""
    return _SPACES.sub(" ", _C1.sub(_c1_to_cp1252, value.replace("\xa0", " "))).strip()


@dataclass(frozen=True)
class SpendRecord:
    """One loaded row, normalised. `amount` is exact pounds; `period` is the first day of the month paid."""

    source_file: str
    source_row: int
    council: str
    kind: str
    date: dt.date | None
    period: dt.date | None
    amount: Decimal | None  # None only on a contracts register that states no value
    supplier_name: str
    supplier_redacted: bool
    supplier_id: str = ""
    company_number: str = ""
    charity_number: str = ""
    vat_number: str = ""
    postcode: str = ""
    service_area: str = ""
    expense_type: str = ""
    expense_code: str = ""
    description: str = ""
    transaction_id: str = ""
    council_supplier_type: str = ""
    council_vcse_flag: str = ""
    council_sme_flag: str = ""
    total_value: Decimal | None = None
    end_date: dt.date | None = None
    flags: str = ""


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str | None
    reason: str
    sheet: str = ""  # a workbook's sheet; rows are numbered within it

    def as_dict(self) -> dict[str, Any]:
        place = {"sheet": self.sheet} if self.sheet else {}
        return {"row": self.row, "column": self.column, "reason": self.reason, **place}


@dataclass
class ImportReport:
    """What one import did. rows_read = rows_loaded + rows_rejected, always."""

    file: str
    sha256: str
    council: str
    kind: str
    encoding: str
    header_row: int
    mapping: dict[str, str]
    ignored_columns: list[str]
    date_format: str
    confidence: dict[str, str] = field(default_factory=dict)  # field -> how sure the mapping is, and why
    # each block read: a sheet, or a part of a sheet under a header that changed part-way down
    blocks: list[dict[str, Any]] = field(default_factory=list)
    stated_period: dt.date | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    total_amount: Decimal = Decimal("0.00")
    date_first: dt.date | None = None
    date_last: dt.date | None = None
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "sha256": self.sha256, "council": self.council, "kind": self.kind,
            "encoding": self.encoding, "header_row": self.header_row, "mapping": self.mapping,
            "ignored_columns": self.ignored_columns, "date_format": self.date_format,
            "confidence": self.confidence, "blocks": self.blocks,
            "stated_period": self.stated_period.isoformat() if self.stated_period else None,
            "rows_read": self.rows_read, "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
            "rejections": [dict(r.as_dict(), file=self.file) for r in self.rejections],
            "warnings": [dict(r.as_dict(), file=self.file) for r in self.warnings],
            "total_amount": str(self.total_amount),
            "date_first": self.date_first.isoformat() if self.date_first else None,
            "date_last": self.date_last.isoformat() if self.date_last else None,
            "flag_counts": dict(sorted(self.flag_counts.items())),
        }


@dataclass
class SpendFile:
    report: ImportReport
    records: list[SpendRecord]


def read_tables(path: Path, data: bytes) -> tuple[list[tuple[str, list[list[str]]]], str]:
    """The file's tables: every sheet of a workbook, or the one table of a CSV (sheet name ""), and the encoding."""
    from commonweal.io.structured import EXCEL_MAX_ROWS, WORKBOOK_SUFFIXES, limits, workbook_sheets

    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return workbook_sheets(path.name, data, limits(max_rows=EXCEL_MAX_ROWS)), path.suffix.lower().lstrip(".")
    if data.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or b"\x00" in data[:4096]:
        raise ValueError("is not a text (CSV) file: it holds binary data (a PDF, a workbook or a document renamed "
                         f"{path.suffix or 'without a suffix'}?); export the spend data as CSV, XLSX, XLS or ODS")
    text, encoding = decode(data)
    return [("", list(csv.reader(io.StringIO(text, newline=""))))], encoding


# Bytes of a CSV looked at by `table_problem` (Commonweal default).
SNIFF_BYTES = 65_536


def table_problem(name: str, data: bytes) -> str | None:
    """Why a file cannot be a spend table at all, judged quickly before it is queued for import (a workbook's
    container, a text file's first rows), or None. The import itself judges the rest."""
    from commonweal.io.structured import WORKBOOK_SUFFIXES, check_zip

    suffix = Path(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        if suffix == ".xls":
            return None if data.startswith(b"\xd0\xcf\x11\xe0") else "is not an Excel 97-2003 (.xls) workbook"
        try:
            check_zip(name, data, kind="ods" if suffix == ".ods" else "xlsx")
        except InputError as exc:
            return exc.problems[0].message
        return None
    head = data[:SNIFF_BYTES]
    if head.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or b"\x00" in head:
        return ("is not a text (CSV) file: it holds binary data (a PDF, a workbook or a document renamed "
                f"{suffix or 'without a suffix'}?)")
    text = head.decode("utf-8", errors="replace")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if sum(1 for c in r if c.strip()) >= 2][:3]
    if len(rows) < 2:
        return "is not a table: its first lines do not hold rows of comma-separated values"
    return None


@dataclass(frozen=True)
class Block:
    """Rows of one sheet read under one header: `rows[start:end]` of the sheet, whose row numbers are 1-based."""

    sheet: str
    layout: Layout
    rows: Sequence[Sequence[str]]
    start: int
    end: int


_NUMBER_START = re.compile(r"^[\s£(+-]*[0-9.]")


def blocks(file: str, sheet: str, rows: Sequence[Sequence[str]], layout: Layout, stated: ColumnMap,
           problems: ProblemCollector) -> list[Block]:
    """Split a sheet at every header part-way down it: the same header again is left in the block (its row is
    refused as a repeated header), a changed one starts a block read by its own columns (Lancashire Fire's
    2022/23 workbook moves Amount from column F to E at row 2745)."""
    found: list[Block] = []
    amount = layout.columns["amount"]
    begin = layout.header_index + 1
    for index in range(begin, len(rows)):
        cells = rows[index]
        cell = cells[amount] if len(cells) > amount else ""
        if _NUMBER_START.match(cell) or not is_header_row(cells):
            continue
        if tuple(c.strip() for c in cells) == layout.headers:
            continue
        found.append(Block(sheet, layout, rows, begin, index))
        where = f"{file} [{sheet}]" if sheet else file
        changed = detect_layout(where, rows, ColumnMap(kind=stated.kind, council=stated.council,
                                                       period=stated.period), problems, header_index=index)
        if changed is None:
            return []
        return found + blocks(file, sheet, rows, changed, stated, problems)
    return [*found, Block(sheet, layout, rows, begin, len(rows))]


def read_spend_file(
    path: Path,
    column_map: ColumnMap | None = None,
    date_order: str | None = None,
    council: str | None = None,
    progress: Callable[[int], None] | None = None,
    period: dt.date | None = None,
) -> SpendFile:
    """Read one published spend, card, grants-register or contracts-register file: a CSV, or every sheet of a
    workbook (a sheet with no spend header, such as a notes sheet, is skipped and named in the report).

    Raises InputError (nothing returned, nothing saved) when the file as a whole cannot be read: not a table, no
    header, no amount/supplier/date column, columns that could each be the amount (or supplier, or date), a date
    order that cannot be told from the data, or a date column with no date when no period is stated. Row-level
    problems become rejections in the report. `period` (the first day of a month) dates rows that have no usable
    date, each flagged `period_stated`: never guessed.
    """
    name = path.name
    stated = column_map or ColumnMap()
    period = stated.period or period
    problems = ProblemCollector()
    try:
        data = path.read_bytes()
        sheets, encoding = read_tables(path, data)
    except MixedEncodingError as exc:
        problems.add(name, str(exc), row=exc.line)
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    except (OSError, ValueError, csv.Error) as exc:
        problems.add(name, f"cannot be read as a spend file: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    parts: list[Block] = []
    skipped: list[str] = []
    for sheet, rows in sheets:
        where = f"{name} [{sheet}]" if sheet and len(sheets) > 1 else name
        found = ProblemCollector()
        layout = detect_layout(where, rows, stated, found)
        if layout is None and len(sheets) > 1 and not _must_stop(found):
            skipped.append(sheet)
            continue
        problems.problems.extend(found.problems)
        if layout is not None:
            parts += blocks(name, sheet, rows, layout, stated, problems)
    if not parts and not problems.problems:
        problems.add(name, "no sheet holds a spend table (a header naming an amount and a supplier)")
    problems.raise_if_any()
    formats = []
    for part in parts:
        layout = part.layout
        body = part.rows[part.start:part.end]
        date_column = "date" if "date" in layout.columns or "period" not in layout.columns else "period"
        where = f"{name} [{part.sheet}]" if part.sheet else name
        fmt = None
        if date_column in layout.columns:
            fmt = date_format(where, layout, date_column, _texts(body, layout.columns[date_column]),
                              order=stated.date_order or date_order, problems=problems)
            sample = next((t for t in _texts(body, layout.columns[date_column]) if t), "")
            if fmt is None and sample and period is None and not problems.problems:
                # cells, none of them a date (Oxford's `00:00:00`); a column of blanks rejects its rows one by one
                header = layout.headers[layout.columns[date_column]]
                problems.add(where, f"the date column '{header}' holds no date (e.g. {sample!r}): rows are never "
                                    "dated by guess; "
                                    "state the month the file covers (--period yyyy-mm, `period:` in the column "
                                    "map, or on the mapping screen)", row=layout.header_index + 1, column=header)
        end_fmt = None
        if "end_date" in layout.columns:
            end_fmt = date_format(where, layout, "end_date", _texts(body, layout.columns["end_date"]),
                                  order=stated.date_order or date_order, problems=problems)
        formats.append((date_column, fmt, end_fmt))
    problems.raise_if_any()
    first = parts[0].layout
    report = ImportReport(
        file=name, sha256=hashlib.sha256(data).hexdigest(), council="", kind=first.kind, encoding=encoding,
        header_row=first.header_index + 1, mapping=first.mapping(), ignored_columns=list(first.ignored),
        date_format=formats[0][1].describe() if formats[0][1] else "none", confidence=dict(first.confidence),
        stated_period=period,
    )
    report.blocks = [
        {"sheet": part.sheet, "header_row": part.layout.header_index + 1, "first_row": part.start + 1,
         "last_row": part.end, "mapping": part.layout.mapping(), "confidence": part.layout.confidence,
         "date_format": fmt.describe() if fmt else "none"}
        for part, (_, fmt, _) in zip(parts, formats, strict=True)
    ] + [{"sheet": sheet, "skipped": "no spend header in the sheet"} for sheet in skipped]
    loaded: list[SpendRecord] = []
    # Without a body-name column, the council is named by the file name up to its first `_` (`warwickshire_...`).
    fallback_council = stated.council or council or path.stem.split("_")[0].title()
    done = 0
    for part, (date_column, date_fmt, end_fmt) in zip(parts, formats, strict=True):
        layout = part.layout
        width = expected_fields(layout, part.rows[part.start:part.end]) if not part.sheet else None
        date_index = layout.columns.get(date_column)
        for index in range(part.start, part.end):
            cells = part.rows[index]
            report.rows_read += 1
            outcome = read_row(name, index + 1, cells, layout, date_index=date_index, date_column=date_column,
                               date_fmt=date_fmt, end_fmt=end_fmt, fallback_council=fallback_council,
                               warnings=report.warnings, width=width, stated_period=period)
            if isinstance(outcome, Rejection):
                if tuple(c.strip() for c in cells) == layout.headers:
                    outcome = Rejection(index + 1, None, "the header row again, not a payment")
                report.rejections.append(replace(outcome, sheet=part.sheet) if part.sheet else outcome)
            else:
                loaded.append(outcome)
            done += 1
            if progress and done % 5000 == 0:
                progress(5000)
    if progress:
        progress(done % 5000)
    summarise(report, loaded)
    return SpendFile(report=report, records=loaded)


def _must_stop(problems: ProblemCollector) -> bool:
    """Whether a sheet that gave no layout must stop the import: it failed for a reason other than holding no
    spend header (an ambiguous column, a stated header row out of range)."""
    return any(not p.message.startswith("no header row found") for p in problems.problems)


# Rows of the body whose field count sets the file's width (see `expected_fields`). Commonweal default.
WIDTH_SAMPLE_ROWS = 100


def expected_fields(layout: Layout, body: Sequence[Sequence[str]]) -> int:
    """How many fields each row of a CSV file must have: the header's, or more when more than half of the first
    rows have one same larger count (Newcastle's files carry an eleventh, unnamed column on every row). A row with
    another count is refused: an unquoted comma in a name would otherwise shift every later cell into the wrong
    column."""
    widths = [len(r) for r in body[:WIDTH_SAMPLE_ROWS] if any(c.strip() for c in r)]
    wider = [w for w in set(widths) if w > len(layout.headers) and widths.count(w) * 2 > len(widths)]
    return wider[0] if wider else len(layout.headers)


def _texts(body: Sequence[Sequence[str]], index: int) -> Iterator[str]:
    return (clean_text(r[index]) for r in body if len(r) > index)


def date_format(file: str, layout: Layout, column: str, texts: Iterable[str], *, order: str | None,
                problems: ProblemCollector) -> DateFormat | None:
    """The format of a date column from its cleaned texts in file order; when the order cannot be told or the
    column mixes orders (AmbiguousDateOrderError or ValueError), a problem naming the column, and None."""
    try:
        return detect_date_format(texts, order)
    except ValueError as exc:
        problems.add(file, str(exc), column=layout.headers[layout.columns[column]])
    return None


def payment_date(text: str, fmt: DateFormat | None) -> dt.date | None:
    """The date of one row: None for an aggregate row dated `VARIOUS`; ValueError, with the reason, for a
    blank date or one that is not a date in the file's format."""
    if not text:
        raise ValueError("date is blank; expected the date paid")
    if text.upper() in NO_SINGLE_DATE:
        return None
    return parse_date(text, fmt or DateFormat("iso", ""))


def _cells(cells: Sequence[str], layout: Layout) -> Iterator[tuple[int, str]]:
    for index, cell in enumerate(cells):
        if index not in layout.marker_columns:
            yield index, cell


def read_row(file: str, row: int, raw: Sequence[str], layout: Layout, *, date_index: int | None, date_column: str,
              date_fmt: DateFormat | None, end_fmt: DateFormat | None, fallback_council: str,
              warnings: list[Rejection], width: int | None = None, fields: int | None = None,
              stated_period: dt.date | None = None) -> SpendRecord | Rejection:
    """One row read, or its rejection. `width` is the field count every row of a CSV file must have (None for
    workbooks, whose cells cannot shift); `fields` the row's own count, when `raw` does not hold every field;
    `stated_period` the month the person stated for rows without a usable date (flagged `period_stated`)."""
    if any("\n" in cell or "\r" in cell for cell in raw):
        # a quote left open makes the csv module read on into the next line, joining two rows into one record
        return Rejection(row, None, "a quoted value runs over a line break: a quote left open may have joined this "
                                    "row to the next, so the record is refused rather than read joined")
    cells = {index: clean_text(cell) for index, cell in _cells(raw, layout)}
    if not any(cells.values()):
        return Rejection(row, None, "blank row: no values (spacer or filler row)")
    fields = len(raw) if fields is None else fields
    if width is not None and fields != width:
        return Rejection(row, None, f"the row has {fields} fields where the file's rows have {width}: a value "
                                    "with an unquoted comma (or a missing one) would shift the cells into the wrong "
                                    "columns, so the row is refused rather than read shifted")

    def get(name: str) -> str:
        index = layout.columns.get(name)
        return cells.get(index, "") if index is not None else ""

    header = layout.headers
    amount_text, date_text, supplier = get("amount"), get(date_column), get("supplier_name")
    # A total row names itself in a leading cell other than the supplier's (or is a supplier cell reading just
    # `Total`): a supplier called `TOTAL GAS & POWER LTD` is a payee, not a total.
    leading = [v for v in cells.values() if v][:3]
    if not date_text and any(_TOTAL_ROW.match(v) and (v != supplier or _TOTAL_ONLY.match(v)) for v in leading):
        return Rejection(row, None, f"a total row, not a payment (states {amount_text or 'no amount'})")
    # A contracts register describes agreements, not payments: a missing value or date leaves the contract
    # on the register (with a warning) where a payment without them would be refused.
    register = layout.kind == "contract"
    flags: list[str] = []
    amount: Decimal | None = None
    if register and amount_text.upper() in UNSTATED:
        flags.append("no_value")
    else:
        try:
            amount = parse_amount(amount_text)
        except ValueError as exc:
            return Rejection(row, header[layout.columns["amount"]], str(exc))
    date: dt.date | None = None
    date_header = header[date_index] if date_index is not None and date_index < len(header) else None
    month: dt.date | None = None
    try:
        date = payment_date(date_text, date_fmt)
    except ValueError as exc:
        if stated_period is not None:
            month = stated_period
            flags.append("period_stated")
        elif not register:
            return Rejection(row, date_header, f"{exc}" + ("" if date_text else "; or state the month for rows "
                                                          "without a date (--period yyyy-mm)"))
        elif date_text:
            warnings.append(Rejection(row, date_header, f"{exc}; loaded without a start date"))
    if date is not None and date_fmt is not None and date_fmt.style == "month" and date_column == "date":
        month, date = date, None  # the file states the month paid, not the day
        flags.append("month_only")
    if date is None and month is None:
        flags.append("undated")
    end_date = None
    end_text = get("end_date")
    if end_text and end_fmt and end_text.upper() not in UNSTATED:
        try:
            end_date = parse_date(end_text, end_fmt)
        except ValueError as exc:
            warnings.append(Rejection(row, header[layout.columns["end_date"]], f"{exc}; loaded without an end date"))
    total_value = None
    total_text = get("total_value")
    if total_text and total_text.upper() not in UNSTATED:
        try:
            total_value = parse_amount(total_text)
        except ValueError as exc:
            warnings.append(Rejection(row, header[layout.columns["total_value"]], f"{exc}; loaded without it"))
    redacted = is_redaction(supplier)
    if redacted:
        flags.append("redacted")
    elif not supplier:
        flags.append("no_supplier")
    elif supplier.upper() == "VARIOUS":
        flags.append("various")
    if amount is not None and amount < 0:
        flags.append("credit")
    if layout.kind == "card":
        flags.append("card")
    period = month or (date.replace(day=1) if date and date_column == "date" else date)
    if date_column == "period":
        date = None
    transaction = get("transaction_id")
    if get("sequence"):
        transaction = f"{transaction}/{get('sequence')}"

    def identifier(name: str) -> str:
        value = get(name)
        return "" if value.upper() in PLACEHOLDERS | {"VARIOUS"} else value

    return SpendRecord(
        source_file=file, source_row=row, council=get("council") or fallback_council, kind=layout.kind,
        date=date, period=period, amount=amount, supplier_name=supplier, supplier_redacted=redacted,
        supplier_id=identifier("supplier_id"), company_number=identifier("company_number"),
        charity_number=identifier("charity_number"), vat_number=identifier("vat_number"),
        postcode=identifier("postcode").upper(), service_area=get("service_area"),
        expense_type=get("expense_type"), expense_code=get("expense_code"), description=get("description"),
        transaction_id=transaction, council_supplier_type=get("council_supplier_type"),
        council_vcse_flag=get("council_vcse_flag"), council_sme_flag=get("council_sme_flag"),
        total_value=total_value, end_date=end_date, flags=",".join(flags),
    )


def summarise(report: ImportReport, loaded: Sequence[SpendRecord]) -> None:
    report.rows_loaded = len(loaded)
    report.total_amount = sum((r.amount for r in loaded if r.amount is not None), Decimal("0.00"))
    dates = [d for d in (r.date or r.period for r in loaded) if d is not None]
    report.date_first = min(dates, default=None)
    report.date_last = max(dates, default=None)
    report.council = council_summary({r.council for r in loaded})
    report.flag_counts = count_flags((r.flags, 1) for r in loaded)


def council_summary(councils: Iterable[str]) -> str:
    """The report's council: the first three of the loaded rows' councils, sorted, and how many more."""
    names = sorted(councils)
    return "; ".join(names[:3]) + (f" (+{len(names) - 3} more)" if len(names) > 3 else "")


def count_flags(flagged: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Rows per flag, from (a row's flags as stored, comma-separated; how many rows carry exactly those)."""
    counts: dict[str, int] = {}
    for flags, rows in flagged:
        for flag in filter(None, flags.split(",")):
            counts[flag] = counts.get(flag, 0) + rows
    return counts
