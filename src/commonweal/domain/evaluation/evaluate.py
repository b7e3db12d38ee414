"""Score and rank the bids for one lot.

Order of work, each step declared in the model before bids are opened:
1. inputs are checked against the model (every bid scored by every evaluator, every score moderated, scores on the
   scale, rationales given); any problem stops the evaluation before anything is computed;
2. exclusions: a failed pass/fail gate, a moderated score below a criterion's threshold, or an abnormally low
   price whose explanation was rejected (Procurement Act 2023 s.19(3)–(5));
3. quantitative criteria are scored among the bids still in, then group and overall quality thresholds apply;
4. price is scored among the admissible bids with the declared formula;
5. totals are rounded to the declared precision and ranked; ties go to the declared tie-break rules, and a tie
   they cannot break is reported as a shared rank, never settled by input order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache, cached_property
from itertools import product
from math import lcm
from typing import Any, NamedTuple, TypeVar

import numpy as np

from commonweal.domain.bulk import many_records
from commonweal.domain.evaluation import price as price_formulas
from commonweal.domain.evaluation.abnormally_low import DISREGARD, NOTICE, AbnormallyLowFinding, find_abnormally_low
from commonweal.domain.evaluation.model import (
    HUNDRED,
    PRICE,
    QUALITY,
    SOCIAL_VALUE,
    Criterion,
    EvaluationModel,
    Lot,
    fraction_decimal,
)
from commonweal.domain.evaluation.moderation import Moderation, averaged_bid, moderate, spread_limit
from commonweal.domain.evaluation.price import FloatArray, evaluated_price
from commonweal.domain.evaluation.records import (
    AbnormallyLowDecision,
    Bid,
    EvaluatorScore,
    GateResult,
    ModeratedScore,
    bidder_key,
)
from commonweal.domain.evaluation.validation import model_problems
from commonweal.domain.provenance import Issue, RuleViolation, Source

ZERO = Decimal(0)


class CriterionScore(NamedTuple):
    """One bid's score on one criterion, built when it is read (`BidResult.criteria`). Immutable; a NamedTuple
    rather than a frozen dataclass because a report reads one per bid per criterion."""

    criterion: Criterion
    score: Decimal | None  # the moderated score, or the value offered for a quantitative criterion
    fraction: Decimal  # 0..1 of the criterion's marks
    weight: Decimal  # the criterion's share of the whole evaluation, in percent
    points: Decimal
    rationale: str
    moderation: Moderation | None = None


@dataclass(frozen=True)
class ScoreSheet:
    """One lot's scoring table, shared by all its bids: the scored criteria in order, what each score or offered
    value is worth on each (fraction shown, weight shown, points shown, points as a numerator over the lot's common
    denominator), and the moderations. A bid keeps only its values, one per criterion (`BidResult.marks`): a
    scoring pass builds no record per bid per criterion, and `criteria` builds them from this table on demand."""

    leaves: tuple[Criterion, ...]
    shown: Mapping[str, Mapping[Decimal, tuple[Decimal, Decimal, Decimal, int]]]
    moderations: Mapping[tuple[str, str], Moderation]

    def criteria(self, bidder: str, marks: Sequence[Decimal]) -> tuple[CriterionScore, ...]:
        found = []
        for criterion, value in zip(self.leaves, marks, strict=True):
            fraction, weight, points, _ = self.shown[criterion.id][value]
            if criterion.kind == "quantitative":
                found.append(CriterionScore(criterion, value, fraction, weight, points,
                                            "scored from the offered value", None))
            else:
                m = self.moderations[(bidder, criterion.id)]
                found.append(CriterionScore(criterion, value, fraction, weight, points, m.consensus.rationale, m))
        return tuple(found)


@dataclass(frozen=True)
class Level:
    """A bid whose total equals another's at the ranking precision: which bids, and which declared tie-break rule
    ranked it against the bid next to it in rank order (None when no rule separates them)."""

    precision: int
    level_with: tuple[str, ...]
    decided_by: str | None


@dataclass(frozen=True)
class BidResult:
    bid: Bid
    rank: int | None
    total: Decimal | None
    price_points: Decimal | None  # None when the price formula combines price and quality into one value
    group_points: Mapping[str, Decimal]
    quality: Decimal
    social_value: Decimal
    marks: tuple[Decimal, ...]  # the moderated score or offered value on each criterion, in `sheet.leaves` order
    sheet: ScoreSheet = field(repr=False)
    gates: tuple[GateResult, ...]
    flags: tuple[str, ...] = ()
    exclusion_reasons: tuple[str, ...] = ()
    tied: bool = False  # level after every declared tie-break rule: shares its rank
    exact_total: Decimal | None = None  # before rounding to the ranking precision
    element_points: tuple[tuple[str, Decimal], ...] = ()  # each separately scored price element's points
    level: Level | None = None  # equal to another bid's total at the ranking precision
    exact_nonprice: Fraction | None = None  # quality + social value points, exactly

    @property
    def bidder(self) -> str:
        return self.bid.bidder

    @cached_property
    def criteria(self) -> tuple[CriterionScore, ...]:
        """Its score on each criterion, in the model's order, built from the lot's table when first read."""
        return self.sheet.criteria(self.bid.bidder, self.marks)

    @property
    def excluded(self) -> bool:
        return bool(self.exclusion_reasons)

    @property
    def nonprice(self) -> Decimal:
        """Quality and social value points: from the exact sum where it is known (two sums each rounded at 28
        digits can differ from the rounded sum in the last digit)."""
        if self.exact_nonprice is not None:
            return fraction_decimal(self.exact_nonprice)
        return self.quality + self.social_value

    def scores(self) -> dict[str, Decimal | None]:
        return {PRICE: self.price_points, QUALITY: self.quality, SOCIAL_VALUE: self.social_value}


_BID_RESULT_FIELDS = frozenset(f.name for f in fields(BidResult))


def _updated(result: BidResult, **changes: Any) -> BidResult:
    """`dataclasses.replace` for a BidResult at a fraction of its cost (a scoring pass updates each bid's result
    twice, and `replace` checks and re-initialises every field of a frozen dataclass): the fields copied with
    `changes` applied. BidResult has no `__post_init__` to run again; the read-once `criteria` is not copied."""
    assert changes.keys() <= _BID_RESULT_FIELDS, changes.keys() - _BID_RESULT_FIELDS
    new = object.__new__(BidResult)
    state = vars(new)
    state.update(vars(result))
    state.pop("criteria", None)
    state.update(changes)
    return new


@dataclass(frozen=True)
class LotResult:
    lot: Lot
    ranking: tuple[BidResult, ...]  # admissible bids in rank order, then excluded bids by name
    moderated: Mapping[tuple[str, str], Moderation]  # by (bidder, criterion)
    abnormally_low: tuple[AbnormallyLowFinding, ...]
    pending: tuple[str, ...] = ()  # why the ranking is not yet final
    quantities: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return not self.pending

    @cached_property
    def moderations(self) -> tuple[Moderation, ...]:
        """Every moderation in (bidder, criterion) order (sorted when first read: a scoring pass does not need it)."""
        return tuple(self.moderated[key] for key in sorted(self.moderated))

    @cached_property
    def admissible(self) -> tuple[BidResult, ...]:
        return tuple(r for r in self.ranking if not r.excluded)

    @cached_property
    def winner(self) -> BidResult | None:
        """The most advantageous tender: rank 1 and not tied (a tie the rules cannot break has no winner)."""
        firsts = [r for r in self.admissible if r.rank == 1]
        return firsts[0] if len(firsts) == 1 else None


def _issue(message: str, source: Source | None, column: str | None = None) -> Issue:
    return Issue(message=message, source=source, column=column)


R = TypeVar("R", EvaluatorScore, ModeratedScore, GateResult, AbnormallyLowDecision)
Marked = TypeVar("Marked", EvaluatorScore, ModeratedScore)


def _element_issues(bid: Bid, model: EvaluationModel) -> list[Issue]:
    """A bid's element prices against the lot's price elements: every element priced (a missing price is never
    read as zero), no negative price, a zero price only where the tender declared zero prices are scored, and the
    bid's price equal to the evaluated total of its elements."""
    rule = model.price
    given = dict(bid.element_prices)
    found = [_issue(f"prices element '{e}', which the lot does not have", bid.source, e)
             for e in given if e not in {x.id for x in rule.elements}]
    for element in rule.elements:
        value = given.get(element.id)
        if value is None:
            found.append(_issue(f"no price for element '{element.id}' ({element.title})", bid.source, element.id))
        elif value < 0:
            found.append(_issue(f"price for element '{element.id}' cannot be negative, got {value}", bid.source,
                                element.id))
        elif value == 0 and rule.zero_prices != "score":
            found.append(_issue(
                f"price for element '{element.id}' is £0: the tender declares zero element prices are refused "
                "(zero_prices: refuse); ask the bidder, or declare before opening that zero prices are scored with a "
                "formula defined at zero", bid.source, element.id))
    if not found and rule.elements and bid.price != evaluated_price(rule, given):
        found.append(_issue(f"price {bid.price} is not the evaluated total of the element prices "
                            f"({evaluated_price(rule, given)})", bid.source, "price"))
    return found


NOTHING: frozenset[Decimal] = frozenset()


def _look(m: Moderation) -> tuple[str, Decimal, Decimal, Decimal, str]:
    """All that decides what a moderation adds to its bid's flags and exclusions (see `evaluate_lot`)."""
    return m.criterion, m.low, m.high, m.consensus.score, m.consensus.rationale


def _notable(m: Moderation, limit: Decimal, threshold: Decimal | None) -> bool:
    """Whether a moderation adds to its bid's flags or exclusions: a flag of its own, a score below the criterion's
    threshold, or evaluators who differed (without one, `averaged_bid` finds nothing)."""
    return bool(m.flags(limit)) or m.high > m.low or (threshold is not None and m.consensus.score < threshold)


def _where(source: Source | None) -> str:
    return f" ({source.file} row {source.row})" if source is not None and source.row is not None else ""


def same_bidders(
    bids: Sequence[Bid],
    scores: Sequence[EvaluatorScore],
    consensus: Sequence[ModeratedScore],
    gates: Sequence[GateResult],
    decisions: Sequence[AbnormallyLowDecision],
    quantities: Mapping[tuple[str, str], Decimal],
) -> tuple[list[EvaluatorScore], list[ModeratedScore], list[GateResult], list[AbnormallyLowDecision],
           dict[tuple[str, str], Decimal]]:
    """Every record names its bidder as the bid does: 'Bidder  a' in a scores file is the bid of 'Bidder A'
    (`bidder_key`). Names that match no bid are left as they are, for `check_inputs` to report."""
    canonical: dict[str, str] = {}
    for bid in bids:
        canonical.setdefault(bidder_key(bid.bidder), bid.bidder)
    names = ({s.bidder for s in scores} | {m.bidder for m in consensus} | {g.bidder for g in gates}
             | {d.bidder for d in decisions} | {b for b, _ in quantities})
    renamed = {name: canonical[bidder_key(name)] for name in names.difference(canonical.values())
               if canonical.get(bidder_key(name), name) != name}
    if not renamed:
        return list(scores), list(consensus), list(gates), list(decisions), dict(quantities)

    def fix(records: Sequence[R]) -> list[R]:
        return [replace(r, bidder=renamed[r.bidder]) if r.bidder in renamed else r for r in records]

    return (
        fix(scores), fix(consensus), fix(gates), fix(decisions),
        {(renamed.get(bidder, bidder), criterion): value for (bidder, criterion), value in quantities.items()},
    )


def check_inputs(
    lot: Lot,
    bids: Sequence[Bid],
    scores: Sequence[EvaluatorScore],
    consensus: Sequence[ModeratedScore],
    gates: Sequence[GateResult] = (),
    decisions: Sequence[AbnormallyLowDecision] = (),
    quantities: Mapping[tuple[str, str], Decimal] | None = None,
    expect_scores: bool = True,
) -> list[Issue]:
    """Every way the inputs for `lot` fail the model, each naming its source record and column.

    `expect_scores=False` checks a tender before evaluation (bids and gates only)."""
    model = lot.model
    quantities = quantities or {}
    found = [_issue(f"lot {lot.id}: {p}", None) for p in model_problems(model, lot.budget)]
    if found:
        return found
    leaves = {c.id: c for c in model.leaves()}
    scored = {cid: c for cid, c in leaves.items() if c.kind == "scored"}
    bidders: dict[str, Bid] = {}
    by_key: dict[str, Bid] = {}
    for bid in bids:
        name = bidder_key(bid.bidder)
        same = by_key.get(name)
        if same is not None:
            found.append(_issue(
                f"'{bid.bidder}'{_where(bid.source)} and '{same.bidder}'{_where(same.source)} are the same bidder "
                f"(names equal after case and spacing are one bidder), with two bids for lot {lot.id}",
                bid.source, "bidder"))
        by_key.setdefault(name, bid)
        bidders[bid.bidder] = bid
        if bid.price <= 0:
            found.append(_issue(f"price must be above zero, got {bid.price}", bid.source, "price"))
        if model.price.elements or bid.element_prices:  # a lot without price elements: nothing to check
            found.extend(_element_issues(bid, model))

    def check_record(bidder: str, criterion: str, score: Decimal, rationale: str, source: Source | None) -> None:
        if bidder not in bidders:
            found.append(_issue(f"bidder '{bidder}' has no bid in lot {lot.id}", source, "bidder"))
        c = scored.get(criterion)
        if c is None:
            kind = (
                "a quantitative criterion (scored from the offer, not by evaluators)"
                if criterion in leaves
                else (
                    "not a scored criterion of this lot"
                    if criterion not in {x.id for x in model.criteria}
                    else "a parent criterion (score its sub-criteria)"
                )
            )
            found.append(_issue(f"criterion '{criterion}' is {kind}", source, "criterion"))
        elif not c.scale.allows(score):
            allowed = ", ".join(str(s) for s in c.scale.scores)
            found.append(
                _issue(f"score {score} is not on scale {c.scale.id}; expected one of {allowed}", source, "score")
            )
        if not rationale.strip():
            found.append(_issue("a rationale is required for every score", source, "rationale"))

    # every score a record may give, by criterion: a lot has tens of thousands of scores, so a sound record is
    # recognised with two lookups and only an unsound one is examined (`check_record`) for its reasons
    sound = {cid: frozenset(c.scale.scores) for cid, c in scored.items()}

    def unsound(records: Sequence[Marked]) -> list[Marked]:
        return [r for r in records if r.bidder not in bidders or r.score not in sound.get(r.criterion, NOTHING)
                or not r.rationale or r.rationale.isspace()]

    # what each evaluator scored, built as sets; only when some evaluator scored a bid on a
    # criterion twice are the scores walked one by one, to report each problem in file order
    names = {s.evaluator for s in scores}
    evaluators: dict[str, set[tuple[str, str]]] = (
        {name: {(s.bidder, s.criterion) for s in scores} for name in names}
        if len(names) == 1
        else {name: set() for name in names}
    )
    if len(names) > 1:
        for s in scores:
            evaluators[s.evaluator].add((s.bidder, s.criterion))
    all_sound = sum(len(done) for done in evaluators.values()) == len(scores)
    if all_sound:
        for s in unsound(scores):
            all_sound = False
            check_record(s.bidder, s.criterion, s.score, s.rationale, s.source)
    else:
        seen: set[tuple[str, str, str]] = set()
        for s in scores:
            if unsound([s]):
                check_record(s.bidder, s.criterion, s.score, s.rationale, s.source)
            if (s.evaluator, s.bidder, s.criterion) in seen:
                found.append(_issue(f"{s.evaluator} scored {s.bidder} on {s.criterion} twice", s.source,
                                    "evaluator"))
            seen.add((s.evaluator, s.bidder, s.criterion))
    any_scored = next(iter(evaluators.values())) if len(evaluators) == 1 else set().union(*evaluators.values())
    moderated = {(m.bidder, m.criterion) for m in consensus}
    # likewise the consensus scores are walked one by one only when one is repeated or moderates nothing
    if len(moderated) == len(consensus) and moderated <= any_scored:
        for m in unsound(consensus):
            all_sound = False
            check_record(m.bidder, m.criterion, m.score, m.rationale, m.source)
    else:
        all_sound = False
        moderated = set()
        for m in consensus:
            if unsound([m]):
                check_record(m.bidder, m.criterion, m.score, m.rationale, m.source)
            key = (m.bidder, m.criterion)
            if key in moderated:
                found.append(_issue(f"{m.bidder} has two moderated scores for {m.criterion}", m.source,
                                    "criterion"))
            moderated.add(key)
            if key not in any_scored:
                found.append(_issue(f"no evaluator scored {m.bidder} on {m.criterion}, so there is nothing to "
                                    "moderate", m.source, "criterion"))
    # What is missing, found with set arithmetic and then reported bidder by bidder, criterion by criterion. When
    # every record is sound, each evaluator's pairs and the moderated pairs lie within bidders × scored criteria,
    # so sets of that size are complete and nothing needs working out.
    size = len(bidders) * len(scored)
    complete = all_sound and len(moderated) == size and all(len(done) == size for done in evaluators.values())
    expected = set() if complete else set(product(bidders, scored))
    unscored = {evaluator: expected - done for evaluator, done in evaluators.items()}
    unmoderated = (expected & any_scored) - moderated
    if any(unscored.values()) or unmoderated:
        by_evaluator = sorted(unscored.items())
        for key in sorted(expected):
            bidder, cid = key
            found.extend(_issue(f"{evaluator} has not scored {bidder} on {cid}", None, "score")
                         for evaluator, missing in by_evaluator if key in missing)
            if key in unmoderated:
                found.append(_issue(f"{bidder} on {cid} has not been moderated", None, "score"))
    offered = [cid for cid, c in sorted(leaves.items()) if c.kind == "quantitative"]
    found.extend(_issue(f"{bidder} has no offered value for quantitative criterion {cid}", None, cid)
                 for bidder in sorted(bidders) for cid in offered if (bidder, cid) not in quantities)
    if expect_scores and not evaluators and scored:
        found.append(_issue(f"lot {lot.id} has no evaluators' scores", None, "score"))

    gate_ids = {g.id for g in model.gates}
    seen_gates: set[tuple[str, str]] = set()
    for g in gates:
        if g.gate not in gate_ids:
            found.append(_issue(f"'{g.gate}' is not a pass/fail gate of lot {lot.id}", g.source, "gate"))
        if g.bidder not in bidders:
            found.append(_issue(f"bidder '{g.bidder}' has no bid in lot {lot.id}", g.source, "bidder"))
        seen_gates.add((g.bidder, g.gate))
    found.extend(
        _issue(f"{bidder} has no result for pass/fail gate {gate}", None, "gate")
        for bidder in sorted(bidders)
        for gate in sorted(gate_ids)
        if (bidder, gate) not in seen_gates
    )
    for d in decisions:
        if d.bidder not in bidders:
            found.append(_issue(f"bidder '{d.bidder}' has no bid in lot {lot.id}", d.source, "bidder"))
        if not d.reason.strip():
            found.append(_issue("a decision on an abnormally low price needs its reason", d.source, "reason"))
    return found


def round_total(value: Decimal, places: int) -> Decimal:
    return value.quantize(_quantum(places), rounding=ROUND_HALF_UP)


@cache
def _quantum(places: int) -> Decimal:
    """0.01 for 2 places (worked out once: every total and every points figure is rounded with it)."""
    return Decimal(1).scaleb(-places)


def to_decimal(value: float) -> Decimal:
    """A float score back to Decimal, rounded at 10 places so float noise never decides a rounding."""
    return Decimal(repr(round(float(value), 10)))


def _capped(criterion: Criterion, value: Decimal) -> Decimal:
    """An offered value as it counts: never below zero, and at most the criterion's cap."""
    assert criterion.quantitative is not None  # guaranteed by model_problems
    cap = criterion.quantitative.cap
    return min(max(value, ZERO), cap) if cap is not None else max(value, ZERO)


def _best_offer(criterion: Criterion, offers: Sequence[Decimal]) -> Decimal:
    """The best offer among the bids still in, as it counts."""
    return max((_capped(criterion, v) for v in offers), default=ZERO)


def _quantitative_fraction(criterion: Criterion, value: Decimal, best: Decimal) -> Fraction:
    rule = criterion.quantitative
    assert rule is not None  # guaranteed by model_problems
    if rule.method == "against_target":
        assert rule.target is not None
        return min(Fraction(max(value, ZERO)) / Fraction(rule.target), Fraction(1))
    return Fraction(_capped(criterion, value)) / Fraction(best) if best > 0 else Fraction(0)


def tie_break_key(result: BidResult, rules: Sequence[str]) -> tuple[Decimal, ...]:
    """Sort key for the declared tie-break rules: higher points first; for 'price', the lower price first."""
    key: list[Decimal] = []
    for rule in rules:
        if rule == PRICE:
            key.append(result.bid.price)
        elif rule == QUALITY:
            key.append(-result.quality)
        elif rule == SOCIAL_VALUE:
            key.append(-result.social_value)
        elif rule in result.group_points:
            key.append(-result.group_points[rule])
        else:
            key.append(-sum((c.points for c in result.criteria if c.criterion.id == rule), ZERO))
    return tuple(key)


def rank(results: Sequence[BidResult], rules: Sequence[str]) -> tuple[BidResult, ...]:
    """Competition ranking (1, 2, 2, 4) by total, then the tie-break rules. Bids still level share a rank and are
    listed by name; input order never matters."""

    def level(r: BidResult) -> tuple[Decimal, ...]:
        assert r.total is not None
        return (-r.total, *tie_break_key(r, rules))

    keyed = sorted(((level(r), r.bidder, r) for r in results), key=lambda item: (item[0], item[1]))
    sizes = Counter(key for key, _, _ in keyed)
    totals = Counter(r.total for r in results)
    ranked: list[BidResult] = []
    rank_number = 0
    for position, (key, _, result) in enumerate(keyed, start=1):
        if position == 1 or key != keyed[position - 2][0]:
            rank_number = position
        tied = sizes[key] > 1
        flags = result.flags
        if tied:
            flags = (*flags, "level with another bid after every declared tie-break rule: the tie is unresolved")
        level_at_precision = None
        if totals[result.total] > 1:
            # the neighbour in rank order with the same rounded total: the one above, or for the first, the one below
            above = [r for _, _, r in keyed[: position - 1] if r.total == result.total]
            below = [r for _, _, r in keyed[position:] if r.total == result.total]
            neighbour = above[-1] if above else below[0]
            level_at_precision = Level(
                precision=places_of(result.total),
                level_with=tuple(r.bidder for _, _, r in keyed if r.total == result.total and r is not result),
                decided_by=separating_rule(neighbour, result, rules),
            )
        ranked.append(_updated(result, rank=rank_number, tied=tied, flags=flags, level=level_at_precision))
    return tuple(ranked)


def places_of(total: Decimal | None) -> int:
    """The decimal places a rounded total was given (its exponent)."""
    assert total is not None
    exponent = total.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def separating_rule(a: BidResult, b: BidResult, rules: Sequence[str]) -> str | None:
    """The first declared tie-break rule on which two bids with the same rounded total differ; None if none does."""
    for rule, left, right in zip(rules, tie_break_key(a, rules), tie_break_key(b, rules), strict=True):
        if left != right:
            return rule
    return None


@many_records()
def evaluate_lot(
    lot: Lot,
    bids: Sequence[Bid],
    scores: Sequence[EvaluatorScore],
    consensus: Sequence[ModeratedScore],
    gates: Sequence[GateResult] = (),
    decisions: Sequence[AbnormallyLowDecision] = (),
    quantities: Mapping[tuple[str, str], Decimal] | None = None,
) -> LotResult:
    """Evaluate one lot. Raises RuleViolation (with every problem) when the inputs fail the model."""
    scores, consensus, gates, decisions, quantities = same_bidders(
        bids, scores, consensus, gates, decisions, quantities or {})
    issues = check_inputs(lot, bids, scores, consensus, gates, decisions, quantities)
    if issues:
        raise RuleViolation(issues)
    model = lot.model
    moderations = moderate(scores, consensus)
    findings = find_abnormally_low(tuple(bids), model.abnormally_low, tuple(decisions))
    finding_by_bidder = {f.bidder: f for f in findings}
    leaves = model.leaves()

    exclusions: dict[str, list[str]] = {b.bidder: [] for b in bids}
    flags: dict[str, list[str]] = {b.bidder: [] for b in bids}
    gates_by_bidder: dict[str, list[GateResult]] = {b.bidder: [] for b in bids}
    for g in sorted(gates, key=lambda g: g.gate):
        gates_by_bidder[g.bidder].append(g)
        if not g.passed:
            title = next(x.title for x in model.gates if x.id == g.gate)
            exclusions[g.bidder].append(
                f"failed pass/fail requirement {g.gate} '{title}'" + (f": {g.rationale}" if g.rationale else "")
            )
    # Only a bid with a moderation worth a look (a flag, a score below a criterion's threshold, or evaluators who
    # differed, which the averaging check needs) is walked criterion by criterion; for every other bid there is
    # nothing to add. What a moderation shows depends only on its criterion, range, score and rationale, so each
    # distinct combination is judged once, by the same `Moderation.flags` the reports use.
    limits = {c.id: spread_limit(c, model.spread_threshold_percent) for c in leaves}
    thresholds = {c.id: c.threshold for c in leaves}
    judged = {(m.criterion, m.low, m.high, m.consensus.score, m.consensus.rationale): m  # `_look`, inlined
              for m in moderations.values()}
    notable = {look for look, m in judged.items() if _notable(m, limits[m.criterion], thresholds[m.criterion])}
    walked = {m.bidder for m in moderations.values() if _look(m) in notable} if notable else set()
    for bidder, excluded_because in exclusions.items():
        bidder_flags = flags[bidder]
        if bidder in walked:
            in_order = [moderations.get((bidder, c.id)) for c in leaves]
            for criterion, m in zip(leaves, in_order, strict=True):
                if m is None:
                    continue
                bidder_flags.extend(m.flags(limits[criterion.id]))
                if criterion.threshold is not None and m.consensus.score < criterion.threshold:
                    excluded_because.append(
                        f"scored {m.consensus.score} on {criterion.id} '{criterion.title}', "
                        f"below the minimum {criterion.threshold}"
                    )
            averaged = averaged_bid([m for m in in_order if m is not None], leaves)
            if averaged is not None:
                bidder_flags.append(averaged)
        finding = finding_by_bidder.get(bidder)
        if finding is not None:
            bidder_flags.extend(f"possibly abnormally low: {reason}" for reason in finding.reasons)
            if finding.decision is None:
                bidder_flags.append(
                    f"decision required: ask the bidder to explain the price ({NOTICE})"
                )
            elif finding.decision.decision == "rejected":
                excluded_because.append(
                    f"had a price considered abnormally low; the explanation was rejected on "
                    f"{finding.decision.decided_on.isoformat()} by {finding.decision.decided_by}: "
                    f"{finding.decision.reason} ({DISREGARD})"
                )
            else:
                bidder_flags.append(
                    f"explanation of the low price accepted on {finding.decision.decided_on.isoformat()} by "
                    f"{finding.decision.decided_by}: {finding.decision.reason}"
                )

    still_in = [b.bidder for b in bids if not exclusions[b.bidder]]
    # Points are exact fractions (weights may be fractions such as 55/6, scales such as 0-3 give thirds). A
    # criterion has few distinct scores, so each one's points are worked out once, then summed per bid as integers
    # over one common denominator: no total depends on a rounding or on the order of addition.
    given: dict[str, dict[Decimal, Fraction]] = {}  # criterion -> score or offered value -> fraction of its marks
    best = {c.id: _best_offer(c, [quantities[(b, c.id)] for b in still_in]) for c in leaves if c.kind == "quantitative"}
    for criterion in leaves:
        if criterion.kind == "quantitative":
            values = {quantities[(b.bidder, criterion.id)] for b in bids}
            given[criterion.id] = {v: _quantitative_fraction(criterion, v, best[criterion.id]) for v in values}
        else:
            given[criterion.id] = {v: criterion.scale.exact_fraction(v) for v in criterion.scale.scores}
    exact_weights = {c.id: model.exact_weight(c) for c in leaves}
    exact_points = {cid: {v: f * exact_weights[cid] for v, f in fractions.items()} for cid, fractions in given.items()}
    denominator = lcm(*{p.denominator for points in exact_points.values() for p in points.values()})
    # per criterion and score: (fraction shown, weight shown, points shown, points as a numerator over denominator)
    shown: dict[str, dict[Decimal, tuple[Decimal, Decimal, Decimal, int]]] = {
        cid: {
            v: (fraction_decimal(given[cid][v]), fraction_decimal(exact_weights[cid]), fraction_decimal(p),
                p.numerator * (denominator // p.denominator))
            for v, p in points.items()
        }
        for cid, points in exact_points.items()
    }
    # Column by column (a criterion's scores or offered values in bid order), each value's numerator looked up in
    # its criterion's table and summed per group: no per-bid, per-criterion record is built here. A bid keeps its
    # values as one tuple (`BidResult.marks`); its per-criterion records are built from the shared table when a page
    # or report reads `BidResult.criteria`.
    names = [b.bidder for b in bids]
    score_of = {(c.bidder, c.criterion): c.score for c in consensus}
    columns = [[(quantities if c.kind == "quantitative" else score_of)[(b, c.id)] for b in names] for c in leaves]
    in_group: list[list[list[int]]] = [[] for _ in model.groups]
    group_index = {g.id: i for i, g in enumerate(model.groups)}
    for criterion, column in zip(leaves, columns, strict=True):
        table = {v: shown_v[3] for v, shown_v in shown[criterion.id].items()}
        in_group[group_index[criterion.group]].append(list(map(table.__getitem__, column)))
    group_sums = [[sum(row) for row in zip(*cols, strict=True)] if cols else [0] * len(names) for cols in in_group]
    numerators = dict(zip(names, zip(*group_sums, strict=True), strict=True)) if group_sums else {b: () for b in names}
    marks = dict(zip(names, zip(*columns, strict=True), strict=True)) if columns else {b: () for b in names}
    sheet = ScoreSheet(leaves, shown, moderations)

    partial: dict[str, BidResult] = {}
    nonprice_weight = HUNDRED - model.price.weight
    quality_columns = [i for i, g in enumerate(model.groups) if g.category == QUALITY]
    social_columns = [i for i, g in enumerate(model.groups) if g.category == SOCIAL_VALUE]
    whole = Decimal(denominator)
    for bid in bids:
        # sums of numerators over the common denominator, each divided once as a Decimal (the same value as the
        # reduced fraction's: a Decimal quotient is the exact quotient rounded at 28 digits)
        found = numerators[bid.bidder]
        per_group = {g.id: Decimal(n) / whole for g, n in zip(model.groups, found, strict=True)}
        exact_nonprice = Fraction(sum(found), denominator)
        if not exclusions[bid.bidder]:
            for group, n in zip(model.groups, found, strict=True):
                if group.threshold is None:
                    continue
                share = Fraction(n, denominator) / Fraction(group.weight) * 100
                if share < group.threshold:
                    exclusions[bid.bidder].append(
                        f"scored {fraction_decimal(share):.1f}% of the {group.title} marks, below the minimum "
                        f"{group.threshold}%"
                    )
            if model.quality_threshold is not None and nonprice_weight > 0:
                share = exact_nonprice / Fraction(nonprice_weight) * 100
                if share < model.quality_threshold:
                    exclusions[bid.bidder].append(
                        f"scored {fraction_decimal(share):.1f}% of the non-price marks, below the minimum "
                        f"{model.quality_threshold}%"
                    )
        partial[bid.bidder] = BidResult(
            bid=bid,
            rank=None,
            total=None,
            price_points=None,
            group_points=per_group,
            quality=Decimal(sum(found[i] for i in quality_columns)) / whole,
            social_value=Decimal(sum(found[i] for i in social_columns)) / whole,
            exact_nonprice=exact_nonprice,
            marks=marks[bid.bidder],
            sheet=sheet,
            gates=tuple(gates_by_bidder[bid.bidder]),
            flags=tuple(flags[bid.bidder]),
            exclusion_reasons=tuple(exclusions[bid.bidder]),
        )

    admissible = sorted((r for r in partial.values() if not r.excluded), key=lambda r: r.bidder)
    scored = score_price(model, lot.budget, admissible)
    ranking = (
        *rank(scored, model.tie_break),
        *sorted((r for r in partial.values() if r.excluded), key=lambda r: r.bidder),
    )
    pending = tuple(
        f"{f.bidder}'s price is possibly abnormally low and needs a recorded decision" for f in findings if f.pending
    )
    return LotResult(
        lot=lot,
        ranking=ranking,
        moderated=moderations,
        abnormally_low=findings,
        pending=pending,
        quantities=quantities,
    )


def score_price(model: EvaluationModel, budget: Decimal | None, results: Sequence[BidResult]) -> list[BidResult]:
    if not results:
        return []
    if model.price.elements and model.price.combine == "separately":
        return _score_elements(model, results)
    formula = price_formulas.FORMULAS[model.price.formula]
    if not formula.combined:
        # an additive formula's price points, exactly (Fractions through the same formula as the Monte Carlo's),
        # added to the exact non-price points: no part of a total is rounded before it is shown
        prices = np.array([Fraction(r.bid.price) for r in results], dtype=object)
        context = price_formulas.context(formula, model.price.weight, model.price.params, budget, exact=True)
        points = formula.totals(prices, np.zeros(len(results), dtype=object), context)
        return [_priced(model, r, Fraction(p)) for r, p in zip(results, points, strict=True)]
    prices = np.array([float(r.bid.price) for r in results])
    nonprice = np.array([float(r.nonprice) for r in results])
    context = price_formulas.context(formula, model.price.weight, model.price.params, budget)
    if model.price.formula == "monetised_quality":
        adjusted = prices - context.params["value_per_point"] * nonprice
        if (adjusted <= 0).any():
            raise RuleViolation(
                [
                    Issue(
                        "the declared value per quality point makes an adjusted price zero or negative; "
                        "monetised quality cannot rank these bids"
                    )
                ]
            )
    # a combined formula's total is its own comparison value (floats, kept to 10 places), with no price points
    totals = formula.totals(prices, nonprice, context)
    scored = []
    for result, total in zip(results, totals, strict=True):
        exact = to_decimal(total)
        scored.append(_updated(result, total=round_total(exact, model.ranking_precision), exact_total=exact))
    return scored


def _priced(model: EvaluationModel, result: BidResult, price_points: Fraction,
            element_points: tuple[tuple[str, Fraction], ...] = ()) -> BidResult:
    """A bid with its exact price points: its exact total, and both rounded to the ranking precision to be shown."""
    assert result.exact_nonprice is not None  # every admissible bid's non-price points are known exactly
    exact = fraction_decimal(price_points + result.exact_nonprice)
    return _updated(
        result,
        total=round_total(exact, model.ranking_precision),
        exact_total=exact,
        price_points=round_total(fraction_decimal(price_points), model.ranking_precision),
        element_points=tuple((i, round_total(fraction_decimal(p), model.ranking_precision))
                             for i, p in element_points),
    )


def element_fraction_matrix(model: EvaluationModel, results: Sequence[BidResult], exact: bool = False) -> FloatArray:
    """Each bid's price fraction on each separately scored element (bids × elements); Fractions with `exact`."""
    number: Callable[[Decimal], Any] = Fraction if exact else float
    prices = np.array([[number(dict(r.bid.element_prices)[e.id]) for e in model.price.elements] for r in results],
                      dtype=object if exact else np.float64)
    return price_formulas.element_fractions(model.price, prices, exact)


def _score_elements(model: EvaluationModel, results: Sequence[BidResult]) -> list[BidResult]:
    """Each element scored among the bids with its own formula and weight, exactly; price points are their sum."""
    fractions = element_fraction_matrix(model, results, exact=True)
    scored = []
    for result, row in zip(results, fractions, strict=True):
        points = tuple((e.id, Fraction(e.weight) * Fraction(f)) for e, f in zip(model.price.elements, row,
                                                                                strict=True))
        scored.append(_priced(model, result, sum((p for _, p in points), Fraction(0)), points))
    return scored
