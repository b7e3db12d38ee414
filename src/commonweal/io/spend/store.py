"""The spend store: normalised rows as Parquet in a `--db` folder, with the import report of every file.

Layout: `CURRENT` names the current version, a folder `version-<id>/` holding `payments/<sha>.parquet` (payments,
card transactions and grants), `contracts/<sha>.parquet` (contracts registers) and `reports/<sha>.json`; beside
them `reviews.json`: people's decisions on look-alike supplier names, in the order made, each with who made it,
when and why (never edited, only added to). `<sha>` is the first 16 hex digits of the source file's SHA-256, so
importing the same file again replaces it rather than counting it twice. Money is DECIMAL(18,2), never a float.

An import writes a whole new version and makes it current by replacing `CURRENT` (one atomic rename, see
`SpendStore.save`): a failed or killed import leaves the store as it was, and the next import removes what it
left. A store from before versions (the tables directly in the folder) is read as it is and becomes a version at
its next import.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from commonweal.io.crash import crash_point
from commonweal.io.spend.reader import ImportReport, SpendFile, SpendRecord

MONEY = pa.decimal128(18, 2)
_TYPES: dict[str, pa.DataType] = {
    "source_row": pa.int64(), "date": pa.date32(), "period": pa.date32(), "end_date": pa.date32(),
    "amount": MONEY, "total_value": MONEY, "supplier_redacted": pa.bool_(),
}
SCHEMA = pa.schema(
    [pa.field(f.name, _TYPES.get(f.name, pa.string())) for f in fields(SpendRecord)]
    + [pa.field("supplier_key", pa.string())]
)
TABLES = {"payment": "payments", "card": "payments", "grant": "payments", "contract": "contracts"}
CURRENT = "CURRENT"
VERSION_PREFIX = "version-"


def _link(source: Path, target: Path) -> None:
    """A file of the current version, in the new one: a hard link (no copy), or a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _replace_text(path: Path, text: str) -> None:
    """Replace a small file atomically and durably: written and flushed to disk under a temporary name, renamed
    over the old one, and the rename itself flushed (the folder synced)."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with temp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def to_arrow(records: Sequence[SpendRecord], supplier_keys: Sequence[str]) -> pa.Table:
    columns: dict[str, list[Any]] = {f.name: [getattr(r, f.name) for r in records] for f in fields(SpendRecord)}
    columns["supplier_key"] = list(supplier_keys)
    return pa.table(columns, schema=SCHEMA)


def parquet_writer(spend_file: SpendFile, supplier_keys: Sequence[str]) -> Callable[[Path], None]:
    """A writer for `SpendStore.save` of rows read by the row-level reader."""
    return lambda path: pq.write_table(to_arrow(spend_file.records, supplier_keys), path)


class SpendStore:
    """Readers read only the version `CURRENT` names; an import builds a new version beside it and makes it
    current by replacing `CURRENT` (one atomic rename), so a crash at any moment leaves the old version or the
    new one, never a mix, and never rows without their import report."""

    def __init__(self, folder: Path):
        self.folder = folder

    @property
    def root(self) -> Path:
        """The current version's folder; a store written before versions existed is read where it is."""
        pointer = self.folder / CURRENT
        if pointer.is_file():
            return self.folder / pointer.read_text(encoding="utf-8").strip()
        return self.folder

    def dataset(self, table: str) -> str:
        """The glob of one table's Parquet files (for DuckDB / Spark through Ibis)."""
        return str(self.root / table / "*.parquet")

    def has(self, table: str) -> bool:
        return any((self.root / table).glob("*.parquet"))

    def save(self, imports: Sequence[tuple[ImportReport, Callable[[Path], None]]]) -> None:
        """Write every file's rows (each writer writes Parquet to the path it is given) and report as a new
        version of the store: the current version's files are linked into it, the imported files written, and the
        version made current in one rename. Imports into one store take turns (a lock)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.remove_stale()
            old = self.root
            version = self.folder / f"{VERSION_PREFIX}{uuid.uuid4().hex}"
            try:
                names = {(TABLES[report.kind], report.sha256[:16]) for report, _ in imports}
                for table in (*sorted(set(TABLES.values())), "reports"):
                    (version / table).mkdir(parents=True)
                    for existing in sorted((old / table).glob("*.*")):
                        if not any(existing.stem == name for _, name in names):
                            _link(existing, version / table / existing.name)
                for report, write in imports:
                    name = report.sha256[:16]
                    write(version / TABLES[report.kind] / f"{name}.parquet")
                    (version / "reports" / f"{name}.json").write_text(json.dumps(report.as_dict(), indent=2),
                                                                     encoding="utf-8")
                crash_point("spend-store:before-swap")
                _replace_text(self.folder / CURRENT, version.name)
            except BaseException:
                shutil.rmtree(version, ignore_errors=True)
                raise
            # the version replaced stays until the next import, for any report still reading it
            crash_point("spend-store:after-swap")

    def remove_stale(self) -> list[Path]:
        """Remove every version but the current one (one an import left when it was killed, the one the last
        import replaced) and the folders of a store from before versions; return what was removed."""
        current = self.root
        stale = [p for p in self.folder.glob(f"{VERSION_PREFIX}*") if p != current]
        if current != self.folder:
            stale += [self.folder / t for t in (*set(TABLES.values()), "reports") if (self.folder / t).is_dir()]
        stale += list(self.folder.glob(f".{CURRENT}.*.tmp"))
        for path in stale:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        return stale

    def reviews(self) -> list[dict[str, Any]]:
        path = self.folder / "reviews.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []

    def add_review(self, review: dict[str, Any]) -> None:
        """Append one decision; the file is replaced whole, so a failed write leaves the earlier decisions."""
        path = self.folder / "reviews.json"
        temp = path.with_name(f".reviews.{uuid.uuid4().hex}.tmp")
        temp.write_text(json.dumps([*self.reviews(), review], indent=2), encoding="utf-8")
        os.replace(temp, path)

    def reports(self) -> list[dict[str, Any]]:
        folder = self.root / "reports"
        if not folder.is_dir():
            return []
        loaded = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
        return sorted(loaded, key=lambda r: r["file"])
