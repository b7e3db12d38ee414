"""Properties that must hold for any bids: bounded scores, monotone price scoring, order independence, and
moderation that never loses an original score."""

import random
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import AbnormallyLowPolicy
from commonweal.domain.evaluation.moderation import moderate
from commonweal.domain.evaluation.price import FORMULAS, context
from commonweal.domain.evaluation.records import EvaluatorScore, ModeratedScore

from .builders import lot, model, records

D = Decimal
NO_LOW_FLAGS = AbnormallyLowPolicy(D(100), D(100))  # these properties are about scoring, not about low prices

prices = st.lists(st.integers(min_value=1_000, max_value=10_000_000), min_size=2, max_size=8)
score = st.integers(min_value=0, max_value=5)
bids_strategy = st.lists(st.tuples(st.integers(1_000, 10_000_000), score, score), min_size=2, max_size=8)
ADDITIVE = [f for f in FORMULAS.values() if not f.combined and not f.needs_budget]


@given(prices, st.sampled_from(sorted(FORMULAS)), st.integers(0, 100))
def test_totals_stay_within_0_and_100(price_list: list[int], name: str, nonprice_fraction: int) -> None:
    formula = FORMULAS[name]
    params = {"value_per_point": D("0.01")} if name == "monetised_quality" else {}
    p = np.array(price_list, dtype=float)
    nonprice = np.full(p.shape, 60.0 * nonprice_fraction / 100)
    totals = formula.totals(p, nonprice, context(formula, D(40), params, D(5_000_000)))
    assert ((totals >= -1e-9) & (totals <= 100 + 1e-9)).all()


@given(prices, st.integers(0, 7), st.integers(1, 999), st.sampled_from([f.name for f in ADDITIVE]))
def test_a_lower_price_never_lowers_the_price_score(price_list: list[int], which: int, cut: int, name: str) -> None:
    formula = FORMULAS[name]
    i = which % len(price_list)
    before = np.array(price_list, dtype=float)
    after = before.copy()
    after[i] = max(1.0, before[i] - cut)
    nothing = np.zeros_like(before)
    ctx = context(formula, D(40), {}, None)
    assert formula.totals(after, nothing, ctx)[i] >= formula.totals(before, nothing, ctx)[i] - 1e-9


@settings(max_examples=60, deadline=None)
@given(bids_strategy, st.randoms(use_true_random=False))
def test_shuffling_bids_never_changes_the_ranking(rows: list[tuple[int, int, int]], rnd: random.Random) -> None:
    named = [(f"Bidder {i}", str(p), q, sv) for i, (p, q, sv) in enumerate(rows)]
    evaluation_lot = lot(model(abnormally_low=NO_LOW_FLAGS))
    bids, scores, consensus = records(named)
    first = evaluate_lot(evaluation_lot, bids, scores, consensus)
    rnd.shuffle(bids)
    rnd.shuffle(scores)
    rnd.shuffle(consensus)
    second = evaluate_lot(evaluation_lot, bids, scores, consensus)
    assert [(r.bidder, r.rank, r.total) for r in first.ranking] == [(r.bidder, r.rank, r.total) for r in second.ranking]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["E1", "E2", "E3"]), st.sampled_from(["A", "B"]), st.sampled_from(["Q", "SV"]), score
        ),
        unique_by=lambda t: t[:3],
    )
)
def test_moderation_never_loses_an_original_score(entries: list[tuple[str, str, str, int]]) -> None:
    scores = [EvaluatorScore(e, b, "1", c, D(s), "why") for e, b, c, s in entries]
    consensus = [ModeratedScore(b, "1", c, D(3), "agreed") for b, c in {(b, c) for _, b, c, _ in entries}]
    moderations = moderate(scores, consensus)
    kept = [s for m in moderations.values() for s in m.originals]
    assert sorted(kept, key=repr) == sorted(scores, key=repr)
