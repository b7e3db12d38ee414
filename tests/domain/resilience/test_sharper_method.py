"""The sharper method (#21 item 6): EBITDA fallback, adjusted leverage, trends across years and the
accumulation rule, each against figures worked by hand on the shared worked company (see conftest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

from commonweal.domain.resilience import (
    Accounts,
    ContractTier,
    Missing,
    Rag,
    ResiliencePolicy,
    assess_supplier,
    metrics,
    trends,
)

POLICY = ResiliencePolicy()


def _year(worked: Accounts, year: int, **figures: D | None) -> Accounts:
    return replace(worked, year_end=dt.date(year, 3, 31), **figures)


def test_leverage_falls_back_to_operating_profit_only_when_asked(worked: Accounts) -> None:
    undisclosed = replace(worked, depreciation_amortisation=None)
    assert isinstance(metrics.net_debt_to_ebitda(undisclosed), Missing)
    assert metrics.net_debt_to_ebitda(undisclosed, fallback=True) == D(3)  # 300 / 100, not 300 / 150
    assert metrics.ebitda_basis(undisclosed, True) == metrics.EBITDA_FALLBACK_NOTE
    assert metrics.ebitda_basis(worked, True) == ""  # disclosed: the real EBITDA, no note
    year = assess_supplier([undisclosed])[0]
    assert year.metric("net_debt_to_ebitda").basis == metrics.EBITDA_FALLBACK_NOTE
    assert not isinstance(assess_supplier([undisclosed], policy=replace(POLICY, ebitda_fallback=False))[0]
                          .metric("net_debt_to_ebitda").value, D)


def test_adjusted_leverage_takes_the_highest_debt_and_adds_pension_and_supply_chain_finance(worked: Accounts) -> None:
    assert metrics.adjusted_leverage(worked) == D("2.2")  # (300 + 30 + 0) / 150: nothing more disclosed
    fuller = replace(worked, average_net_debt=D(360), peak_net_debt=D(420), supply_chain_finance=D(75))
    assert metrics.adjusted_debt(fuller) == D(525)  # peak 420 + pension 30 + SCF 75
    assert metrics.adjusted_leverage(fuller) == D("3.5")
    assert isinstance(metrics.adjusted_leverage(replace(worked, pension_deficit=None)), Missing)


def test_receivables_outpacing_revenue(worked: Accounts) -> None:
    history = [_year(worked, 2022, trade_receivables=D(150), accrued_income=D(50)),  # 20% of revenue
               _year(worked, 2023, trade_receivables=D(150), accrued_income=D(80)),
               _year(worked, 2024, trade_receivables=D(160), accrued_income=D(100))]  # 26%
    sign = trends.receivables_outpacing_revenue(history, POLICY)
    assert sign is not None and sign.value == D("0.06") and "20.0% to 26.0%" in sign.reason
    assert trends.receivables_outpacing_revenue(history, replace(POLICY, receivables_drift=D("0.06"))) is None


def test_dividends_over_free_cash_flow_and_over_pension_contributions(worked: Accounts) -> None:
    history = [_year(worked, 2023, dividends_paid=D(50), pension_contributions=D(5)),  # FCF 90 − 30 = 60 a year
               _year(worked, 2024, dividends_paid=D(80), pension_contributions=D(5))]
    over_cash = trends.dividends_over_free_cash_flow(history, POLICY)
    assert over_cash is not None and over_cash.value == D(10)  # 130 paid, 120 generated
    over_pension = trends.dividends_over_pension_contributions(history, POLICY)
    assert over_pension is not None and over_pension.value == D(120)  # 130 against 10
    no_deficit = [*history[:-1], replace(history[-1], pension_deficit=D(0))]
    assert trends.dividends_over_pension_contributions(no_deficit, POLICY) is None


def test_margin_drift_needs_a_fall_every_year(worked: Accounts) -> None:
    falling = [_year(worked, 2022, operating_profit=D(100)), _year(worked, 2023, operating_profit=D(90)),
               _year(worked, 2024, operating_profit=D(70))]  # 10% → 9% → 7%
    sign = trends.margin_drifting(falling, POLICY)
    assert sign is not None and sign.value == D("-0.03")
    recovering = [falling[0], replace(falling[1], operating_profit=D(60)), falling[2]]  # 10% → 6% → 7%
    assert trends.margin_drifting(recovering, POLICY) is None


def test_accumulation_counts_distinct_dimensions_only() -> None:
    assert trends.accumulate(["operating_margin", "interest_cover", "margin_drift"], POLICY) is None  # one dimension
    escalated = trends.accumulate(["operating_margin", "acid_ratio", "deteriorated:net_debt_to_ebitda"], POLICY)
    assert escalated is not None and escalated.rating is Rag.RED
    assert "leverage, liquidity, profitability" in escalated.reason


def test_three_ambers_escalate_the_year_but_not_its_standing(worked: Accounts) -> None:
    # medium tier: margin 1% (amber: green ≥ 2%), acid ratio 0.7 (amber), interest cover 2 (amber), nothing red
    weak = replace(worked, operating_profit=D(10), current_assets=D(275), interest_expense=D(5),
                   depreciation_amortisation=D(140))
    year = assess_supplier([weak], ContractTier.MEDIUM)[0]
    assert year.standing is Rag.AMBER, year.reasons
    assert year.escalation is not None
    assert year.rating is Rag.RED
    assert any(r.text == year.escalation.reason and r.rating is Rag.RED for r in year.reasons)
