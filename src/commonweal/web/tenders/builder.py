"""The tender builder's fields made into a tender.yaml document, and the reader's problems with that document led
back to the fields. The document goes through the engine's own reader (`commonweal.io.tender_folder`) and the
same saving path as an uploaded tender (`commonweal.web.importing.save_tender`), so a built tender and an
uploaded one are the same thing, and no rule of the model is checked here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from commonweal.domain.evaluation.model import Criterion
from commonweal.domain.evaluation.model import Tender as DomainTender
from commonweal.domain.evaluation.scales import PRESETS
from commonweal.io.errors import InputError
from commonweal.io.tabular import parse_decimal
from commonweal.web.tenders.forms import BUILDER_ROWS, builder_label, builder_row_counts

# the reader's paths of the single fields (the rows' paths are made as the document is built)
_SINGLE = {
    "title": "title",
    "reference": "reference",
    "description": "description",
    "evaluation_model.price": "price_weight",
    "evaluation_model.price.weight": "price_weight",
    "evaluation_model.price.formula": "price_formula",
    "evaluation_model.price.params": "price_formula",
    "evaluation_model.price.elements": "price_mode",
    "evaluation_model.price.combine": "price_combine",
    "evaluation_model.price.zero_prices": "price_zero_prices",
    "evaluation_model.price.discount": "price_discount",
    "evaluation_model.quality_threshold": "quality_threshold",
    "evaluation_model.tie_break": "tie_break",
    "evaluation_model.social_value_minimum": "social_value_minimum",
    "evaluation_model.social_value_override_reason": "social_value_override_reason",
    "evaluation_model.groups": "group-0-id",
    "evaluation_model.criteria": "criterion-0-id",
    "scales[0]": "scale_id",
    "scales[0].id": "scale_id",
    "lots": "lot-0-id",
}


def _number(text: str) -> Decimal | str:
    """A number as the reader reads a YAML number; anything else is passed on as written, for the reader to refuse
    in its own words (a weight `11/120` is a fraction the reader reads exactly)."""
    value = parse_decimal(text)
    return text if value is None else value


def _rows(fields: Mapping[str, str], kind: str) -> list[tuple[int, dict[str, str]]]:
    keys = BUILDER_ROWS[kind][1]
    found = []
    for row in range(builder_row_counts(fields)[kind]):
        values = {key: fields.get(f"{kind}-{row}-{key}", "").strip() for key in keys}
        if any(values.values()):
            found.append((row, values))
    return found


def document(fields: Mapping[str, str], buyer: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The tender.yaml document for these fields (the buyer is always the organisation), and the reader's path of
    each row mapped to its fields' prefix (`evaluation_model.criteria[0]` -> `criterion-2`)."""
    paths: dict[str, str] = {}
    doc: dict[str, Any] = {"reference": fields.get("reference", ""), "title": fields.get("title", ""),
                           "buyer": buyer}
    if fields.get("description"):
        doc["description"] = fields["description"]
    descriptors = _rows(fields, "descriptor")
    if fields.get("scale_id") or descriptors:
        listed = []
        for index, (row, values) in enumerate(descriptors):
            paths[f"scales[0].descriptors[{index}]"] = f"descriptor-{row}"
            listed.append({"score": _number(values["score"]), "label": values["label"],
                           **({"description": values["description"]} if values["description"] else {})})
        doc["scales"] = [{"id": fields.get("scale_id", ""), "descriptors": listed}]
    price: dict[str, Any] = {"weight": _number(fields.get("price_weight", "")),
                             "formula": fields.get("price_formula", "")}
    if fields.get("price_mode") == "elements":
        # the engine's price elements (`PriceRule.elements`), as tender.yaml declares them; with one price, element
        # rows left in the form are not part of the tender
        elements = []
        for index, (row, values) in enumerate(_rows(fields, "element")):
            paths[f"evaluation_model.price.elements[{index}]"] = f"element-{row}"
            elements.append({name: _number(value) if name in ("weight", "volume", "year") else value
                             for name, value in values.items() if value})
        price["elements"] = elements
        for key in ("combine", "zero_prices"):
            if fields.get(f"price_{key}"):
                price[key] = fields[f"price_{key}"]
        if fields.get("price_discount") == "yes":
            price["discount"] = True
    model: dict[str, Any] = {"price": price}
    for kind, key, numbers in (("group", "groups", ("weight", "threshold")),
                               ("criterion", "criteria", ("weight", "threshold")),
                               ("gate", "gates", ())):
        items = []
        for index, (row, values) in enumerate(_rows(fields, kind)):
            paths[f"evaluation_model.{key}[{index}]"] = f"{kind}-{row}"
            item: dict[str, Any] = {}
            for name, value in values.items():
                if name == "weight" and "/" in value:
                    item[name] = value  # an exact fraction, read by the reader as written
                elif value:
                    item[name] = _number(value) if name in numbers else value
            items.append(item)
        model[key] = items
    for key in ("quality_threshold", "social_value_minimum"):
        if fields.get(key):
            model[key] = _number(fields[key])
    model["tie_break"] = [rule.strip() for rule in fields.get("tie_break", "").split(",") if rule.strip()]
    if fields.get("social_value_override_reason"):
        model["social_value_override_reason"] = fields["social_value_override_reason"]
    doc["evaluation_model"] = model
    lots = []
    for index, (row, values) in enumerate(_rows(fields, "lot")):
        paths[f"lots[{index}]"] = f"lot-{row}"
        lots.append({"id": values["id"], "title": values["title"],
                     **({"budget": _number(values["budget"])} if values["budget"] else {})})
    doc["lots"] = lots
    return doc, paths


def _field(column: str | None, message: str, paths: Mapping[str, str], fields: Mapping[str, str]) -> str:
    """The field a reader's problem is about: its path, or the row it is in, or (for a problem of the whole model,
    which the reader reports at `evaluation_model`) the field its subject is set in."""
    column = column or ""
    if column in _SINGLE:
        return _SINGLE[column]
    for prefix in sorted(paths, key=len, reverse=True):
        if column == prefix:
            return f"{paths[prefix]}-{BUILDER_ROWS[paths[prefix].split('-')[0]][1][0]}"
        if column.startswith(prefix + "."):
            key = column[len(prefix) + 1:].split(".")[0].split("[")[0]
            return f"{paths[prefix]}-{key}"
    if column == "evaluation_model":
        element = re.search(r"price element '([^']*)'", message)
        if element:
            rows = [path for path in paths.values() if path.startswith("element-")
                    and fields.get(f"{path}-id", "").strip() == element[1]]
            about = message[element.end():]
            key = next((k for k, words in (("weight", "weight"), ("volume", "volume"), ("year", "year"),
                                           ("formula", "formula"), ("formula", "zero prices")) if words in about), "id")
            return f"{rows[0] if rows else 'element-0'}-{key}"
        for words, field in (("price elements' weights", "element-0-weight"), ("price element id", "element-0-id"),
                             ("zero_prices", "price_zero_prices"), ("price elements combine", "price_combine"),
                             ("discounting", "price_discount"), ("social value", "social_value_minimum"),
                             ("tie-break", "tie_break"), ("quality threshold", "quality_threshold"),
                             ("price formula", "price_formula"), ("price", "price_weight")):
            if words in message:
                return field
        return "group-0-weight"
    return "title"


def errors(exc: InputError, fields: Mapping[str, str], buyer: str) -> list[dict[str, str]]:
    """The reader's problems for the GOV.UK error summary, each linking to the field it is about, once each."""
    _, paths = document(fields, buyer)
    found: list[dict[str, str]] = []
    for problem in exc.problems:
        field = _field(problem.column, problem.message, paths, fields)
        error = {"text": f"{builder_label(field)}: {problem.message}", "href": f"#{field}"}
        if error not in found:
            found.append(error)
    return found


def _text(value: Decimal | Fraction | None) -> str:
    """A number as a person would type it in the builder (an inexact fraction as `100/3`, as the reader reads it)."""
    if value is None:
        return ""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return f"{value.normalize():f}"


def _weight(criterion: Criterion) -> str:
    exact = criterion.weight_exact
    return _text(exact if exact is not None and exact.denominator != 1 else criterion.weight)


def fields_of(tender: DomainTender) -> dict[str, str]:
    """The builder's fields for a tender as the engine read it: the inverse of `document`, for what the builder
    offers (its caller checks that the fields make the same tender again, so nothing the builder cannot show is
    dropped silently)."""
    values = {"title": tender.title, "reference": tender.reference, "description": tender.description}
    for row, lot in enumerate(tender.lots):
        values |= {f"lot-{row}-id": lot.id, f"lot-{row}-title": lot.title, f"lot-{row}-budget": _text(lot.budget)}
    model = tender.lots[0].model if tender.lots else None
    if model is None:
        return values
    values |= {"price_weight": _text(model.price.weight), "price_formula": model.price.formula,
               "quality_threshold": _text(model.quality_threshold), "tie_break": ", ".join(model.tie_break),
               "social_value_minimum": _text(model.social_value_minimum),
               "social_value_override_reason": model.social_value_override_reason}
    price = model.price
    if price.elements:
        values |= {"price_mode": "elements", "price_combine": price.combine, "price_zero_prices": price.zero_prices,
                   "price_discount": "yes" if price.discount else ""}
        for row, e in enumerate(price.elements):
            values |= {f"element-{row}-id": e.id, f"element-{row}-title": e.title,
                       f"element-{row}-weight": _text(e.weight), f"element-{row}-formula": e.formula,
                       f"element-{row}-volume": _text(e.volume), f"element-{row}-unit": e.unit,
                       f"element-{row}-year": str(e.year)}
    for row, group in enumerate(model.groups):
        values |= {f"group-{row}-id": group.id, f"group-{row}-title": group.title,
                   f"group-{row}-weight": _text(group.weight), f"group-{row}-category": group.category,
                   f"group-{row}-threshold": _text(group.threshold)}
    for row, c in enumerate(model.criteria):
        values |= {f"criterion-{row}-id": c.id, f"criterion-{row}-title": c.title, f"criterion-{row}-group": c.group,
                   f"criterion-{row}-weight": _weight(c), f"criterion-{row}-scale": c.scale.id,
                   f"criterion-{row}-threshold": _text(c.threshold), f"criterion-{row}-guidance": c.guidance}
    own = [c.scale for c in model.criteria if PRESETS.get(c.scale.id) != c.scale]
    if own:
        values["scale_id"] = own[0].id
        for row, d in enumerate(own[0].descriptors):
            values |= {f"descriptor-{row}-score": _text(d.score), f"descriptor-{row}-label": d.label,
                       f"descriptor-{row}-description": d.description}
    for row, gate in enumerate(model.gates):
        values |= {f"gate-{row}-id": gate.id, f"gate-{row}-title": gate.title}
    return {name: value for name, value in values.items() if value}


def changed(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The builder fields an edit changed, as people read their names (for the audit trail)."""
    return [builder_label(name) for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]
