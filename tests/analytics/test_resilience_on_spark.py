"""The same Ibis assessment runs on PySpark (for councils that outgrow one machine) and gives DuckDB's answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest

from commonweal.analytics.resilience import OUTPUT_COLUMNS, assess
from commonweal.domain.resilience import Accounts, ContractTier

Market = tuple[dict[str, list[Accounts]], Path, Decimal]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("commonweal-resilience-test")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "1").getOrCreate())
    yield session
    session.stop()


@pytest.mark.spark
def test_pyspark_matches_duckdb(spark: Any, random_market: Callable[[int], Market]) -> None:
    _, path, _ = random_market(20)
    on_duckdb = assess(ibis.duckdb.connect().read_parquet(path), ContractTier.HIGH).to_pandas()
    on_spark = assess(ibis.pyspark.connect(spark).read_parquet(str(path)), ContractTier.HIGH).to_pandas()
    keys = ["supplier", "year_end"]
    left = on_duckdb.sort_values(keys).reset_index(drop=True)
    right = on_spark.sort_values(keys).reset_index(drop=True)
    assert len(left) == len(right) == 60
    for column in OUTPUT_COLUMNS:
        pd.testing.assert_series_equal(left[column].astype("float64"), right[column].astype("float64"),
                                       check_names=False, rtol=1e-9, obj=column)
