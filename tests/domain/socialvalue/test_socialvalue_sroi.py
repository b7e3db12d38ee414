"""SROI against a hand-worked impact map, and Green Book discounting against hand-computed factors."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from commonweal.domain.socialvalue.sroi import ImpactLine, ImpactMap, analyse, discount_factors, discount_rate

JOBS = ImpactLine("Young people into work", quantity=D(2), proxy=D(4263), duration=2, deadweight=D("0.25"),
                  displacement=D(0), attribution=D("0.2"), drop_off=D("0.5"))
VOLUNTEERING = ImpactLine("Volunteering", quantity=D(200), proxy=D("18.64"), duration=1, deadweight=D("0.1"))
MAP = ImpactMap("hand-worked", investment=D(10000), lines=(JOBS, VOLUNTEERING))


def test_discount_rates_follow_the_green_book_schedule() -> None:
    assert [discount_rate(y) for y in (0, 30, 31, 75, 76, 125)] == [D("0.035")] * 2 + [D("0.030")] * 2 + [
        D("0.025")] * 2
    with pytest.raises(ValueError, match="no discount rate for year 126"):
        discount_rate(126)


def test_discount_factors_match_hand_computed_values() -> None:
    factors = discount_factors(31)
    assert factors[0] == 1
    # 1 / 1.035 = 0.96618357...; 1 / 1.035^2 = 1 / 1.071225 = 0.93351070...
    assert factors[1].quantize(D("1e-8")) == D("0.96618357")
    assert factors[2].quantize(D("1e-8")) == D("0.93351070")
    # 1.035^30 = 2.80679370 so 1 / 1.035^30 = 0.35627841; year 31 is discounted at 3.0%: 0.35627841 / 1.03
    assert factors[30].quantize(D("1e-8")) == D("0.35627841")
    assert factors[31].quantize(D("1e-8")) == D("0.34590137")


def test_present_value_and_ratios_of_the_hand_worked_map() -> None:
    result = analyse(MAP)
    jobs, volunteering = result.lines
    # Jobs year 1: 2 × 4263 × (1 − 0.25) × (1 − 0) × (1 − 0.2) = 5115.60; year 2 halves (drop-off 50%): 2557.80
    assert [y.impact for y in jobs.years] == [D("5115.60"), D("2557.80")]
    # PV = 5115.60 / 1.035 + 2557.80 / 1.035^2 = 4942.6087 + 2387.7337 = 7330.3424
    assert jobs.present_value.quantize(D("0.0001")) == D("7330.3424")
    # Volunteering: 200 × 18.64 × 0.9 = 3355.20, one year: 3355.20 / 1.035 = 3241.7391
    assert volunteering.present_value.quantize(D("0.0001")) == D("3241.7391")
    # total 10572.0815 → £10,572.08; ratio 10572.08 / 10000 = 1.0572; net (10572.08 − 10000) / 10000 = 0.0572
    assert result.present_value == D("10572.08")
    assert result.net_present_value == D("572.08")
    assert result.ratio == D("1.0572")
    assert result.net_ratio == D("0.0572")


def test_sensitivity_finds_the_break_even_of_each_assumption() -> None:
    rows = {(r.outcome, r.assumption): r for r in analyse(MAP).sensitivity}
    # Jobs must fall to 10000 − 3241.7391 = 6758.2609 from 7330.3424: factor 0.921955
    assert rows[("Young people into work", "quantity")].break_even == D("1.84")  # 2 × 0.921955
    assert rows[("Young people into work", "proxy")].break_even == D("3930.30")  # 4263 × 0.921955
    # deadweight: 1 − 0.75 × 0.921955 = 0.308534
    assert rows[("Young people into work", "deadweight")].break_even == D("0.3085")
    # one year of jobs only (4942.61 + 3241.74 < 10000) breaks it; none of volunteering's years can be cut to 0
    # without breaking it either: 7330.34 < 10000
    assert rows[("Young people into work", "duration")].break_even == 1
    assert rows[("Volunteering", "duration")].break_even == 0
    # volunteering must fall to 10000 − 7330.3424 = 2669.6576 from 3241.7391: factor 0.823529 → 200 × = 164.71
    assert rows[("Volunteering", "quantity")].break_even == D("164.71")
    assert rows[("Volunteering", "quantity")].change == D("-0.1765")
    # drop-off cannot matter for a one-year outcome
    assert not rows[("Volunteering", "drop_off")].reachable


def test_drop_off_break_even_brings_the_ratio_to_one() -> None:
    row = next(r for r in analyse(MAP).sensitivity if r.assumption == "drop_off" and r.outcome == JOBS.outcome)
    assert row.break_even is not None
    moved = ImpactMap("moved", MAP.investment, (ImpactLine(**{**JOBS.__dict__, "drop_off": row.break_even}),
                                                VOLUNTEERING))
    assert abs(analyse(moved).ratio - 1) <= D("0.0001")


def test_an_assumption_that_cannot_break_the_ratio_is_unreachable() -> None:
    generous = ImpactMap("generous", D(100), (VOLUNTEERING,))
    rows = {r.assumption: r for r in analyse(generous).sensitivity}
    # 3241.74 of value against £100: deadweight would have to pass 100%; drop-off has no second year
    assert rows["deadweight"].break_even == D("0.9722")  # 1 − 0.9 × (100 / 3241.7391)
    assert rows["duration"].break_even == 0
    assert analyse(generous).ratio == D("32.4174")


def test_full_drop_off_leaves_nothing_after_year_one() -> None:
    line = ImpactLine("x", D(1), D(100), 3, drop_off=D(1))
    assert [impact for _, impact in line.yearly_impacts()] == [D(100), D(0), D(0)]


def test_investment_must_be_positive() -> None:
    with pytest.raises(ValueError, match="investment"):
        analyse(ImpactMap("none", D(0), (VOLUNTEERING,)))
