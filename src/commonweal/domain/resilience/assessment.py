"""Assess a supplier year by year and build the risk register: one overall rating per supplier with its
reasons, most severe first.

The standing rating of a year is the worst of its metric ratings, its Altman Z'' zone and its warning signs
(**Commonweal default**: one red is enough to make the year red, because a single failed test is what the
Cabinet Office guidance asks the buyer to follow up with the supplier). The year's rating adds the trends across
years and the accumulation rule (`commonweal.domain.resilience.trends`). Missing figures never make a year green
or red on their own; they are listed so someone fetches the figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.rag import Rag, worst
from commonweal.domain.resilience.accounts import Accounts
from commonweal.domain.resilience.dependency import (
    ChecklistItem,
    ContractExposure,
    Dependency,
    assess_dependency,
    checklist_for,
)
from commonweal.domain.resilience.distress import ALTMAN_Z2, SCORE_FUNCTIONS, SCORE_MODELS
from commonweal.domain.resilience.metrics import METRICS, METRICS_BY_KEY, ebitda_basis
from commonweal.domain.resilience.policy import DEFAULT_POLICY, ContractTier, ResiliencePolicy, Threshold
from commonweal.domain.resilience.trends import Escalation, accumulate, trend_signs
from commonweal.domain.resilience.values import Missing, Value, shown
from commonweal.domain.resilience.warnings import WarningSign, deteriorations, payment_days, warning_signs


@dataclass(frozen=True)
class MetricResult:
    key: str
    label: str
    value: Value
    rating: Rag
    threshold: Threshold | None
    basis: str = ""  # how the figure was computed when not by its formula (the EBITDA fallback)


@dataclass(frozen=True)
class ScoreResult:
    key: str
    label: str
    value: Value
    zone: str
    rating: Rag


@dataclass(frozen=True)
class Reason:
    rating: Rag
    text: str


@dataclass(frozen=True)
class SupplierYearAssessment:
    accounts: Accounts
    tier: ContractTier
    metrics: tuple[MetricResult, ...]
    scores: tuple[ScoreResult, ...]
    payment_days: Value
    warnings: tuple[WarningSign, ...]
    rating: Rag
    reasons: tuple[Reason, ...]
    standing: Rag  # the year's own figures alone: before trends and the accumulation rule (what analytics screens)
    trends: tuple[WarningSign, ...] = ()
    escalation: Escalation | None = None

    def metric(self, key: str) -> MetricResult:
        return next(m for m in self.metrics if m.key == key)

    def score(self, key: str) -> ScoreResult:
        return next(s for s in self.scores if s.key == key)


def _rate_metric(value: Value, threshold: Threshold | None) -> Rag:
    if isinstance(value, Missing):
        return value.implies or Rag.MISSING
    return threshold.rate(value) if threshold is not None else Rag.MISSING


def _metric_reason(result: MetricResult) -> Reason | None:
    definition = METRICS_BY_KEY[result.key]
    if isinstance(result.value, Missing):
        if result.rating is Rag.GREEN:
            return None
        return Reason(result.rating, f"{result.label}: missing, because {result.value.reason}")
    if result.rating is Rag.GREEN or result.threshold is None:
        return None
    basis = f" ({result.basis})" if result.basis else ""
    return Reason(result.rating, f"{result.label} is {shown(result.value, definition.unit)}{basis}, "
                                 f"{result.rating.value} against {result.threshold.describe(definition.unit)}")


def _assess_year(
    history: list[Accounts],
    tier: ContractTier,
    annual_contract_value: Decimal | None,
    policy: ResiliencePolicy,
    earlier: SupplierYearAssessment | None,
) -> SupplierYearAssessment:
    accounts = history[-1]
    fallback = ebitda_basis(accounts, policy.ebitda_fallback)
    metrics = []
    for definition in METRICS:
        value = definition.compute(accounts, annual_contract_value, policy.ebitda_fallback)
        threshold = policy.threshold(tier, definition.key)
        basis = fallback if definition.uses_ebitda and not isinstance(value, Missing) else ""
        metrics.append(MetricResult(definition.key, definition.label, value, _rate_metric(value, threshold),
                                    threshold, basis))
    scores = []
    for model in SCORE_MODELS:
        value = SCORE_FUNCTIONS[model.key](accounts)
        zone, rating = model.zone(value)
        scores.append(ScoreResult(model.key, model.label, value, zone, rating))
    signs = warning_signs(accounts, policy)
    if earlier is not None:
        keyed = {m.key: m.value for m in metrics}
        keyed_before = {m.key: m.value for m in earlier.metrics}
        direction = {m.key: m.higher_is_better for m in METRICS}
        labels = {m.key: m.label for m in METRICS}
        keyed[ALTMAN_Z2.key] = next(s.value for s in scores if s.key == ALTMAN_Z2.key)
        keyed_before[ALTMAN_Z2.key] = earlier.score(ALTMAN_Z2.key).value
        direction[ALTMAN_Z2.key] = True
        labels[ALTMAN_Z2.key] = ALTMAN_Z2.label
        signs += deteriorations(keyed_before, keyed, direction, labels, policy.deterioration_tolerance)

    reasons: list[Reason] = [r for r in (_metric_reason(m) for m in metrics) if r is not None]
    z2 = next(s for s in scores if s.key == ALTMAN_Z2.key)
    if isinstance(z2.value, Missing):
        reasons.append(Reason(Rag.MISSING, f"{z2.label}: missing, because {z2.value.reason}"))
    elif z2.rating is not Rag.GREEN:
        reasons.append(Reason(z2.rating, f"{z2.label} is {z2.value:.2f}, in the {z2.zone} zone "
                                         f"({ALTMAN_Z2.describe()})"))
    reasons += [Reason(s.rating, s.reason) for s in signs]
    standing = worst([m.rating for m in metrics] + [z2.rating] + [s.rating for s in signs])
    trends = trend_signs(history, policy)
    reasons += [Reason(t.rating, t.reason) for t in trends]
    ambers = ([m.key for m in metrics if m.rating is Rag.AMBER] + ([z2.key] if z2.rating is Rag.AMBER else [])
              + [w.code for w in (*signs, *trends) if w.rating is Rag.AMBER])
    escalation = accumulate(ambers, policy)
    if escalation is not None:
        reasons.append(Reason(escalation.rating, escalation.reason))
    rating = worst([standing, *(t.rating for t in trends), *([escalation.rating] if escalation else [])])
    return SupplierYearAssessment(
        accounts=accounts,
        tier=tier,
        metrics=tuple(metrics),
        scores=tuple(scores),
        payment_days=payment_days(accounts),
        warnings=tuple(signs),
        rating=rating,
        reasons=tuple(sorted(reasons, key=lambda r: -r.rating.severity)),
        standing=standing,
        trends=tuple(trends),
        escalation=escalation,
    )


def assess_supplier(
    history: Iterable[Accounts],
    tier: ContractTier = ContractTier.MEDIUM,
    annual_contract_value: Decimal | None = None,
    policy: ResiliencePolicy = DEFAULT_POLICY,
) -> list[SupplierYearAssessment]:
    """Assess each year of one supplier's accounts, oldest first, comparing each year with the one before."""
    years = sorted(history, key=lambda a: a.year_end)
    suppliers = {a.supplier for a in years}
    if len(suppliers) > 1:
        raise ValueError(f"assess_supplier takes one supplier's accounts, got {sorted(suppliers)}")
    if len({a.year_end for a in years}) != len(years):
        raise ValueError("two sets of accounts share a year end")
    assessed: list[SupplierYearAssessment] = []
    for index in range(len(years)):
        assessed.append(_assess_year(years[: index + 1], tier, annual_contract_value, policy,
                                     assessed[-1] if assessed else None))
    return assessed


@dataclass(frozen=True)
class SupplierRisk:
    """A risk register entry: the supplier's overall rating now (latest accounts plus dependency)."""

    supplier: str
    years: tuple[SupplierYearAssessment, ...]
    dependency: Dependency | None
    critical: bool
    checklist: tuple[ChecklistItem, ...]
    rating: Rag
    reasons: tuple[Reason, ...]

    @property
    def latest(self) -> SupplierYearAssessment:
        return self.years[-1]


def risk_register(
    accounts: Iterable[Accounts],
    exposures: Mapping[str, ContractExposure] | None = None,
    tiers: Mapping[str, ContractTier] | None = None,
    default_tier: ContractTier = ContractTier.MEDIUM,
    policy: ResiliencePolicy = DEFAULT_POLICY,
) -> list[SupplierRisk]:
    """One entry per supplier, most severe first (then by name). `exposures` and `tiers` are keyed by supplier."""
    exposures = exposures or {}
    tiers = tiers or {}
    by_supplier: dict[str, list[Accounts]] = defaultdict(list)
    for item in accounts:
        by_supplier[item.supplier].append(item)
    register = []
    for supplier, history in by_supplier.items():
        exposure = exposures.get(supplier)
        contract_value = exposure.annual_contract_value if exposure else None
        years = assess_supplier(history, tiers.get(supplier, default_tier), contract_value, policy)
        latest = years[-1]
        reasons = list(latest.reasons)
        dependency = None
        if exposure is not None:
            dependency = assess_dependency(exposure, latest.accounts.revenue, policy)
            reasons += [Reason(rating, text) for rating, text in dependency.reasons]
        ratings = [latest.rating] + ([dependency.rating] if dependency else [])
        register.append(SupplierRisk(
            supplier=supplier,
            years=tuple(years),
            dependency=dependency,
            critical=bool(exposure and exposure.critical),
            checklist=checklist_for(exposure) if exposure else (),
            rating=worst(ratings),
            reasons=tuple(sorted(reasons, key=lambda r: -r.rating.severity)),
        ))
    return sorted(register, key=lambda r: (-r.rating.severity, r.supplier))


def metric_values(assessment: SupplierYearAssessment) -> dict[str, Value]:
    """Metric and score values by key (for comparisons with the vectorised analytics)."""
    values: dict[str, Value] = {m.key: m.value for m in assessment.metrics}
    values.update({s.key: s.value for s in assessment.scores})
    values["payment_days"] = assessment.payment_days
    return values

