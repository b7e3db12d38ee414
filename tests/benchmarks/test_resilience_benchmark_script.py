"""A tiny run of benchmarks/resilience_assess.py's pieces, so the script cannot rot (the benchmark itself is not
run in CI)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow.parquet as pq

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "resilience_assess.py"


def test_benchmark_pieces_run_on_a_small_market(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("resilience_assess", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.synthetic(400)
    assert table.num_rows == 400
    pq.write_table(table, tmp_path / "accounts.parquet")
    seconds, cpu, rows = module.vectorised(tmp_path / "accounts.parquet", threads=1, repeats=1)
    assert rows == 400 and seconds > 0 and cpu > 0
    baseline, sampled = module.row_by_row(table, 40)
    assert sampled == 40 and baseline > 0
