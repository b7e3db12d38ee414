"""Scoring, exclusions, abnormally low tenders and ranking against hand-worked figures."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.domain.evaluation.abnormally_low import find_abnormally_low
from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import AbnormallyLowPolicy, Gate, QuantitativeRule
from commonweal.domain.evaluation.records import AbnormallyLowDecision, Bid, EvaluatorScore, GateResult, ModeratedScore
from commonweal.domain.provenance import RuleViolation, Source

from .builders import lot, model, records

D = Decimal


def test_weighted_totals_by_hand() -> None:
    # price 40 relative to lowest; quality 45 and social value 15 on a 0-5 scale
    # A: £100, Q 4, SV 2 -> 40 + 45×4/5 (36) + 15×2/5 (6) = 82.00
    # B: £110, Q 5, SV 5 -> 40×100/110 (36.3636) + 45 + 15 = 96.36
    # C: £125, Q 3, SV 5 -> 40×100/125 (32) + 27 + 15 = 74.00
    bids, scores, consensus = records([("A", "100", 4, 2), ("B", "110", 5, 5), ("C", "125", 3, 5)])
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    assert [(r.bidder, r.rank, r.total) for r in result.ranking] == [
        ("B", 1, D("96.36")),
        ("A", 2, D("82.00")),
        ("C", 3, D("74.00")),
    ]
    b = result.ranking[0]
    assert b.scores() == {"price": D("36.36"), "quality": D(45), "social_value": D(15)}
    assert result.winner is b and result.final


def test_criterion_threshold_excludes_with_the_reason_and_leaves_price_scoring_to_the_others() -> None:
    m = model()
    m = replace(m, criteria=(replace(m.criteria[0], threshold=D(2)), m.criteria[1]))
    bids, scores, consensus = records([("Cheap", "50", 1, 5), ("A", "100", 4, 2), ("B", "125", 5, 5)])
    result = evaluate_lot(lot(m), bids, scores, consensus)
    cheap = next(r for r in result.ranking if r.bidder == "Cheap")
    assert cheap.excluded and cheap.rank is None and cheap.total is None
    assert cheap.exclusion_reasons == ("scored 1 on Q 'Quality', below the minimum 2",)
    # price is scored among A and B only: A keeps full price marks (82.00 as in the hand-worked case above)
    assert [(r.bidder, r.total) for r in result.admissible] == [("B", D("92.00")), ("A", D("82.00"))]
    assert result.ranking[-1] is cheap


def test_group_and_overall_quality_thresholds() -> None:
    m = model()
    m = replace(m, groups=(m.groups[0], replace(m.groups[1], threshold=D(50))), quality_threshold=D(60))
    # X: SV 2/5 = 40% of the social value marks (< 50%); Y: Q 2/5 and SV 3/5: non-price 18 + 9 = 27 of 60 = 45% (< 60%)
    bids, scores, consensus = records([("X", "100", 5, 2), ("Y", "100", 2, 3), ("Z", "100", 4, 4)])
    result = evaluate_lot(lot(m), bids, scores, consensus)
    reasons = {r.bidder: r.exclusion_reasons for r in result.ranking}
    assert reasons["X"] == ("scored 40.0% of the Social value marks, below the minimum 50%",)
    assert reasons["Y"] == ("scored 45.0% of the non-price marks, below the minimum 60%",)
    assert reasons["Z"] == ()


def test_failed_gate_excludes() -> None:
    m = replace(model(), gates=(Gate("G1", "CQC registration"),))
    bids, scores, consensus = records([("A", "100", 4, 2), ("B", "125", 5, 5)])
    gates = [GateResult("A", "1", "G1", True), GateResult("B", "1", "G1", False, "certificate expired")]
    result = evaluate_lot(lot(m), bids, scores, consensus, gates=gates)
    assert result.winner is not None and result.winner.bidder == "A"
    assert result.ranking[1].exclusion_reasons == (
        "failed pass/fail requirement G1 'CQC registration': certificate expired",
    )


def test_abnormally_low_price_holds_the_ranking_until_decided() -> None:
    # mean of the others = (100 + 110 + 120)/3 = 110; 70 is 36.4% below it (>= 20%) and 30% below the next lowest 100
    rows = [("Low", "70", 2, 2), ("A", "100", 4, 4), ("B", "110", 4, 4), ("C", "120", 4, 4)]
    bids, scores, consensus = records(rows)
    pending = evaluate_lot(lot(model()), bids, scores, consensus)
    assert not pending.final
    assert pending.pending == ("Low's price is possibly abnormally low and needs a recorded decision",)
    low = next(r for r in pending.ranking if r.bidder == "Low")
    assert (
        "possibly abnormally low: £70.00 is 36.4% below the mean of the other bids (£110.00); the threshold is 20%"
        in low.flags
    )
    assert any("the lowest price, 30.0% below the next lowest (£100.00)" in f for f in low.flags)

    rejected = AbnormallyLowDecision(
        "Low", "1", "rejected", "could not evidence pay", "Head of Commissioning", dt.date(2026, 10, 6)
    )
    decided = evaluate_lot(lot(model()), bids, scores, consensus, decisions=[rejected])
    assert decided.final
    low = next(r for r in decided.ranking if r.bidder == "Low")
    assert low.excluded and "s.19(3)–(5)" in low.exclusion_reasons[0]

    accepted = replace(rejected, decision="accepted")
    kept = evaluate_lot(lot(model()), bids, scores, consensus, decisions=[accepted])
    assert kept.final and not next(r for r in kept.ranking if r.bidder == "Low").excluded


def test_abnormally_low_thresholds_are_configurable() -> None:
    m = replace(model(), abnormally_low=AbnormallyLowPolicy(D(50), D(50)))
    bids, scores, consensus = records([("Low", "70", 2, 2), ("A", "100", 4, 4), ("B", "110", 4, 4)])
    assert evaluate_lot(lot(m), bids, scores, consensus).abnormally_low == ()


def test_declared_tie_break_decides_a_level_total() -> None:
    # A: 40 + 36 + 6 = 82; B: 40×100/125 = 32 + 45×5/5 = 45 ... choose B's quality to make 82:
    # B: £100, Q 3 (27), SV 5 (15) -> 82. Level on 82: social value decides (B 15 > A 6)
    bids, scores, consensus = records([("A", "100", 4, 2), ("B", "100", 3, 5)])
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    assert [(r.bidder, r.rank, r.total) for r in result.ranking] == [("B", 1, D("82.00")), ("A", 2, D("82.00"))]
    assert not any(r.tied for r in result.ranking)
    quality_first = evaluate_lot(lot(replace(model(), tie_break=("quality",))), bids, scores, consensus)
    assert quality_first.winner is not None and quality_first.winner.bidder == "A"


def test_a_tie_the_rules_cannot_break_is_shared_and_has_no_winner() -> None:
    bids, scores, consensus = records([("Zed", "100", 4, 2), ("Abe", "100", 4, 2), ("Low", "200", 1, 1)])
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    assert [(r.bidder, r.rank, r.tied) for r in result.ranking] == [
        ("Abe", 1, True),
        ("Zed", 1, True),
        ("Low", 3, False),
    ]
    assert result.winner is None
    assert "the tie is unresolved" in result.ranking[0].flags[-1]


def test_quantitative_criterion_proportional_to_best_with_cap() -> None:
    m = model()
    m = replace(
        m,
        criteria=(
            m.criteria[0],
            replace(
                m.criteria[1], kind="quantitative", quantitative=QuantitativeRule("proportional_to_best", cap=D(1000))
            ),
        ),
    )
    bids, scores, consensus = records([("A", "100", 4, 0), ("B", "100", 4, 0)])
    scores = [s for s in scores if s.criterion == "Q"]
    consensus = [c for c in consensus if c.criterion == "Q"]
    # A offers 5000 (counts as the cap 1000), B 500: A gets 15, B 15 × 500/1000 = 7.5
    result = evaluate_lot(lot(m), bids, scores, consensus, quantities={("A", "SV"): D(5000), ("B", "SV"): D(500)})
    by = {r.bidder: r for r in result.ranking}
    assert by["A"].social_value == D(15) and by["B"].social_value == D("7.5")


def test_quantitative_criterion_against_target() -> None:
    m = model()
    m = replace(
        m,
        criteria=(
            m.criteria[0],
            replace(m.criteria[1], kind="quantitative", quantitative=QuantitativeRule("against_target", target=D(200))),
        ),
    )
    bids, scores, consensus = records([("A", "100", 4, 0), ("B", "100", 4, 0)])
    scores = [s for s in scores if s.criterion == "Q"]
    consensus = [c for c in consensus if c.criterion == "Q"]
    result = evaluate_lot(lot(m), bids, scores, consensus, quantities={("A", "SV"): D(300), ("B", "SV"): D(50)})
    by = {r.bidder: r for r in result.ranking}
    # A: min(300/200, 1) × 15 = 15; B: 50/200 × 15 = 3.75
    assert by["A"].social_value == D(15) and by["B"].social_value == D("3.75")


def test_bad_inputs_are_all_reported_with_their_source() -> None:
    src = Source("scores.csv", 7)
    bids = [Bid("A", "1", D(100)), Bid("B", "1", D(0), source=Source("bids.csv", 3))]
    scores = [
        EvaluatorScore("E1", "A", "1", "Q", D(7), "x", src),
        EvaluatorScore("E1", "A", "1", "SV", D(3), "", Source("scores.csv", 8)),
        EvaluatorScore("E1", "Ghost", "1", "Q", D(3), "x", Source("scores.csv", 9)),
    ]
    consensus = [ModeratedScore("A", "1", "Q", D(3), "ok")]
    with pytest.raises(RuleViolation) as caught:
        evaluate_lot(lot(model()), bids, scores, consensus)
    issues = {
        (i.source.file if i.source else None, i.source.row if i.source else None, i.column, i.message)
        for i in caught.value.issues
    }
    assert ("bids.csv", 3, "price", "price must be above zero, got 0") in issues
    assert ("scores.csv", 7, "score", "score 7 is not on scale 0-5; expected one of 0, 1, 2, 3, 4, 5") in issues
    assert ("scores.csv", 8, "rationale", "a rationale is required for every score") in issues
    assert ("scores.csv", 9, "bidder", "bidder 'Ghost' has no bid in lot 1") in issues
    assert (None, None, "score", "E1 has not scored B on Q") in issues
    assert (None, None, "score", "A on SV has not been moderated") in issues


def test_moderation_flags_wide_spreads_and_consensus_outside_the_range() -> None:
    bids, scores, consensus = records([("A", "100", 4, 2), ("B", "125", 5, 5)], evaluators=("E1", "E2"))
    scores = [replace(s, score=D(1)) if (s.evaluator, s.bidder, s.criterion) == ("E2", "A", "Q") else s for s in scores]
    consensus = [replace(c, score=D(5)) if (c.bidder, c.criterion) == ("B", "SV") else c for c in consensus]
    scores = [replace(s, score=D(3)) if (s.bidder, s.criterion) == ("B", "SV") else s for s in scores]
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    flags = {r.bidder: r.flags for r in result.ranking}
    assert "evaluators' scores for Q range from 1 to 4 (spread 3, threshold 2): discuss at moderation" in flags["A"]
    assert "consensus 5 for SV lies outside the evaluators' range 3–3: the rationale must explain why" in flags["B"]
    moderation = next(m for m in result.moderations if (m.bidder, m.criterion) == ("A", "Q"))
    assert [s.score for s in moderation.originals] == [D(4), D(1)]


def test_widely_spread_prices_flag_only_a_low_price() -> None:
    # 50k 80k 120k 200k 260k: comparing each bid with the next dearer one would flag 200k (23% below 260k) and 80k
    # (33% below 120k); only the lowest, 50k (37.5% below 80k and 65% below the mean of the others), is low
    rows = [("A", "50000", 3, 3), ("B", "80000", 3, 3), ("C", "120000", 3, 3), ("D", "200000", 3, 3),
            ("E", "260000", 3, 3)]
    bids, scores, consensus = records(rows)
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    flagged = {f.bidder: f.reasons for f in result.abnormally_low}
    assert set(flagged) == {"A", "B"}  # B: 80k is 50% below the mean of the others (157.5k)
    assert len(flagged["A"]) == 2 and len(flagged["B"]) == 1


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=12))
def test_a_price_at_or_above_the_median_is_never_flagged(prices: list[int]) -> None:
    bids = tuple(Bid(f"B{i}", "1", D(p)) for i, p in enumerate(prices))
    ordered = sorted(D(p) for p in prices)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    for finding in find_abnormally_low(bids, AbnormallyLowPolicy(D(0), D(0)), ()):
        assert finding.price < median
        if "next lowest" in " ".join(finding.reasons):
            assert finding.price == ordered[0]


def test_a_consensus_that_is_the_evaluators_average_is_flagged_for_the_moderator() -> None:
    # Two evaluators: E1 marks A's Q 3 and SV 2, E2 marks 5 and 2. The rounded mean is 4 and 2.
    bids = [Bid("A", "1", D(100)), Bid("B", "1", D(110))]
    marks = {("A", "Q"): (3, 5), ("A", "SV"): (2, 2), ("B", "Q"): (4, 4), ("B", "SV"): (3, 5)}
    scores = [EvaluatorScore(e, b, "1", c, D(m), "evidence") for (b, c), pair in marks.items()
              for e, m in zip(("E1", "E2"), pair, strict=True)]
    consensus = [ModeratedScore("A", "1", "Q", D(4), "agreed after discussing the staffing plan"),
                 ModeratedScore("A", "1", "SV", D(2), "both marked 2"),
                 ModeratedScore("B", "1", "Q", D(4), "both marked 4"),
                 ModeratedScore("B", "1", "SV", D(5), "the average of the two marks, rounded up")]
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    flags = {r.bidder: " ".join(r.flags) for r in result.ranking}
    # A: 4 and 2 are the rounded means on every criterion, one of them disputed
    assert "every consensus score equals the evaluators' rounded mean (2 criteria, 1 marked differently)" in flags["A"]
    assert "Bromcom Computers plc v United Learning Trust [2022] EWHC 3262 (TCC)" in flags["A"]
    # B: 5 is not the rounded mean (4) of 3 and 5, but the rationale says it averaged
    assert "reads as an average of the evaluators' marks" in flags["B"]
    assert "rounded mean" not in flags["B"]


def test_names_equal_after_case_and_spacing_are_one_bidder() -> None:
    bids, scores, consensus = records([("Bidder A", "100", 4, 2), ("Bidder B", "110", 5, 5)])
    # the scores file spells A in capitals with a double space: the same bidder
    scores = [replace(s, bidder="BIDDER  A") if s.bidder == "Bidder A" else s for s in scores]
    consensus = [replace(c, bidder=" bidder a ") if c.bidder == "Bidder A" else c for c in consensus]
    result = evaluate_lot(lot(model()), bids, scores, consensus)
    assert {r.bidder for r in result.ranking} == {"Bidder A", "Bidder B"}
    assert next(r for r in result.ranking if r.bidder == "Bidder A").total == D("82.00")


def test_two_bids_whose_names_differ_only_in_case_are_a_clash_naming_both_rows() -> None:
    bids = [Bid("Bidder A", "1", D(100), source=Source("bids.csv", 2)),
            Bid("BIDDER A", "1", D(120), source=Source("bids.csv", 3))]
    _, scores, consensus = records([("Bidder A", "100", 4, 2)])
    with pytest.raises(RuleViolation) as raised:
        evaluate_lot(lot(model()), bids, scores, consensus)
    messages = [i.message for i in raised.value.issues]
    assert any("'BIDDER A' (bids.csv row 3) and 'Bidder A' (bids.csv row 2) are the same bidder" in m
               for m in messages), messages
