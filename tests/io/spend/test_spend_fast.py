"""The DuckDB fast path and the row-level reader give identical rows, rejections and reports."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from commonweal.io.spend.fast import fast_import
from commonweal.io.spend.reader import read_spend_file
from commonweal.io.spend.store import to_arrow
from commonweal.services.spend import supplier_key

MESSY = ("\ufeffAnytown Council,,,,,\r\nExpenditure over £500,,,,,\r\n"
         "Supplier Name,Supplier ID,Payment Date,Amount,Spend Area,\r\n"
         'Café\xa0Ltd,C1,20/12/2010,"£2,310.00",PEOPLE,#N/A\r\n'
         "REDACTED,C2,06/12/2010,-£4.50,PEOPLE,\r\n"
         "KELLY\u0092S  HEROES,C3,07/12/2010,2520.00-,PLACE,\r\n"
         "Brackets Ltd,C4,08/12/2010,(33.32),PLACE,\r\n"
         "Artefact Ltd,C5,09/12/2010,4582.499999999,PLACE,\r\n"
         "Penny Ltd,C6,09/12/2010,12.345,PLACE,\r\n"
         "Bad Ltd,C7,09/12/2010,twelve,PLACE,\r\n"
         "Nodate Ltd,C8,,5.00,PLACE,\r\n"
         "Wrong Ltd,C9,31/02/2010,5.00,PLACE,\r\n"
         "VARIOUS,VARIOUS,VARIOUS,\"3,615.39\",PLACE,\r\n"
         ",,,,,\r\n"
         "Grand Total,,,9999.99,,\r\n")


def rows_of_both(path: Path) -> tuple[list[dict[str, object]], list[dict[str, object]], dict[str, object],
                                      dict[str, object]]:
    fast = fast_import(path, supplier_key)
    assert fast is not None
    target = path.with_suffix(".fast.parquet")
    fast.write(target)
    fast_rows = sorted(pq.read_table(target).to_pylist(), key=lambda r: int(str(r["source_row"])))
    slow = read_spend_file(path)
    slow_rows = to_arrow(slow.records, [supplier_key(r.supplier_name, r.supplier_redacted)
                                        for r in slow.records]).to_pylist()
    return fast_rows, slow_rows, fast.report.as_dict(), slow.report.as_dict()


def test_fast_path_matches_the_row_reader_on_every_quirk(tmp_path: Path) -> None:
    path = tmp_path / "anytown_messy.csv"
    path.write_bytes(MESSY.encode("utf-8"))
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows
    assert fast_report == slow_report
    # 12 rows read: 6 loaded (incl. the VARIOUS row); 6 rejected: sub-penny, bad amount, blank date, 31 February,
    # the spacer row and the total row
    assert (slow_report["rows_read"], slow_report["rows_loaded"], slow_report["rows_rejected"]) == (12, 6, 6)
    # 2310.00 - 4.50 - 2520.00 - 33.32 + 4582.50 + 3615.39 = 7950.07
    assert slow_report["total_amount"] == "7950.07"


def test_fast_path_matches_on_the_benchmark_synthetic_mess(tmp_path: Path) -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[3] / "benchmarks" / "spend_ingest.py"
    spec = importlib.util.spec_from_file_location("spend_ingest", script)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "anytown_synthetic.csv"
    bench.generate(3000, path)
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows and fast_report == slow_report
    # 3000 generated rows + the total row; row 0 is a spacer; every 6th amount is 4582.499999999 -> 4582.50
    assert (slow_report["rows_read"], slow_report["rows_rejected"]) == (3001, 2)


def test_contracts_registers_take_the_row_path(tmp_path: Path) -> None:
    path = tmp_path / "x_contracts.csv"
    path.write_text("Supplier Company Name,Annual Value,Start Date\nA Ltd,100.00,2022-01-01\n", encoding="utf-8")
    assert fast_import(path, supplier_key) is None


@pytest.mark.corpus
def test_fast_path_matches_the_row_reader_on_the_corpus(shared_data: Path, tmp_path: Path) -> None:
    for source in sorted((shared_data / "spend").glob("*.csv")):
        if source.name == "manifest.csv" or "contracts" in source.name:
            continue
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        fast_rows, slow_rows, fast_report, slow_report = rows_of_both(copy)
        assert fast_report == slow_report, source.name
        assert fast_rows == slow_rows, source.name


def test_progress_is_told_while_reading_and_settles_on_the_records_read(tmp_path: Path) -> None:
    path = tmp_path / "anytown_big.csv"
    body = "".join(f"Supplier {n % 997} Ltd,C{n},{n % 28 + 1:02d}/12/2010,{n % 5000}.25,PLACE,\r\n"
                   for n in range(300_000))
    path.write_text("Supplier,Reference,Date,Amount,Place,\r\n" + body, encoding="utf-8")
    told: list[int] = []
    imported = fast_import(path, supplier_key, progress=told.append)
    assert imported is not None
    imported.discard()
    assert imported.report.rows_read == 300_000
    assert sum(told) == 300_000 and all(n > 0 for n in told)
    assert len(told) > 1  # told batch by batch while polars reads and parses, not only once at the end
