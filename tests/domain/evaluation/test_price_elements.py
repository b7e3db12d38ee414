"""Price elements: a lot priced as a block price, unit rates against declared volumes and a service charge, each
scored with its own formula and weight, or added into one whole-life cost; zero prices follow the declared policy
and 0 ÷ 0 never happens."""

from dataclasses import replace
from decimal import Decimal

import pytest

from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import PriceElement, PriceRule
from commonweal.domain.evaluation.price import evaluated_price
from commonweal.domain.evaluation.records import Bid
from commonweal.domain.evaluation.sensitivity import analyse
from commonweal.domain.evaluation.validation import model_problems
from commonweal.domain.provenance import RuleViolation, Source

from .builders import lot, model, records

D = Decimal

# price 30 = block 10 + unit rate 15 (5,000 expected hours) + service charge 5, each relative to the lowest
ELEMENTS = (
    PriceElement("block", "Block price", D(10)),
    PriceElement("hourly", "Hourly rate", D(15), volume=D(5000), unit="hour"),
    PriceElement("service", "Service charge", D(5)),
)
RULE = PriceRule(D(30), "relative_to_lowest", elements=ELEMENTS)


def _bids(prices: dict[str, tuple[str, str, str]], rule: PriceRule = RULE) -> list[Bid]:
    bids = []
    for row, (bidder, (block, hourly, service)) in enumerate(prices.items(), start=2):
        elements = {"block": D(block), "hourly": D(hourly), "service": D(service)}
        bids.append(Bid(bidder, "1", evaluated_price(rule, elements), element_prices=tuple(elements.items()),
                        source=Source("bids.csv", row)))
    return bids


def _evaluate(prices: dict[str, tuple[str, str, str]], rule: PriceRule = RULE):  # type: ignore[no-untyped-def]
    _, scores, consensus = records([(b, "1", 4, 3) for b in prices])
    return evaluate_lot(lot(model(price=rule, quality=55, social=15)), _bids(prices, rule), scores, consensus)


def test_each_element_is_scored_with_its_own_weight() -> None:
    # A: block 100,000 (lowest), hourly 20.00 (B is lower), service 5,000 (lowest)
    # B: block 125,000, hourly 16.00 (lowest), service 10,000
    result = _evaluate({"A": ("100000", "20.00", "5000"), "B": ("125000", "16.00", "10000")})
    by = {r.bidder: r for r in result.ranking}
    assert dict(by["A"].element_points) == {"block": D("10.00"), "hourly": D("12.00"), "service": D("5.00")}
    assert dict(by["B"].element_points) == {"block": D("8.00"), "hourly": D("15.00"), "service": D("2.50")}
    assert by["A"].price_points == D("27.00") and by["B"].price_points == D("25.50")
    # the evaluated price is the elements' total: 100,000 + 20 × 5,000 + 5,000
    assert by["A"].bid.price == D("205000.00")


def test_sensitivity_runs_on_elements() -> None:
    result = _evaluate({"A": ("100000", "20.00", "5000"), "B": ("125000", "16.00", "10000"),
                        "C": ("90000", "25.00", "7000")})
    sensitivity = analyse(result)
    assert abs(sum(sensitivity.win_probability.values()) - 1.0) < 1e-9
    assert sensitivity.winner_by_formula["relative_to_lowest"] == result.winner.bidder
    assert "price_per_quality_point" in sensitivity.formula_notes  # combined formulas cannot score one element


def test_a_zero_element_price_is_refused_by_default_naming_the_bid_and_element() -> None:
    with pytest.raises(RuleViolation) as raised:
        _evaluate({"A": ("100000", "0", "5000"), "B": ("125000", "16.00", "10000")})
    issue = next(i for i in raised.value.issues if i.column == "hourly")
    assert "£0" in issue.message and issue.source == Source("bids.csv", 2)


def test_zero_prices_scored_only_with_a_formula_defined_at_zero() -> None:
    scored = replace(RULE, zero_prices="score")
    problems = model_problems(model(price=scored, quality=55, social=15))
    assert any("'hourly': zero prices are to be scored, but relative_to_lowest is not defined at zero" in p
               for p in problems)
    linear = replace(scored, elements=tuple(replace(e, formula="min_max_linear") for e in ELEMENTS))
    result = _evaluate({"A": ("100000", "0", "5000"), "B": ("125000", "16.00", "10000")}, linear)
    by = {r.bidder: dict(r.element_points) for r in result.ranking}
    assert by["A"]["hourly"] == D("15.00") and by["B"]["hourly"] == D("0.00")
    # every bidder at zero on an element: all equal, full marks, never 0 ÷ 0
    both_zero = _evaluate({"A": ("100000", "0", "5000"), "B": ("125000", "0", "10000")}, linear)
    assert all(dict(r.element_points)["hourly"] == D("15.00") for r in both_zero.ranking)


def test_a_missing_element_price_is_never_read_as_zero() -> None:
    _, scores, consensus = records([("A", "1", 4, 3), ("B", "1", 4, 3)])
    bids = _bids({"A": ("100000", "20", "5000"), "B": ("125000", "16.00", "10000")})
    bids[0] = replace(bids[0], element_prices=(("block", D(100000)), ("service", D(5000))))
    with pytest.raises(RuleViolation) as raised:
        evaluate_lot(lot(model(price=RULE, quality=55, social=15)), bids, scores, consensus)
    assert any(i.message == "no price for element 'hourly' (Hourly rate)" for i in raised.value.issues)


def test_element_weights_must_add_up_to_the_price_weight() -> None:
    short = replace(RULE, elements=ELEMENTS[:2])
    assert "price elements' weights must sum to the price weight 30, not 25" in model_problems(
        model(price=short, quality=55, social=15))


def test_whole_life_cost_adds_volumes_and_discounts_later_years() -> None:
    yearly = tuple(PriceElement(f"y{year}", f"Year {year + 1}", volume=D(1000), year=year) for year in range(3))
    rule = PriceRule(D(30), "relative_to_lowest", elements=yearly, combine="whole_life_cost", discount=True)
    assert model_problems(model(price=rule, quality=55, social=15)) == []
    price = evaluated_price(rule, {"y0": D(10), "y1": D(10), "y2": D(10)})
    # 10,000 + 10,000/1.035 + 10,000/1.035²: Green Book 3.5%
    assert price == D(10000) + D(10000) / D("1.035") + D(10000) / D("1.035") / D("1.035")
    bids = [Bid("A", "1", price, element_prices=(("y0", D(10)), ("y1", D(10)), ("y2", D(10)))),
            Bid("B", "1", evaluated_price(rule, {"y0": D(9), "y1": D(11), "y2": D(12)}),
                element_prices=(("y0", D(9)), ("y1", D(11)), ("y2", D(12))))]
    _, scores, consensus = records([("A", "1", 4, 3), ("B", "1", 4, 3)])
    result = evaluate_lot(lot(model(price=rule, quality=55, social=15)), bids, scores, consensus)
    assert result.winner is not None and result.winner.bidder == "A"
    assert result.winner.price_points == D("30.00") and result.winner.element_points == ()


def test_the_assessment_summary_gives_each_elements_score() -> None:
    from commonweal.domain.evaluation.assessment import assessment_summaries
    from commonweal.domain.evaluation.model import Tender

    result = _evaluate({"A": ("100000", "20.00", "5000"), "B": ("125000", "16.00", "10000")})
    summary = next(s for s in assessment_summaries(Tender("T", "T", "Council", (result.lot,)), result)
                   if s.supplier == "A")
    text = summary.assessment.price_explanation
    assert "Hourly rate £20.00 × 5000 hour scored 12.00 of 15" in text
    assert "Block price £100,000.00 scored 10.00 of 10" in text and "scored 27.00 of 30 points" in text
