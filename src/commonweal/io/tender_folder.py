"""A tender is a folder. This reads and validates it whole, or raises InputError naming every problem.

- `tender.yaml`: the tender, its lots and evaluation model (see docs/tender-folder.md for every key);
- `bids.csv|xlsx`: `bidder, lot, price` (optional `identifier, address, email` for assessment summaries);
- `scores.csv|xlsx`: `evaluator, bidder, lot, criterion, score, rationale` (each evaluator's independent scores);
- `moderation.csv|xlsx`: `bidder, lot, criterion, score, rationale` (the consensus);
- optional `gates.csv|xlsx`: `bidder, lot, gate, result, rationale` (result `pass` or `fail`);
- optional `abnormally_low_decisions.csv|xlsx`: `bidder, lot, decision, reason, decided_by, decided_on`;
- optional `commitments.csv|xlsx` and `socialvalue.yaml`: social value commitments, whose £ feeds quantitative
  social value criteria (see `commonweal.io.socialvalue.committed_quantities`).

Nothing is evaluated until the whole folder is valid, so no partial result is ever written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from pathlib import Path
from typing import Any

from commonweal.domain.bulk import many_records
from commonweal.domain.evaluation.evaluate import check_inputs
from commonweal.domain.evaluation.model import (
    PRICE_COMBINATIONS,
    SOCIAL_VALUE_MINIMUM,
    SPREAD_THRESHOLD_PERCENT,
    WEIGHT_FORMS,
    ZERO_PRICE_POLICIES,
    AbnormallyLowPolicy,
    Criterion,
    CriterionGroup,
    EvaluationModel,
    Gate,
    Lot,
    PriceElement,
    PriceRule,
    QuantitativeRule,
    SensitivityPolicy,
    Tender,
    fraction_decimal,
)
from commonweal.domain.evaluation.price import evaluated_price
from commonweal.domain.evaluation.records import (
    AbnormallyLowDecision,
    Bid,
    EvaluatorScore,
    GateResult,
    ModeratedScore,
)
from commonweal.domain.evaluation.scales import PRESETS, Descriptor, ScoringScale
from commonweal.domain.evaluation.validation import model_problems
from commonweal.domain.numbers import plain
from commonweal.domain.provenance import Issue, Source
from commonweal.domain.socialvalue.sroi import GREEN_BOOK_DISCOUNT_RATES
from commonweal.io.errors import InputError, Problem, ProblemCollector
from commonweal.io.fields import Fields, yaml_fields
from commonweal.io.socialvalue import committed_quantities
from commonweal.io.structured import Folder, limits, read_bytes
from commonweal.io.tabular import Row, parse_decimal, parse_iso_date, parse_money, parse_table

TENDER_FILE = "tender.yaml"
MAX_RANKING_PRECISION = 10  # Commonweal default: decimal places a ranking may be rounded to
MAX_SEED = 2**63 - 1  # Commonweal default: the largest sensitivity seed (fits a signed 64-bit integer)


@dataclass
class TenderFolder:
    path: Path
    tender: Tender
    bids: list[Bid] = field(default_factory=list)
    scores: list[EvaluatorScore] = field(default_factory=list)
    moderation: list[ModeratedScore] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)
    decisions: list[AbnormallyLowDecision] = field(default_factory=list)
    quantities: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)  # (lot, bidder, criterion)

    def for_lot(self, lot_id: str) -> dict[str, Any]:
        """The records of one lot, as keyword arguments for `evaluate_lot`."""
        return {
            "bids": [b for b in self.bids if b.lot == lot_id],
            "scores": [s for s in self.scores if s.lot == lot_id],
            "consensus": [m for m in self.moderation if m.lot == lot_id],
            "gates": [g for g in self.gates if g.lot == lot_id],
            "decisions": [d for d in self.decisions if d.lot == lot_id],
            "quantities": {(b, c): v for (lot, b, c), v in self.quantities.items() if lot == lot_id},
        }


def issues_to_problems(issues: list[Issue], default_file: str) -> list[Problem]:
    return [
        Problem(
            file=i.source.file if i.source else default_file,
            message=i.message,
            row=i.source.row if i.source else None,
            column=(i.source.path if i.source and i.source.path else i.column),
        )
        for i in issues
    ]


# --- tender.yaml -------------------------------------------------------------------------------------------------


# Every key tender.yaml accepts, by section; an unknown key is an error (it is usually a typo). docs/tender-folder.md
# documents each one, and tests/test_docs.py keeps the two in step.
YAML_KEYS: dict[str, frozenset[str]] = {
    "tender": frozenset(
        {"reference", "title", "buyer", "description", "criteria_published_at", "scales", "evaluation_model", "lots"}
    ),
    "scales[]": frozenset({"id", "descriptors"}),
    "descriptors[]": frozenset({"score", "label", "description"}),
    "lots[]": frozenset({"id", "title", "budget", "evaluation_model"}),
    "evaluation_model": frozenset(
        {
            "price",
            "groups",
            "criteria",
            "gates",
            "quality_threshold",
            "tie_break",
            "abnormally_low",
            "spread_threshold_percent",
            "social_value_minimum",
            "social_value_override_reason",
            "ranking_precision",
            "sensitivity",
        }
    ),
    "price": frozenset({"weight", "formula", "params", "elements", "combine", "zero_prices", "discount"}),
    "elements[]": frozenset({"id", "title", "weight", "formula", "params", "volume", "unit", "year"}),
    "groups[]": frozenset({"id", "title", "weight", "category", "threshold", "criteria_weights"}),
    "criteria[]": frozenset(
        {
            "id",
            "title",
            "group",
            "weight",
            "scale",
            "threshold",
            "parent",
            "kind",
            "method",
            "cap",
            "target",
            "guidance",
            "criteria_weights",
        }
    ),
    "gates[]": frozenset({"id", "title"}),
    "abnormally_low": frozenset({"below_mean_of_others_percent", "below_next_lowest_percent"}),
    "sensitivity": frozenset({"weight_band", "samples", "seed", "fragile_below"}),
}


def _one_of(f: Fields, key: str, options: Sequence[str], default: str) -> str:
    """A setting that names one of `options` (`default` when absent)."""
    value = f.data.get(key)
    if value is None:
        return default
    if value not in options:
        f.expected(key, "one of " + ", ".join(options))
        return default
    return str(value)


def _weight(f: Fields, key: str = "weight") -> tuple[Decimal, Fraction | None]:
    """A criterion's weight: a number, or a fraction written `a/b` (`11/120`, `5.5/60`), kept exactly (with its
    Decimal for display); (0, None) after recording a problem."""
    value = f.data.get(key)
    if isinstance(value, str) and "/" in value:
        top, _, bottom = value.partition("/")
        numerator, denominator = parse_decimal(top), parse_decimal(bottom)
        if numerator is None or denominator is None or denominator == 0:
            f.expected(key, "a number or a fraction such as 11/120")
            return Decimal(0), None
        exact = Fraction(numerator) / Fraction(denominator)
        return fraction_decimal(exact), exact
    return f.decimal(key) or Decimal(0), None


def _scales(top: Fields) -> dict[str, ScoringScale]:
    scales = dict(PRESETS)
    for i, _ in enumerate(top.items("scales")):
        s = top.at("scales", i)
        s.only(YAML_KEYS["scales[]"])
        scale_id = s.text("id") or ""
        descriptors = []
        for j, _ in enumerate(s.items("descriptors", required=True)):
            d = s.at("descriptors", j)
            d.only(YAML_KEYS["descriptors[]"])
            score = d.decimal("score")
            if score is not None:
                label, description = d.text("label") or "", d.text("description", required=False) or ""
                descriptors.append(Descriptor(score, label, description))
        scale = ScoringScale(scale_id, tuple(descriptors))
        for message in scale.problems():
            s.problem("", message)
        scales[scale_id] = scale
    return scales


def _setting(f: Fields, key: str, default: Decimal, low: Decimal, high: Decimal, zero: bool = True) -> Decimal:
    """A model setting as written: absent means the default; an explicit value, 0 included, is kept when it is in
    range (0 only where it means something), and is a problem otherwise, never silently the default."""
    value = f.decimal(key, required=False)
    if value is None:
        return default
    if not (low <= value <= high) or (value == 0 and not zero):
        bounds = f"above 0 and at most {plain(high)}" if not zero else f"from {plain(low)} to {plain(high)}"
        f.problem(key, f"expected a number {bounds}, got {plain(value)}")
        return default
    return value


def _whole(f: Fields, key: str, low: int, high: int, default: int) -> int:
    """A whole-number setting: `default` when absent; an explicit value, 0 included, when in range."""
    value = f.whole(key, low, high, required=False)
    return default if value is None else value


def _params(f: Fields) -> dict[str, Decimal]:
    """A price formula's parameters (`params:`): each a number; which ones a formula needs, the domain checks."""
    return {str(k): v for k in f.data if (v := f.decimal(str(k))) is not None}


def _element(e: Fields, lot_formula: str) -> PriceElement:
    e.only(YAML_KEYS["elements[]"])
    volume = e.decimal("volume", required=False)
    weight = e.decimal("weight", required=False)
    return PriceElement(
        id=e.text("id") or "",
        title=e.text("title") or "",
        weight=Decimal(0) if weight is None else weight,
        # an element names its own formula, or is scored with the lot's price formula
        formula=e.text("formula", required=False) or lot_formula,
        params=_params(e.section("params")),
        volume=Decimal(1) if volume is None else volume,
        unit=e.text("unit", required=False) or "",
        year=_whole(e, "year", 0, GREEN_BOOK_DISCOUNT_RATES[-1][1], 0),
    )


def _group(g: Fields) -> CriterionGroup:
    g.only(YAML_KEYS["groups[]"])
    group_id = g.text("id") or ""
    category = _one_of(g, "category", ("quality", "social_value"),
                       "social_value" if group_id == "social_value" else "quality")
    weight = g.decimal("weight")
    return CriterionGroup(
        group_id,
        g.text("title") or "",
        Decimal(0) if weight is None else weight,
        category,  # type: ignore[arg-type]
        g.decimal("threshold", required=False),
        criteria_weights=_one_of(g, "criteria_weights", WEIGHT_FORMS, "percent"),  # type: ignore[arg-type]
    )


def _criterion(c: Fields, scales: Mapping[str, ScoringScale]) -> Criterion:
    c.only(YAML_KEYS["criteria[]"])
    kind = _one_of(c, "kind", ("scored", "quantitative"), "scored")
    scale_id = c.text("scale", required=False) or "0-5"
    scale = scales.get(scale_id)
    if scale is None:
        c.problem("scale", f"unknown scale '{scale_id}'; expected one of {', '.join(sorted(scales))}")
        scale = PRESETS["0-5"]
    rule = None
    if kind == "quantitative":
        rule = QuantitativeRule(
            _one_of(c, "method", ("proportional_to_best", "against_target"),  # type: ignore[arg-type]
                    "proportional_to_best"),
            cap=c.decimal("cap", required=False),
            target=c.decimal("target", required=False),
        )
    weight, weight_exact = _weight(c)
    return Criterion(
        id=c.text("id") or "",
        title=c.text("title") or "",
        group=c.text("group") or "",
        weight=weight,
        weight_exact=weight_exact,
        criteria_weights=_one_of(c, "criteria_weights", WEIGHT_FORMS, "percent"),  # type: ignore[arg-type]
        scale=scale,
        threshold=c.decimal("threshold", required=False),
        parent=c.text("parent", required=False),
        kind="quantitative" if kind == "quantitative" else "scored",
        quantitative=rule,
        guidance=c.text("guidance", required=False) or "",
    )


def _model(m: Fields, scales: Mapping[str, ScoringScale]) -> EvaluationModel | None:
    m.only(YAML_KEYS["evaluation_model"])
    price = m.section("price", required=True)
    price.only(YAML_KEYS["price"])
    price_weight = price.decimal("weight")
    formula = price.text("formula")
    params = _params(price.section("params"))
    elements = [_element(price.at("elements", i), formula or "") for i, _ in enumerate(price.items("elements"))]
    combine = _one_of(price, "combine", PRICE_COMBINATIONS, "separately")
    zero_prices = _one_of(price, "zero_prices", ZERO_PRICE_POLICIES, "refuse")
    discount = price.flag("discount")
    groups = [_group(m.at("groups", i)) for i, _ in enumerate(m.items("groups", required=True))]
    criteria = [_criterion(m.at("criteria", i), scales) for i, _ in enumerate(m.items("criteria", required=True))]
    gates = []
    for i, _ in enumerate(m.items("gates")):
        g = m.at("gates", i)
        g.only(YAML_KEYS["gates[]"])
        gates.append(Gate(g.text("id") or "", g.text("title") or ""))
    low = m.section("abnormally_low")
    low.only(YAML_KEYS["abnormally_low"])
    sens = m.section("sensitivity")
    sens.only(YAML_KEYS["sensitivity"])
    defaults_low, defaults_sens, hundred = AbnormallyLowPolicy(), SensitivityPolicy(), Decimal(100)
    # absent is the default order; an explicit empty list declares no tie-break
    tie_break = m.ids("tie_break") if "tie_break" in m.data else ("social_value", "quality", "price")
    if "tie_break" in m.data and m.data["tie_break"] is None:
        m.expected("tie_break", "a list such as [social_value, quality, price]")
    if price_weight is None or formula is None:
        return None
    return EvaluationModel(
        price=PriceRule(price_weight, formula, params, elements=tuple(elements), combine=combine,
                        zero_prices=zero_prices, discount=discount),
        groups=tuple(groups),
        criteria=tuple(criteria),
        gates=tuple(gates),
        quality_threshold=m.decimal("quality_threshold", required=False),
        tie_break=tie_break,
        abnormally_low=AbnormallyLowPolicy(
            _setting(low, "below_mean_of_others_percent", defaults_low.below_mean_of_others_percent, Decimal(0),
                     hundred),
            _setting(low, "below_next_lowest_percent", defaults_low.below_next_lowest_percent, Decimal(0), hundred),
        ),
        # a spread threshold of 0 would flag every criterion, agreed ones included: it must be above 0
        spread_threshold_percent=_setting(m, "spread_threshold_percent", SPREAD_THRESHOLD_PERCENT, Decimal(0),
                                          hundred, zero=False),
        social_value_minimum=_setting(m, "social_value_minimum", SOCIAL_VALUE_MINIMUM, Decimal(0), hundred),
        social_value_override_reason=m.text("social_value_override_reason", required=False) or "",
        ranking_precision=_whole(m, "ranking_precision", 0, MAX_RANKING_PRECISION, 2),
        sensitivity=SensitivityPolicy(
            weight_band=_setting(sens, "weight_band", defaults_sens.weight_band, Decimal(0), hundred),
            samples=_whole(sens, "samples", 1, limits().max_sensitivity_samples, defaults_sens.samples),
            seed=_whole(sens, "seed", 0, MAX_SEED, defaults_sens.seed),
            fragile_below=_setting(sens, "fragile_below", defaults_sens.fragile_below, Decimal(0), Decimal(1)),
        ),
    )


def read_tender_yaml(path: Path) -> tuple[Tender, dict[str, int]]:
    """Parse tender.yaml into a Tender; raise InputError with line numbers for every problem."""
    return parse_tender_yaml(read_bytes(path), path.name)


def parse_tender_yaml(text: str | bytes, name: str = TENDER_FILE) -> tuple[Tender, dict[str, int]]:
    """Parse a tender.yaml (its bytes as uploaded, or the text the web workspace stores) into a Tender and the line
    of every key, through the one safe YAML loader and the one field reader (`commonweal.io.fields`)."""
    problems = ProblemCollector()
    top = yaml_fields(name, text.encode() if isinstance(text, str) else text, problems, "tender fields")
    problems.raise_if_any()
    assert top is not None  # no problems means the document was a mapping
    top.only(YAML_KEYS["tender"])
    scales = _scales(top)
    default_model = _model(top.section("evaluation_model"), scales) if "evaluation_model" in top.data else None
    lots = []
    for i, _ in enumerate(top.items("lots", required=True)):
        f = top.at("lots", i)
        f.only(YAML_KEYS["lots[]"])
        own = "evaluation_model" in f.data
        model = _model(f.section("evaluation_model"), scales) if own else default_model
        if not own and "evaluation_model" not in top.data:
            f.problem("", "has no evaluation_model (give one for the tender or for this lot)")
        lot_id = f.text("id") or ""
        budget = f.decimal("budget", required=False, money=True)
        if budget is not None and budget <= 0:  # a budget of £0 is no budget: formulas divide by it
            f.problem("budget", f"expected an amount in pounds and pence above 0, got {plain(budget)}")
            budget = None
        if model is not None:
            where = f.at("evaluation_model") if own else top.at("evaluation_model")
            for message in model_problems(model, budget):
                where.problem("", f"lot {lot_id}: {message}")
            lots.append(Lot(lot_id, f.text("title") or "", model, budget))
    ids = [lot.id for lot in lots]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        top.problem("lots", f"lot id '{dup}' is used twice")
    tender = Tender(
        reference=top.text("reference", required=False) or "",
        title=top.text("title") or "",
        buyer=top.text("buyer", required=False) or "",
        lots=tuple(lots),
        description=top.text("description", required=False) or "",
        criteria_published_at=top.text("criteria_published_at", required=False) or "",
    )
    problems.raise_if_any()
    return tender, dict(top.lines)


# --- the tables --------------------------------------------------------------------------------------------------


def _bad(problems: ProblemCollector, row: Row, column: str, message: str) -> None:
    problems.add(row.file, message, row=row.number, column=column)


def _required_text(row: Row, column: str, problems: ProblemCollector) -> str:
    value = row.get(column)
    if not value:
        _bad(problems, row, column, "is empty; a value is required")
    return value


def _number(text: str, read: dict[str, Decimal | None]) -> Decimal | None:
    """`text`'s number; `read` remembers each distinct text's (a folder has tens of thousands of scores written in a
    handful of ways)."""
    return read[text] if text in read else read.setdefault(text, parse_decimal(text))


def _score(row: Row, problems: ProblemCollector, read: dict[str, Decimal | None]) -> Decimal:
    """The row's score, or a problem naming it."""
    value = _number(row.get("score"), read)
    if value is None:
        _bad(problems, row, "score", f"expected a number on the criterion's scale, got {row.get('score')!r}")
        return Decimal(0)
    return value


# columns of bids.csv for the assessment summaries (Procurement Regulations 2024 reg 31)
BID_DETAILS = ("identifier", "address", "email")


def _lot(row: Row, lot_ids: set[str], problems: ProblemCollector) -> str:
    lot = _required_text(row, "lot", problems)
    if lot and lot not in lot_ids:
        _bad(problems, row, "lot", f"unknown lot '{lot}'; tender.yaml defines {', '.join(sorted(lot_ids))}")
    return lot


def _read(
    folder: Folder,
    stem: str,
    required: list[str],
    build: Callable[[Row], Any],
    problems: ProblemCollector,
    optional: bool = False,
    allowed: set[str] | None = None,
) -> list[Any]:
    """The rows of one table of the folder, each built by `build`; with `allowed`, a column the model does not use
    is a problem naming it (never silently ignored)."""
    try:
        name = folder.find_table(stem)
        if name is None:
            if not optional:
                problems.add(f"{stem}.csv", f"is missing from {folder.label}; expected {stem}.csv or {stem}.xlsx")
            return []
        table = parse_table(name, folder.read(name), required)
    except InputError as exc:
        problems.extend(exc.problems)
        return []
    for column in table.columns:
        if allowed is not None and column and column not in allowed:
            problems.add(name, f"has a column the evaluation model does not use; expected only "
                               f"{', '.join(sorted(allowed))}", row=1, column=column)
    return [build(row) for row in table]


@many_records()
def load_tender_folder(location: Path | Folder, evaluated: bool = True) -> TenderFolder:
    """Read and validate a whole tender folder, on disk or uploaded (`Folder` of file names to bytes); raise
    InputError listing every problem in every file.

    With `evaluated=False` (a tender before evaluation, as the web workspace uploads it) scores and moderation
    are optional and not yet expected."""
    folder = Folder.of(location)
    if not folder.exists(TENDER_FILE):
        raise InputError([Problem(folder.label, f"is not a tender folder: {TENDER_FILE} is missing")])
    tender, _ = parse_tender_yaml(folder.read(TENDER_FILE), TENDER_FILE)
    lot_ids = {lot.id for lot in tender.lots}
    rules = {lot.id: lot.model.price for lot in tender.lots}
    element_columns = {f"price_{e.id}" for rule in rules.values() for e in rule.elements}
    problems = ProblemCollector()
    numbers: dict[str, Decimal | None] = {}

    def source(row: Row) -> Source:
        return Source(row.file, row.number)

    def bid(row: Row) -> Bid:
        lot = _lot(row, lot_ids, problems)
        rule = rules.get(lot)
        element_prices: dict[str, Decimal] = {}
        for element in rule.elements if rule else ():
            column = f"price_{element.id}"
            value = parse_money(row.get(column))
            if value is None:
                _bad(problems, row, column, f"expected the price of {element.title} in pounds (an element of lot "
                                            f"{lot}'s price; a blank is never read as £0), got {row.get(column)!r}")
            else:
                element_prices[element.id] = value
        if rule and rule.elements:
            # the bid's price is its elements' evaluated total; a stated total must agree with it
            complete = len(element_prices) == len(rule.elements)
            price = evaluated_price(rule, element_prices) if complete else Decimal(0)
            stated = row.get("price")
            if complete and stated and parse_money(stated) != price.quantize(Decimal("0.01")):
                _bad(problems, row, "price", f"states {stated} but the elements' evaluated total is {price:,.2f}")
        else:
            price = parse_money(row.get("price")) or Decimal(0)
            if parse_money(row.get("price")) is None:
                _bad(problems, row, "price",
                     f"expected an amount in pounds such as 1234567.89, got {row.get('price')!r}")
        return Bid(
            _required_text(row, "bidder", problems),
            lot,
            price,
            identifier=row.get("identifier"),
            address=row.get("address"),
            email=row.get("email"),
            source=source(row),
            element_prices=tuple(element_prices.items()),
        )

    # the common case, a sound row (every field present, a known lot, a number), is read in one pass of C-level
    # calls; any other row is read field by field by the checks that name each problem
    score_cells = itemgetter("evaluator", "bidder", "lot", "criterion", "score", "rationale")
    consensus_cells = itemgetter("bidder", "lot", "criterion", "score", "rationale")

    def score(row: Row) -> EvaluatorScore:
        try:
            evaluator, bidder, lot, criterion, text, rationale = map(str.strip, score_cells(row.values))
        except KeyError:  # a short row of a workbook
            evaluator = ""
        else:
            value = _number(text, numbers)
            if evaluator and bidder and criterion and lot in lot_ids and value is not None:
                return EvaluatorScore(evaluator, bidder, lot, criterion, value, rationale, Source(row.file, row.number))
        return EvaluatorScore(
            _required_text(row, "evaluator", problems),
            _required_text(row, "bidder", problems),
            _lot(row, lot_ids, problems),
            _required_text(row, "criterion", problems),
            _score(row, problems, numbers),
            row.get("rationale"),
            source(row),
        )

    def consensus(row: Row) -> ModeratedScore:
        try:
            bidder, lot, criterion, text, rationale = map(str.strip, consensus_cells(row.values))
        except KeyError:
            bidder = ""
        else:
            value = _number(text, numbers)
            if bidder and criterion and lot in lot_ids and value is not None:
                return ModeratedScore(bidder, lot, criterion, value, rationale, Source(row.file, row.number))
        return ModeratedScore(
            _required_text(row, "bidder", problems),
            _lot(row, lot_ids, problems),
            _required_text(row, "criterion", problems),
            _score(row, problems, numbers),
            row.get("rationale"),
            source(row),
        )

    def gate(row: Row) -> GateResult:
        result = row.get("result").lower()
        if result not in ("pass", "fail"):
            _bad(problems, row, "result", f"expected pass or fail, got {row.get('result')!r}")
        return GateResult(
            _required_text(row, "bidder", problems),
            _lot(row, lot_ids, problems),
            _required_text(row, "gate", problems),
            result == "pass",
            row.get("rationale"),
            source(row),
        )

    def decision(row: Row) -> AbnormallyLowDecision:
        value = row.get("decision").lower()
        if value not in ("accepted", "rejected"):
            _bad(problems, row, "decision", f"expected accepted or rejected, got {row.get('decision')!r}")
        decided_on = parse_iso_date(row.get("decided_on"))
        if decided_on is None:
            _bad(problems, row, "decided_on", f"expected a date as YYYY-MM-DD, got {row.get('decided_on')!r}")
        return AbnormallyLowDecision(
            _required_text(row, "bidder", problems),
            _lot(row, lot_ids, problems),
            "rejected" if value == "rejected" else "accepted",
            row.get("reason"),
            _required_text(row, "decided_by", problems),
            decided_on or dt.date.min,
            source(row),
        )

    loaded = TenderFolder(
        path=folder.path,
        tender=tender,
        bids=_read(folder, "bids", ["bidder", "lot"] + ([] if all(r.elements for r in rules.values()) else ["price"]),
                   bid, problems, allowed={"bidder", "lot", "price", *BID_DETAILS, *element_columns}),
        scores=_read(
            folder,
            "scores",
            ["evaluator", "bidder", "lot", "criterion", "score", "rationale"],
            score,
            problems,
            optional=not evaluated,
        ),
        moderation=_read(
            folder,
            "moderation",
            ["bidder", "lot", "criterion", "score", "rationale"],
            consensus,
            problems,
            optional=not evaluated,
        ),
        gates=_read(folder, "gates", ["bidder", "lot", "gate", "result"], gate, problems, optional=True),
        decisions=_read(
            folder,
            "abnormally_low_decisions",
            ["bidder", "lot", "decision", "reason", "decided_by", "decided_on"],
            decision,
            problems,
            optional=True,
        ),
    )
    if not problems.problems:
        try:
            loaded.quantities.update(committed_quantities(folder, tender, loaded.bids))
        except InputError as exc:
            problems.extend(exc.problems)
    problems.raise_if_any()
    check_folder(loaded, evaluated=evaluated)
    return loaded


def check_folder(folder: TenderFolder, evaluated: bool = True) -> None:
    """Run the domain's input checks for every lot; raise InputError naming file, row and column."""
    issues: list[Issue] = []
    for lot in folder.tender.lots:
        inputs = folder.for_lot(lot.id)
        if not inputs["bids"]:
            issues.append(Issue(f"lot {lot.id} has no bids", Source("bids.csv")))
            continue
        issues.extend(check_inputs(lot, **inputs, expect_scores=evaluated))
    if issues:
        raise InputError(issues_to_problems(issues, "scores.csv"))
