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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from commonweal.io.errors import ProblemCollector
from commonweal.io.spend.layout import ColumnMap, Layout, detect_layout
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

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


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


def _records(path: Path, data: bytes) -> tuple[list[list[str]], str]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from commonweal.io.structured import EXCEL_MAX_ROWS, limits, xlsx_rows  # the one bounded XLSX reader

        return list(xlsx_rows(path.name, data, limits(max_rows=EXCEL_MAX_ROWS))), "xlsx"
    text, encoding = decode(data)
    return list(csv.reader(io.StringIO(text, newline=""))), encoding


def read_spend_file(
    path: Path,
    column_map: ColumnMap | None = None,
    date_order: str | None = None,
    council: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SpendFile:
    """Read one published spend, card, grants-register or contracts-register file.

    Raises InputError (nothing returned, nothing saved) when the file as a whole cannot be read: no header, no
    amount/supplier/date column, or a date order that cannot be told from the data. Row-level problems become
    rejections in the report.
    """
    name = path.name
    stated = column_map or ColumnMap()
    problems = ProblemCollector()
    try:
        data = path.read_bytes()
        records, encoding = _records(path, data)
    except MixedEncodingError as exc:
        problems.add(name, str(exc), row=exc.line)
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    except (OSError, ValueError, csv.Error) as exc:
        problems.add(name, f"cannot be read as a CSV or XLSX spend file: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    layout = detect_layout(name, records, stated, problems)
    problems.raise_if_any()
    assert layout is not None
    body = records[layout.header_index + 1:]
    date_column = "date" if "date" in layout.columns else "period"
    date_index = layout.columns[date_column]
    date_fmt = date_format(name, layout, date_column, _texts(body, date_index),
                           order=stated.date_order or date_order, problems=problems)
    end_fmt = None
    if "end_date" in layout.columns:
        end_fmt = date_format(name, layout, "end_date", _texts(body, layout.columns["end_date"]),
                              order=stated.date_order or date_order, problems=problems)
    problems.raise_if_any()
    width = None if encoding == "xlsx" else expected_fields(layout, body)
    report = ImportReport(
        file=name, sha256=hashlib.sha256(data).hexdigest(), council="", kind=layout.kind, encoding=encoding,
        header_row=layout.header_index + 1, mapping=layout.mapping(), ignored_columns=list(layout.ignored),
        date_format=date_fmt.describe() if date_fmt else "none",
    )
    loaded: list[SpendRecord] = []
    # Without a body-name column, the council is named by the file name up to its first `_` (`warwickshire_...`).
    fallback_council = stated.council or council or path.stem.split("_")[0].title()
    for offset, cells in enumerate(body):
        row_number = layout.header_index + 2 + offset
        report.rows_read += 1
        outcome = read_row(name, row_number, cells, layout, date_index=date_index, date_column=date_column,
                            date_fmt=date_fmt, end_fmt=end_fmt, fallback_council=fallback_council,
                            warnings=report.warnings, width=width)
        if isinstance(outcome, Rejection):
            report.rejections.append(outcome)
        else:
            loaded.append(outcome)
        if progress and offset % 5000 == 4999:
            progress(5000)
    if progress:
        progress(len(body) % 5000)
    summarise(report, loaded)
    return SpendFile(report=report, records=loaded)


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


def read_row(file: str, row: int, raw: Sequence[str], layout: Layout, *, date_index: int, date_column: str,
              date_fmt: DateFormat | None, end_fmt: DateFormat | None, fallback_council: str,
              warnings: list[Rejection], width: int | None = None, fields: int | None = None
              ) -> SpendRecord | Rejection:
    """One row read, or its rejection. `width` is the field count every row of a CSV file must have (None for
    XLSX, whose cells cannot shift); `fields` the row's own count, when `raw` does not hold every field."""
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
    leading = [v for v in cells.values() if v][:3]
    if not date_text and any(_TOTAL_ROW.match(v) for v in leading):
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
    try:
        date = payment_date(date_text, date_fmt)
    except ValueError as exc:
        if not register:
            return Rejection(row, header[date_index], str(exc))
        if date_text:
            warnings.append(Rejection(row, header[date_index], f"{exc}; loaded without a start date"))
    if date is None:
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
    period = date.replace(day=1) if date and date_column == "date" else date
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
