"""The spend store: normalised rows as Parquet in a `--db` folder, with the import report of every file.

Layout: `payments/<sha>.parquet` (payments, card transactions and grants), `contracts/<sha>.parquet` (contracts
registers), `reports/<sha>.json`, and `reviews.json`: people's decisions on look-alike supplier names, in the
order made, each with who made it, when and why (never edited, only added to). `<sha>` is the first 16 hex digits
of the source file's SHA-256, so importing the same file again replaces it rather than counting it twice. Money is
DECIMAL(18,2), never a float. Every file of an import is written to a temporary name first and renamed only when
all are written, so a failed import leaves the store as it was.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

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


def to_arrow(records: Sequence[SpendRecord], supplier_keys: Sequence[str]) -> pa.Table:
    columns: dict[str, list[Any]] = {f.name: [getattr(r, f.name) for r in records] for f in fields(SpendRecord)}
    columns["supplier_key"] = list(supplier_keys)
    return pa.table(columns, schema=SCHEMA)


def parquet_writer(spend_file: SpendFile, supplier_keys: Sequence[str]) -> Callable[[Path], None]:
    """A writer for `SpendStore.save` of rows read by the row-level reader."""
    return lambda path: pq.write_table(to_arrow(spend_file.records, supplier_keys), path)


class SpendStore:
    def __init__(self, folder: Path):
        self.folder = folder

    def dataset(self, table: str) -> str:
        """The glob of one table's Parquet files (for DuckDB / Spark through Ibis)."""
        return str(self.folder / table / "*.parquet")

    def has(self, table: str) -> bool:
        return any((self.folder / table).glob("*.parquet"))

    def save(self, imports: Sequence[tuple[ImportReport, Callable[[Path], None]]]) -> None:
        """Write every file's rows (each writer writes Parquet to the path it is given) and report, all or
        nothing."""
        staged: list[tuple[Path, Path]] = []
        token = uuid.uuid4().hex
        try:
            for report, write in imports:
                name = report.sha256[:16]
                table_dir = self.folder / TABLES[report.kind]
                table_dir.mkdir(parents=True, exist_ok=True)
                (self.folder / "reports").mkdir(parents=True, exist_ok=True)
                data_path = table_dir / f"{name}.parquet"
                temp = data_path.with_name(f".{name}.{token}.tmp")
                write(temp)
                staged.append((temp, data_path))
                report_path = self.folder / "reports" / f"{name}.json"
                temp = report_path.with_name(f".{name}.{token}.tmp")
                temp.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
                staged.append((temp, report_path))
        except BaseException:
            for temp, _ in staged:
                temp.unlink(missing_ok=True)
            raise
        for temp, final in staged:
            os.replace(temp, final)

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
        folder = self.folder / "reports"
        if not folder.is_dir():
            return []
        loaded = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
        return sorted(loaded, key=lambda r: r["file"])
