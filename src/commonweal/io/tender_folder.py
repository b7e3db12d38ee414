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
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

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
    WeightForm,
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
from commonweal.io.socialvalue import committed_quantities
from commonweal.io.structured import Folder, limits, load_yaml, read_bytes
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


class _Yaml:
    """Typed access to the parsed YAML that records a problem, with its line, for every bad or unknown key."""

    def __init__(self, file: str, lines: dict[str, int], problems: ProblemCollector):
        self.file, self.lines, self.problems = file, lines, problems

    def problem(self, path: str, message: str) -> None:
        line = self.lines.get(path) or self.lines.get(path.rsplit(".", 1)[0])
        self.problems.add(self.file, message, row=line, column=path or None)

    def mapping(self, value: object, path: str, allowed: AbstractSet[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, "expected a mapping of keys to values")
            return {}
        for key in value:
            if key not in allowed:
                self.problem(
                    f"{path}.{key}" if path else str(key), f"unknown key; expected one of {', '.join(sorted(allowed))}"
                )
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, required: bool = True, default: str = "") -> str:
        value = data.get(key)
        if value is None or str(value).strip() == "":
            if required:
                self.problem(f"{path}.{key}" if path else key, "is required")
            return default
        if isinstance(value, (dict, list)):
            self.problem(f"{path}.{key}" if path else key, "expected text")
            return default
        return str(value).strip()

    def number(
        self, data: Mapping[str, Any], key: str, path: str, required: bool = True, money: bool = False
    ) -> Decimal | None:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.problem(where, "is required")
            return None
        parsed: Decimal | None
        if isinstance(value, bool):
            parsed = None
        elif isinstance(value, (int, Decimal)):  # the loader reads YAML numbers exactly, never as float
            parsed = Decimal(value)
        else:
            parsed = parse_money(str(value)) if money else parse_decimal(str(value))
        if parsed is None:
            self.problem(where, f"expected a number{' in pounds' if money else ''}, got {value!r}")
        return parsed

    def weight(self, data: Mapping[str, Any], key: str, path: str) -> tuple[Decimal, Fraction | None]:
        """A criterion's weight: a number, or a fraction written `a/b` (`11/120`, `5.5/60`), kept exactly (with its
        Decimal for display); (0, None) after recording a problem."""
        value = data.get(key)
        if isinstance(value, str) and "/" in value:
            top, _, bottom = value.partition("/")
            numerator, denominator = parse_decimal(top), parse_decimal(bottom)
            if numerator is None or denominator is None or denominator == 0:
                self.problem(f"{path}.{key}", f"expected a number or a fraction such as 11/120, got {value!r}")
                return Decimal(0), None
            exact = Fraction(numerator) / Fraction(denominator)
            return fraction_decimal(exact), exact
        return self.number(data, key, path) or Decimal(0), None

    def form(self, data: Mapping[str, Any], path: str) -> WeightForm:
        """How the weights of the criteria under a group or criterion are written (`criteria_weights`)."""
        value = data.get("criteria_weights", "percent")
        if value not in WEIGHT_FORMS:
            self.problem(f"{path}.criteria_weights", f"expected one of {', '.join(WEIGHT_FORMS)}, got {value!r}")
            return "percent"
        return "points" if value == "points" else "percent"

    def items(self, data: Mapping[str, Any], key: str, path: str, required: bool = True) -> list[Any]:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.problem(where, "is required (a list)")
            return []
        if not isinstance(value, list):
            self.problem(where, "expected a list")
            return []
        return value


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


def _scales(y: _Yaml, data: Mapping[str, Any]) -> dict[str, ScoringScale]:
    scales = dict(PRESETS)
    for i, raw in enumerate(y.items(data, "scales", "", required=False)):
        path = f"scales[{i}]"
        item = y.mapping(raw, path, YAML_KEYS["scales[]"])
        scale_id = y.text(item, "id", path)
        descriptors = []
        for j, d in enumerate(y.items(item, "descriptors", path)):
            dpath = f"{path}.descriptors[{j}]"
            dmap = y.mapping(d, dpath, YAML_KEYS["descriptors[]"])
            score = y.number(dmap, "score", dpath)
            if score is not None:
                descriptors.append(
                    Descriptor(score, y.text(dmap, "label", dpath), y.text(dmap, "description", dpath, required=False))
                )
        scale = ScoringScale(scale_id, tuple(descriptors))
        for message in scale.problems():
            y.problem(path, message)
        scales[scale_id] = scale
    return scales


def _given(mapping: Mapping[str, Any], key: str) -> object:
    """A section as written: absent or empty (`params:`) is an empty mapping, but any other value is kept for the
    mapping check to refuse (`sensitivity: 0` is an error, never the defaults)."""
    value = mapping.get(key)
    return {} if value is None else value


def whole_number(y: _Yaml, mapping: Mapping[str, Any], key: str, where: str, low: int, high: int,
                 default: int = 0) -> int:
    """A whole-number setting (`default` when absent), or a problem naming its path."""
    value = mapping.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        y.problem(f"{where}.{key}", f"expected a whole number from {low:,} to {high:,}, got {value!r}")
        return default
    return value


def _model(y: _Yaml, raw: object, path: str, scales: Mapping[str, ScoringScale]) -> EvaluationModel | None:
    data = y.mapping(raw, path, YAML_KEYS["evaluation_model"])
    price = y.mapping(data.get("price"), f"{path}.price", YAML_KEYS["price"])
    price_weight = y.number(price, "weight", f"{path}.price")
    raw_params = _given(price, "params")
    params_raw = y.mapping(raw_params, f"{path}.price.params",
                           set(raw_params) if isinstance(raw_params, dict) else set())
    params = {}
    for key in params_raw:
        value = y.number(params_raw, key, f"{path}.price.params")
        if value is not None:
            params[str(key)] = value
    elements = []
    for i, raw_element in enumerate(y.items(price, "elements", f"{path}.price", required=False)):
        epath = f"{path}.price.elements[{i}]"
        e = y.mapping(raw_element, epath, YAML_KEYS["elements[]"])
        raw_eparams = _given(e, "params")
        eparams_raw = y.mapping(raw_eparams, f"{epath}.params", set(raw_eparams) if isinstance(raw_eparams, dict)
                                else set())
        eparams = {str(k): v for k in eparams_raw if (v := y.number(eparams_raw, k, f"{epath}.params")) is not None}
        volume = y.number(e, "volume", epath, required=False)
        elements.append(PriceElement(
            id=y.text(e, "id", epath),
            title=y.text(e, "title", epath),
            weight=y.number(e, "weight", epath, required=False) or Decimal(0),
            # an element names its own formula, or is scored with the lot's price formula
            formula=y.text(e, "formula", epath, required=False) or str(price.get("formula") or ""),
            params=eparams,
            volume=Decimal(1) if volume is None else volume,
            unit=y.text(e, "unit", epath, required=False),
            year=whole_number(y, e, "year", epath, 0, GREEN_BOOK_DISCOUNT_RATES[-1][1]),
        ))
    for key, allowed in (("combine", PRICE_COMBINATIONS), ("zero_prices", ZERO_PRICE_POLICIES)):
        if price.get(key) is not None and price.get(key) not in allowed:
            y.problem(f"{path}.price.{key}", f"expected one of {', '.join(allowed)}, got {price.get(key)!r}")
    discount = price.get("discount", False)
    if not isinstance(discount, bool):
        y.problem(f"{path}.price.discount", f"expected true or false, got {discount!r}")
        discount = False
    groups = []
    for i, raw_group in enumerate(y.items(data, "groups", path)):
        gpath = f"{path}.groups[{i}]"
        g = y.mapping(raw_group, gpath, YAML_KEYS["groups[]"])
        group_id = y.text(g, "id", gpath)
        category = y.text(
            g, "category", gpath, required=False, default="social_value" if group_id == "social_value" else "quality"
        )
        if category not in ("quality", "social_value"):
            y.problem(f"{gpath}.category", "expected quality or social_value")
            category = "quality"
        weight = y.number(g, "weight", gpath)
        groups.append(
            CriterionGroup(
                group_id,
                y.text(g, "title", gpath),
                weight or Decimal(0),
                category,  # type: ignore[arg-type]
                y.number(g, "threshold", gpath, required=False),
                criteria_weights=y.form(g, gpath),
            )
        )
    criteria = []
    for i, raw_criterion in enumerate(y.items(data, "criteria", path)):
        cpath = f"{path}.criteria[{i}]"
        c = y.mapping(raw_criterion, cpath, YAML_KEYS["criteria[]"])
        kind = y.text(c, "kind", cpath, required=False, default="scored")
        scale_id = y.text(c, "scale", cpath, required=False, default="0-5")
        scale = scales.get(scale_id)
        if scale is None:
            y.problem(f"{cpath}.scale", f"unknown scale '{scale_id}'; expected one of {', '.join(sorted(scales))}")
            scale = PRESETS["0-5"]
        rule = None
        if kind == "quantitative":
            method = y.text(c, "method", cpath, required=False, default="proportional_to_best")
            if method not in ("proportional_to_best", "against_target"):
                y.problem(f"{cpath}.method", "expected proportional_to_best or against_target")
                method = "proportional_to_best"
            rule = QuantitativeRule(
                method,  # type: ignore[arg-type]
                cap=y.number(c, "cap", cpath, required=False),
                target=y.number(c, "target", cpath, required=False),
            )
        elif kind != "scored":
            y.problem(f"{cpath}.kind", "expected scored or quantitative")
        weight, weight_exact = y.weight(c, "weight", cpath)
        criteria.append(
            Criterion(
                id=y.text(c, "id", cpath),
                title=y.text(c, "title", cpath),
                group=y.text(c, "group", cpath),
                weight=weight,
                weight_exact=weight_exact,
                criteria_weights=y.form(c, cpath),
                scale=scale,
                threshold=y.number(c, "threshold", cpath, required=False),
                parent=y.text(c, "parent", cpath, required=False) or None,
                kind="quantitative" if kind == "quantitative" else "scored",
                quantitative=rule,
                guidance=y.text(c, "guidance", cpath, required=False),
            )
        )
    gates = []
    for i, raw_gate in enumerate(y.items(data, "gates", path, required=False)):
        gpath = f"{path}.gates[{i}]"
        g = y.mapping(raw_gate, gpath, YAML_KEYS["gates[]"])
        gates.append(Gate(y.text(g, "id", gpath), y.text(g, "title", gpath)))
    low = y.mapping(
        _given(data, "abnormally_low"),
        f"{path}.abnormally_low",
        YAML_KEYS["abnormally_low"],
    )
    defaults_low = AbnormallyLowPolicy()
    sens = y.mapping(_given(data, "sensitivity"), f"{path}.sensitivity", YAML_KEYS["sensitivity"])
    defaults_sens = SensitivityPolicy()
    tie_break = data.get("tie_break", ["social_value", "quality", "price"])
    if not isinstance(tie_break, list) or not all(isinstance(t, str) for t in tie_break):
        y.problem(f"{path}.tie_break", "expected a list such as [social_value, quality, price]")
        tie_break = []

    def setting(mapping: Mapping[str, Any], key: str, where: str, default: Decimal, low: Decimal, high: Decimal,
                zero: bool = True) -> Decimal:
        """A model setting as written: absent means the default; an explicit value, 0 included, is kept when it is
        in range (0 only where it means something), and is a problem otherwise, never silently the default."""
        value = y.number(mapping, key, where, required=False)
        if value is None:
            return default
        if not (low <= value <= high) or (value == 0 and not zero):
            bounds = f"above 0 and at most {plain(high)}" if not zero else f"from {plain(low)} to {plain(high)}"
            y.problem(f"{where}.{key}", f"expected a number {bounds}, got {plain(value)}")
            return default
        return value

    hundred = Decimal(100)
    if price_weight is None or price.get("formula") is None:
        if price.get("formula") is None:
            y.problem(f"{path}.price.formula", "is required")
        return None
    return EvaluationModel(
        price=PriceRule(price_weight, str(price["formula"]), params, elements=tuple(elements),
                        combine=str(price.get("combine") or "separately"),
                        zero_prices=str(price.get("zero_prices") or "refuse"), discount=discount),
        groups=tuple(groups),
        criteria=tuple(criteria),
        gates=tuple(gates),
        quality_threshold=y.number(data, "quality_threshold", path, required=False),
        tie_break=tuple(tie_break),
        abnormally_low=AbnormallyLowPolicy(
            setting(low, "below_mean_of_others_percent", f"{path}.abnormally_low",
                    defaults_low.below_mean_of_others_percent, Decimal(0), hundred),
            setting(low, "below_next_lowest_percent", f"{path}.abnormally_low",
                    defaults_low.below_next_lowest_percent, Decimal(0), hundred),
        ),
        # a spread threshold of 0 would flag every criterion, agreed ones included: it must be above 0
        spread_threshold_percent=setting(data, "spread_threshold_percent", path, SPREAD_THRESHOLD_PERCENT,
                                         Decimal(0), hundred, zero=False),
        social_value_minimum=setting(data, "social_value_minimum", path, SOCIAL_VALUE_MINIMUM,
                                     Decimal(0), hundred),
        social_value_override_reason=y.text(data, "social_value_override_reason", path, required=False),
        ranking_precision=whole_number(y, data, "ranking_precision", path, 0, MAX_RANKING_PRECISION, 2),
        sensitivity=SensitivityPolicy(
            weight_band=setting(sens, "weight_band", f"{path}.sensitivity", defaults_sens.weight_band, Decimal(0),
                                hundred),
            samples=whole_number(y, sens, "samples", f"{path}.sensitivity", 1, limits().max_sensitivity_samples,
                                 defaults_sens.samples),
            seed=whole_number(y, sens, "seed", f"{path}.sensitivity", 0, MAX_SEED, defaults_sens.seed),
            fragile_below=setting(sens, "fragile_below", f"{path}.sensitivity", defaults_sens.fragile_below,
                                  Decimal(0), Decimal(1)),
        ),
    )


def read_tender_yaml(path: Path) -> tuple[Tender, dict[str, int]]:
    """Parse tender.yaml into a Tender; raise InputError with line numbers for every problem."""
    return parse_tender_yaml(read_bytes(path), path.name)


def parse_tender_yaml(text: str | bytes, name: str = TENDER_FILE) -> tuple[Tender, dict[str, int]]:
    """Parse a tender.yaml (its bytes as uploaded, or the text the web workspace stores) into a Tender and the line
    of every key, through the one safe YAML loader (`commonweal.io.structured.load_yaml`)."""
    problems = ProblemCollector()
    document = load_yaml(name, text)
    data, lines = document.data, document.lines
    y = _Yaml(name, lines, problems)
    top = y.mapping(data, "", YAML_KEYS["tender"])
    scales = _scales(y, top)
    default_model = (
        _model(y, top["evaluation_model"], "evaluation_model", scales) if "evaluation_model" in top else None
    )
    lots = []
    for i, raw_lot in enumerate(y.items(top, "lots", "")):
        lpath = f"lots[{i}]"
        lot = y.mapping(raw_lot, lpath, YAML_KEYS["lots[]"])
        model = (
            _model(y, lot["evaluation_model"], f"{lpath}.evaluation_model", scales)
            if "evaluation_model" in lot
            else default_model
        )
        if model is None and "evaluation_model" not in lot and "evaluation_model" not in top:
            y.problem(lpath, "has no evaluation_model (give one for the tender or for this lot)")
        lot_id = y.text(lot, "id", lpath)
        budget = y.number(lot, "budget", lpath, required=False, money=True)
        if model is not None:
            for message in model_problems(model, budget):
                where = f"{lpath}.evaluation_model" if "evaluation_model" in lot else "evaluation_model"
                y.problem(where, f"lot {lot_id}: {message}")
            lots.append(Lot(lot_id, y.text(lot, "title", lpath), model, budget))
    ids = [lot.id for lot in lots]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        y.problem("lots", f"lot id '{dup}' is used twice")
    tender = Tender(
        reference=y.text(top, "reference", "", required=False),
        title=y.text(top, "title", ""),
        buyer=y.text(top, "buyer", "", required=False),
        lots=tuple(lots),
        description=y.text(top, "description", "", required=False),
        criteria_published_at=y.text(top, "criteria_published_at", "", required=False),
    )
    problems.raise_if_any()
    return tender, lines


# --- the tables --------------------------------------------------------------------------------------------------


def _bad(problems: ProblemCollector, row: Row, column: str, message: str) -> None:
    problems.add(row.file, message, row=row.number, column=column)


def _required_text(row: Row, column: str, problems: ProblemCollector) -> str:
    value = row.get(column)
    if not value:
        _bad(problems, row, column, "is empty; a value is required")
    return value


def _score(row: Row, problems: ProblemCollector, read: dict[str, Decimal | None]) -> Decimal:
    """The row's score; `read` remembers each distinct text's number (a folder has tens of thousands of scores
    written in a handful of ways)."""
    text = row.get("score")
    value = read[text] if text in read else read.setdefault(text, parse_decimal(text))
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

    def sound(row: Row, columns: tuple[str, ...]) -> tuple[list[str], Decimal] | None:
        """The row's text fields and score when every one is sound (present, a known lot, a number): the common
        case, read without the per-field checks that name a problem, which `score` and `consensus` then run."""
        values = row.values
        fields = [values.get(column, "").strip() for column in columns]
        text = values.get("score", "").strip()
        value = numbers[text] if text in numbers else numbers.setdefault(text, parse_decimal(text))
        if value is None or not all(fields) or fields[columns.index("lot")] not in lot_ids:
            return None
        return fields, value

    def score(row: Row) -> EvaluatorScore:
        found = sound(row, ("evaluator", "bidder", "lot", "criterion"))
        if found is not None:
            (evaluator, bidder, lot, criterion), value = found
            return EvaluatorScore(evaluator, bidder, lot, criterion, value, row.get("rationale"),
                                  Source(row.file, row.number))
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
        found = sound(row, ("bidder", "lot", "criterion"))
        if found is not None:
            (bidder, lot, criterion), value = found
            return ModeratedScore(bidder, lot, criterion, value, row.get("rationale"), Source(row.file, row.number))
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
