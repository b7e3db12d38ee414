"""The hand-worked company shared by the resilience tests (its figures are listed in test_metrics_and_scores)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from commonweal.domain.resilience import Accounts

_WORKED = Accounts(
    supplier="Worked Example Ltd", year_end=dt.date(2024, 3, 31), revenue=D(1000), cost_of_sales=D(600),
    operating_profit=D(100), depreciation_amortisation=D(50), interest_expense=D(20), profit_before_tax=D(80),
    net_income=D(60), total_assets=D(800), current_assets=D(400), inventories=D(100), cash=D(50),
    current_liabilities=D(250), total_liabilities=D(500), equity=D(300), retained_earnings=D(200),
    goodwill_intangibles=D(120), gross_debt=D(350), pension_deficit=D(30), operating_cash_flow=D(90), capex=D(30),
    dividends_paid=D(10), trade_payables=D(60), market_cap=D(400), amounts_owed_by_group=D(40),
)


@pytest.fixture
def worked() -> Accounts:
    return _WORKED
