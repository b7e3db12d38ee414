"""Spend analytics as Ibis expressions: the same expression runs on DuckDB (the default, one machine) and on
PySpark (local mode here; a cluster for a council or national body that outgrows one machine).

Amounts stay DECIMAL from Parquet to the result: sums of DECIMAL(18,2) are exact on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from commonweal.domain.market.classification import NAME_RULE

ENGINES = ("duckdb", "pyspark")


def connect(engine: str = "duckdb", session: Any = None) -> Any:
    """An Ibis backend. `pyspark` takes an existing SparkSession or starts a small local one."""
    if engine == "duckdb":
        return ibis.duckdb.connect()
    if engine == "pyspark":
        if session is None:
            from pyspark.sql import SparkSession

            session = (SparkSession.builder.master("local[2]").appName("commonweal")
                       .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
                       .getOrCreate())
        return ibis.pyspark.connect(session)
    raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")


def payments(con: Any, dataset: str) -> ir.Table:
    return con.read_parquet(dataset)


def dated_between(t: ir.Table, start: Any, end: Any, kinds: Sequence[str] = ("payment",)) -> ir.Table:
    """The rows of `kinds` dated from `start` to `end` inclusive, in date and source order (transparency files)."""
    return (t.filter(t.kind.isin(list(kinds)), t.date >= start, t.date <= end)
            .order_by(["date", "source_file", "source_row"]))


def spend_by(t: ir.Table, dims: Sequence[str]) -> ir.Table:
    """Total spend and number of payments by the given columns (supplier_key, service_area, period...)."""
    return (t.group_by(list(dims))
            .aggregate(total=t.amount.sum(), payments=t.count())
            .order_by([ibis.desc("total"), *dims]))


def supplier_totals_by_service(t: ir.Table) -> ir.Table:
    """Net spend per supplier within each council's service area: the input to concentration and dependency.
    Redacted names are left out (they are many people, not one supplier)."""
    named = t.filter(~t.supplier_redacted & (t.supplier_key != ""))
    return (named.group_by(["council", "service_area", "supplier_key"])
            .aggregate(total=named.amount.sum())
            .order_by(["council", "service_area", ibis.desc("total"), "supplier_key"]))


def suppliers(t: ir.Table) -> ir.Table:
    """One row per supplier key with the evidence classification needs: for each field the greatest non-empty
    value (any one of them when a supplier's rows disagree), the spend and the number of payments."""
    return (t.group_by("supplier_key")
            .aggregate(
                name=t.supplier_name.max(),
                redacted=t.supplier_redacted.max(),
                company_number=t.company_number.nullif("").max(),
                charity_number=t.charity_number.nullif("").max(),
                vat_number=t.vat_number.nullif("").max(),
                postcode=t.postcode.nullif("").max(),
                council_supplier_type=t.council_supplier_type.nullif("").max(),
                council_vcse_flag=t.council_vcse_flag.nullif("").max(),
                council_sme_flag=t.council_sme_flag.nullif("").max(),
                grant_recipient=(t.kind == "grant").max(),
                total=t.amount.sum(),
                payments=t.count())
            .order_by("supplier_key"))


def supplier_postcodes(t: ir.Table) -> ir.Table:
    """Each supplier key's distinct postcodes as its rows state them (a supplier may have several sites)."""
    stated = t.filter((t.postcode != "") & (t.supplier_key != ""))
    return stated.select("supplier_key", "postcode").distinct().order_by(["supplier_key", "postcode"])


def in_service_area(t: ir.Table, service: str) -> ir.Table:
    """The payments whose service area contains `service`, ignoring case ("adult social care" matches "Adult
    Social Care - Home Care"): the council's spend in that service area."""
    return t.filter(t.service_area.lower().contains(service.strip().lower()))


def spend_by_label(t: ir.Table, labels: ir.Table, dims: Sequence[str] = ()) -> ir.Table:
    """Spend by supplier label (SME, VCSE, ...) and optional further columns. `labels` has supplier_key, label
    and source (the evidence the label rests on); a supplier without a label counts as `unknown`, so every share
    shows how much is unclassified, and `on_name_alone` is the part of each total whose label rests on a name rule
    alone, the weakest evidence (null when none does)."""
    joined = t.left_join(labels, t.supplier_key == labels.supplier_key)
    labelled = joined.mutate(label=joined.label.fill_null("unknown"))
    return (labelled.group_by([*dims, "label"])
            .aggregate(total=labelled.amount.sum(), payments=labelled.count(),
                       on_name_alone=labelled.amount.sum(where=labelled.source == NAME_RULE))
            .order_by([*dims, "label"]))


def to_records(expr: ir.Table, money: Sequence[str] = (), months: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Execute and return plain Python rows (Decimal amounts, dates), independent of the engine. The `money`
    columns come as exact text with two decimals (`0.00` for none) and the `months` as `yyyy-mm` (`` for none):
    text Arrow writes, where a Python Decimal and date per row cost seconds on a county's year of cells."""
    table = expr.to_pyarrow()
    for name in money:
        # to two decimals exactly: Arrow refuses a cast that would lose a digit, so nothing is rounded silently
        text = pc.cast(pc.cast(table[name], pa.decimal128(38, 2)), pa.string()).fill_null("0.00")
        table = table.set_column(table.schema.get_field_index(name), name, text)
    for name in months:
        text = pc.strftime(table[name], format="%Y-%m").fill_null("")
        table = table.set_column(table.schema.get_field_index(name), name, text)
    return table.to_pylist()  # type: ignore[no-any-return]
