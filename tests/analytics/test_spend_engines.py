"""The same Ibis expressions give identical results on DuckDB and on PySpark (local mode)."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pytest

from commonweal.analytics import spend as analytics
from commonweal.io.spend.reader import read_spend_file
from commonweal.io.spend.store import SpendStore, parquet_writer

SPEND = ("Body Name,Service Area,Payment Date,Supplier Name,Net Amount,Creditor Type\n"
         "Anytown,Home Care,2022-05-03,Helping Hands CIC,1000.10,CHTY\n"
         "Anytown,Home Care,2022-05-04,Care Co Ltd,3000.20,B\n"
         "Anytown,Home Care,2022-06-04,Care Co Ltd,-200.05,B\n"
         "Anytown,Roads,2022-06-05,Big Roads PLC,14000.99,PLC\n"
         "Anytown,Roads,2022-06-06,REDACTED PERSONAL DATA,500.00,INDV\n")


def _sorted(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(tuple(sorted(r.items())) for r in rows)


@pytest.mark.spark
def test_duckdb_and_pyspark_agree(tmp_path: Path) -> None:
    source = tmp_path / "anytown.csv"
    source.write_text(SPEND, encoding="utf-8")
    spend_file = read_spend_file(source)
    keys = [r.supplier_name.upper() for r in spend_file.records]
    store = SpendStore(tmp_path / "db")
    store.save([(spend_file.report, parquet_writer(spend_file, keys))])
    labels = ibis.memtable({"supplier_key": ["CARE CO LTD", "HELPING HANDS CIC"], "label": ["sme", "vcse"],
                            "source": ["name rule", "council flag"]})
    results = {}
    for engine in analytics.ENGINES:
        con = analytics.connect(engine)
        t = analytics.payments(con, store.dataset("payments"))
        results[engine] = {
            "by_service": analytics.to_records(analytics.supplier_totals_by_service(t)),
            "by_label": analytics.to_records(analytics.spend_by_label(t, labels, ["period"])),
            "by_period": analytics.to_records(analytics.spend_by(t, ["period", "service_area"])),
            "suppliers": analytics.to_records(analytics.suppliers(t)),
        }
    duck, spark = results["duckdb"], results["pyspark"]
    for name in duck:
        assert _sorted(duck[name]) == _sorted(spark[name]), name
    # and both are exact: Care Co nets 3000.20 - 200.05 = 2800.15
    care = next(r for r in duck["by_service"] if r["supplier_key"] == "CARE CO LTD")
    assert care["total"] == Decimal("2800.15")
    unknown = [r for r in spark["by_label"] if r["label"] == "unknown"]
    assert sum(r["total"] for r in unknown) == Decimal("14500.99")  # 14000.99 + 500.00 unlabelled
    # Care Co's label rests on its name alone, Helping Hands' on the council's flag
    alone = {r["label"]: r["on_name_alone"] for r in spark["by_label"] if r["period"].month == 5}
    assert alone == {"sme": Decimal("3000.20"), "vcse": None}


@pytest.mark.spark
def test_a_store_written_by_both_readers_reads_alike_on_both_engines(tmp_path: Path) -> None:
    """The fast path writes repeated texts as Parquet dictionaries, the row-level reader as plain text; one store
    holding both kinds of file gives the same answers on DuckDB and PySpark."""
    from commonweal.services.spend import import_files

    fast_source, rows_source = tmp_path / "anytown_2022.csv", tmp_path / "othertown_2022.csv"
    fast_source.write_text(SPEND, encoding="utf-8")
    rows_source.write_text(SPEND.replace("Anytown", "Othertown").replace("1000.10", "7.00"), encoding="utf-8")
    db = tmp_path / "db"
    import_files([fast_source], db, engine="fast")
    import_files([rows_source], db, engine="rows")
    results = {}
    for engine in analytics.ENGINES:
        t = analytics.payments(analytics.connect(engine), SpendStore(db).dataset("payments"))
        results[engine] = analytics.to_records(analytics.spend_by(t, ["council", "supplier_key", "flags"]))
    assert _sorted(results["duckdb"]) == _sorted(results["pyspark"])
    helping = {r["council"]: r["total"] for r in results["pyspark"] if r["supplier_key"] == "HELPING HANDS"}
    assert helping == {"Anytown": Decimal("1000.10"), "Othertown": Decimal("7.00")}
