"""Differential test against the PyPI package `bid-evaluation` on the formula both implement: lowest price over
bid price (its MinimumRatioCriterion, our relative_to_lowest), combined with one directly scored criterion."""

from dataclasses import replace
from decimal import Decimal

import pandas as pd
import pytest
from bid_evaluation import DirectScoreCriterion, Evaluator, MinimumRatioCriterion
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import AbnormallyLowPolicy

from .builders import PERCENT_SCALE, lot, model, records

D = Decimal


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(50_000, 5_000_000), st.integers(0, 100)), min_size=2, max_size=12),
    st.integers(10, 80),
)
def test_same_scores_and_ranking_as_bid_evaluation(rows: list[tuple[int, int]], price_weight: int) -> None:
    # one non-price criterion scored 0-100 carries the rest of the weight (social value set to the minimum 10)
    quality_weight = 90 - price_weight
    m = model(price_weight, "relative_to_lowest", quality_weight, 10, scale=PERCENT_SCALE)
    m = replace(m, ranking_precision=6, abnormally_low=AbnormallyLowPolicy(D(100), D(100)))
    named = [(f"B{i:02d}", str(price), score, score) for i, (price, score) in enumerate(rows)]
    bids, scores, consensus = records(named)
    ours = evaluate_lot(lot(m), bids, scores, consensus)

    frame = pd.DataFrame(
        {"bidder": [n for n, *_ in named], "price": [p for p, _ in rows], "score": [s for _, s in rows]}
    )
    evaluator = Evaluator(normalize_weights=True)
    evaluator.add_criterion("price", MinimumRatioCriterion("price", price_weight))
    evaluator.add_criterion("score", DirectScoreCriterion("score", 100 - price_weight, input_scale=100))
    result = evaluator.evaluate(frame).set_index("bidder")

    for r in ours.ranking:
        assert float(r.total) == pytest.approx(result.loc[r.bidder, "final_score"], abs=1e-5)
        # their price column is weight × 100 × Pmin/Pi before dividing by the total weight (100)
        assert float(r.price_points) == pytest.approx(result.loc[r.bidder, "score_price"] / 100, abs=1e-5)
    # rank by rank: theirs is min-rank on the float score; ours breaks exact ties by declared rules, so compare
    # only where no two totals are level
    totals = [r.total for r in ours.ranking]
    if len(set(totals)) == len(totals):
        assert {r.bidder: r.rank for r in ours.ranking} == result["ranking"].to_dict()
