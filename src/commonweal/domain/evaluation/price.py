"""Price scoring formulas, each with its formula and its known pathologies.

Every formula works on arrays whose last axis is the bids of one lot, so the same code scores one evaluation
exactly and 10,000 Monte Carlo samples at once: the evaluation passes arrays of exact Fractions (NumPy object
arrays, with an exact `context`), so its price points are exact, and the Monte Carlo passes floats. The formulas'
constants are therefore integers, which keep a Fraction exact. Totals are rounded to the model's declared
precision only when they are shown.

Two kinds of formula:
- **additive**: a price fraction F in [0, 1] from the prices alone; total = price weight × F + non-price points.
- **combined**: price and non-price points are combined into one comparison value (price per quality point,
  monetised quality, the Prozorro coefficient); total = 100 × best value / own value, and price is not scored
  separately.

References: the formulas are the standard ones set out in procurement practice guides (e.g. the Crown Commercial
Service and Local Government Association evaluation guides describe relative-to-lowest scoring; Prozorro's
"price with non-price criteria" rule is Pi / (1 + Vi / (1 − Vmax)) as published in the Prozorro API docs).
Parameters marked "Commonweal default" are ours and every tender may set its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from commonweal.domain.evaluation.model import PRICE_COMBINATIONS, ZERO_PRICE_POLICIES, PriceRule
from commonweal.domain.socialvalue.sroi import GREEN_BOOK_DISCOUNT_RATES, discount_factors

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PriceContext:
    # arrays (one weight per Monte Carlo sample, shape (samples, 1)) broadcast against the bids axis
    # floats for the Monte Carlo, Fractions for the exact evaluation
    price_weight: Any
    nonprice_weight: Any
    params: Mapping[str, Any]
    budget: Any


@dataclass(frozen=True)
class Param:
    name: str
    default: Decimal | None
    description: str


@dataclass(frozen=True)
class PriceFormula:
    name: str
    title: str
    formula: str
    pathologies: str
    combined: bool
    compute: Callable[[FloatArray, FloatArray, PriceContext], FloatArray]
    params: tuple[Param, ...] = ()
    needs_budget: bool = False
    # F is defined when a price is zero (no division by the lowest or the mean price), so a zero-priced element can
    # be scored with it
    defined_at_zero: bool = False

    def totals(self, prices: FloatArray, nonprice: FloatArray, context: PriceContext) -> FloatArray:
        """Totals out of 100 for each bid (last axis)."""
        return self.compute(prices, nonprice, context)


def _additive(
    fraction: Callable[[FloatArray, PriceContext], FloatArray],
) -> Callable[[FloatArray, FloatArray, PriceContext], FloatArray]:
    def compute(prices: FloatArray, nonprice: FloatArray, context: PriceContext) -> FloatArray:
        return np.asarray(context.price_weight * np.clip(fraction(prices, context), 0, 1) + nonprice)

    return compute


def _best_over_own(values: FloatArray) -> FloatArray:
    """100 × best (lowest) comparison value / own value, along the bids axis."""
    best = values.min(axis=-1, keepdims=True)
    return np.asarray(100 * best / values)


def _relative_to_lowest(prices: FloatArray, _: PriceContext) -> FloatArray:
    return np.asarray(prices.min(axis=-1, keepdims=True) / prices)


def _deduction_from_lowest(prices: FloatArray, context: PriceContext) -> FloatArray:
    lowest = prices.min(axis=-1, keepdims=True)
    return np.asarray(1 - context.params["rate"] * (prices - lowest) / lowest)


def _min_max_linear(prices: FloatArray, _: PriceContext) -> FloatArray:
    lowest = prices.min(axis=-1, keepdims=True)
    highest = prices.max(axis=-1, keepdims=True)
    spread = highest - lowest
    # all prices equal: every bid is the lowest, so every bid earns full marks
    safe = np.where(spread > 0, spread, 1)
    return np.asarray(np.where(spread > 0, (highest - prices) / safe, 1))


def _deviation_from_average(prices: FloatArray, context: PriceContext) -> FloatArray:
    average = prices.mean(axis=-1, keepdims=True)
    # 1/2 + rate × (average − price) / average, written with integers so a Fraction stays exact
    return np.asarray((1 + 2 * context.params["rate"] * (average - prices) / average) / 2)


def _against_budget(prices: FloatArray, context: PriceContext) -> FloatArray:
    assert context.budget is not None  # guarded by validation: needs_budget
    benchmark = context.params.get("benchmark")
    if benchmark is None:  # an explicit benchmark, 0 included, is never replaced by the budget
        benchmark = context.budget
    full = context.params["full_marks_at_percent"] / 100 * benchmark
    zero = context.params["zero_marks_at_percent"] / 100 * benchmark
    return np.asarray((zero - prices) / (zero - full))


def _price_per_quality_point(prices: FloatArray, nonprice: FloatArray, _: PriceContext) -> FloatArray:
    # a bid with no non-price points has an infinite price per point and scores zero (inf/inf is taken as 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(nonprice > 0, prices / np.where(nonprice > 0, nonprice, 1.0), np.inf)
        return np.nan_to_num(_best_over_own(ratio), nan=0.0)


def _monetised_quality(prices: FloatArray, nonprice: FloatArray, context: PriceContext) -> FloatArray:
    adjusted = prices - context.params["value_per_point"] * nonprice
    # A non-positive adjusted price makes the ratio meaningless; validation refuses it for the evaluation itself,
    # and inside Monte Carlo samples such a bid simply counts as the best.
    adjusted = np.maximum(adjusted, np.finfo(np.float64).tiny)
    return _best_over_own(adjusted)


def _prozorro(prices: FloatArray, nonprice: FloatArray, context: PriceContext) -> FloatArray:
    v_max = context.nonprice_weight / 100.0
    compared = prices / (1.0 + (nonprice / 100.0) / (1.0 - v_max))
    return _best_over_own(compared)


_RATE = Param(
    "rate",
    Decimal(1),
    "marks lost (as a fraction of price marks) per unit of relative difference; Commonweal default 1",
)

FORMULAS: dict[str, PriceFormula] = {
    f.name: f
    for f in (
        PriceFormula(
            name="relative_to_lowest",
            title="Relative to the lowest price",
            formula="F = Pmin / Pi",
            pathologies=(
                "Rank reversal: removing a bid (the lowest) changes every other bid's price score and can change the "
                "winner. Non-linear: the marks lost for each extra pound shrink as prices rise, and a very low bid "
                "compresses everyone else's price scores."
            ),
            combined=False,
            compute=_additive(_relative_to_lowest),
        ),
        PriceFormula(
            name="deduction_from_lowest",
            title="Deduction from the lowest price",
            formula="F = max(0, 1 − rate × (Pi − Pmin) / Pmin)",
            pathologies=(
                "Depends on the lowest bid (rank reversal possible). With rate 1, a bid twice the lowest scores zero, "
                "so price can dominate when bids are far apart."
            ),
            combined=False,
            compute=_additive(_deduction_from_lowest),
            params=(_RATE,),
        ),
        PriceFormula(
            name="min_max_linear",
            title="Linear between lowest and highest price",
            formula="F = (Pmax − Pi) / (Pmax − Pmin); F = 1 when all prices are equal",
            pathologies=(
                "The highest price always scores zero however close it is, so tiny price differences are magnified "
                "into the full price weight; depends on both extremes (rank reversal possible)."
            ),
            combined=False,
            compute=_additive(_min_max_linear),
            defined_at_zero=True,
        ),
        PriceFormula(
            name="deviation_from_average",
            title="Deviation from the average price",
            formula="F = clip(0.5 + rate × (Pavg − Pi) / Pavg, 0, 1)",
            pathologies=(
                "Every bid moves the average, so one outlier shifts all scores; bidders can game the average; an "
                "abnormally low bid earns full marks. The half-marks anchor is a Commonweal default."
            ),
            combined=False,
            compute=_additive(_deviation_from_average),
            params=(_RATE,),
        ),
        PriceFormula(
            name="against_budget",
            title="Against a budget or benchmark",
            formula=(
                "F = clip((Z − Pi) / (Z − L), 0, 1), L = full_marks_at_percent × B, Z = zero_marks_at_percent × B, "
                "B = benchmark (default: the lot budget)"
            ),
            pathologies=(
                "Independent of other bids (no rank reversal), but the result hinges on the benchmark being realistic:"
                " bids below L all score the same, and a benchmark set too low scores every bid zero."
            ),
            combined=False,
            compute=_additive(_against_budget),
            params=(
                Param(
                    "full_marks_at_percent",
                    Decimal(80),
                    "price (as % of benchmark) at or below which full marks; Commonweal default 80",
                ),
                Param(
                    "zero_marks_at_percent",
                    Decimal(120),
                    "price (as % of benchmark) at or above which zero marks; Commonweal default 120",
                ),
                Param("benchmark", None, "benchmark price in £; default: the lot budget"),
            ),
            needs_budget=True,
            defined_at_zero=True,
        ),
        PriceFormula(
            name="price_per_quality_point",
            title="Price per quality point",
            formula="Ri = Pi / Ni (Ni = non-price points); total = 100 × Rmin / Ri",
            pathologies=(
                "Ignores the declared price weight; a bid with very low quality and a very low price can win; "
                "a bid with zero non-price points cannot be compared (it scores zero)."
            ),
            combined=True,
            compute=_price_per_quality_point,
        ),
        PriceFormula(
            name="monetised_quality",
            title="Monetised quality (willingness to pay per quality point)",
            formula="Ai = Pi − value_per_point × Ni; total = 100 × Amin / Ai",
            pathologies=(
                "The outcome turns on the £ value put on a quality point, which must be declared before bids are "
                "opened; a high value per point can make adjusted prices zero or negative (refused)."
            ),
            combined=True,
            compute=_monetised_quality,
            params=(Param("value_per_point", None, "£ the council will pay for one non-price point (required)"),),
        ),
        PriceFormula(
            name="prozorro",
            title="Prozorro coefficient (non-price factors reduce the compared price)",
            formula=(
                "Ci = Pi / (1 + Vi / (1 − Vmax)), Vi = Ni / 100, Vmax = non-price weight / 100; total = 100 × Cmin / Ci"
            ),
            pathologies=(
                "Undefined when the price weight is zero (Vmax = 1); the effective trade-off between price and quality "
                "is non-linear and hard to explain to bidders."
            ),
            combined=True,
            compute=_prozorro,
        ),
    )
}


def formula_problems(
    name: str, params: Mapping[str, Decimal], price_weight: Decimal, budget: Decimal | None
) -> list[str]:
    """Why a price rule cannot be used as declared (empty when it can)."""
    formula = FORMULAS.get(name)
    if formula is None:
        return [f"unknown price formula '{name}'; expected one of {', '.join(sorted(FORMULAS))}"]
    found: list[str] = []
    known = {p.name for p in formula.params}
    found.extend(f"price formula '{name}' takes no parameter '{key}'" for key in params if key not in known)
    for param in formula.params:
        if param.default is None and param.name not in params and param.name != "benchmark":
            found.append(f"price formula '{name}' needs the parameter '{param.name}' ({param.description})")
    if formula.needs_budget and budget is None and "benchmark" not in params:
        found.append(f"price formula '{name}' needs a lot budget or a 'benchmark' parameter")
    if name == "against_budget":
        full = params.get("full_marks_at_percent", Decimal(80))
        zero = params.get("zero_marks_at_percent", Decimal(120))
        if full >= zero:
            found.append("full_marks_at_percent must be below zero_marks_at_percent")
    if name == "prozorro" and price_weight <= 0:
        found.append("the Prozorro coefficient needs a price weight above zero (Vmax must be below 1)")
    return found


def context(
    formula: PriceFormula, price_weight: Decimal, params: Mapping[str, Decimal], budget: Decimal | None,
    exact: bool = False,
) -> PriceContext:
    """The formula's settings as floats (for the Monte Carlo) or, with `exact`, as Fractions (for the evaluation)."""
    number: Callable[[Decimal], Any] = Fraction if exact else float
    values = {p.name: number(p.default) for p in formula.params if p.default is not None}
    values.update({key: number(value) for key, value in params.items()})
    return PriceContext(
        price_weight=number(price_weight),
        nonprice_weight=number(100 - price_weight),
        params=values,
        budget=number(budget) if budget is not None else None,
    )


def evaluated_price(rule: PriceRule, element_prices: Mapping[str, Decimal]) -> Decimal:
    """A bid's evaluated price from its element prices: the sum of price × declared volume, each year's cost
    discounted to present value at the Green Book rates when the whole-life cost is discounted. Exact (Decimal)."""
    last_year = max((e.year for e in rule.elements), default=0)
    factors = discount_factors(last_year) if rule.discount else (Decimal(1),) * (last_year + 1)
    return sum((element_prices[e.id] * e.volume * factors[e.year] for e in rule.elements), Decimal(0))


def element_problems(rule: PriceRule, budget: Decimal | None) -> list[str]:
    """Why a lot's price elements cannot be used as declared (empty when they can)."""
    found: list[str] = []
    ids = [e.id for e in rule.elements]
    found.extend(f"price element id '{i}' is used twice" for i in sorted({i for i in ids if ids.count(i) > 1}))
    if rule.combine not in PRICE_COMBINATIONS:
        found.append(f"price elements combine '{rule.combine}': expected one of {', '.join(PRICE_COMBINATIONS)}")
    if rule.zero_prices not in ZERO_PRICE_POLICIES:
        found.append(f"zero_prices '{rule.zero_prices}': expected one of {', '.join(ZERO_PRICE_POLICIES)}")
    for element in rule.elements:
        where = f"price element '{element.id}'"
        if element.volume <= 0:
            found.append(f"{where} needs a declared volume above zero, not {element.volume}")
        if element.year < 0:
            found.append(f"{where} year cannot be negative")
        if rule.combine != "separately":
            continue
        if element.weight < 0:
            found.append(f"{where} weight cannot be negative")
        problems = formula_problems(element.formula, element.params, element.weight, None)
        found.extend(f"{where}: {p}" for p in problems)
        formula = FORMULAS.get(element.formula)
        if formula is not None and formula.combined:
            found.append(f"{where}: a combined formula ({element.formula}) cannot score one element of the price")
        if formula is not None and rule.zero_prices == "score" and not formula.defined_at_zero:
            found.append(
                f"{where}: zero prices are to be scored, but {element.formula} is not defined at zero (it divides by "
                f"the lowest or the mean price); use one that is: "
                + ", ".join(sorted(n for n, f in FORMULAS.items() if f.defined_at_zero))
            )
    if rule.combine == "separately" and rule.elements:
        total = sum((e.weight for e in rule.elements), Decimal(0))
        if total != rule.weight:
            found.append(f"price elements' weights must sum to the price weight {rule.weight}, not {total}")
    if rule.discount and max((e.year for e in rule.elements), default=0) > GREEN_BOOK_DISCOUNT_RATES[-1][1]:
        found.append(f"whole-life discounting covers years 0–{GREEN_BOOK_DISCOUNT_RATES[-1][1]}")
    return found


def element_fractions(rule: PriceRule, element_prices: FloatArray, exact: bool = False) -> FloatArray:
    """Each bid's price fraction on each element (bids × elements), each element with its own formula among the
    bids; exact Fractions with `exact` (and an object array of Fractions as prices). Zero prices reach here only
    with a formula defined at zero (`element_problems`, `check_inputs`)."""
    columns = []
    for index, element in enumerate(rule.elements):
        formula = FORMULAS[element.formula]
        context_ = context(formula, element.weight, element.params, None, exact)
        # an additive formula with no non-price points and weight 1 gives F itself
        context_ = PriceContext(1, 0, context_.params, context_.budget)
        zeros = np.zeros(element_prices.shape[0], dtype=object if exact else np.float64)
        columns.append(formula.compute(element_prices[:, index], zeros, context_))
    return np.stack(columns, axis=-1) if columns else np.zeros((element_prices.shape[0], 0))
