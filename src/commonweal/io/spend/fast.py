"""The fast path for big spend files: DuckDB's CSV reader, with the row-level reader's rules.

Layout (header row, column mapping, marker columns) is detected from the head of the file exactly as the
row-level reader does. Rules that depend on few distinct values run once per distinct value in Python, with the
very functions the row-level reader uses: dates (`payment_date` over every distinct date), redaction and supplier
keys (over every distinct supplier name). Only per-row text cleaning and amounts are SQL, and
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
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
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
    decode,
    payment_date,
)
from commonweal.io.spend.values import AmbiguousDateOrderError, DateFormat, detect_date_format, is_redaction

HEAD_BYTES = 1 << 20
CHUNK = 1 << 24
_C1 = {chr(c): bytes([c]).decode("cp1252", errors="ignore") for c in range(0x80, 0xA0)}
# The amount grammar of `values.parse_amount` after `£`, `,`, spaces and `GBP` are removed: optional brackets,
# a sign before or after the number, a `CR` suffix, leading `+`.
_AMOUNT = r"^(\()?(-)?\+*(\d+(?:\.\d+)?|\.\d+)(-)?((?i:cr))?(\))?$"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _utf8_copy(path: Path, folder: Path) -> tuple[Path, str]:
    """The file itself when it is UTF-8, else a UTF-8 copy (Windows-1252, or Latin-1 as the reader decides)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return path, "utf-8"
        except UnicodeDecodeError:
            pass
    for encoding in ("cp1252", "latin-1"):
        target = folder / f"{path.stem}.utf8.csv"
        try:
            with path.open("rb") as source, target.open("wb") as sink:
                incremental = codecs.getincrementaldecoder(encoding)()
                while chunk := source.read(CHUNK):
                    sink.write(incremental.decode(chunk).encode("utf-8"))
            return target, encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def _clean(column: str) -> str:
    """SQL for `reader.clean_text`, run only on cells that need it (anything but single-spaced printable ASCII)."""
    full = f"coalesce({column}, '')"
    for c1, char in _C1.items():
        full = f"replace({full}, {_q(c1)}, {_q(char)})"
    full = f"trim(regexp_replace(replace({full}, chr(160), ' '), '\\s+', ' ', 'g'))"
    return (f"CASE WHEN {column} IS NULL THEN '' WHEN regexp_matches({column}, '[^ -~]|  |^ | $') THEN {full} "
            f"ELSE {column} END")


def _head(path: Path) -> list[list[str]]:
    """The records of the file's head (whole lines only), for layout detection."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    text, _ = decode(head[: head.rfind(b"\n") + 1] if len(head) == HEAD_BYTES else head)
    return list(csv.reader(io.StringIO(text, newline="")))


@dataclass
class FastImport:
    report: ImportReport
    write: Callable[[Path], None]  # moves the loaded rows, as Parquet, to the given path
    discard: Callable[[], None]  # removes the staged rows if they were never written


def fast_import(path: Path, key_of: Callable[[str, bool], str], *, column_map: ColumnMap | None = None,
                date_order: str | None = None, council: str | None = None, memory_limit: str = "1500MB",
                threads: int = 2) -> FastImport | None:
    """Read one CSV file with DuckDB; None for a contracts register. `key_of(name, redacted)` gives the supplier
    key of each distinct name, so name normalisation stays in one place."""
    name = path.name
    stated = column_map or ColumnMap()
    problems = ProblemCollector()
    records = _head(path)
    layout = detect_layout(name, records, stated, problems)
    problems.raise_if_any()
    assert layout is not None
    if layout.kind == "contract":
        return None  # a register's optional values and dates are the row-level reader's job
    work = Path(tempfile.mkdtemp(prefix="commonweal-fast-"))
    try:
        source, encoding = _utf8_copy(path, work)
        with path.open("rb") as handle:
            start = handle.read(16)
        if start.lstrip(b"\xef\xbb\xbf").startswith(DOUBLE_ENCODED_BOM.encode("utf-8")):
            encoding = f"{encoding} (double-encoded BOM)"
        con = duckdb.connect()
        con.execute(f"SET memory_limit={_q(memory_limit)}; SET threads={threads}; "
                    f"SET temp_directory={_q(str(work))}; SET preserve_insertion_order=true")
        width = max(len(r) for r in records[layout.header_index:])
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        kept = [i for i in range(width) if i not in layout.marker_columns]
        # rowid of a table filled in file order is the record's position: no window function, no serial scan
        con.execute(f"""CREATE TEMP TABLE raw AS SELECT * FROM read_csv({_q(str(source))}, header=false,
            skip={layout.header_index + 1}, columns={{{columns}}}, delim=',', quote='"', escape='"',
            auto_detect=false, strict_mode=false, encoding='utf-8', max_line_size=10000000)""")  # noqa: S608
        date_column = "date" if "date" in layout.columns else "period"
        date_fmt = _date_map(con, name, layout, date_column, order=stated.date_order or date_order,
                             problems=problems)
        problems.raise_if_any()
        _name_map(con, layout, key_of)
        fallback = stated.council or council or path.stem.split("_")[0].title()
        target_dir = Path(tempfile.mkdtemp(prefix="commonweal-fast-out-"))
        parsed = work / "parsed.parquet"
        # rowid now holds file order; the writes need not keep it (every row carries source_row), and keeping it
        # would serialise them
        con.execute("SET preserve_insertion_order=false")
        con.execute(f"COPY ({_parsed_sql(layout, kept, date_column, name, fallback)}) TO {_q(str(parsed))} "
                    "(FORMAT parquet)")
        con.execute(f"DROP TABLE raw; CREATE VIEW parsed AS SELECT * FROM read_parquet({_q(str(parsed))})")  # noqa: S608
        report = _report(con, name, path, encoding=encoding, layout=layout,
                         date_format=date_fmt.describe() if date_fmt else "none")
        staged = target_dir / "rows.parquet"
        loaded = "SELECT * EXCLUDE (ord, reason, reason_column) FROM parsed WHERE reason IS NULL"
        con.execute(f"COPY ({loaded}) TO {_q(str(staged))} (FORMAT parquet)")
        con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def write(target: Path) -> None:
        shutil.move(staged, target)
        discard()

    def discard() -> None:
        shutil.rmtree(target_dir, ignore_errors=True)

    return FastImport(report, write, discard)


def _date_map(con: duckdb.DuckDBPyConnection, name: str, layout: Layout, date_column: str, *, order: str | None,
              problems: ProblemCollector) -> DateFormat | None:
    """Every distinct date text, parsed once by the row-level reader's own functions."""
    column = _clean(f"c{layout.columns[date_column]}")
    texts = [t for (t,) in con.execute(f"SELECT DISTINCT {column} FROM raw").fetchall()]  # noqa: S608
    try:
        fmt = detect_date_format(texts, order)
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
    con.from_arrow(pa.table({"d0": texts, "parsed_date": pa.array(parsed, pa.date32()),
                             "date_reason": pa.array(reasons, pa.string())})).create("date_map")
    return fmt


def _name_map(con: duckdb.DuckDBPyConnection, layout: Layout, key_of: Callable[[str, bool], str]) -> None:
    column = _clean(f"c{layout.columns['supplier_name']}")
    names = [n for (n,) in con.execute(f"SELECT DISTINCT {column} FROM raw").fetchall()]  # noqa: S608
    redacted = [is_redaction(n) for n in names]
    con.from_arrow(pa.table({"n0": names, "redacted": redacted,
                             "supplier_key": [key_of(n, r) for n, r in zip(names, redacted, strict=True)]})
                   ).create("name_map")


def _parsed_sql(layout: Layout, kept: list[int], date_column: str, name: str, fallback: str) -> str:
    def col(field: str) -> str:
        index = layout.columns.get(field)
        return f"c{index}" if index is not None else "''"

    placeholders = ", ".join(_q(p) for p in sorted(PLACEHOLDERS | {"VARIOUS"}))

    def identifier(field: str) -> str:
        return f"CASE WHEN upper({col(field)}) IN ({placeholders}) THEN '' ELSE {col(field)} END"

    amount_header = _q(layout.headers[layout.columns["amount"]])
    date_header = _q(layout.headers[layout.columns[date_column]])
    cells = ", ".join(f"c{i}" for i in kept)
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
    parts = "regexp_extract(s, " + _q(_AMOUNT) + ", ['open', 'lead', 'digits', 'trail', 'cr', 'close'])"
    cleaned = ", ".join(f"{_clean(f'c{i}')} AS c{i}" for i in kept)
    return f"""
    WITH cleaned AS (SELECT rowid AS ord, {cleaned} FROM raw),
    amounts AS (
      SELECT *, {col('amount')} AS a0, {col(date_column)} AS d0, {col('supplier_name')} AS n0,
        regexp_replace({col('amount')}, '[£\\x{{FFFD}},\\s]|(?i:GBP)', '', 'g') AS s,
        {parts} AS m
      FROM cleaned
    ), numbers AS (
      SELECT *,
        m.digits <> '' AND (m.open = '') = (m.close = '') AND NOT (m.lead <> '' AND m.trail <> '') AS numeric_ok,
        CASE WHEN numeric_ok THEN TRY_CAST(m.digits AS DECIMAL(38,10)) END AS v,
        round(v, 2) AS pennies,
        ((m.open <> '' OR m.cr <> '') != (m.lead <> '' OR m.trail <> '')) AS negative
      FROM amounts
    ), checked AS (
      SELECT n.*, d.parsed_date, d.date_reason, k.redacted, k.supplier_key, n.n0 AS supplier_name,
        CAST(CASE WHEN negative THEN -pennies ELSE pennies END AS DECIMAL(18,2)) AS amount,
        CASE
          WHEN concat({cells}) = '' THEN 'blank row: no values (spacer or filler row)'
          WHEN n.d0 = '' AND list_bool_or(list_transform(list_filter([{cells}], lambda x: x <> '')[1:3],
               lambda x: regexp_matches(x, {_q(TOTAL_ROW_PATTERN)}, 'i')))
            THEN 'a total row, not a payment (states ' || CASE WHEN a0 = '' THEN 'no amount' ELSE a0 END || ')'
          WHEN a0 = '' THEN 'amount is blank; expected an amount in pounds such as 1234.56'
          WHEN NOT numeric_ok OR v IS NULL
            THEN 'amount ''' || a0 || ''' is not a number; expected pounds such as 1234.56 or -£2,520.00'
          WHEN abs(v - pennies) > 0.000001
            THEN 'amount ''' || a0 || ''' has a fraction of a penny; expected pounds and pence'
          ELSE d.date_reason
        END AS reason
      FROM numbers n JOIN date_map d ON d.d0 = n.d0 JOIN name_map k ON k.n0 = n.n0
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


def _report(con: duckdb.DuckDBPyConnection, name: str, path: Path, *, encoding: str, layout: Layout,
            date_format: str) -> ImportReport:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    read, loaded, total, first, last = con.execute(
        "SELECT count(*), count(*) FILTER (reason IS NULL), sum(amount) FILTER (reason IS NULL), "
        "min(coalesce(date, period)) FILTER (reason IS NULL), max(coalesce(date, period)) FILTER (reason IS NULL) "
        "FROM parsed").fetchone() or (0, 0, None, None, None)
    rejections = [Rejection(row, column, reason) for row, column, reason in con.execute(
        "SELECT source_row, reason_column, reason FROM parsed WHERE reason IS NOT NULL ORDER BY ord").fetchall()]
    councils = [c for (c,) in con.execute(
        "SELECT DISTINCT council FROM parsed WHERE reason IS NULL ORDER BY council").fetchall()]
    flags = dict(con.execute(
        "SELECT flag, count(*) FROM (SELECT unnest(string_split(flags, ',')) AS flag FROM parsed "
        "WHERE reason IS NULL) WHERE flag <> '' GROUP BY flag").fetchall())
    return ImportReport(
        file=name, sha256=digest.hexdigest(),
        council="; ".join(councils[:3]) + (f" (+{len(councils) - 3} more)" if len(councils) > 3 else ""),
        kind=layout.kind, encoding=encoding, header_row=layout.header_index + 1, mapping=layout.mapping(),
        ignored_columns=list(layout.ignored), date_format=date_format, rows_read=read, rows_loaded=loaded,
        rejections=rejections, total_amount=Decimal(total or 0).quantize(Decimal("0.01")), date_first=first,
        date_last=last, flag_counts=dict(sorted(flags.items())))

