"""Imported OCDS in DuckDB: the releases as published, the compiled releases, and Commonweal's tables of
parties, tenders, bids, awards and contracts, for the analytics layer's queries.

An import is one DuckDB transaction: it is all there or none of it is. It replaces what an earlier import stored of
the same releases (by ocid and release id) and contracting processes (by ocid), so importing a file again, after
a crash or not, never counts anything twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from commonweal.domain.ocds.mapping import Process

# Money is DECIMAL(38, 6): exact, with room for sub-penny unit prices some publishers give.
_TABLES = {
    "ocds_releases": "source VARCHAR, ocid VARCHAR, release_id VARCHAR, date VARCHAR, tags VARCHAR, release JSON",
    "ocds_compiled_releases": "source VARCHAR, ocid VARCHAR, compiled_release JSON",
    "ocds_parties": "ocid VARCHAR, party_id VARCHAR, name VARCHAR, roles VARCHAR, scheme VARCHAR, identifier VARCHAR, "
                    "scale VARCHAR, vcse BOOLEAN",
    "ocds_tenders": "ocid VARCHAR, tender_id VARCHAR, title VARCHAR, status VARCHAR, procurement_method VARCHAR, "
                    "amount DECIMAL(38, 6), currency VARCHAR, tender_period_end VARCHAR, number_of_tenderers INTEGER",
    "ocds_lots": "ocid VARCHAR, lot_id VARCHAR, title VARCHAR, status VARCHAR, amount DECIMAL(38, 6), currency VARCHAR",
    "ocds_bids": "ocid VARCHAR, bid_id VARCHAR, tenderers VARCHAR, status VARCHAR, amount DECIMAL(38, 6), "
                 "currency VARCHAR, lot_id VARCHAR",
    "ocds_awards": "ocid VARCHAR, award_id VARCHAR, status VARCHAR, suppliers VARCHAR, amount DECIMAL(38, 6), "
                   "currency VARCHAR, date VARCHAR",
    "ocds_contracts": "ocid VARCHAR, contract_id VARCHAR, award_id VARCHAR, status VARCHAR, amount DECIMAL(38, 6), "
                      "currency VARCHAR, start_date DATE, end_date DATE",
}


@dataclass(frozen=True)
class ImportCounts:
    releases: int
    processes: int
    rows: Mapping[str, int]


def _rows(process: Process) -> dict[str, list[tuple[Any, ...]]]:
    o = process.ocid
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _TABLES}
    for p in process.parties:
        rows["ocds_parties"].append((o, p.id, p.name, "|".join(p.roles), p.scheme, p.identifier, p.scale, p.vcse))
    if process.tender is not None:
        t = process.tender
        rows["ocds_tenders"].append((o, t.id, t.title, t.status, t.procurement_method,
                                     t.value.amount if t.value else None, t.value.currency if t.value else None,
                                     t.tender_period_end, t.number_of_tenderers))
        for lot in t.lots:
            rows["ocds_lots"].append((o, lot.id, lot.title, lot.status, lot.value.amount if lot.value else None,
                                      lot.value.currency if lot.value else None))
    for b in process.bids:
        rows["ocds_bids"].append((o, b.id, "|".join(b.tenderers), b.status, b.value.amount if b.value else None,
                                  b.value.currency if b.value else None, b.lot))
    for a in process.awards:
        rows["ocds_awards"].append((o, a.id, a.status, "|".join(a.suppliers), a.value.amount if a.value else None,
                                    a.value.currency if a.value else None, a.date))
    for c in process.contracts:
        rows["ocds_contracts"].append((o, c.id, c.award_id, c.status, c.value.amount if c.value else None,
                                       c.value.currency if c.value else None, c.period_start, c.period_end))
    return rows


def _arrow(rows: list[tuple[Any, ...]]) -> pa.Table:
    """Rows as an Arrow table of plain columns; money goes as its exact decimal text, which DuckDB casts to the
    column's DECIMAL on insert, as it did each value before."""
    columns = zip(*rows, strict=True)
    return pa.table({f"c{i}": pa.array([str(v) if isinstance(v, Decimal) else v for v in column])
                     for i, column in enumerate(columns)})


def store_import(
    db: Path,
    source: str,
    releases: Sequence[Mapping[str, Any]],
    compiled: Sequence[Mapping[str, Any]],
    processes: Iterable[Process],
    before_commit: Callable[[], None] = lambda: None,
) -> ImportCounts:
    """Store one file's import in the DuckDB database at `db` (created if absent), in one transaction, replacing
    the releases (same ocid and id) and the processes (same ocid) stored before. `before_commit` runs inside the
    transaction, last (the crash-safety tests stop the process there)."""
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _TABLES}
    rows["ocds_releases"] = [
        (source, r.get("ocid"), r.get("id"), r.get("date"), orjson.dumps(r.get("tag")).decode(),
         orjson.dumps(r).decode())
        for r in releases
    ]
    rows["ocds_compiled_releases"] = [(source, c.get("ocid"), orjson.dumps(c).decode()) for c in compiled]
    count = 0
    for process in processes:
        count += 1
        for name, new in _rows(process).items():
            rows[name].extend(new)
    con = duckdb.connect(str(db))
    try:
        con.begin()
        ids = pa.schema([("ocid", pa.string()), ("release_id", pa.string())])
        con.register("incoming_releases", pa.table({"ocid": [r[1] for r in rows["ocds_releases"]],
                                                    "release_id": [r[2] for r in rows["ocds_releases"]]}, schema=ids))
        con.register("incoming_ocids", pa.table({"ocid": pa.array([c.get("ocid") for c in compiled], pa.string())}))
        for name, columns in _TABLES.items():
            con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
            if name == "ocds_releases":
                con.execute("DELETE FROM ocds_releases AS r USING incoming_releases AS i "
                            "WHERE r.ocid = i.ocid AND r.release_id = i.release_id")
            else:
                con.execute(f"DELETE FROM {name} WHERE ocid IN (SELECT ocid FROM incoming_ocids)")  # noqa: S608
            if rows[name]:
                # one Arrow table a table, not a statement a row: executemany took 19 s for 30 MB of releases
                con.register("incoming", _arrow(rows[name]))
                con.execute(f"INSERT INTO {name} SELECT * FROM incoming")  # noqa: S608 (our table names)
                con.unregister("incoming")
        before_commit()
        con.commit()
    except Exception:
        con.rollback()
        raise
    finally:
        con.close()
    return ImportCounts(releases=len(releases), processes=count, rows={k: len(v) for k, v in rows.items()})


def compiled_releases(db: Path) -> Iterator[dict[str, Any]]:
    """The compiled releases imported into `db`, in ocid order (the latest import of an ocid wins)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT ocid, arg_max(compiled_release, rowid) FROM ocds_compiled_releases GROUP BY ocid ORDER BY ocid"
        ).fetchall()
    for _, text in rows:
        yield orjson.loads(text)


def table_counts(db: Path) -> dict[str, int]:
    """Rows per OCDS table. (Plain DuckDB: listing tables through ibis-framework 12.0 calls `fetch_arrow_table`,
    which the pinned duckdb 2.0.1 no longer has; Ibis expressions on a named table do run.)"""
    with duckdb.connect(str(db), read_only=True) as con:
        present = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        counts = {}
        for name in _TABLES:
            if name in present:
                row = con.execute(f"SELECT count(*) FROM {name}").fetchone()  # noqa: S608 (our table names)
                counts[name] = int(row[0]) if row else 0
        return counts
