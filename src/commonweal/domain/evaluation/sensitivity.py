"""How fragile is the award? Four checks a defensible recommendation reports beside the ranking.

(a) Tipping points: for each pair of components (price, quality, social value), the smallest shift of weight from
    one to the other that changes the winner (weights within a component keep their proportions).
(b) Monte Carlo rank stability: the probability that each bidder ranks first when every top-level weight moves
    within ± the policy's band (then renormalised to 100) and every moderated score moves within the evaluators'
    own range (uniformly between the lowest and highest individual score, consensus included). Exclusions are held
    as decided.
(c) The winner under every price formula, with the same non-price scores.
(d) Rank reversal: whether removing a non-winning bid changes the winner, the known flaw of formulas that score a
    price relative to the other prices.

The band, sample count and seed are Commonweal defaults held in `SensitivityPolicy`; the seed is fixed so a report
is reproducible.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from commonweal.domain.evaluation import price as price_formulas
from commonweal.domain.evaluation.evaluate import BidResult, LotResult, element_fraction_matrix, rank, score_price
from commonweal.domain.evaluation.model import PRICE, QUALITY, SOCIAL_VALUE, EvaluationModel, PriceRule
from commonweal.domain.evaluation.price import FloatArray

STEP = 0.01  # tipping points are searched in steps of 0.01 percentage points
MAX_CELLS = 2_000_000  # bound on samples × bids × criteria held in memory at once


@dataclass(frozen=True)
class TippingPoint:
    source: str
    target: str
    shift: Decimal | None  # percentage points moved from source to target; None: no shift within range changes it
    new_winner: str | None


@dataclass(frozen=True)
class Reversal:
    removed: str
    new_winner: str


@dataclass(frozen=True)
class Sensitivity:
    winner: str | None
    win_probability: dict[str, float]
    tipping_points: tuple[TippingPoint, ...]
    winner_by_formula: dict[str, str | None]
    formula_notes: dict[str, str]
    rank_reversal: tuple[Reversal, ...]
    samples: int
    weight_band: Decimal


@dataclass(frozen=True)
class _Arrays:
    """The admissible bids as arrays: prices (n,), score-fraction bounds (n, C), criterion→group shares (C, G)."""

    bidders: list[str]
    prices: FloatArray
    consensus: FloatArray
    low: FloatArray
    high: FloatArray
    shares: FloatArray
    group_weights: FloatArray
    group_categories: list[str]
    price_weight: float
    # price elements scored separately: each bid's price fraction (price points / price weight), which weight
    # changes scale but do not alter
    price_fraction: FloatArray | None = None


def _arrays(result: LotResult) -> _Arrays:
    model = result.lot.model
    bids = sorted(result.admissible, key=lambda r: r.bidder)
    leaves = model.leaves()
    groups = list(model.groups)
    shares = np.zeros((len(leaves), len(groups)))
    for i, criterion in enumerate(leaves):
        group = model.group(criterion.group)
        shares[i, groups.index(group)] = float(model.effective_weight(criterion) / group.weight)
    consensus = np.zeros((len(bids), len(leaves)))
    low = np.zeros_like(consensus)
    high = np.zeros_like(consensus)
    # each scale's scores as fractions of its range, worked out once (a lot has bids × criteria cells)
    on_scale = {id(c.scale): {v: float(c.scale.exact_fraction(v)) for v in c.scale.scores} for c in leaves}
    for b, bid in enumerate(bids):
        for i, cs in enumerate(bid.criteria):
            m = cs.moderation
            if m is None:
                low[b, i] = high[b, i] = consensus[b, i] = float(cs.fraction)
            else:
                fraction = on_scale[id(cs.criterion.scale)]
                score = m.consensus.score
                consensus[b, i] = fraction[score]
                low[b, i] = fraction[min(m.low, score)]
                high[b, i] = fraction[max(m.high, score)]
    return _Arrays(
        bidders=[b.bidder for b in bids],
        prices=np.array([float(b.bid.price) for b in bids]),
        consensus=consensus,
        low=low,
        high=high,
        shares=shares,
        group_weights=np.array([float(g.weight) for g in groups]),
        group_categories=[g.category for g in groups],
        price_weight=float(model.price.weight),
        price_fraction=_element_fraction(model, bids),
    )


def _element_fraction(model: EvaluationModel, bids: Sequence[BidResult]) -> FloatArray | None:
    if not (model.price.elements and model.price.combine == "separately") or model.price.weight == 0:
        return None
    weights = np.array([float(e.weight) for e in model.price.elements])
    return np.asarray(element_fraction_matrix(model, bids) @ weights / float(model.price.weight), dtype=np.float64)


def _totals(
    model: EvaluationModel,
    budget: Decimal | None,
    arrays: _Arrays,
    group_fraction: FloatArray,
    price_weight: float | FloatArray,
    group_weights: FloatArray,
) -> FloatArray:
    """Totals for weights (one row per scenario) and group score fractions (scenario, bid, group)."""
    nonprice = np.einsum("sbg,sg->sb", group_fraction, group_weights)
    if arrays.price_fraction is not None:
        return np.asarray(price_weight * arrays.price_fraction[None, :] + nonprice, dtype=np.float64)
    formula = price_formulas.FORMULAS[model.price.formula]
    context = price_formulas.context(formula, model.price.weight, model.price.params, budget)
    context = dataclasses.replace(context, price_weight=price_weight, nonprice_weight=100.0 - price_weight)
    return formula.totals(arrays.prices[None, :], nonprice, context)


def tipping_points(result: LotResult, arrays: _Arrays, winner: int) -> tuple[TippingPoint, ...]:
    model = result.lot.model
    fixed = arrays.consensus @ arrays.shares  # (bids, groups)
    components = [PRICE, *(c for c in (QUALITY, SOCIAL_VALUE) if c in arrays.group_categories)]
    found = []
    for source in components:
        for target in components:
            if source == target:
                continue
            weight = arrays.price_weight if source == PRICE else float(model.category_weight(source))  # type: ignore[arg-type]
            steps = round(weight / STEP)
            if steps == 0:
                found.append(TippingPoint(source, target, None, None))
                continue
            shift = np.arange(1, steps + 1) * STEP  # (scenarios,)
            price_weight = np.full(steps, arrays.price_weight)
            group_weights = np.tile(arrays.group_weights, (steps, 1))
            for component, sign in ((source, -1.0), (target, 1.0)):
                if component == PRICE:
                    price_weight = price_weight + sign * shift
                    continue
                mask = np.array([c == component for c in arrays.group_categories])
                total = arrays.group_weights[mask].sum()
                group_weights[:, mask] = arrays.group_weights[mask] * ((total + sign * shift) / total)[:, None]
            fractions = np.broadcast_to(fixed, (steps, *fixed.shape))
            totals = _totals(model, result.lot.budget, arrays, fractions, price_weight[:, None], group_weights)
            winners = totals.argmax(axis=1)
            changed = np.nonzero(winners != winner)[0]
            if changed.size:
                first = int(changed[0])
                found.append(
                    TippingPoint(
                        source, target, Decimal(str(round(float(shift[first]), 2))), arrays.bidders[winners[first]]
                    )
                )
            else:
                found.append(TippingPoint(source, target, None, None))
    return tuple(found)


def win_probability(result: LotResult, arrays: _Arrays) -> dict[str, float]:
    model = result.lot.model
    policy = model.sensitivity
    n_bids, n_criteria = arrays.consensus.shape
    band = float(policy.weight_band)
    top = np.concatenate([[arrays.price_weight], arrays.group_weights])
    chunk = max(1, MAX_CELLS // max(1, n_bids * n_criteria))
    sizes = [min(chunk, policy.samples - start) for start in range(0, policy.samples, chunk)]
    # one generator per chunk, spawned from the policy's seed: the result is the same however the chunks are
    # scheduled across threads (NumPy releases the GIL for these array operations, so two cores share the work)
    seeds = np.random.SeedSequence(policy.seed).spawn(len(sizes))
    spread = (arrays.high - arrays.low).astype(np.float32)
    shares = arrays.shares.astype(np.float32)
    base = arrays.low @ arrays.shares  # every sample's group fractions start from the lowest marks: (bids, groups)

    def wins_in(size: int, seed: np.random.SeedSequence) -> NDArray[np.int64]:
        rng = np.random.default_rng(seed)
        weights = np.clip(top + rng.uniform(-band, band, size=(size, top.size)), 0.0, None)
        if arrays.price_weight > 0:
            # the price weight never reaches zero, which some combined formulas cannot handle
            weights[:, 0] = np.maximum(weights[:, 0], 1e-6)
        weights *= 100.0 / weights.sum(axis=1, keepdims=True)
        fractions = rng.random((size, n_bids, n_criteria), dtype=np.float32)
        fractions *= spread
        group_fraction = base + (fractions @ shares)  # low + U × spread, summed into groups
        totals = _totals(model, result.lot.budget, arrays, group_fraction, weights[:, :1], weights[:, 1:])
        return np.bincount(totals.argmax(axis=1), minlength=n_bids)

    with ThreadPoolExecutor(max_workers=2) as pool:
        wins = sum(pool.map(wins_in, sizes, seeds), np.zeros(n_bids, dtype=np.int64))
    return {bidder: round(float(wins[i]) / policy.samples, 4) for i, bidder in enumerate(arrays.bidders)}


def _winner(results: Sequence[BidResult], model: EvaluationModel) -> str | None:
    ranked = rank(results, model.tie_break)
    firsts = [r for r in ranked if r.rank == 1]
    return firsts[0].bidder if len(firsts) == 1 else None


def winner_by_formula(result: LotResult) -> tuple[dict[str, str | None], dict[str, str]]:
    model = result.lot.model
    winners: dict[str, str | None] = {}
    notes: dict[str, str] = {}
    separately = bool(model.price.elements) and model.price.combine == "separately"
    for name in price_formulas.FORMULAS:
        if separately:
            # every element scored with this formula instead of its own
            elements = tuple(dataclasses.replace(e, formula=name, params=e.params if e.formula == name else {})
                             for e in model.price.elements)
            price = dataclasses.replace(model.price, elements=elements)
            problems = price_formulas.element_problems(price, result.lot.budget)
        else:
            params = model.price.params if name == model.price.formula else {}
            price = PriceRule(model.price.weight, name, params)
            problems = price_formulas.formula_problems(name, params, model.price.weight, result.lot.budget)
        if problems:
            notes[name] = "; ".join(problems)
            continue
        variant = dataclasses.replace(model, price=price)
        try:
            winners[name] = _winner(score_price(variant, result.lot.budget, result.admissible), variant)
        except Exception as exc:  # a formula undefined for these bids is reported, not fatal
            notes[name] = str(exc)
    return winners, notes


def rank_reversal(result: LotResult) -> tuple[Reversal, ...]:
    model = result.lot.model
    winner = result.winner
    if winner is None:
        return ()
    admissible = list(result.admissible)
    formula = price_formulas.FORMULAS[model.price.formula]
    context = price_formulas.context(formula, model.price.weight, model.price.params, result.lot.budget)
    prices = np.array([float(r.bid.price) for r in admissible])
    nonprice = np.array([float(r.nonprice) for r in admissible])
    winner_index = admissible.index(winner)
    separately = bool(model.price.elements) and model.price.combine == "separately"
    found = []
    for i, removed in enumerate(admissible):
        if i == winner_index:
            continue
        keep = np.arange(len(admissible)) != i
        totals = formula.totals(prices[keep], nonprice[keep], context)
        own = totals[winner_index - (1 if i < winner_index else 0)]
        others = np.delete(totals, winner_index - (1 if i < winner_index else 0))
        # a float screen: only a removal that brings another bid within reach of the winner is re-ranked exactly
        # (price elements are re-scored exactly every time: the screen's formula is not theirs)
        if not separately and others.size and others.max() < own - 1e-6:
            continue
        rest = [r for r in admissible if r is not removed]
        new = _winner(score_price(model, result.lot.budget, rest), model)
        if new != winner.bidder:
            found.append(Reversal(removed.bidder, new or "a tie"))
    return tuple(found)


def analyse(result: LotResult) -> Sensitivity:
    model = result.lot.model
    winner = result.winner
    by_formula, notes = winner_by_formula(result)
    if winner is None or len(result.admissible) < 2:
        return Sensitivity(
            winner=winner.bidder if winner else None,
            win_probability={r.bidder: (1.0 if r is winner else 0.0) for r in result.admissible},
            tipping_points=(),
            winner_by_formula=by_formula,
            formula_notes=notes,
            rank_reversal=(),
            samples=0,
            weight_band=model.sensitivity.weight_band,
        )
    arrays = _arrays(result)
    return Sensitivity(
        winner=winner.bidder,
        win_probability=win_probability(result, arrays),
        tipping_points=tipping_points(result, arrays, arrays.bidders.index(winner.bidder)),
        winner_by_formula=by_formula,
        formula_notes=notes,
        rank_reversal=rank_reversal(result),
        samples=model.sensitivity.samples,
        weight_band=model.sensitivity.weight_band,
    )
