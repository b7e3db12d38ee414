"""Evaluation engine benchmark: 200 bids × 30 criteria × 5 evaluators, Monte Carlo with 10,000 samples.

Target (issue #2): the 10,000-sample Monte Carlo in under 0.5 s on 2 cores. Also times plain weighted scoring
against the PyPI package `bid-evaluation` on the same inputs and prints the ratio.

    .venv/bin/python benchmarks/evaluation.py [--bids 200] [--criteria 30] [--evaluators 5] [--samples 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal

import pandas as pd
from bid_evaluation import DirectScoreCriterion, Evaluator, MinimumRatioCriterion

from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import (
    AbnormallyLowPolicy,
    Criterion,
    CriterionGroup,
    EvaluationModel,
    Lot,
    PriceRule,
    SensitivityPolicy,
)
from commonweal.domain.evaluation.records import Bid, EvaluatorScore, ModeratedScore
from commonweal.domain.evaluation.scales import PRESETS
from commonweal.domain.evaluation.sensitivity import _arrays, analyse, win_probability


def build(
    bids: int, criteria: int, evaluators: int, samples: int
) -> tuple[Lot, list[Bid], list[EvaluatorScore], list[ModeratedScore]]:
    rnd = random.Random(7)
    quality_n = max(1, criteria * 2 // 3)
    social_n = criteria - quality_n
    scale = PRESETS["0-5"]

    def split(n: int) -> list[Decimal]:
        base = [Decimal(100) // n] * n
        base[0] += Decimal(100) - sum(base)
        return base

    crit = [Criterion(f"Q{i}", f"Quality {i}", "quality", w, scale) for i, w in enumerate(split(quality_n))]
    crit += [Criterion(f"S{i}", f"Social {i}", "social_value", w, scale) for i, w in enumerate(split(social_n))]
    model = EvaluationModel(
        price=PriceRule(Decimal(40), "relative_to_lowest"),
        groups=(
            CriterionGroup("quality", "Quality", Decimal(45), "quality"),
            CriterionGroup("social_value", "Social value", Decimal(15), "social_value"),
        ),
        criteria=tuple(crit),
        abnormally_low=AbnormallyLowPolicy(Decimal(100), Decimal(100)),
        sensitivity=SensitivityPolicy(samples=samples),
    )
    bid_list, scores, consensus = [], [], []
    for b in range(bids):
        bidder = f"Bidder {b:03d}"
        bid_list.append(Bid(bidder, "1", Decimal(rnd.randint(2_000_000, 3_000_000))))
        quality = rnd.randint(1, 4)
        for c in crit:
            given = [min(5, max(0, quality + rnd.randint(-1, 1))) for _ in range(evaluators)]
            for e, value in enumerate(given):
                scores.append(EvaluatorScore(f"E{e}", bidder, "1", c.id, Decimal(value), "rationale"))
            consensus.append(ModeratedScore(bidder, "1", c.id, Decimal(int(statistics.median(given))), "agreed"))
    return Lot("1", "Benchmark lot", model), bid_list, scores, consensus


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bids", type=int, default=200)
    parser.add_argument("--criteria", type=int, default=30)
    parser.add_argument("--evaluators", type=int, default=5)
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    lot, bids, scores, consensus = build(args.bids, args.criteria, args.evaluators, args.samples)
    print(
        f"{args.bids} bids × {args.criteria} criteria × {args.evaluators} evaluators; "
        f"{args.samples:,} Monte Carlo samples"
    )

    result = evaluate_lot(lot, bids, scores, consensus)
    arrays = _arrays(result)
    mc = best_of(3, lambda: win_probability(result, arrays))
    full_eval = best_of(3, lambda: evaluate_lot(lot, bids, scores, consensus))
    full_sensitivity = best_of(1, lambda: analyse(result))
    print(f"Monte Carlo rank stability        {mc:8.3f} s   (target < 0.5 s)")
    print(f"evaluate_lot (checks + scoring)   {full_eval:8.3f} s")
    print(f"full sensitivity (a)–(d)          {full_sensitivity:8.3f} s")

    # plain weighted scoring on the same moderated scores, ours vs bid-evaluation
    frame = pd.DataFrame({"bidder": [b.bidder for b in bids], "price": [float(b.price) for b in bids]})
    by_key = {(c.bidder, c.criterion): float(c.score) * 20 for c in consensus}  # 0-5 → 0-100
    for criterion in lot.model.criteria:
        frame[criterion.id] = [by_key[(b.bidder, criterion.id)] for b in bids]
    peer = Evaluator(normalize_weights=True)
    peer.add_criterion("price", MinimumRatioCriterion("price", 40.0))
    for criterion in lot.model.criteria:
        peer.add_criterion(
            criterion.id,
            DirectScoreCriterion(criterion.id, float(lot.model.effective_weight(criterion)), input_scale=100),
        )
    theirs = best_of(5, lambda: peer.evaluate(frame))
    ours_plain = full_eval
    print(
        f"weighted scoring, Commonweal      {ours_plain:8.3f} s   "
        "(evaluate_lot: input checks, moderation join, Decimal totals)"
    )
    print(f"weighted scoring, bid-evaluation  {theirs:8.3f} s")
    print(f"ratio Commonweal / bid-evaluation {ours_plain / theirs:8.2f}")


if __name__ == "__main__":
    main()
