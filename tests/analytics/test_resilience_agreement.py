"""The vectorised Ibis/DuckDB assessment must agree with the domain functions, value for value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import ibis
import pandas as pd
import pytest

from commonweal.analytics.resilience import METRIC_KEYS, SCORE_KEYS, assess
from commonweal.domain.resilience import Accounts, ContractTier, Missing, assess_supplier, metric_values

Market = tuple[dict[str, list[Accounts]], Path, Decimal]


def _close(domain_value: object, vector_value: object) -> bool:
    if isinstance(domain_value, Missing):
        return vector_value is None or pd.isna(vector_value)  # type: ignore[arg-type]
    return vector_value is not None and float(domain_value) == pytest.approx(vector_value, rel=1e-9, abs=1e-9)  # type: ignore[arg-type]


@pytest.mark.parametrize("tier", list(ContractTier))
def test_analytics_agree_with_domain(random_market: Callable[[int], Market], tier: ContractTier) -> None:
    histories, path, contract_value = random_market(150)
    table = ibis.duckdb.connect().read_parquet(path)
    result = assess(table, tier).to_pandas().set_index(["supplier", "year_end"])

    compared = 0
    for supplier, history in histories.items():
        for year in assess_supplier(history, tier, contract_value):
            row = result.loc[(supplier, pd.Timestamp(year.accounts.year_end))]
            values = metric_values(year)
            for key in (*METRIC_KEYS, *SCORE_KEYS, "payment_days"):
                value = row[key]
                assert _close(values[key], None if pd.isna(value) else value), (supplier, year.accounts.year_end, key)
            for metric in year.metrics:
                assert row[f"{metric.key}_rating"] == metric.rating.severity, (supplier, metric.key)
            assert row["standing"] == year.standing.severity, (supplier, year.accounts.year_end, year.reasons)
            assert row["rating"] == year.rating.severity, (supplier, year.accounts.year_end, year.reasons)
            compared += 1
    assert compared == 450
    # the random data exercise every rating, so agreement is not vacuous
    assert set(result["rating"]) >= {0, 2, 3}
