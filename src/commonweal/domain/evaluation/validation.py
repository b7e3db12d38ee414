"""Checks that an evaluation model can be published: weights, thresholds, the social value minimum, tie-breaks.

Social value minimum: PPN 06/20 ("Taking account of social value in the award of central government contracts")
requires central government to give social value a minimum weighting of 10% of the total score, and PPN 002
("Taking account of social value in the award of contracts", 2025, under the Procurement Act 2023) keeps that
minimum. Councils are not bound by the PPNs; Commonweal applies the same 10% as its default for councils and lets
a tender go below it only with a recorded reason.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from commonweal.domain.evaluation.model import (
    HUNDRED,
    PRICE,
    QUALITY,
    SOCIAL_VALUE,
    WEIGHT_FORMS,
    Criterion,
    EvaluationModel,
    fraction_decimal,
)
from commonweal.domain.evaluation.price import element_problems, formula_problems
from commonweal.domain.numbers import plain


def _sum(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def model_problems(model: EvaluationModel, budget: Decimal | None = None) -> list[str]:
    """Every reason the model cannot be used, in plain English (empty when it is sound)."""
    found: list[str] = []
    group_ids = [g.id for g in model.groups]
    criterion_ids = [c.id for c in model.criteria]
    for kind, ids in (("group", group_ids), ("criterion", criterion_ids)):
        found.extend(f"{kind} id '{i}' is used twice" for i in sorted({i for i in ids if ids.count(i) > 1}))
    clashes = set(group_ids) & set(criterion_ids) | ({PRICE} & (set(group_ids) | set(criterion_ids)))
    found.extend(f"id '{i}' names both a group and a criterion (or 'price')" for i in sorted(clashes))

    if model.price.weight < 0:
        found.append("price weight cannot be negative")
    top = model.price.weight + _sum([g.weight for g in model.groups])
    if top != HUNDRED:
        found.append(f"price weight plus group weights must sum to 100, not {plain(top)}")
    found.extend(formula_problems(model.price.formula, model.price.params, model.price.weight, budget))
    found.extend(element_problems(model.price, budget))

    by_id = {c.id: c for c in model.criteria}
    for group in model.groups:
        if group.weight <= 0:
            found.append(f"group '{group.id}' needs a weight above zero")
        if group.threshold is not None and not 0 <= group.threshold <= HUNDRED:
            found.append(f"group '{group.id}' threshold must be a percentage from 0 to 100")
        if not model.children(None, group.id):
            found.append(f"group '{group.id}' has no criteria")
    for criterion in model.criteria:
        where = f"criterion '{criterion.id}'"
        if criterion.group not in group_ids:
            found.append(f"{where} names an unknown group '{criterion.group}'")
            continue
        if criterion.weight <= 0:
            found.append(f"{where} needs a weight above zero")
        found.extend(f"{where}: {p}" for p in criterion.scale.problems())
        parent = by_id.get(criterion.parent) if criterion.parent else None
        if criterion.parent and parent is None:
            found.append(f"{where} names an unknown parent '{criterion.parent}'")
        elif parent is not None and parent.group != criterion.group:
            found.append(f"{where} is in group '{criterion.group}' but its parent is in '{parent.group}'")
        if criterion.threshold is not None:
            if criterion.kind == "quantitative":
                found.append(f"{where} is quantitative and cannot have a score threshold")
            elif not criterion.scale.minimum <= criterion.threshold <= criterion.scale.maximum:
                found.append(f"{where} threshold {criterion.threshold} is outside its scale {criterion.scale.id}")
        if criterion.kind == "quantitative":
            rule = criterion.quantitative
            if rule is None:
                found.append(f"{where} is quantitative but has no scoring rule")
            elif rule.method == "against_target" and (rule.target is None or rule.target <= 0):
                found.append(f"{where} is scored against a target but has no target above zero")
            elif rule.cap is not None and rule.cap <= 0:
                found.append(f"{where} cap must be above zero")
    found.extend(_cycle_problems(model))
    forms = [(g.id, g.criteria_weights) for g in model.groups] + [(c.id, c.criteria_weights) for c in model.criteria]
    found.extend(f"'{node}' criteria_weights must be one of {', '.join(WEIGHT_FORMS)}, not '{form}'"
                 for node, form in forms if form not in WEIGHT_FORMS)
    if not found:
        # sibling weights are only meaningful once the tree itself is sound
        for group in model.groups:
            parents: list[str | None] = [None, *[c.id for c in model.criteria if c.group == group.id]]
            for parent_id in parents:
                children = model.children(parent_id, group.id)
                if children and model.weight_form(parent_id, group.id) == "percent":
                    found.extend(_percent_problems(model, parent_id, group.id, children))

    social = model.category_weight(SOCIAL_VALUE)
    if social < model.social_value_minimum and not model.social_value_override_reason.strip():
        found.append(
            f"social value carries {plain(social)}% of the total, below the minimum "
            f"{plain(model.social_value_minimum)}% (PPN 06/20, PPN 002); record an override reason to go below it"
        )
    allowed = {PRICE, QUALITY, SOCIAL_VALUE, *group_ids, *criterion_ids}
    found.extend(
        f"tie-break rule '{rule}' is not price, quality, social_value, a group or a criterion"
        for rule in model.tie_break
        if rule not in allowed
    )
    if model.quality_threshold is not None and not 0 <= model.quality_threshold <= HUNDRED:
        found.append("the overall quality threshold must be a percentage from 0 to 100")
    if model.ranking_precision < 0:
        found.append("ranking precision must be zero or more decimal places")
    policy = model.sensitivity
    if policy.samples < 1 or policy.weight_band < 0:
        found.append("sensitivity needs at least one sample and a weight band of zero or more")
    return found


def _percent_problems(
    model: EvaluationModel, parent_id: str | None, group_id: str, children: tuple[Criterion, ...]
) -> list[str]:
    """Percentages of a parent sum to exactly 100 (compared as exact fractions, so 55/6 and 35/3 count exactly).
    Points written as percentages, and percentages rounded to a few places, are named with the way to write them."""
    total = sum((c.exact for c in children), Fraction(0))
    if total == HUNDRED:
        return []
    owner = f"criterion '{parent_id}'" if parent_id else f"group '{group_id}'"
    shown = plain(fraction_decimal(total).quantize(Decimal("1e-10")))
    hint = ("; if they are points (such as 5.5 of a 60% section), declare criteria_weights: points on the "
            f"{'criterion' if parent_id else 'group'}, or write each share exactly as a fraction such as 55/6")
    return [f"the weights of the criteria under {owner} must sum to 100, not {shown}{hint}"]


def _cycle_problems(model: EvaluationModel) -> list[str]:
    parents = {c.id: c.parent for c in model.criteria}
    found = []
    for start in parents:
        seen = {start}
        node = parents.get(start)
        while node is not None:
            if node in seen:
                found.append(f"criterion '{start}' is its own ancestor")
                break
            seen.add(node)
            node = parents.get(node)
    return found
