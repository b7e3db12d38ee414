"""The trends across years and the accumulation rule in Ibis (DuckDB) give the domain's answer on generated
accounts: the same trend signs, the same escalations, the same standing and overall ratings, year by year."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from functools import cache

import duckdb
import ibis
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweal.analytics.resilience import TREND_CODES, assess
from commonweal.domain.resilience import MONEY_FIELDS, Accounts, ContractTier, assess_supplier

# Figures in whole pounds: float64 holds them and the cross-multiplied drift comparisons exactly, so a trend that
# sits exactly on its drift is decided as the domain decides it. Each figure may be blank (unknown).
_RANGES: dict[str, tuple[int, int]] = {
    "revenue": (-100, 100_000), "cost_of_sales": (0, 90_000), "operating_profit": (-5_000, 10_000),
    "depreciation_amortisation": (0, 3_000), "interest_expense": (0, 1_500), "profit_before_tax": (-6_000, 9_000),
    "total_assets": (1, 80_000), "current_assets": (0, 40_000), "inventories": (0, 5_000), "cash": (0, 10_000),
    "current_liabilities": (0, 40_000), "total_liabilities": (1, 70_000), "equity": (-10_000, 40_000),
    "retained_earnings": (-10_000, 30_000), "goodwill_intangibles": (0, 20_000), "gross_debt": (0, 30_000),
    "pension_deficit": (-100, 5_000), "operating_cash_flow": (-3_000, 9_000), "capex": (0, 3_000),
    "dividends_paid": (0, 4_000), "trade_payables": (0, 20_000), "trade_receivables": (0, 40_000),
    "accrued_income": (0, 10_000), "pension_contributions": (0, 3_000),
}
YEARS = (2020, 2021, 2022, 2023, 2024)


def _figure(low: int, high: int) -> st.SearchStrategy[Decimal | None]:
    return st.none() | st.integers(low, high).map(Decimal)


_history = st.lists(st.fixed_dictionaries({name: _figure(*bounds) for name, bounds in _RANGES.items()}),
                    min_size=1, max_size=len(YEARS))


def _market(figures: list[list[dict[str, Decimal | None]]]) -> dict[str, list[Accounts]]:
    return {f"S{n}": [Accounts(supplier=f"S{n}", year_end=dt.date(year, 3, 31), **row)
                      for year, row in zip(YEARS, history, strict=False)]
            for n, history in enumerate(figures)}


@cache
def _query(tier: ContractTier) -> str:
    """The assessment's SQL on DuckDB for a table `accounts` (built once: compiling per example dominates)."""
    schema = {"supplier": "string", "year_end": "date", "annual_contract_value": "float64",
              **dict.fromkeys(MONEY_FIELDS, "float64")}
    return str(ibis.to_sql(assess(ibis.table(schema, name="accounts"), tier), dialect="duckdb"))


def _compare(market: dict[str, list[Accounts]], tier: ContractTier, contract_value: Decimal) -> Counter[str]:
    """Assert Ibis and the domain agree on every year; return how often each trend and escalation fired."""
    rows = [{"supplier": a.supplier, "year_end": a.year_end, "annual_contract_value": float(contract_value),
             **{f: None if getattr(a, f) is None else float(getattr(a, f)) for f in MONEY_FIELDS}}
            for history in market.values() for a in history]
    frame = pd.DataFrame(rows).astype({f: "float64" for f in MONEY_FIELDS})
    with duckdb.connect() as connection:
        connection.register("accounts", frame)
        result = connection.execute(_query(tier)).df().set_index(["supplier", "year_end"])
    fired: Counter[str] = Counter()
    for supplier, history in market.items():
        for year in assess_supplier(history, tier, contract_value):
            row = result.loc[(supplier, pd.Timestamp(year.accounts.year_end))]
            where = (supplier, year.accounts.year_end, [r.text for r in year.reasons])
            flagged = {code for code in TREND_CODES if row[f"trend_{code}"]}
            assert flagged == {sign.code for sign in year.trends}, where
            assert bool(row["escalated"]) == (year.escalation is not None), where
            assert row["standing"] == year.standing.severity, where
            assert row["rating"] == year.rating.severity, where
            fired.update(flagged | ({"escalated"} if year.escalation else set()))
    return fired


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(figures=st.lists(_history, min_size=1, max_size=4), tier=st.sampled_from(list(ContractTier)))
def test_trends_and_accumulation_agree_with_domain(figures: list[list[dict[str, Decimal | None]]],
                                                   tier: ContractTier) -> None:
    _compare(_market(figures), tier, Decimal(5_000))


def test_every_trend_and_the_accumulation_rule_fire_on_a_random_market() -> None:
    """Agreement is not vacuous: on a seeded market of five-year histories each trend and the escalation fire."""
    rng = random.Random(20251206)

    def figure(name: str) -> Decimal | None:
        low, high = _RANGES[name]
        return None if rng.random() < 0.05 else Decimal(rng.randint(low, high))

    market = {f"S{n}": [Accounts(supplier=f"S{n}", year_end=dt.date(year, 3, 31),
                                 **{name: figure(name) for name in _RANGES}) for year in YEARS]
              for n in range(200)}
    fired = _compare(market, ContractTier.MEDIUM, Decimal(5_000))
    assert set(fired) == {*TREND_CODES, "escalated"}, fired
