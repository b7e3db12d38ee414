"""The fast path for big spend files: DuckDB's CSV reader, with the row-level reader's rules.

Layout (header row, column mapping, marker columns) is detected from the head of the file exactly as the
row-level reader does. Rules that depend on few distinct values run once per distinct value in Python, with the
very functions the row-level reader uses (`clean_text`, then `payment_date` over every distinct date text,
redaction and supplier keys over every distinct supplier name), joined back to the rows by their raw text. Only
per-row text cleaning, amounts and the reasons for rejection are SQL, and
`tests/io/spend/test_spend_fast.py` holds both paths to identical rows, rejections and reports on the corpus.
Windows-1252 files are transcoded to UTF-8 in streamed chunks first (DuckDB reads UTF-8). Contracts registers are
small and take the row-level path.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa

from commonweal.io.errors import ProblemCollector
from commonweal.io.spend.layout import ColumnMap, Layout, detect_layout
from commonweal.io.spend.reader import (
    DOUBLE_ENCODED_BOM,
    PLACEHOLDERS,
    TOTAL_ROW_PATTERN,
    ImportReport,
    Rejection,
    clean_text,
    decode,
    payment_date,
)
from commonweal.io.spend.values import AmbiguousDateOrderError, DateFormat, detect_date_format, is_redaction

HEAD_BYTES = 1 << 20
POLL_SECONDS = 0.2  # how often the progress bar is told of records read
CHUNK = 1 << 24
_C1 = {chr(c): bytes([c]).decode("cp1252", errors="ignore") for c in range(0x80, 0xA0)}
# The amount grammar of `values.parse_amount` after `£`, `,`, spaces and `GBP` are removed: optional brackets,
# a sign before or after the number, a `CR` suffix, leading `+`. A text matching it is taken apart with string
# functions (each part is a fixed character at a known end), cheaper than capturing groups.
_AMOUNT = r"^(\()?(-)?\+*(\d+(?:\.\d+)?|\.\d+)(-)?((?i:cr))?(\))?$"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _utf8_source(path: Path, folder: Path) -> tuple[Path, str, str]:
    """(file to read, encoding, SHA-256) from one pass over the file: the file itself when it is UTF-8, else a
    UTF-8 copy (Windows-1252, or Latin-1 as the reader decides)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    digest = hashlib.sha256()
    utf8 = True
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return path, "utf-8", digest.hexdigest()
        except UnicodeDecodeError:
            pass
    for encoding in ("cp1252", "latin-1"):
        target = folder / f"{path.stem}.utf8.csv"
        try:
            with path.open("rb") as source, target.open("wb") as sink:
                incremental = codecs.getincrementaldecoder(encoding)()
                while chunk := source.read(CHUNK):
                    sink.write(incremental.decode(chunk).encode("utf-8"))
            return target, encoding, digest.hexdigest()
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


# What `_clean` changes: a C1 character, a non-breaking space, whitespace other than single inner spaces. In
# cells joined by the unit separator (\x1f), a cell's leading or trailing space touches a separator.
_CHANGED = r"[\x{80}-\x{A0}\t\n\f\r]|  |^ | $"
_CHANGED_IN_ROW = _CHANGED + r"| \x1f|\x1f "


def _clean(column: str) -> str:
    """SQL for `reader.clean_text`, run only on cells it would change (`_CHANGED`; not every non-ASCII cell: `£`
    needs no cleaning)."""
    full = f"coalesce({column}, '')"
    for c1, char in _C1.items():
        full = f"replace({full}, {_q(c1)}, {_q(char)})"
    full = f"trim(regexp_replace(replace({full}, chr(160), ' '), '\\s+', ' ', 'g'))"
    return (f"CASE WHEN {column} IS NULL THEN '' WHEN regexp_matches({column}, {_q(_CHANGED)}) THEN {full} "
            f"ELSE {column} END")


def _head(path: Path) -> list[list[str]]:
    """The records of the file's head (whole lines only), for layout detection."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    text, _ = decode(head[: head.rfind(b"\n") + 1] if len(head) == HEAD_BYTES else head)
    return list(csv.reader(io.StringIO(text, newline="")))


def _estimated_records(path: Path, body: list[list[str]]) -> int:
    """Records in the file, estimated from the size of the head's records (for the progress bar only)."""
    sample = sum(len(",".join(r)) + 1 for r in body) or 1
    return max(1, int(path.stat().st_size * len(body) / sample)) if body else 1


class _Progress:
    """Tells `progress` how many records have been handled while DuckDB runs a statement: a thread polls the
    connection's query progress (DuckDB allows this from another thread) and converts it into records, each
    statement counting for its share (`phase`) of the estimated total."""

    def __init__(self, con: duckdb.DuckDBPyConnection, progress: Callable[[int], None] | None, estimate: int):
        self.con, self.progress, self.estimate = con, progress, estimate
        self.base, self.share, self.told = 0.0, 0.0, 0
        if progress:  # DuckDB tracks a query's progress only with its progress bar on (here, never printed)
            con.execute("SET enable_progress_bar=true; SET enable_progress_bar_print=false")
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True) if progress else None
        if self.thread:
            self.thread.start()

    def phase(self, share: float, records: int | None = None) -> None:
        """The next statement counts for `share` of the work; `records`, once known, replaces the estimate."""
        self.base += self.share
        self.share = share
        if records is not None:
            self.estimate = records

    def _tell(self, records: int) -> None:
        records = min(records, self.estimate)
        if self.progress and records > self.told:
            self.progress(records - self.told)
            self.told = records

    def _poll(self) -> None:
        while not self.done.wait(POLL_SECONDS):
            percent = self.con.query_progress()
            if percent >= 0:  # -1 between statements
                fraction = min(self.base + self.share * percent / 100, 0.99)
                self._tell(int(self.estimate * fraction))

    def stop(self) -> None:
        self.done.set()
        if self.thread:
            self.thread.join()

    def finish(self) -> None:
        """Stop polling and settle the count: every record has been read and parsed."""
        self.stop()
        self._tell(self.estimate)


@dataclass
class FastImport:
    report: ImportReport
    write: Callable[[Path], None]  # moves the loaded rows, as Parquet, to the given path
    discard: Callable[[], None]  # removes the staged rows if they were never written


def fast_import(path: Path, key_of: Callable[[str, bool], str], *, column_map: ColumnMap | None = None,
                date_order: str | None = None, council: str | None = None, memory_limit: str = "1200MB",
                threads: int = 2, progress: Callable[[int], None] | None = None) -> FastImport | None:
    """Read one CSV file with DuckDB; None for a contracts register. `key_of(name, redacted)` gives the supplier
    key of each distinct name, so name normalisation stays in one place.

    The CSV is read once, in parallel, into a compressed in-memory table (spilling to a temporary folder past
    `memory_limit`); from it come the record count and the distinct dates and supplier names, then one query
    parses every record and writes the loaded ones as Parquet. Only when records are missing from what was
    written are they parsed again, alone, for their reasons. `progress(n)` is told of records as they are read
    and parsed (estimated from DuckDB's query progress, settled to the exact count at the end).
    """
    name = path.name
    stated = column_map or ColumnMap()
    problems = ProblemCollector()
    records = _head(path)
    layout = detect_layout(name, records, stated, problems)
    problems.raise_if_any()
    assert layout is not None
    if layout.kind == "contract":
        return None  # a register's optional values and dates are the row-level reader's job
    reporter: _Progress | None = None
    work = Path(tempfile.mkdtemp(prefix="commonweal-fast-"))
    target_dir = Path(tempfile.mkdtemp(prefix="commonweal-fast-out-"))
    try:
        source, encoding, sha256 = _utf8_source(path, work)
        with path.open("rb") as handle:
            start = handle.read(16)
        if start.lstrip(b"\xef\xbb\xbf").startswith(DOUBLE_ENCODED_BOM.encode("utf-8")):
            encoding = f"{encoding} (double-encoded BOM)"
        con = duckdb.connect()
        con.execute(f"SET memory_limit={_q(memory_limit)}; SET threads={threads}; "
                    f"SET temp_directory={_q(str(work))}")
        width = max(len(r) for r in records[layout.header_index:])
        kept = [i for i in range(width) if i not in layout.marker_columns]
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        # The file is parsed once, in parallel, into a compressed table whose rowid is the record's position
        # (insertion order is kept for this statement only): numbering records while reading the CSV would
        # take DuckDB's single-threaded streaming window.
        reporter = _Progress(con, progress, _estimated_records(path, records[layout.header_index + 1:]))
        reporter.phase(0.3)
        con.execute(f"""ATTACH ':memory:' AS staged (COMPRESS);
            CREATE TABLE staged.records AS SELECT {", ".join(f"c{i}" for i in kept)} FROM read_csv(
            {_q(str(source))}, header=false, skip={layout.header_index + 1}, columns={{{columns}}}, delim=',',
            quote='"', escape='"', auto_detect=false, strict_mode=false, encoding='utf-8',
            max_line_size=10000000);
            SET preserve_insertion_order=false""")  # noqa: S608
        date_column = "date" if "date" in layout.columns else "period"
        dates, names, records_read = _distinct(con, f"c{layout.columns[date_column]}",
                                               f"c{layout.columns['supplier_name']}")
        date_fmt = _date_map(con, name, layout, date_column, dates, order=stated.date_order or date_order,
                             problems=problems)
        problems.raise_if_any()
        _name_map(con, names, key_of)
        fallback = stated.council or council or path.stem.split("_")[0].title()
        staged = target_dir / "rows.parquet"
        parsed = partial(_parsed_sql, layout, kept, date_column, name, fallback)
        reporter.phase(0.7, records_read)
        con.execute(f"COPY (SELECT * EXCLUDE (ord, reason, reason_column) FROM ({parsed()}) WHERE reason IS NULL) "  # noqa: S608
                    f"TO {_q(str(staged))} (FORMAT parquet)")
        reporter.finish()
        report = _report(con, staged, name, sha256, records_read, parsed, encoding=encoding, layout=layout,
                         date_format=date_fmt.describe() if date_fmt else "none")
        con.close()
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise
    finally:
        if reporter is not None:
            reporter.stop()
        shutil.rmtree(work, ignore_errors=True)

    def write(target: Path) -> None:
        shutil.move(staged, target)
        discard()

    def discard() -> None:
        shutil.rmtree(target_dir, ignore_errors=True)

    return FastImport(report, write, discard)


def _distinct(con: duckdb.DuckDBPyConnection, date: str, supplier: str) -> tuple[list[str], list[str], int]:
    """The distinct raw texts of the date and supplier name columns (an empty cell as '') and the number of
    records."""
    rows = con.execute(f"""SELECT GROUPING(d) = 1, coalesce(d, n, ''), count(*) FROM (
        SELECT {date} AS d, {supplier} AS n FROM staged.records) GROUP BY GROUPING SETS ((d), (n))"""  # noqa: S608
                       ).fetchall()
    dates = sorted({text for is_name, text, _ in rows if not is_name})
    names = sorted({text for is_name, text, _ in rows if is_name})
    return dates, names, sum(count for is_name, _, count in rows if not is_name)


def _date_map(con: duckdb.DuckDBPyConnection, name: str, layout: Layout, date_column: str, raw: list[str], *,
              order: str | None, problems: ProblemCollector) -> DateFormat | None:
    """Every distinct date text, cleaned and parsed once by the row-level reader's own functions."""
    texts = [clean_text(t) for t in raw]
    try:
        fmt = detect_date_format(dict.fromkeys(texts), order)
    except (AmbiguousDateOrderError, ValueError) as exc:
        problems.add(name, str(exc), column=layout.headers[layout.columns[date_column]])
        return None
    parsed: list[dt.date | None] = []
    reasons: list[str | None] = []
    for text in texts:
        try:
            parsed.append(payment_date(text, fmt))
            reasons.append(None)
        except ValueError as exc:
            parsed.append(None)
            reasons.append(str(exc))
    con.from_arrow(pa.table({"raw": raw, "d0": texts, "parsed_date": pa.array(parsed, pa.date32()),
                             "date_reason": pa.array(reasons, pa.string())})).create("date_map")
    return fmt


def _name_map(con: duckdb.DuckDBPyConnection, raw: list[str], key_of: Callable[[str, bool], str]) -> None:
    names = [clean_text(n) for n in raw]
    redacted = [is_redaction(n) for n in names]
    con.from_arrow(pa.table({"raw": raw, "n0": names, "redacted": redacted,
                             "supplier_key": [key_of(n, r) for n, r in zip(names, redacted, strict=True)]})
                   ).create("name_map")


def _parsed_sql(layout: Layout, kept: list[int], date_column: str, name: str, fallback: str,
                records: str = "") -> str:
    """Every record of the file with its reason for rejection (NULL when loaded); `records` may limit the
    records by their position `ord`."""
    def col(field: str) -> str:
        index = layout.columns.get(field)
        return f"c{index}" if index is not None else "''"

    placeholders = ", ".join(_q(p) for p in sorted(PLACEHOLDERS | {"VARIOUS"}))

    def identifier(field: str) -> str:
        return f"CASE WHEN upper({col(field)}) IN ({placeholders}) THEN '' ELSE {col(field)} END"

    amount_header = _q(layout.headers[layout.columns["amount"]])
    date_header = _q(layout.headers[layout.columns[date_column]])
    flags = ("concat_ws(',', CASE WHEN parsed_date IS NULL THEN 'undated' END, "
             "CASE WHEN redacted THEN 'redacted' WHEN supplier_name = '' THEN 'no_supplier' "
             "WHEN upper(supplier_name) = 'VARIOUS' THEN 'various' END, "
             "CASE WHEN amount < 0 THEN 'credit' END" + (", 'card'" if layout.kind == "card" else "") + ")")
    transaction = col("transaction_id")
    if "sequence" in layout.columns:
        transaction = f"CASE WHEN {col('sequence')} <> '' THEN {transaction} || '/' || {col('sequence')} " \
                      f"ELSE {transaction} END"
    date = "CAST(NULL AS DATE)" if date_column == "period" else "parsed_date"
    period = "parsed_date" if date_column == "period" else "CAST(date_trunc('month', parsed_date) AS DATE)"
    council = f"CASE WHEN {col('council')} <> '' THEN {col('council')} ELSE {_q(fallback)} END"
    # Every row cleans only the cells it stores; the date and supplier name come cleaned from their maps. The
    # blank and total-row tests read every cell (`r<i>`, raw), so they run only on rows lacking a date or an
    # amount, as every blank or total row does.
    date_index, name_index = layout.columns[date_column], layout.columns["supplier_name"]
    stored = sorted({i for field, i in layout.columns.items() if field not in (date_column, "supplier_name")})
    # one pattern test per row rather than per cell: most rows need no cleaning at all
    cleaned = "".join(f"CASE WHEN dirty THEN {_clean(f'c{i}')} ELSE coalesce(c{i}, '') END AS c{i}, " for i in stored)
    dirty = f"regexp_matches(concat_ws(chr(31), {', '.join(f'c{i}' for i in stored)}), {_q(_CHANGED_IN_ROW)})"
    raw = ", ".join(f"c{i} AS r{i}" for i in kept)
    cells = ", ".join(_clean(f"r{i}") for i in kept)
    return f"""
    WITH cleaned AS (
      SELECT ord, {cleaned}{raw}, d.d0, d.parsed_date, d.date_reason, k.n0 AS supplier_name, k.redacted,
        k.supplier_key
      FROM (SELECT *, {dirty} AS dirty FROM (SELECT rowid AS ord, * FROM staged.records) {records}
        ) AS numbered
        JOIN date_map d ON d.raw = coalesce(numbered.c{date_index}, '')
        JOIN name_map k ON k.raw = coalesce(numbered.c{name_index}, '')
    ), amounts AS (
      SELECT *, {col('amount')} AS a0,
        regexp_replace({col('amount')}, '[£\\x{{FFFD}},\\s]|(?i:GBP)', '', 'g') AS s,
        regexp_full_match(s, {_q(_AMOUNT)}) AS grammatical,
        starts_with(s, '(') AS open, ends_with(s, ')') AS close,
        substring(s, 1 + open::INT, length(s) - open::INT - close::INT) AS t1,
        lower(right(t1, 2)) = 'cr' AS cr,
        substring(t1, 1, length(t1) - 2 * cr::INT) AS t2,
        ends_with(t2, '-') AS trail,
        substring(t2, 1, length(t2) - trail::INT) AS t3,
        starts_with(t3, '-') AS lead
      FROM cleaned
    ), numbers AS (
      SELECT *,
        grammatical AND open = close AND NOT (lead AND trail) AS numeric_ok,
        CASE WHEN numeric_ok THEN TRY_CAST(ltrim(substring(t3, 1 + lead::INT), '+') AS DECIMAL(38,10)) END AS v,
        round(v, 2) AS pennies,
        ((open OR cr) != (lead OR trail)) AS negative
      FROM amounts
    ), checked AS (
      SELECT *,
        CAST(CASE WHEN negative THEN -pennies ELSE pennies END AS DECIMAL(18,2)) AS amount,
        CASE
          WHEN (a0 = '' OR d0 = '') AND concat({cells}) = '' THEN 'blank row: no values (spacer or filler row)'
          WHEN d0 = '' AND list_bool_or(list_transform(list_filter([{cells}], lambda x: x <> '')[1:3],
               lambda x: regexp_matches(x, {_q(TOTAL_ROW_PATTERN)}, 'i')))
            THEN 'a total row, not a payment (states ' || CASE WHEN a0 = '' THEN 'no amount' ELSE a0 END || ')'
          WHEN a0 = '' THEN 'amount is blank; expected an amount in pounds such as 1234.56'
          WHEN NOT numeric_ok OR v IS NULL
            THEN 'amount ''' || a0 || ''' is not a number; expected pounds such as 1234.56 or -£2,520.00'
          WHEN abs(v - pennies) > 0.000001
            THEN 'amount ''' || a0 || ''' has a fraction of a penny; expected pounds and pence'
          ELSE date_reason
        END AS reason
      FROM numbers
    )
    SELECT ord, reason,
      CASE WHEN reason LIKE 'amount%' THEN {amount_header} WHEN reason LIKE 'date%' THEN {date_header}
      END AS reason_column,
      {_q(name)} AS source_file, CAST({layout.header_index + 2} + ord AS BIGINT) AS source_row,
      {council} AS council, {_q(layout.kind)} AS kind, {date} AS date, {period} AS period, amount,
      supplier_name, redacted AS supplier_redacted, {identifier('supplier_id')} AS supplier_id,
      {identifier('company_number')} AS company_number, {identifier('charity_number')} AS charity_number,
      {identifier('vat_number')} AS vat_number, upper({identifier('postcode')}) AS postcode,
      {col('service_area')} AS service_area, {col('expense_type')} AS expense_type,
      {col('expense_code')} AS expense_code, {col('description')} AS description,
      {transaction} AS transaction_id, {col('council_supplier_type')} AS council_supplier_type,
      {col('council_vcse_flag')} AS council_vcse_flag, {col('council_sme_flag')} AS council_sme_flag,
      CAST(NULL AS DECIMAL(18,2)) AS total_value, CAST(NULL AS DATE) AS end_date, {flags} AS flags, supplier_key
    FROM checked"""  # noqa: S608


def _report(con: duckdb.DuckDBPyConnection, staged: Path, name: str, sha256: str, records_read: int,
            parsed: Callable[[str], str], *, encoding: str, layout: Layout, date_format: str) -> ImportReport:
    """The report of the loaded rows as written; every record missing from them is parsed again for its reason
    (`parsed(filter)` is the parsing query limited by a filter on `ord`). Rows read = loaded + rejected."""
    rows = f"read_parquet({_q(str(staged))})"
    loaded, total, first, last = con.execute(
        f"SELECT count(*), sum(amount), min(coalesce(date, period)), max(coalesce(date, period)) FROM {rows}"  # noqa: S608
    ).fetchone() or (0, None, None, None)
    rejected: list[tuple[int, str | None, str]] = []
    if loaded < records_read:
        missing = (f"WHERE ord NOT IN (SELECT source_row - {layout.header_index + 2} FROM {rows})"  # noqa: S608
                   if loaded else "")
        rejected = con.execute(f"SELECT source_row, reason_column, reason FROM ({parsed(missing)}) "  # noqa: S608
                               "WHERE reason IS NOT NULL ORDER BY ord").fetchall()
    if loaded + len(rejected) != records_read:
        raise AssertionError(f"{name}: {records_read} records read, {loaded} loaded, {len(rejected)} rejected")
    councils = [c for (c,) in con.execute(f"SELECT DISTINCT council FROM {rows} ORDER BY council").fetchall()]  # noqa: S608
    flags = dict(con.execute(
        f"SELECT flag, count(*) FROM (SELECT unnest(string_split(flags, ',')) AS flag FROM {rows}) "  # noqa: S608
        "WHERE flag <> '' GROUP BY flag").fetchall())
    return ImportReport(
        file=name, sha256=sha256,
        council="; ".join(councils[:3]) + (f" (+{len(councils) - 3} more)" if len(councils) > 3 else ""),
        kind=layout.kind, encoding=encoding, header_row=layout.header_index + 1, mapping=layout.mapping(),
        ignored_columns=list(layout.ignored), date_format=date_format, rows_read=records_read,
        rows_loaded=loaded, rejections=[Rejection(row, column, reason) for row, column, reason in rejected],
        total_amount=Decimal(total or 0).quantize(Decimal("0.01")), date_first=first, date_last=last,
        flag_counts=dict(sorted(flags.items())))
