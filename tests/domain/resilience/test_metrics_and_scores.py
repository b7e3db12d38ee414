"""Every metric and score against figures worked by hand. The worked company (amounts in £):

revenue 1000, cost of sales 600, operating profit 100, depreciation and amortisation 50, interest 20, profit
before tax 80, total assets 800, current assets 400, inventories 100, cash 50, current liabilities 250, total
liabilities 500, equity 300, retained earnings 200, goodwill and intangibles 120, gross debt 350 (net debt blank,
so 350 − 50 = 300), pension deficit 30, operating cash flow 90, capex 30, dividends 10, trade payables 60, market
capitalisation 400, amounts owed by group 40.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from commonweal.domain.resilience import Accounts, Missing, Rag, distress, metrics
from commonweal.domain.resilience.warnings import payment_days


def test_derived_figures(worked: Accounts) -> None:
    assert metrics.ebitda(worked) == D(150)  # 100 + 50
    assert metrics.net_debt(worked) == D(300)  # 350 − 50, net debt itself blank
    assert metrics.book_equity(worked) == D(300)  # equity as reported


def test_standing_metrics(worked: Accounts) -> None:
    assert metrics.turnover_ratio(worked, D(250)) == D(4)  # 1000 / 250
    assert metrics.operating_margin(worked) == D("0.1")  # 100 / 1000
    assert metrics.free_cash_flow_to_net_debt(worked) == D("0.2")  # (90 − 30) / 300
    assert metrics.net_debt_to_ebitda(worked) == D(2)  # 300 / 150
    assert metrics.net_debt_and_pension_deficit_to_ebitda(worked) == D("2.2")  # (300 + 30) / 150
    assert metrics.acid_ratio(worked) == D("1.2")  # (400 − 100) / 250
    assert metrics.net_assets(worked) == D(300)
    assert metrics.tangible_net_assets(worked) == D(180)  # 300 − 120
    assert metrics.interest_cover(worked) == D(5)  # 100 / 20
    assert metrics.group_exposure(worked) == D("0.05")  # 40 / 800
    assert payment_days(worked) == D("36.5")  # 60 / 600 × 365


def test_altman_scores(worked: Accounts) -> None:
    # X1 = (400 − 250) / 800 = 0.1875; X2 = 200 / 800 = 0.25; X3 = 100 / 800 = 0.125; X5 = 1000 / 800 = 1.25
    # book equity / total liabilities = 300 / 500 = 0.6; market value / total liabilities = 400 / 500 = 0.8
    # Z'' = 6.56×0.1875 + 3.26×0.25 + 6.72×0.125 + 1.05×0.6 = 1.23 + 0.815 + 0.84 + 0.63 = 3.515
    assert distress.altman_z2(worked) == D("3.515")
    # Z' = 0.717×0.1875 + 0.847×0.25 + 3.107×0.125 + 0.420×0.6 + 0.998×1.25
    #    = 0.1344375 + 0.21175 + 0.388375 + 0.252 + 1.2475 = 2.2340625
    assert distress.altman_z1(worked) == D("2.2340625")
    # Z = 1.2×0.1875 + 1.4×0.25 + 3.3×0.125 + 0.6×0.8 + 1.0×1.25 = 0.225 + 0.35 + 0.4125 + 0.48 + 1.25 = 2.7175
    assert distress.altman_z(worked) == D("2.7175")


def test_taffler_score(worked: Accounts) -> None:
    # X1 = 80 / 250 = 0.32; X2 = 400 / 500 = 0.8; X3 = 250 / 800 = 0.3125
    # daily operating costs = (1000 − 80 − 50) / 365 = 870 / 365; no-credit interval = (400 − 100 − 250) / (870/365)
    #   = 50 × 365 / 870 = 20.977…; 0.029 × that = 529.25 / 870 = 0.60833…
    # z = 3.20 + 12.18×0.32 + 2.50×0.8 − 10.68×0.3125 + 0.60833… = 3.20 + 3.8976 + 2.0 − 3.3375 + 0.60833… = 6.36843…
    expected = D("5.7601") + D("529.25") / D(870)
    assert distress.taffler_z(worked) == pytest.approx(expected, abs=D("1e-20"))
    assert str(round(distress.taffler_z(worked), 5)) == "6.36843"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "score", "zone"),
    [
        (distress.ALTMAN_Z2, D("2.61"), "safe"), (distress.ALTMAN_Z2, D("2.60"), "grey"),
        (distress.ALTMAN_Z2, D("1.10"), "grey"), (distress.ALTMAN_Z2, D("1.09"), "distress"),
        (distress.ALTMAN_Z1, D("2.91"), "safe"), (distress.ALTMAN_Z1, D("1.22"), "distress"),
        (distress.ALTMAN_Z, D("3.00"), "safe"), (distress.ALTMAN_Z, D("1.80"), "distress"),
        (distress.TAFFLER, D("0.01"), "safe"), (distress.TAFFLER, D("-0.01"), "at risk"),
    ],
)
def test_zone_cut_offs(model: distress.ScoreModel, score: D, zone: str) -> None:
    assert model.zone(score)[0] == zone


def test_blank_accounts_give_missing_everywhere_never_zero(worked: Accounts) -> None:
    blank = Accounts(supplier="Nothing Known Ltd", year_end=dt.date(2024, 3, 31))
    for definition in metrics.METRICS:
        value = definition.compute(blank, D(1000), False)
        assert isinstance(value, Missing), definition.key
        assert value.implies is None
    for score in distress.SCORE_FUNCTIONS.values():
        assert isinstance(score(blank), Missing)
    assert isinstance(payment_days(blank), Missing)
    # the reason names what is absent
    assert metrics.operating_margin(blank).reason == "the accounts do not give operating profit, revenue"  # type: ignore[union-attr]


def test_missing_contract_value_and_market_cap(worked: Accounts) -> None:
    assert isinstance(metrics.turnover_ratio(worked, None), Missing)
    no_market = Accounts(**{**worked.__dict__, "market_cap": None})
    assert isinstance(distress.altman_z(no_market), Missing)
    assert distress.altman_z2(no_market) == D("3.515")  # book-value models do not need it


def test_missing_that_implies_a_rating(worked: Accounts) -> None:
    loss_making = Accounts(**{**worked.__dict__, "operating_profit": D(-80)})  # EBITDA = −80 + 50 = −30
    value = metrics.net_debt_to_ebitda(loss_making)
    assert isinstance(value, Missing) and value.implies is Rag.RED
    net_cash = Accounts(**{**worked.__dict__, "gross_debt": D(20)})  # net debt 20 − 50 = −30
    fcf = metrics.free_cash_flow_to_net_debt(net_cash)
    assert isinstance(fcf, Missing) and fcf.implies is Rag.GREEN
    no_interest = Accounts(**{**worked.__dict__, "interest_expense": D(0)})
    cover = metrics.interest_cover(no_interest)
    assert isinstance(cover, Missing) and cover.implies is Rag.GREEN


def test_reported_net_debt_and_missing_equity_fallbacks(worked: Accounts) -> None:
    reported = Accounts(**{**worked.__dict__, "net_debt": D(150), "equity": None})
    assert metrics.net_debt_to_ebitda(reported) == D(1)  # reported 150 / 150, gross − cash not used
    assert metrics.net_assets(reported) == D(300)  # 800 − 500
