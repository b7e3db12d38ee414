"""Each price formula against hand-worked figures (prices 100, 125, 200; price weight 40; non-price points
as given)."""

from decimal import Decimal

import numpy as np
import pytest

from commonweal.domain.evaluation.price import FORMULAS, context, formula_problems

D = Decimal
PRICES = np.array([100.0, 125.0, 200.0])
NONPRICE = np.array([30.0, 48.0, 60.0])  # out of 60 non-price points


def totals(name: str, params: dict[str, Decimal] | None = None, budget: Decimal | None = None) -> list[float]:
    formula = FORMULAS[name]
    result = formula.totals(PRICES, NONPRICE, context(formula, D(40), params or {}, budget))
    return [round(float(x), 6) for x in result]


def test_relative_to_lowest() -> None:
    # F = Pmin/Pi: 100/100 = 1, 100/125 = 0.8, 100/200 = 0.5; × 40 = 40, 32, 20; + non-price
    assert totals("relative_to_lowest") == [70.0, 80.0, 80.0]


def test_deduction_from_lowest_with_default_rate() -> None:
    # F = 1 − (Pi − Pmin)/Pmin: 1, 1 − 0.25 = 0.75, 1 − 1 = 0; × 40 = 40, 30, 0
    assert totals("deduction_from_lowest") == [70.0, 78.0, 60.0]


def test_deduction_from_lowest_never_goes_below_zero() -> None:
    # rate 2: the 200 bid would get 1 − 2 × 1 = −1, clipped to 0
    assert totals("deduction_from_lowest", {"rate": D(2)}) == [70.0, 48.0 + 40 * 0.5, 60.0]


def test_min_max_linear() -> None:
    # F = (Pmax − Pi)/(Pmax − Pmin) = 100/100, 75/100, 0/100; × 40 = 40, 30, 0
    assert totals("min_max_linear") == [70.0, 78.0, 60.0]


def test_min_max_linear_all_equal_prices_score_full_marks() -> None:
    formula = FORMULAS["min_max_linear"]
    result = formula.totals(np.array([5.0, 5.0]), np.array([0.0, 0.0]), context(formula, D(40), {}, None))
    assert result.tolist() == [40.0, 40.0]


def test_deviation_from_average() -> None:
    # Pavg = 425/3 = 141.667; F = 0.5 + (Pavg − Pi)/Pavg
    # 100: 0.5 + 41.667/141.667 = 0.794118; 125: 0.5 + 0.117647 = 0.617647; 200: 0.5 − 0.411765 = 0.088235
    assert totals("deviation_from_average") == pytest.approx([30 + 31.764706, 48 + 24.705882, 60 + 3.529412], abs=1e-5)


def test_against_budget() -> None:
    # B = 150; full marks at 80% (120), zero at 120% (180): F = (180 − Pi)/60 → 100 → 1 (clipped), 125 → 0.916667,
    # 200 → −0.33 → 0
    assert totals("against_budget", budget=D(150)) == pytest.approx([70.0, 48 + 36.666667, 60.0], abs=1e-5)


def test_against_explicit_benchmark_overrides_budget() -> None:
    # benchmark 125: full at 100, zero at 150: 100 → 1, 125 → 0.5, 200 → 0
    assert totals("against_budget", {"benchmark": D(125)}, budget=D(999)) == [70.0, 68.0, 60.0]


def test_price_per_quality_point() -> None:
    # Ri = Pi/Ni = 3.3333, 2.6042, 3.3333; total = 100 × Rmin/Ri = 78.125, 100, 78.125
    assert totals("price_per_quality_point") == pytest.approx([78.125, 100.0, 78.125])


def test_monetised_quality() -> None:
    # value per point £2: Ai = Pi − 2 Ni = 40, 29, 80; total = 100 × 29/Ai = 72.5, 100, 36.25
    assert totals("monetised_quality", {"value_per_point": D(2)}) == pytest.approx([72.5, 100.0, 36.25])


def test_prozorro_coefficient() -> None:
    # Vmax = 0.6; Vi = Ni/100 = 0.3, 0.48, 0.6; Ci = Pi/(1 + Vi/0.4) = 100/1.75, 125/2.2, 200/2.5
    # = 57.142857, 56.818182, 80; total = 100 × 56.818182/Ci = 99.431818, 100, 71.022727
    assert totals("prozorro") == pytest.approx([99.431818, 100.0, 71.022727], abs=1e-5)


def test_every_formula_documents_its_formula_and_pathologies() -> None:
    for formula in FORMULAS.values():
        assert formula.formula and len(formula.pathologies) > 40, formula.name


def test_formula_problems_name_what_is_missing() -> None:
    assert "unknown price formula 'cheapest'" in formula_problems("cheapest", {}, D(40), None)[0]
    assert any("value_per_point" in p for p in formula_problems("monetised_quality", {}, D(40), None))
    assert any("budget" in p for p in formula_problems("against_budget", {}, D(40), None))
    assert any("Vmax" in p for p in formula_problems("prozorro", {}, D(0), None))
    assert formula_problems("relative_to_lowest", {}, D(40), None) == []
    assert any(
        "takes no parameter 'rate'" in p for p in formula_problems("relative_to_lowest", {"rate": D(1)}, D(40), None)
    )
