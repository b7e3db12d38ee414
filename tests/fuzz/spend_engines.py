"""Both spend engines on one file: the row-level reader and the polars fast path, compared as the store sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from commonweal.io.errors import InputError
from commonweal.io.spend.fast import fast_import
from commonweal.io.spend.reader import read_spend_file
from commonweal.io.spend.store import to_arrow
from commonweal.services.spend import supplier_key


def outcome(path: Path, engine: str) -> dict[str, Any]:
    """What one engine makes of the file: its rows and report, or its problems. `handed_over` says that the
    fast path gave the file to the row-level reader (the rows are then the row-level reader's)."""
    try:
        if engine == "fast":
            fast = fast_import(path, supplier_key)
            if fast is None:
                return {"handed_over": True, **outcome(path, "rows")}
            target = path.with_name(path.name + ".parquet")
            fast.write(target)
            rows = sorted(pq.read_table(target).to_pylist(), key=lambda r: int(str(r["source_row"])))
            target.unlink()
            return {"rows": rows, "report": fast.report.as_dict(), "handed_over": False}
        read = read_spend_file(path)
        keys = [supplier_key(r.supplier_name, r.supplier_redacted) for r in read.records]
        return {"rows": to_arrow(read.records, keys).to_pylist(), "report": read.report.as_dict()}
    except InputError as error:
        return {"problems": [str(p) for p in error.problems], **({"handed_over": False} if engine == "fast" else {})}


def both(path: Path) -> tuple[dict[str, Any], bool]:
    """The one outcome both engines give (asserted equal) and whether the fast path handed the file over."""
    rows, fast = outcome(path, "rows"), outcome(path, "fast")
    handed_over = fast.pop("handed_over")
    assert fast == rows, f"rows engine: {rows}\nfast path: {fast}"
    return rows, handed_over
