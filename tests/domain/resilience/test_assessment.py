from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from commonweal.domain.rag import worst
from commonweal.domain.resilience import (
    Accounts,
    ContractExposure,
    ContractTier,
    Rag,
    ResiliencePolicy,
    Threshold,
    assess_dependency,
    assess_supplier,
    risk_register,
)
from commonweal.domain.resilience.dependency import CRITICAL_SERVICE_CHECKLIST
from commonweal.domain.resilience.policy import DEFAULT_POLICY, DEFAULT_THRESHOLDS
from commonweal.domain.resilience.warnings import warning_signs


def _year(base: Accounts, year: int, **changes: D) -> Accounts:
    return Accounts(**{**base.__dict__, "year_end": dt.date(year, 3, 31), **changes})


def test_threshold_rules(worked: Accounts) -> None:
    higher = Threshold(True, D(2), D(1))
    assert [higher.rate(D(v)) for v in ("2", "1.5", "1", "0.99")] == [Rag.GREEN, Rag.AMBER, Rag.AMBER,
                                                                     Rag.RED]
    lower = Threshold(False, D("2.5"), D("3.5"))
    assert [lower.rate(D(v)) for v in ("2.5", "3.5", "3.51")] == [Rag.GREEN, Rag.AMBER, Rag.RED]
    assert Threshold(True, D(0), None).rate(D(-1_000_000)) is Rag.AMBER
    assert "Commonweal default" in lower.describe()


def test_tiers_are_stricter_for_critical_contracts(worked: Accounts) -> None:
    high, low = DEFAULT_THRESHOLDS[ContractTier.HIGH], DEFAULT_THRESHOLDS[ContractTier.LOW]
    assert high["net_debt_to_ebitda"].green < low["net_debt_to_ebitda"].green
    assert high["acid_ratio"].green > low["acid_ratio"].green


def test_worked_year_is_green_with_medium_tier(worked: Accounts) -> None:
    [year] = assess_supplier([worked], ContractTier.MEDIUM, D(250))
    # net debt / EBITDA 2 ≤ 3 green; acid 1.2 ≥ 0.8 green; Z'' 3.515 > 2.60 safe; payment days 36.5 ≤ 55
    assert year.metric("net_debt_to_ebitda").rating is Rag.GREEN
    assert year.score("altman_z2").zone == "safe"
    assert year.metric("turnover_ratio").rating is Rag.GREEN  # 4 ≥ 2
    assert year.rating is Rag.GREEN
    assert year.reasons == ()


def test_high_tier_turns_the_same_accounts_amber(worked: Accounts) -> None:
    [year] = assess_supplier([worked], ContractTier.HIGH, D(400))
    # turnover ratio 1000 / 400 = 2.5: below 4 (green) but not below 2 (red) for a high-tier contract
    assert year.metric("turnover_ratio").rating is Rag.AMBER
    assert year.rating is Rag.AMBER
    assert year.reasons[0].text.startswith("Turnover to annual contract value is 2.50, amber against green ≥ 4")


def test_warning_signs_have_plain_reasons(worked: Accounts) -> None:
    # payment days 200 / 600 × 365 = 121.7 > 55; goodwill 400 > equity 300; dividends 100 > cash flow 90
    troubled = _year(worked, 2024, trade_payables=D(200), goodwill_intangibles=D(400), dividends_paid=D(100))
    codes = {s.code: s for s in warning_signs(troubled, DEFAULT_POLICY)}
    assert set(codes) == {"slow_payment", "goodwill_exceeds_net_assets", "dividends_exceed_cash_flow"}
    assert "122 days" in codes["slow_payment"].reason and "PPN 015" in codes["slow_payment"].reason
    assert codes["goodwill_exceeds_net_assets"].value == D(100)  # 400 − 300
    assert codes["dividends_exceed_cash_flow"].value == D(10)  # 100 − 90
    assert warning_signs(worked, DEFAULT_POLICY) == []


def test_year_on_year_deterioration(worked: Accounts) -> None:
    # operating margin 0.1 -> 0.08 (operating profit 80): fell by 0.02, more than 10% of 0.1 = 0.01
    # acid ratio 1.2 -> 1.16 (current assets 390): fell by 0.04, less than 0.12, so not flagged
    years = assess_supplier([_year(worked, 2023), _year(worked, 2024, operating_profit=D(80), current_assets=D(390))])
    codes = {w.code for w in years[1].warnings}
    assert "deteriorated:operating_margin" in codes
    assert "deteriorated:acid_ratio" not in codes
    assert not years[0].warnings  # nothing to compare the first year with
    assert any("operating margin worsened from 0.10 to 0.08" in r.text for r in years[1].reasons)


def test_tolerance_is_configurable(worked: Accounts) -> None:
    strict = ResiliencePolicy(deterioration_tolerance=D(0))
    years = assess_supplier([_year(worked, 2023), _year(worked, 2024, current_assets=D(390))], policy=strict)
    assert "deteriorated:acid_ratio" in {w.code for w in years[1].warnings}


def test_dependency_both_ways(worked: Accounts) -> None:
    exposure = ContractExposure("Worked Example Ltd", D(600), D(600), D(1000), critical=True)
    dependency = assess_dependency(exposure, D(1000), DEFAULT_POLICY)
    # supplier: 600 / 1000 = 0.6 > 0.5 red; council: 600 / 1000 = 0.6 > 0.5 red
    assert dependency.supplier_dependence == D("0.6")
    assert dependency.council_dependence == D("0.6")
    assert dependency.rating is Rag.RED
    assert "60% of the supplier's turnover" in dependency.reasons[0][1]
    small = assess_dependency(ContractExposure("X", D(100), None, None), D(1000), DEFAULT_POLICY)
    assert small.supplier_dependence == D("0.1") and small.rating is Rag.GREEN
    assert str(small.council_dependence) == "missing"


def test_register_most_severe_first_with_checklist_for_critical(worked: Accounts) -> None:
    healthy = [_year(worked, 2023), _year(worked, 2024)]
    failing = [Accounts(**{**worked.__dict__, "supplier": "Failing plc", "equity": D(-50)})]
    register = risk_register(
        healthy + failing,
        exposures={"Failing plc": ContractExposure("Failing plc", D(100), critical=True)},
    )
    assert [r.supplier for r in register] == ["Failing plc", "Worked Example Ltd"]
    assert register[0].rating is Rag.RED
    assert register[0].reasons[0].rating is Rag.RED
    assert [r.rating.severity for r in register[0].reasons] == sorted(
        (r.rating.severity for r in register[0].reasons), reverse=True)
    assert register[0].checklist == CRITICAL_SERVICE_CHECKLIST
    assert register[1].checklist == ()
    assert len(register[1].years) == 2


def test_worst_ignores_missing_unless_nothing_rated(worked: Accounts) -> None:
    assert worst([Rag.MISSING, Rag.GREEN]) is Rag.GREEN
    assert worst([Rag.MISSING]) is Rag.MISSING
    assert worst([Rag.AMBER, Rag.RED, Rag.MISSING]) is Rag.RED
