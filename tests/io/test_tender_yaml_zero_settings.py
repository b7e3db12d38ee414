"""An explicit 0 in every setting of tender.yaml (#16 point 4): kept where 0 means something, a clear error naming
the setting where it does not, never silently replaced by a default. The cases are checked against the reader's
declared keys (`YAML_KEYS`), so a new setting without a zero case fails `test_every_setting_has_a_zero_case`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import yaml

from commonweal.domain.evaluation.model import Tender
from commonweal.io.errors import InputError
from commonweal.io.tender_folder import YAML_KEYS, parse_tender_yaml

# A small tender of our own: a lot priced as a block price and an hourly rate, a quality group and a social value
# group (one criterion scored by evaluators, one quantitative), a pass/fail gate and a custom scale.
BASE: dict[str, Any] = {
    "reference": "ZERO-1",
    "title": "Zero settings",
    "buyer": "A council",
    "description": "Explicit zeros",
    "criteria_published_at": "https://example.org/criteria",
    "scales": [{"id": "yes-no", "descriptors": [{"score": 1, "label": "No", "description": "not met"},
                                                 {"score": 2, "label": "Yes"}]}],
    "evaluation_model": {
        "price": {
            "weight": 40, "formula": "relative_to_lowest", "combine": "separately", "zero_prices": "refuse",
            "discount": False,
            "elements": [
                {"id": "block", "title": "Block price", "weight": 30, "year": 1},
                {"id": "hourly", "title": "Hourly rate", "weight": 10, "volume": 5000, "unit": "hour",
                 "formula": "deduction_from_lowest", "params": {"rate": Decimal("0.5")}},
            ],
        },
        "groups": [
            {"id": "quality", "title": "Quality", "weight": 50, "category": "quality", "threshold": 40,
             "criteria_weights": "percent"},
            {"id": "social_value", "title": "Social value", "weight": 10, "category": "social_value"},
        ],
        "criteria": [
            {"id": "Q1", "title": "Method", "group": "quality", "weight": 100, "scale": "0-5", "threshold": 2,
             "guidance": "How the service runs", "criteria_weights": "percent"},
            {"id": "S1", "title": "Local jobs", "group": "social_value", "weight": 50, "scale": "yes-no"},
            {"id": "S2", "title": "Apprentice weeks", "group": "social_value", "weight": 50, "kind": "quantitative",
             "method": "against_target", "target": 52, "cap": 104},
        ],
        "gates": [{"id": "G1", "title": "Insurance"}],
        "quality_threshold": 50,
        "tie_break": ["social_value", "quality", "price"],
        "abnormally_low": {"below_mean_of_others_percent": 20, "below_next_lowest_percent": 15},
        "spread_threshold_percent": 40,
        "social_value_minimum": 10,
        "social_value_override_reason": "not needed",
        "ranking_precision": 2,
        "sensitivity": {"weight_band": 5, "samples": 1000, "seed": 7, "fragile_below": Decimal("0.9")},
    },
    "lots": [{"id": "1", "title": "North", "budget": 1000000}],
}

Kept = Callable[[Tender], object]
MODEL = "evaluation_model"


def _model(t: Tender) -> Any:
    return t.lots[0].model


# setting (its YAML_KEYS section and key) -> (where it is written in BASE, what 0 must do): a reader of the parsed
# Tender that must return 0 (the 0 kept), or the text of the problem that must name it (0 refused). `price.params`
# is written for relative_to_lowest, which takes none (a 0 is refused like any value); `elements[].params` for a
# deduction rate of 0, which is kept (no deduction: every bid scores the element in full, as declared).
CASES: dict[str, tuple[str, Kept | str]] = {
    "descriptors[].score": ("scales[0].descriptors[0].score", lambda t: _model(t).criteria[1].scale.scores[0]),
    "lots[].budget": ("lots[0].budget", "expected an amount in pounds and pence above 0"),
    "price.weight": (f"{MODEL}.price.weight", "must sum to 100"),
    "price.discount": (f"{MODEL}.price.discount", "expected true or false"),
    "price.combine": (f"{MODEL}.price.combine", "expected one of separately, whole_life_cost"),
    "price.zero_prices": (f"{MODEL}.price.zero_prices", "expected one of refuse, score"),
    "price.formula": (f"{MODEL}.price.formula", "unknown price formula '0'"),
    "elements[].weight": (f"{MODEL}.price.elements[0].weight", "must sum to"),
    "elements[].volume": (f"{MODEL}.price.elements[1].volume", "needs a declared volume above zero, not 0"),
    "elements[].year": (f"{MODEL}.price.elements[0].year", lambda t: _model(t).price.elements[0].year),
    "elements[].params": (f"{MODEL}.price.elements[1].params.rate",
                          lambda t: _model(t).price.elements[1].params["rate"]),
    "elements[].formula": (f"{MODEL}.price.elements[1].formula", "unknown price formula '0'"),
    "groups[].weight": (f"{MODEL}.groups[1].weight", "group 'social_value' needs a weight above zero"),
    "groups[].threshold": (f"{MODEL}.groups[0].threshold", lambda t: _model(t).groups[0].threshold),
    "groups[].category": (f"{MODEL}.groups[0].category", "expected one of quality, social_value"),
    "groups[].criteria_weights": (f"{MODEL}.groups[0].criteria_weights", "expected one of percent, points"),
    "criteria[].weight": (f"{MODEL}.criteria[1].weight", "criterion 'S1' needs a weight above zero"),
    "criteria[].threshold": (f"{MODEL}.criteria[0].threshold", lambda t: _model(t).criteria[0].threshold),
    "criteria[].scale": (f"{MODEL}.criteria[0].scale", "unknown scale '0'"),
    "criteria[].kind": (f"{MODEL}.criteria[0].kind", "expected one of scored, quantitative"),
    "criteria[].method": (f"{MODEL}.criteria[2].method", "expected one of proportional_to_best, against_target"),
    "criteria[].cap": (f"{MODEL}.criteria[2].cap", "cap"),
    "criteria[].target": (f"{MODEL}.criteria[2].target", "target"),
    "criteria[].criteria_weights": (f"{MODEL}.criteria[0].criteria_weights", "expected one of percent, points"),
    "evaluation_model.quality_threshold": (f"{MODEL}.quality_threshold", lambda t: _model(t).quality_threshold),
    "evaluation_model.tie_break": (f"{MODEL}.tie_break", "expected a list of ids"),
    "evaluation_model.spread_threshold_percent": (f"{MODEL}.spread_threshold_percent",
                                                  "expected a number above 0 and at most 100, got 0"),
    "evaluation_model.social_value_minimum": (f"{MODEL}.social_value_minimum",
                                              lambda t: _model(t).social_value_minimum),
    "evaluation_model.ranking_precision": (f"{MODEL}.ranking_precision", lambda t: _model(t).ranking_precision),
    "price.params": (f"{MODEL}.price.params.rate", "takes no parameter 'rate'"),
    "abnormally_low.below_mean_of_others_percent": (f"{MODEL}.abnormally_low.below_mean_of_others_percent",
                                                    lambda t: _model(t).abnormally_low.below_mean_of_others_percent),
    "abnormally_low.below_next_lowest_percent": (f"{MODEL}.abnormally_low.below_next_lowest_percent",
                                                 lambda t: _model(t).abnormally_low.below_next_lowest_percent),
    "sensitivity.weight_band": (f"{MODEL}.sensitivity.weight_band", lambda t: _model(t).sensitivity.weight_band),
    "sensitivity.samples": (f"{MODEL}.sensitivity.samples", "expected a whole number from 1 to"),
    "sensitivity.seed": (f"{MODEL}.sensitivity.seed", lambda t: _model(t).sensitivity.seed),
    "sensitivity.fragile_below": (f"{MODEL}.sensitivity.fragile_below", lambda t: _model(t).sensitivity.fragile_below),
}

# Keys that hold text, identifiers or structure rather than a setting with a value: 0 there is the text "0" or a
# structure error, which the reader's other tests cover. Listed so that every declared key is accounted for.
NOT_SETTINGS = {
    "tender.reference", "tender.title", "tender.buyer", "tender.description", "tender.criteria_published_at",
    "tender.scales", "tender.evaluation_model", "tender.lots", "scales[].id", "scales[].descriptors",
    "descriptors[].label", "descriptors[].description", "lots[].id", "lots[].title", "lots[].evaluation_model",
    "evaluation_model.price", "evaluation_model.groups", "evaluation_model.criteria", "evaluation_model.gates",
    "evaluation_model.abnormally_low", "evaluation_model.sensitivity", "evaluation_model.social_value_override_reason",
    "price.elements", "elements[].id", "elements[].title", "elements[].unit", "groups[].id", "groups[].title",
    "criteria[].id", "criteria[].title", "criteria[].group", "criteria[].parent", "criteria[].guidance",
    "gates[].id", "gates[].title",
}


def _set(document: dict[str, Any], path: str, value: object) -> None:
    """Write `value` at a key path such as `evaluation_model.groups[0].weight`."""
    node: Any = document
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node.setdefault(part, {})
    node[parts[-1]] = value


def _dump(document: dict[str, Any]) -> str:
    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return float(node) if isinstance(node, Decimal) else node
    return yaml.safe_dump(plain(document), sort_keys=False)


def test_the_base_tender_is_valid() -> None:
    # every zero case below changes this valid tender in one place only
    tender = parse_tender_yaml(_dump(BASE))[0]
    assert _model(tender).sensitivity.seed == 7 and tender.lots[0].budget == 1000000


def test_every_setting_has_a_zero_case() -> None:
    declared = {f"{section}.{key}" for section, keys in YAML_KEYS.items() for key in keys}
    assert set(CASES) | NOT_SETTINGS == declared, "a setting of tender.yaml has no explicit-zero case here"
    assert not set(CASES) & NOT_SETTINGS


@pytest.mark.parametrize("setting", sorted(CASES))
def test_an_explicit_zero_is_kept_or_refused_never_the_default(setting: str) -> None:
    path, expected = CASES[setting]
    document = copy.deepcopy(BASE)
    _set(document, path, 0)
    if isinstance(expected, str):
        with pytest.raises(InputError) as caught:
            parse_tender_yaml(_dump(document))
        named = [p for p in caught.value.problems if expected in p.message]
        assert named, [(p.column, p.message) for p in caught.value.problems]
        return
    kept = expected(parse_tender_yaml(_dump(document))[0])
    assert kept == 0 and kept is not None, f"{setting}: 0 became {kept!r}"
