"""A reproducible random market of supplier accounts, as domain Accounts and as a Parquet file for Ibis."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from commonweal.domain.resilience import MONEY_FIELDS, Accounts

CONTRACT_VALUE = Decimal(5_000)
Market = tuple[dict[str, list[Accounts]], Path, Decimal]


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


@pytest.fixture
def random_market(tmp_path: Path) -> Callable[[int], Market]:
    """`random_market(n)`: n suppliers with three years each, the same rows written to Parquet (float64 £), and
    the annual contract value every row carries."""

    def build(suppliers: int) -> Market:
        rng = random.Random(20240331)
        histories = {f"Supplier {n}": [_random_accounts(rng, f"Supplier {n}", year) for year in (2022, 2023, 2024)]
                     for n in range(suppliers)}
        rows = [
            {"supplier": a.supplier, "year_end": a.year_end, "annual_contract_value": float(CONTRACT_VALUE),
             **{f: None if getattr(a, f) is None else float(getattr(a, f)) for f in MONEY_FIELDS}}
            for history in histories.values() for a in history
        ]
        path = tmp_path / "accounts.parquet"
        pd.DataFrame(rows).astype({f: "float64" for f in MONEY_FIELDS}).to_parquet(path)
        return histories, path, CONTRACT_VALUE

    return build
