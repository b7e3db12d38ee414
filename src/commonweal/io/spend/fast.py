"""The fast path for big spend files: polars' CSV reader, with the row-level reader's rules.

Layout (header row, column mapping, marker columns) is detected from the head of the file exactly as the
row-level reader does. Then polars reads the file twice, each time in parallel and as a stream:

1. The date and supplier name columns alone, for their distinct texts. Each distinct text is cleaned and parsed
   once in Python by the very functions the row-level reader uses (`clean_text`, `payment_date`, redaction and
   supplier keys), and the date order is decided on the whole column in file order, as the row-level reader does.
2. Every record: rows pick their parsed date and name by position in those maps; other cells are cleaned and
   amounts parsed by polars expressions. These only decide whether a row loads. The loaded rows are written as
   Parquet; every record that does not load is handed, raw, to the row-level reader's own `read_row`, which gives
   its reason, so reasons cannot differ between the paths. `tests/io/spend/test_spend_fast.py` holds both paths
   to identical rows, rejections and reports on the corpus.

The file's SHA-256 is computed in a thread beside the readings. A file that is not UTF-8 is transcoded to UTF-8
in streamed chunks first (polars reads UTF-8): at once when its head is not UTF-8, else when polars meets bytes
that are not. Contracts registers are small and take the row-level path, as does a file whose quoting polars
refuses (a quote inside an unquoted field), which Python's csv module tolerates.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

# Commonweal default (30 s). polars allocates through its own jemalloc, which reads this when polars loads (so it
# must be set before the first `import polars`; a process that loaded polars earlier keeps its own setting).
# Keeping freed pages for 30 s instead of handing them back to the system at once spares the kernel zeroing fresh
# pages for every batch: about 10% of the ingest's time in paired runs on benchmarks/spend_ingest.py's file, for
# about 300 MB more at the peak.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:30000,muzzy_decay_ms:30000")

import polars as pl

from commonweal.io.errors import ProblemCollector
from commonweal.io.spend.layout import ColumnMap, Layout, detect_layout, is_header_row
from commonweal.io.spend.reader import (
    PLACEHOLDERS,
    WIDTH_SAMPLE_ROWS,
    ImportReport,
    MixedEncodingError,
    Rejection,
    clean_text,
    council_summary,
    count_flags,
    date_format,
    decode,
    expected_fields,
    payment_date,
    read_row,
    text_encoding,
    without_boms,
)
from commonweal.io.spend.values import (
    AMOUNT_LIMIT,
    FLOAT_ARTEFACT_TOLERANCE,
    GROUPED_COMMAS,
    DateFormat,
    is_redaction,
)

HEAD_BYTES = 1 << 20
CHUNK = 1 << 24
# Commonweal default: zstd's fastest level. Against polars' default (3) it saved about 1 s of 17 on 10 million
# rows (three paired runs of benchmarks/spend_ingest.py's file) for a slightly larger store.
ZSTD_LEVEL = 1
# Python's `str.isspace`, which `\s` in `clean_text` follows, is Unicode White_Space (Rust's `\s`) plus the
# information separators \x1c-\x1f (checked character by character in the tests).
_SPACE = r"[\s\x1c-\x1f]"
_C1_FROM = [chr(c) for c in range(0x80, 0xA0)]
_C1_TO = [bytes([c]).decode("cp1252", errors="ignore") for c in range(0x80, 0xA0)]
# A cell `clean_text` may change: one with a character outside printable ASCII (every space but the plain one, and
# every C1 character, is such), two spaces together, or a space at either end. Cells it would not change are
# cleaned as well when they match (cleaning changes nothing it does not need to); one regex costs a third less
# than a length check and a narrower regex.
_DIRTY = r"[^ -~]|  |^ | $"
# `values.parse_amount`: noise removed (`£`, `,`, spaces, `GBP`), then optional brackets, a sign before or after
# the number, a `CR` suffix, leading `+`.
_NOISE = r"[£\x{FFFD},\s\x1c-\x1f]|(?i:GBP)"
_NOISE_BUT_COMMAS = r"[£\x{FFFD}\s\x1c-\x1f]|(?i:GBP)"
# ASCII digits, as `values.parse_amount` reads them (Rust's `\d` is every Unicode digit)
_AMOUNT = r"^\(?-?\+*(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)-?(?i:cr)?\)?$"
_NAME_FLAGS = (None, "redacted", "no_supplier", "various")
# A quoted field, and a line whose every field is either unquoted (no quote, no comma) or quoted (RFC 4180): in
# such a line the fields are the commas outside quoted fields, plus one.
_QUOTED = r'"(?:[^"\r]|"")*"'
_QUOTED_LINE = rf'^(?:[^",]*|{_QUOTED})(?:,(?:[^",]*|{_QUOTED}))*$'


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def _transcoded(path: Path, folder: Path) -> tuple[Path, str]:
    """A UTF-8 copy of a file that is not UTF-8, and the encoding it was read in, as `reader.text_encoding`
    decides over the whole file (which raises MixedEncodingError for a file mixing two encodings)."""
    encoding = text_encoding(_chunks(path))
    if encoding == "utf-8":
        raise _Unreadable("polars finds bytes that are not UTF-8 where Python finds none")
    target = folder / f"{path.stem}.utf8.csv"
    with target.open("wb") as sink:
        incremental = codecs.getincrementaldecoder(encoding)()
        for chunk in _chunks(path):
            sink.write(incremental.decode(chunk).encode("utf-8"))
    return target, encoding


# Temporary folders are named after the process that made them, so an import started later can tell those of an
# import that was killed (its process is gone) and remove them.
_TEMP = "commonweal-fast-"
# Folders named before the process was part of the name are removed once this old. Commonweal default.
_LEGACY_TEMP_AGE_S = 24 * 3600


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temporaries(folder: Path | None = None) -> list[Path]:
    """Remove the fast path's temporary folders left by imports that were killed; return what was removed."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{_TEMP}*"):
        pid = path.name.removeprefix(_TEMP).split("-")[0]
        if pid.isdigit():
            stale = int(pid) != os.getpid() and not _process_alive(int(pid))
        else:
            try:
                stale = time.time() - path.stat().st_mtime > _LEGACY_TEMP_AGE_S
            except OSError:
                continue
        if stale and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class _Digest(threading.Thread):
    """The file's SHA-256, computed beside the reading (hashlib releases the GIL on large buffers)."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.hexdigest = path, ""

    def run(self) -> None:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        self.hexdigest = digest.hexdigest()

    def result(self) -> str:
        self.join()
        return self.hexdigest


def _enum(values: pl.Series, *, keep_order: bool = False) -> pl.Series:
    """`values` as an Enum: a column repeating few texts is written to Parquet as a dictionary of them, at about
    half the cost of writing the texts (read back, it is text like any other)."""
    categories = values.unique(maintain_order=True) if keep_order else values.unique().sort()
    return values.cast(pl.Enum(categories))


def _picked(frame: pl.LazyFrame, column: str, parsed: pl.DataFrame) -> pl.LazyFrame:
    """`frame` with what each cell of `column` means, from `parsed`: its first column holds every distinct text of
    `column`, the others what each text means. A cell's position among the texts comes from casting the column to
    an Enum of them (a text missing from them is an error, never a silent null); a join would copy every other
    column of every row, and `replace_strict` held the whole column in memory (2.8 GB at the peak on 10 million
    rows). The position is a column of its own so that the cast is done once, not once for each meaning."""
    at = f"{column}_at"
    return (frame.with_columns(pl.col(column).cast(pl.Enum(parsed[:, 0])).to_physical().alias(at))
            .with_columns(pl.lit(parsed[name]).gather(pl.col(at)).alias(name) for name in parsed.columns[1:]))


def _constant(text: str) -> pl.Expr:
    return pl.lit(text, dtype=pl.Enum([text]))


def clean(cell: pl.Expr) -> pl.Expr:
    """`reader.clean_text` as an expression, run only on cells it may change: polars evaluates both branches of a
    `when` on every row, so the cells that need nothing are made null first, and the string functions skip nulls."""
    only_dirty = pl.when(cell.str.contains(_DIRTY)).then(cell)
    full = only_dirty.str.replace_many(_C1_FROM, _C1_TO).str.replace_all(_SPACE + "+", " ").str.strip_chars(" ")
    return full.fill_null(cell)


def amount_text(cell: pl.Expr) -> pl.Expr:
    """An amount cell as `values.parse_amount` reads it after `clean_text`: noise removed. Cleaning it in full first
    would change nothing more, because noise includes every space, so only the C1 repair is kept (a C1 character
    becomes a Windows-1252 one, which may not be noise: U+0085 becomes `…`). Repairing only the cells that are not
    ASCII, with or without the null trick of `clean`, was no faster in paired runs."""
    return cell.str.replace_many(_C1_FROM, _C1_TO).str.replace_all(_NOISE, "")


def commas_grouped(cell: pl.Expr) -> pl.Expr:
    """Whether an amount cell's commas are thousands separators, as `values.parse_amount` checks them."""
    return cell.str.replace_many(_C1_FROM, _C1_TO).str.replace_all(_NOISE_BUT_COMMAS, "").str.contains(GROUPED_COMMAS)


def _head(path: Path) -> tuple[list[list[str]], list[int], bytes, str]:
    """The records of the file's head (whole lines only, ending in a line feed or a bare carriage return), for
    layout detection, the line each ends on, its bytes and the encoding `reader.decode` reads them in."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    head = head[: max(head.rfind(b"\n"), head.rfind(b"\r")) + 1] if len(head) == HEAD_BYTES else head
    text, encoding = decode(head)
    reader = csv.reader(io.StringIO(text, newline=""))
    records, ends = [], []
    for record in reader:
        records.append(record)
        ends.append(reader.line_num)
    return records, ends, head, encoding


def _line_feeds(source: Path, folder: Path) -> Path:
    """A copy of a file whose lines end in a bare carriage return (old Mac exports) with line feeds instead, so
    that polars and its lines read it as Python's csv module does."""
    target = folder / f"{source.stem}.lf.csv"
    with target.open("wb") as sink:
        held = b""
        for chunk in _chunks(source):
            data = held + chunk
            held = b"\r" if data.endswith(b"\r") else b""  # a CR LF split between two chunks
            sink.write(data[: len(data) - len(held)].replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        sink.write(held.replace(b"\r", b"\n"))
    return target


@dataclass
class FastImport:
    report: ImportReport
    write: Callable[[Path], None]  # moves the loaded rows, as Parquet, to the given path
    discard: Callable[[], None]  # removes the staged rows if they were never written


@dataclass
class _Pass:
    """What one reading of the file found."""

    records: int
    loaded: int
    total: Decimal
    first: dt.date | None
    last: dt.date | None
    councils: list[str]
    flags: dict[str, int]
    refused: list[dict[str, Any]]  # the raw cells of every record that did not load


class _Unreadable(Exception):
    """polars refuses the file's CSV (a quote inside an unquoted field, say)."""


class _NotUtf8(Exception):
    """polars met bytes that are not UTF-8."""


def fast_import(path: Path, key_of: Callable[[str, bool], str], *, column_map: ColumnMap | None = None,
                date_order: str | None = None, council: str | None = None,
                progress: Callable[[int], None] | None = None) -> FastImport | None:
    """Read one CSV file with polars; None for a contracts register or a file whose quoting polars refuses (the
    row-level reader takes those). `key_of(name, redacted)` gives the supplier key of each distinct name, so name
    normalisation stays in one place. `progress(n)` is told of records as the first reading parses them.
    """
    name = path.name
    stated = column_map or ColumnMap()
    order = stated.date_order or date_order
    problems = ProblemCollector()
    remove_stale_temporaries()
    try:
        records, ends, head, encoding = _head(path)
    except MixedEncodingError as exc:  # as the row-level reader says it: the head holds both bytes it names
        problems.add(name, str(exc), row=exc.line)
        problems.raise_if_any()
        raise
    layout = detect_layout(name, records, stated, problems)
    problems.raise_if_any()
    assert layout is not None
    if layout.kind == "contract" or stated.period is not None or "amount" not in layout.columns or (
            "date" not in layout.columns and "period" not in layout.columns):
        return None  # a register's optional values, stated periods: the row-level reader's job
    body = records[layout.header_index + 1:]
    if len(body) < WIDTH_SAMPLE_ROWS and path.stat().st_size > len(head):
        return None  # the rows that set the file's width are not all in the head (very long rows)
    width = expected_fields(layout, body)
    work = Path(tempfile.mkdtemp(prefix=f"{_TEMP}{os.getpid()}-"))
    target_dir = Path(tempfile.mkdtemp(prefix=f"{_TEMP}{os.getpid()}-out-"))
    staged = target_dir / "rows.parquet"
    try:
        digest = _Digest(path)
        digest.start()
        fallback = stated.council or council or path.stem.split("_")[0].title()
        date_column = "date" if "date" in layout.columns else "period"
        source = path
        try:
            bare_cr = b"\r" in head and b"\n" not in head
            if not encoding.startswith("utf-8"):
                source, encoding = _transcoded(path, work)
            if bare_cr:
                source = _line_feeds(source, work)
            body_line = ends[layout.header_index]  # polars skips records, the lines pass skips lines
            try:
                reader = _Reader(path, source, layout, date_column, width, body_line, fallback, key_of)
                dates, names, ragged = reader.distinct()
            except _NotUtf8:  # invalid UTF-8 after the head: the whole file is read in the encoding it has
                source, encoding = _transcoded(path, work)
                source = _line_feeds(source, work) if bare_cr else source
                reader = _Reader(path, source, layout, date_column, width, body_line, fallback, key_of)
                dates, names, ragged = reader.distinct()
            date_fmt = date_format(name, layout, date_column, dict.fromkeys(clean_text(t) for t in dates),
                                   order=order, problems=problems)
            problems.raise_if_any()
            if (date_fmt is not None and date_fmt.style == "month") or (
                    date_fmt is None and any(clean_text(t) for t in dates)):
                raise _Unreadable("month-only dates, or a date column with no date: the row-level reader's job")
            found = reader.read(date_fmt, dates, names, ragged, staged, progress)
            rejected = _reasons(name, layout, date_column, date_fmt, found.refused, width, ragged)
            if found.loaded + len(rejected) != found.records:
                raise _Unreadable(f"{found.records} records read, {found.loaded} loaded, {len(rejected)} rejected")
        except MixedEncodingError as exc:
            problems.add(name, str(exc), row=exc.line)
            problems.raise_if_any()
            raise
        except _Unreadable:
            shutil.rmtree(target_dir, ignore_errors=True)
            return None
        # the name the row-level reader gives: the encoding the whole file was read in, and its BOMs read in it
        codec = "utf-8-sig" if encoding.startswith("utf-8") else encoding
        _, encoding = without_boms(head.decode(codec), encoding.removesuffix(" (double-encoded BOM)"))
        sha256 = digest.result()
        report = ImportReport(
            file=name, sha256=sha256, council=council_summary(found.councils),
            kind=layout.kind, encoding=encoding, header_row=layout.header_index + 1, mapping=layout.mapping(),
            ignored_columns=list(layout.ignored), date_format=date_fmt.describe() if date_fmt else "none",
            rows_read=found.records, rows_loaded=found.loaded, rejections=rejected,
            total_amount=found.total.quantize(Decimal("0.01")), date_first=found.first, date_last=found.last,
            flag_counts=dict(sorted(found.flags.items())), confidence=dict(layout.confidence),
            blocks=[{"sheet": "", "header_row": layout.header_index + 1, "first_row": layout.header_index + 2,
                     "last_row": layout.header_index + 1 + found.records, "mapping": layout.mapping(),
                     "confidence": layout.confidence, "date_format": date_fmt.describe() if date_fmt else "none"}])
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def write(target: Path) -> None:
        shutil.move(staged, target)
        discard()

    def discard() -> None:
        shutil.rmtree(target_dir, ignore_errors=True)

    return FastImport(report, write, discard)


def _reasons(name: str, layout: Layout, date_column: str, date_fmt: DateFormat | None,
             refused: list[dict[str, Any]], width: int, ragged: dict[int, int]) -> list[Rejection]:
    """Each record that did not load, read again by the row-level reader, which says why. A record that loads
    there means the two readers disagree: the file is handed to the row-level reader (`_Unreadable`)."""
    rejected = []
    date_index = layout.columns[date_column]
    for record in refused:
        ord_ = record.pop("ord")
        row = layout.header_index + 2 + ord_
        cells = [record.get(f"c{i}", "") for i in range(width)]  # a marker column's cells are left out
        if is_header_row(cells):  # a header part-way down: the row-level reader splits the file there
            raise _Unreadable(f"row {row} is a header")
        outcome = read_row(name, row, cells, layout, date_index=date_index, date_column=date_column,
                           date_fmt=date_fmt, end_fmt=None, fallback_council="", warnings=[], width=width,
                           fields=ragged.get(ord_, width))
        if not isinstance(outcome, Rejection):
            raise _Unreadable(f"row {row} loads in the row-level reader but not in the fast path")
        rejected.append(outcome)
    return rejected


class _Reader:
    """One file's reading as a polars plan."""

    def __init__(self, path: Path, source: Path, layout: Layout, date_column: str, width: int, body_line: int,
                 fallback_council: str, key_of: Callable[[str, bool], str]):
        self.path, self.layout, self.date_column = path, layout, date_column
        self.fallback, self.key_of = fallback_council, key_of
        self.kept = [i for i in range(width) if i not in layout.marker_columns]
        self.width = width
        # `width` columns: polars pads a shorter record and cuts a longer one; the lines give their real counts
        self.scan = pl.scan_csv(source, has_header=False, skip_rows=layout.header_index + 1,
                                schema={f"c{i}": pl.String for i in range(width)}, missing_columns="insert",
                                extra_columns="ignore",
                                truncate_ragged_lines=True, empty_string_is_null=False, quote_char='"',
                                encoding="utf8").select(
            pl.col(f"c{i}").fill_null("") for i in self.kept).with_row_index("ord")
        line = pl.col("line")
        # every line, numbered from the first record after the header (earlier lines have negative numbers)
        self.lines = pl.scan_lines(source).with_row_index("n").with_columns(
            (pl.col("n").cast(pl.Int64) - body_line).alias("ord"))
        # A line with exactly `width` well-quoted fields and no carriage return, as nearly every line is, matches one
        # regex; only the others are taken apart (fields counted, quoting checked), which took the ingest's CPU time
        # on the benchmark's file (amounts quoted) from 2.1-2.2 s to 1.9-2.0 s a million rows.
        field = rf'(?:[^",\r]*|{_QUOTED})'
        self.odd_lines = (self.lines.filter(~line.str.contains(rf"^{field}(?:,{field}){{{width - 1}}}$"))
                          .with_columns(line.str.replace_all(_QUOTED, "").str.count_matches(",", literal=True)
                                        .alias("commas"),
                                        line.str.contains(_QUOTED_LINE).alias("quoted_ok")))
        self.line_count = -1

    def _collect(self, frames: list[pl.LazyFrame]) -> list[pl.DataFrame]:
        """Run the plans; any refusal by polars (quoting it will not read, a header-only file) hands the file to the
        row-level reader, which reads what Python's csv module reads, or names the problem."""
        try:
            return pl.collect_all(frames)
        except pl.exceptions.PolarsError as exc:
            if "invalid utf-8" in str(exc).lower() or "invalid utf8" in str(exc).lower():
                raise _NotUtf8(str(exc)) from exc
            raise _Unreadable(str(exc)) from exc

    def distinct(self) -> tuple[list[str], list[str], dict[int, int]]:
        """The distinct raw texts of the date column, in the order first met, and of the supplier name column;
        and the field count of each record that has not the file's width, by its position.

        Fields are counted line by line (commas outside quoted fields), so a file where that count could be wrong
        is handed to the row-level reader: a record over several lines (a quoted line break), a quote inside an
        unquoted field, a carriage return inside a line."""
        date, name = (f"c{self.layout.columns[f]}" for f in (self.date_column, "supplier_name"))
        line, body = pl.col("line"), pl.col("ord") >= 0
        found, lines, odd, count = self._collect([
            self.scan.select(pl.col(date).unique(maintain_order=True).implode(), pl.col(name).unique().implode()),
            self.odd_lines.filter(body & (pl.col("commas") != self.width - 1)).select("ord", "commas"),
            self.odd_lines.select(((body & ~pl.col("quoted_ok")) | line.str.contains("\r", literal=True)).any()
                                  .alias("odd")),
            self.lines.select(body.sum().alias("lines"))])
        if odd["odd"][0]:
            raise _Unreadable("quoting the lines cannot count (a record over several lines, a quote inside an "
                              "unquoted field), or a carriage return inside a line")
        self.line_count = count["lines"][0]
        ragged = dict(zip(lines["ord"].to_list(), (c + 1 for c in lines["commas"].to_list()), strict=True))
        return found[date][0].to_list(), found[name][0].to_list(), ragged

    def read(self, date_fmt: DateFormat | None, dates: list[str], names: list[str], ragged: dict[int, int],
             target: Path, progress: Callable[[int], None] | None) -> _Pass:
        """Write the loaded rows to `target` as Parquet and return what the reading found. `dates` and `names`
        are the distinct texts of those columns, each cleaned and parsed here once."""
        layout = self.layout

        def date_of(text: str) -> tuple[dt.date | None, bool]:
            try:
                return payment_date(clean_text(text), date_fmt), True
            except ValueError:
                return None, False

        def name_of(text: str) -> tuple[str, bool, str, int]:
            name = clean_text(text)
            redacted = is_redaction(name)
            flag = ("redacted" if redacted else "no_supplier" if not name else
                    "various" if name.upper() == "VARIOUS" else None)
            return name, redacted, self.key_of(name, redacted), _NAME_FLAGS.index(flag)

        date_map = pl.DataFrame([(t, *date_of(t)) for t in dates], orient="row",
                                schema={"d": pl.String, "parsed_date": pl.Date, "date_ok": pl.Boolean})
        name_map = pl.DataFrame([(t, *name_of(t)) for t in names], orient="row",
                                schema={"n": pl.String, "supplier_name": pl.String, "supplier_redacted": pl.Boolean,
                                        "supplier_key": pl.String, "name_flag": pl.UInt8})
        name_map = name_map.with_columns(_enum(name_map[c]) for c in ("supplier_name", "supplier_key"))

        def col(field: str) -> pl.Expr:
            index = layout.columns.get(field)
            return pl.col(f"c{index}") if index is not None else _constant("")

        placeholders = sorted(PLACEHOLDERS | {"VARIOUS"})

        def identifier(field: str, upper: bool = False) -> pl.Expr:
            if field not in layout.columns:
                return _constant("")
            value = pl.when(col(field).str.to_uppercase().is_in(placeholders)).then(pl.lit("")).otherwise(col(field))
            return value.str.to_uppercase() if upper else value

        date_index, name_index = layout.columns[self.date_column], layout.columns["supplier_name"]
        # every stored column's cell is cleaned; the amount is parsed, not stored, so its text only loses noise
        stored = sorted({i for f, i in layout.columns.items()
                         if f not in (self.date_column, "supplier_name", "amount")})
        # `s` and `unbracketed` are columns, not expressions: polars' common-subexpression elimination missed the
        # amount's expression, and evaluating it at each of its ten uses took the benchmark's 10 million rows from
        # 5.5 s to 9.2 s
        s, unbracketed = pl.col("amount_text"), pl.col("unbracketed")
        opened, closed = s.str.starts_with("("), s.str.ends_with(")")
        credit = pl.any_horizontal(unbracketed.str.ends_with(cr) for cr in ("cr", "CR", "Cr", "cR"))
        lead = s.str.strip_chars_start("(").str.starts_with("-")
        trail = unbracketed.str.strip_chars_end("cCrR").str.ends_with("-")
        value = s.str.strip_chars("()-+cCrR").cast(pl.Decimal(38, 10), strict=False)
        pennies = pl.col("value").round(2, mode="half_away_from_zero")
        scan = self.scan
        if progress:  # told batch by batch as polars parses the file
            def tell(ords: pl.Series) -> pl.Series:
                progress(len(ords))
                return ords
            scan = scan.with_columns(pl.col("ord").map_batches(tell, pl.UInt32, is_elementwise=True))
        plan = (_picked(_picked(scan, f"c{date_index}", date_map), f"c{name_index}", name_map)
                .with_columns(*(clean(pl.col(f"c{i}")).alias(f"k{i}") for i in stored),
                              amount_text(pl.col(f"c{layout.columns['amount']}")).alias("amount_text"),
                              commas_grouped(pl.col(f"c{layout.columns['amount']}")).alias("grouped"),
                              pl.col("ord").is_in(pl.Series(list(ragged), dtype=pl.UInt32).implode()).alias("ragged"))
                .with_columns(s.str.strip_chars_end(")").alias("unbracketed"))
                .with_columns(s.str.contains(_AMOUNT).alias("grammatical"), (opened == closed).alias("paired"),
                              (lead & trail).alias("signed_twice"),
                              ((opened | credit) != (lead | trail)).alias("negative"), value.alias("value"))
                .with_columns(pennies.alias("pennies"))
                .with_columns((pl.col("date_ok") & pl.col("grammatical") & pl.col("paired") & ~pl.col("signed_twice")
                               & pl.col("grouped") & ~pl.col("ragged") & pl.col("value").is_not_null()
                               & (pl.col("pennies").abs() < pl.lit(AMOUNT_LIMIT, pl.Decimal(38, 10)))
                               & ((pl.col("value") - pl.col("pennies")).abs()
                                  <= pl.lit(FLOAT_ARTEFACT_TOLERANCE, pl.Decimal(38, 10)))).alias("ok"),
                              pl.when(pl.col("negative")).then(-pl.col("pennies")).otherwise(pl.col("pennies"))
                              .cast(pl.Decimal(18, 2), strict=False).alias("amount")))  # past it: not ok
        # from here `c<i>` is the cleaned cell of every stored column (`k<i>`)
        loaded = (plan.filter("ok")
                  .with_columns(pl.col(f"k{i}").alias(f"c{i}") for i in stored))
        # the row's flags, as the row-level reader writes them, picked from every possible combination
        combinations = [",".join(f for f in (undated, name_flag, credited, "card" if layout.kind == "card" else None)
                                 if f)
                        for undated in (None, "undated") for name_flag in _NAME_FLAGS for credited in (None, "credit")]
        combination = (pl.col("parsed_date").is_null().cast(pl.UInt8) * 2 * len(_NAME_FLAGS)
                       + pl.col("name_flag") * 2 + (pl.col("amount") < 0).cast(pl.UInt8))
        row_flags = pl.lit(_enum(pl.Series(combinations), keep_order=True)).gather(combination)
        transaction = col("transaction_id")
        if "sequence" in layout.columns:
            transaction = pl.when(col("sequence") != "").then(transaction + "/" + col("sequence")).otherwise(
                transaction)
        by_period = self.date_column == "period"
        date = pl.lit(None, pl.Date) if by_period else pl.col("parsed_date")
        period = pl.col("parsed_date") if by_period else pl.col("parsed_date").dt.truncate("1mo")
        council = (pl.when(col("council") != "").then(col("council")).otherwise(pl.lit(self.fallback))
                   if "council" in layout.columns else _constant(self.fallback))
        rows = loaded.select(
            _constant(self.path.name).alias("source_file"),
            (pl.col("ord").cast(pl.Int64) + layout.header_index + 2).alias("source_row"),
            council.alias("council"), _constant(layout.kind).alias("kind"), date.alias("date"),
            period.alias("period"), "amount", "supplier_name", "supplier_redacted",
            *(identifier(f).alias(f) for f in ("supplier_id", "company_number", "charity_number", "vat_number")),
            identifier("postcode", upper=True).alias("postcode"),
            *(col(f).alias(f) for f in ("service_area", "expense_type", "expense_code", "description")),
            transaction.alias("transaction_id"),
            *(col(f).alias(f) for f in ("council_supplier_type", "council_vcse_flag", "council_sme_flag")),
            pl.lit(None, pl.Decimal(18, 2)).alias("total_value"), pl.lit(None, pl.Date).alias("end_date"),
            row_flags.alias("flags"), "supplier_key")
        # One reading feeds three outputs (polars shares the common plan): the loaded rows, written; the raw cells
        # of the records that do not load, for the row-level reader to give reasons; and the count of records.
        refused_plan = plan.filter(~pl.col("ok")).select("ord", *(f"c{i}" for i in self.kept))
        _, refused_rows, counted = self._collect([
            rows.sink_parquet(target, lazy=True, compression_level=ZSTD_LEVEL), refused_plan, plan.select(pl.len())])
        # the report's figures, from the loaded rows as written (few columns, read in parallel)
        written = pl.scan_parquet(target)
        day = pl.coalesce("date", "period")
        (found,) = self._collect([written.select(
            pl.len().alias("loaded"), pl.col("amount").sum().alias("total"), day.min().alias("first"),
            day.max().alias("last"), pl.col("council").unique().implode().alias("councils"),
            pl.col("flags").value_counts().implode().alias("flags"))])
        summed = found.row(0, named=True)
        if counted.item() != self.line_count:
            raise _Unreadable("polars and the lines disagree on the number of records")
        return _Pass(records=counted.item(), loaded=summed["loaded"], total=Decimal(summed["total"] or 0),
                     first=summed["first"], last=summed["last"], councils=[str(c) for c in summed["councils"]],
                     flags=count_flags((str(f["flags"]), f["count"]) for f in summed["flags"]),
                     refused=refused_rows.sort("ord").to_dicts())
