"""The evaluation model: what a lot is scored on, and how, declared before any bid is opened.

Award criteria are data with validated weights (as Prozorro keeps them): price plus a tree of non-price criteria
in groups (quality, social value), each node's children weighted to 100. The model is fixed when the tender is
published (Procurement Act 2023 s.23(3) requires the relative importance of the criteria to be set out), so every
rule that decides the outcome (thresholds, tie-breaks, the price formula, rounding) is declared here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

from commonweal.domain.evaluation.scales import ScoringScale

HUNDRED = Decimal(100)

SOCIAL_VALUE: Final = "social_value"
QUALITY: Final = "quality"
PRICE: Final = "price"
COMPONENT_TITLES: Final = {PRICE: "Price", QUALITY: "Quality", SOCIAL_VALUE: "Social value"}

GroupCategory = Literal["quality", "social_value"]
CriterionKind = Literal["scored", "quantitative"]
QuantitativeMethod = Literal["proportional_to_best", "against_target"]
# How the weights of the criteria directly under a group (or a parent criterion) are written: "percent" of the
# parent, summing to exactly 100 (Commonweal default), or "points", each criterion's share being its points ÷ the
# points of its siblings (eight questions worth 5.5, 10, 10, 7.5, 4, 7.5, 7.5 and 8 points of a 60% section).
WeightForm = Literal["percent", "points"]
WEIGHT_FORMS: Final = ("percent", "points")


@dataclass(frozen=True)
class QuantitativeRule:
    """How a quantitative criterion (a number each bid offers, e.g. £ of social value committed) is scored.

    - `proportional_to_best`: value / best value among admissible bids; with `cap`, values above the cap count as
      the cap (so an implausibly large offer cannot crowd out the others).
    - `against_target`: value / target, at most 1.
    """

    method: QuantitativeMethod
    cap: Decimal | None = None
    target: Decimal | None = None


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    group: str
    # share of its parent (group or parent criterion) in percent, or its points where the parent's `criteria_weights`
    # are points; `weight_exact` holds it exactly when it was written as a fraction such as 55/6
    weight: Decimal
    scale: ScoringScale
    threshold: Decimal | None = None  # minimum moderated score on the scale; below it the bid is excluded
    parent: str | None = None
    kind: CriterionKind = "scored"
    quantitative: QuantitativeRule | None = None
    guidance: str = ""
    criteria_weights: WeightForm = "percent"  # how its sub-criteria's weights are written
    weight_exact: Fraction | None = None

    @property
    def exact(self) -> Fraction:
        """The weight as written, exactly."""
        return self.weight_exact if self.weight_exact is not None else Fraction(self.weight)


@dataclass(frozen=True)
class CriterionGroup:
    id: str
    title: str
    weight: Decimal  # share of the whole evaluation, in percent
    category: GroupCategory
    threshold: Decimal | None = None  # minimum share (percent) of the group's available points
    criteria_weights: WeightForm = "percent"  # how the weights of its top-level criteria are written


@dataclass(frozen=True)
class Gate:
    """A pass/fail requirement (insurance, registration with the Care Quality Commission...). A fail excludes."""

    id: str
    title: str


@dataclass(frozen=True)
class PriceRule:
    """How price is scored: one price per bid with one formula, or a set of price elements.

    With elements, `combine` says how: "separately" scores each element among the bids with its own additive
    formula and weight (the elements' weights sum to `weight`); "whole_life_cost" adds every element's price ×
    declared volume, discounted to present value by the year it falls in (`discount`), into one evaluated price
    scored with `formula`. Both are declared before bids are opened."""

    weight: Decimal
    formula: str
    params: Mapping[str, Decimal] = field(default_factory=dict)
    elements: tuple[PriceElement, ...] = ()
    combine: str = "separately"
    # Zero element prices (a unit cost the bidder says the block price covers): "refuse" them, or "score" them with
    # a formula that is defined at zero. A missing element price is always refused. Commonweal default: refuse.
    zero_prices: str = "refuse"
    # whole-life cost: discount later years at the Green Book rates (HM Treasury, Annex A6), or not at all
    discount: bool = False


PRICE_COMBINATIONS = ("separately", "whole_life_cost")
ZERO_PRICE_POLICIES = ("refuse", "score")


@dataclass(frozen=True)
class PriceElement:
    """One priced element of a lot: a lump sum (volume 1), a unit rate against a declared expected volume, a service
    charge, an item of a basket. Its evaluated cost is price × volume."""

    id: str
    title: str
    weight: Decimal = Decimal(0)  # points of the whole 100, when elements are scored separately
    formula: str = "relative_to_lowest"
    params: Mapping[str, Decimal] = field(default_factory=dict)
    volume: Decimal = Decimal(1)
    unit: str = ""
    year: int = 0  # the year of the contract the cost falls in (0: the first), for whole-life discounting


@dataclass(frozen=True)
class AbnormallyLowPolicy:
    """When a price is flagged as possibly abnormally low (Procurement Act 2023 s.19(3)-(5)).

    The Act sets no figure: these percentages are Commonweal defaults, and a tender may set its own.
    A price below the median is flagged when it is at least `below_mean_of_others_percent` below the mean of the
    other bids' prices, or, for the lowest price, at least `below_next_lowest_percent` below the next lowest.
    """

    below_mean_of_others_percent: Decimal = Decimal(20)
    below_next_lowest_percent: Decimal = Decimal(15)


# Commonweal default: evaluators' scores spread over 40% of a scale's range or more are discussed at moderation.
SPREAD_THRESHOLD_PERCENT = Decimal(40)
# PPN 06/20 and PPN 002's 10% minimum weight for social value, applied to councils as a Commonweal default
# (see `commonweal.domain.evaluation.validation`).
SOCIAL_VALUE_MINIMUM = Decimal(10)


@dataclass(frozen=True)
class SensitivityPolicy:
    """Commonweal defaults for the sensitivity analysis; every tender may change them."""

    weight_band: Decimal = Decimal(5)  # each top-level weight moves within ± this many percentage points
    samples: int = 10_000
    seed: int = 0  # fixed, so the same inputs always reproduce the same report
    fragile_below: Decimal = Decimal("0.9")  # a winner ranking first in fewer samples than this is called fragile


@dataclass(frozen=True)
class EvaluationModel:
    price: PriceRule
    groups: tuple[CriterionGroup, ...]
    criteria: tuple[Criterion, ...]
    gates: tuple[Gate, ...] = ()
    quality_threshold: Decimal | None = None  # minimum share (percent) of all non-price points available
    tie_break: tuple[str, ...] = (SOCIAL_VALUE, QUALITY, PRICE)
    abnormally_low: AbnormallyLowPolicy = AbnormallyLowPolicy()
    spread_threshold_percent: Decimal = SPREAD_THRESHOLD_PERCENT
    social_value_minimum: Decimal = SOCIAL_VALUE_MINIMUM
    social_value_override_reason: str = ""
    ranking_precision: int = 2  # decimal places totals are rounded to before ranking; Commonweal default
    sensitivity: SensitivityPolicy = SensitivityPolicy()

    def group(self, group_id: str) -> CriterionGroup:
        return next(g for g in self.groups if g.id == group_id)

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    def children(self, criterion_id: str | None, group_id: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.parent == criterion_id and c.group == group_id)

    def leaves(self) -> tuple[Criterion, ...]:
        """The criteria that are actually scored: those with no sub-criteria."""
        parents = {c.parent for c in self.criteria}
        return tuple(c for c in self.criteria if c.id not in parents)

    def weight_form(self, parent: str | None, group_id: str) -> WeightForm:
        """How the weights of the criteria under `parent` (None: the group's top level) are written."""
        return self.criterion(parent).criteria_weights if parent else self.group(group_id).criteria_weights

    def share(self, criterion: Criterion) -> Fraction:
        """The criterion's exact share (0 to 1) of its parent: percent ÷ 100, or points ÷ its siblings' points."""
        if self.weight_form(criterion.parent, criterion.group) == "percent":
            return criterion.exact / 100
        total = sum((c.exact for c in self.children(criterion.parent, criterion.group)), Fraction(0))
        return criterion.exact / total if total else Fraction(0)

    def exact_weight(self, criterion: Criterion) -> Fraction:
        """The criterion's share of the whole evaluation in percent, exactly: group weight × each level's share."""
        weight = Fraction(self.group(criterion.group).weight)
        node: Criterion | None = criterion
        while node is not None:
            weight *= self.share(node)
            node = self.criterion(node.parent) if node.parent else None
        return weight

    def effective_weight(self, criterion: Criterion) -> Decimal:
        """`exact_weight` as a Decimal (exact when it terminates within 28 significant digits)."""
        return fraction_decimal(self.exact_weight(criterion))

    def category_weight(self, category: GroupCategory) -> Decimal:
        return sum((g.weight for g in self.groups if g.category == category), Decimal(0))

    def component_names(self) -> tuple[str, ...]:
        return (PRICE, QUALITY, SOCIAL_VALUE)

    def weights(self) -> tuple[CriterionWeight, ...]:
        """Every criterion's weight as written beside its normalised shares, for the report and the JSON."""
        return tuple(
            CriterionWeight(c, self.weight_form(c.parent, c.group), self.share(c), self.exact_weight(c))
            for c in self.criteria
        )


@dataclass(frozen=True)
class CriterionWeight:
    """A criterion's weight as written (`form`: percent of its parent, or points) and normalised: its exact share of
    its parent (0 to 1) and of the whole evaluation (percent)."""

    criterion: Criterion
    form: WeightForm
    share_of_parent: Fraction
    of_whole: Fraction


def fraction_decimal(value: Fraction) -> Decimal:
    """An exact fraction as a Decimal: exact when its expansion terminates within 28 significant digits, otherwise
    rounded there. Rounding it half up to a ranking precision gives what rounding the fraction would: a fraction
    whose denominator is below 10²³ is either on a rounding boundary or further than 10⁻²⁶ from it."""
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True)
class Lot:
    id: str
    title: str
    model: EvaluationModel
    budget: Decimal | None = None


@dataclass(frozen=True)
class Tender:
    reference: str
    title: str
    buyer: str
    lots: tuple[Lot, ...]
    description: str = ""
    criteria_published_at: str = (
        ""  # where the full award criteria can be read (Procurement Regulations 2024 reg 31(2)(d)(ii))
    )

    def lot(self, lot_id: str) -> Lot:
        return next(lot for lot in self.lots if lot.id == lot_id)
