"""The vectorised Ibis/DuckDB assessment must agree with the domain functions, value for value."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import ibis
import pandas as pd
import pytest

from commonweal.analytics.resilience import METRIC_KEYS, SCORE_KEYS, assess
from commonweal.domain.resilience import MONEY_FIELDS, Accounts, ContractTier, Missing, assess_supplier, metric_values


def _random_accounts(rng: random.Random, supplier: str, year: int) -> Accounts:
    def money(low: int, high: int) -> Decimal | None:
        return None if rng.random() < 0.04 else Decimal(rng.randint(low * 100, high * 100)) / 100

    figures = {
        "revenue": money(1_000, 100_000), "cost_of_sales": money(500, 90_000),
        "operating_profit": money(-5_000, 10_000), "depreciation_amortisation": money(0, 3_000),
        "interest_expense": money(0, 1_500), "profit_before_tax": money(-6_000, 9_000),
        "net_income": money(-6_000, 8_000), "total_assets": money(2_000, 80_000),
        "current_assets": money(500, 40_000), "inventories": money(0, 5_000), "cash": money(0, 10_000),
        "current_liabilities": money(200, 40_000), "total_liabilities": money(1_000, 70_000),
        "equity": money(-10_000, 40_000), "retained_earnings": money(-10_000, 30_000),
        "goodwill_intangibles": money(0, 20_000), "gross_debt": money(0, 30_000),
        "net_debt": None if rng.random() < 0.5 else money(-5_000, 25_000), "pension_deficit": money(0, 5_000),
        "operating_cash_flow": money(-3_000, 9_000), "capex": money(0, 3_000), "dividends_paid": money(0, 2_000),
        "trade_payables": money(100, 20_000), "market_cap": None if rng.random() < 0.5 else money(100, 50_000),
        "amounts_owed_by_group": None if rng.random() < 0.5 else money(0, 10_000),
    }
    return Accounts(supplier=supplier, year_end=dt.date(year, 3, 31), **figures)


def _close(domain_value: object, vector_value: object) -> bool:
    if isinstance(domain_value, Missing):
        return vector_value is None or pd.isna(vector_value)  # type: ignore[arg-type]
    return vector_value is not None and float(domain_value) == pytest.approx(vector_value, rel=1e-9, abs=1e-9)  # type: ignore[arg-type]


@pytest.mark.parametrize("tier", list(ContractTier))
def test_analytics_agree_with_domain(tmp_path: Path, tier: ContractTier) -> None:
    rng = random.Random(20240331)
    contract_value = Decimal(5_000)
    histories = {f"Supplier {n}": [_random_accounts(rng, f"Supplier {n}", year) for year in (2022, 2023, 2024)]
                 for n in range(150)}
    rows = [
        {"supplier": a.supplier, "year_end": a.year_end, "annual_contract_value": float(contract_value),
         **{f: None if getattr(a, f) is None else float(getattr(a, f)) for f in MONEY_FIELDS}}
        for history in histories.values() for a in history
    ]
    frame = pd.DataFrame(rows).astype({f: "float64" for f in MONEY_FIELDS})
    frame.to_parquet(tmp_path / "accounts.parquet")
    table = ibis.duckdb.connect().read_parquet(tmp_path / "accounts.parquet")
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
            assert row["rating"] == year.rating.severity, (supplier, year.accounts.year_end, year.reasons)
            compared += 1
    assert compared == 450
    # the random data exercise every rating, so agreement is not vacuous
    assert set(result["rating"]) >= {0, 2, 3}
