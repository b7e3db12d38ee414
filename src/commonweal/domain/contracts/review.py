"""The two-sided contract review: what is not working for the council, what is not working for the provider,
the options for acting on it and their consequences, and the actions Commonweal recommends considering first.

The recommendations are a Commonweal default mapping from fired triggers to options (`RECOMMENDATIONS`); they
are prompts for the review meeting, not decisions. Every option's consequences cite the rule that applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal

from commonweal.domain.contracts.model import (
    Contract,
    Period,
    ProviderReport,
    Return,
    Variation,
    add_months,
)
from commonweal.domain.contracts.modifications import VariationCheck, check_variations
from commonweal.domain.contracts.ratings import (
    KpiAssessment,
    PeriodRating,
    Rating,
    assess_kpi,
    combine,
    rate_periods,
    s52_applies,
    s52_warning,
)
from commonweal.domain.contracts.social_value import (
    SocialValueAssessment,
    SocialValuePolicy,
    assess_social_value,
)
from commonweal.domain.contracts.triggers import Side, Trigger, TriggerPolicy, evaluate_triggers
from commonweal.domain.numbers import money


@dataclass(frozen=True)
class Option:
    id: str
    title: str
    what: str
    consequences: tuple[str, ...]


OPTIONS: tuple[Option, ...] = (
    Option(
        "remedy_plan", "Remedy plan",
        "Agree a time-bound improvement plan with the provider under the contract's performance provisions.",
        (
            "No change to the contract, so no modification rules or notices apply.",
            "If the provider does not improve after being given notice and a chance to, the council must publish a "
            "contract performance notice (Procurement Act 2023 s.71(5); Procurement Regulations 2024 reg 39), "
            "which other authorities may weigh under the discretionary exclusion ground for poor performance.",
            "Works only if the cause is in the provider's control; it will not fix a contract that is unfunded.",
        ),
    ),
    Option(
        "variation", "Variation",
        "Change the contract's price, volumes, specification or term to fit what the service now needs.",
        (
            "Lawful only by a route in Procurement Act 2023 s.74: Schedule 8, not substantial (s.74(3)), below "
            "threshold (s.74(4)), or a light touch contract (s.74(2)). Check it in the variations log first.",
            "A price rise for the provider risks materially changing the economic balance in its favour "
            "(s.74(3)(c)) unless the contract's own review clause provides for it (Schedule 8 para 1).",
            "Above the s.75(2) limits a contract change notice must be published first (s.75(1)).",
        ),
    ),
    Option(
        "social_value_reprofiling", "Re-profiling of social value",
        "Move social value delivery to later years or to measures the provider can deliver, keeping the total.",
        (
            "It changes what the winning bid promised, so it is a modification: test it under s.74 and record it "
            "in the variations log.",
            "Keeping the total £ value committed protects the basis on which the bid won; reducing it moves the "
            "economic balance towards the provider (s.74(3)(c)).",
        ),
    ),
    Option(
        "step_in", "Step-in",
        "The council (or its nominee) takes over delivery temporarily, where the contract gives step-in rights.",
        (
            "Only available if the contract provides for it; the council then carries operational risk and cost.",
            "Protects service users while the cause is fixed; expect the provider's relationship and morale to "
            "suffer.",
        ),
    ),
    Option(
        "termination", "Termination",
        "End the contract (in whole or part) under its termination provisions.",
        (
            "The council must publish a contract termination notice within 30 days of termination (Procurement Act "
            "2023 s.80; Procurement Regulations 2024 reg 41); a termination for breach also needs a contract "
            "performance notice (s.71(5)).",
            "Service continuity must be secured first: an exit plan, and a replacement contract or in-house "
            "delivery.",
        ),
    ),
    Option(
        "re_procurement", "Re-procurement",
        "Run a new procurement for the service, with lessons from this contract in the specification and KPIs.",
        (
            "A new covered procurement under the Act, with its notices and time; direct award only on a Schedule 5 "
            "ground such as extreme and unavoidable urgency (para 13).",
            "A chance to re-lot for SMEs and VCSEs and to reset social value to what can really be delivered.",
        ),
    ),
)
_OPTION_BY_ID = {o.id: o for o in OPTIONS}

#: Commonweal default: KPIs are rated over the last twelve months, the s.71(2) assessment cycle.
DEFAULT_WINDOW_MONTHS = 12

#: Commonweal default: which options to consider first when a trigger fires, in order.
RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    "kpi_consecutive_misses": ("remedy_plan", "step_in"),
    "social_value_below_profile": ("remedy_plan", "social_value_reprofiling"),
    "supplier_financial_red": ("step_in", "re_procurement"),
    "provider_loss_making": ("variation", "re_procurement"),
    "provider_inflation_pressure": ("variation",),
    "volumes_off_tender": ("variation",),
}


@dataclass(frozen=True)
class RecommendedAction:
    option: Option
    because: tuple[str, ...]


@dataclass(frozen=True)
class PerformanceNoticeDraft:
    """The assessment a Contract Performance Notice publishes (Procurement Act 2023 s.71(2); Procurement
    Regulations 2024 reg 39(4)(d), (g) and (h)): each KPI set under s.52(1), its reg 39(5) rating and the period
    assessed. `required` says whether s.71(2) applies: only to KPIs set under s.52(1), so only to contracts over
    £5 million that are not light touch and have no recorded s.52(1) exception."""

    required: bool
    basis: str
    ratings: tuple[tuple[str, str, Rating], ...]
    period_start: dt.date
    period_end: dt.date


def performance_notice(contract: Contract, kpis: Sequence[KpiAssessment], start: dt.date,
                       end: dt.date) -> PerformanceNoticeDraft:
    if not s52_applies(contract):
        basis = ("s.71(2) applies only to KPIs set under s.52(1), which this contract does not need (estimated "
                 "value not more than £5 million, light touch, or an exception recorded); publishing is optional")
        required = False
    else:
        basis = ("s.71(2): the KPIs were set under s.52(1), so performance against them must be assessed and "
                 "published at least once in every twelve months and on termination")
        required = True
    ratings = tuple((k.kpi.id, k.kpi.title, k.rating) for k in kpis)
    return PerformanceNoticeDraft(required, basis, ratings, start, end)


@dataclass(frozen=True)
class ContractReview:
    contract: Contract
    as_of: dt.date
    window_start: dt.date
    rating: Rating
    rating_reasons: tuple[str, ...]
    kpis: tuple[KpiAssessment, ...]
    periods: tuple[PeriodRating, ...]
    social_value: SocialValueAssessment
    triggers: tuple[Trigger, ...]
    recommended_actions: tuple[RecommendedAction, ...]
    variations: tuple[VariationCheck, ...]
    warnings: tuple[str, ...]
    notice: PerformanceNoticeDraft
    provider_reports: tuple[tuple[Period, ProviderReport], ...] = field(default=())
    # the thresholds the review used: Commonweal defaults unless the contract sets its own (`policy_settings`)
    trigger_policy: TriggerPolicy = field(default_factory=TriggerPolicy)
    social_value_policy: SocialValuePolicy = field(default_factory=SocialValuePolicy)
    window_months: int = DEFAULT_WINDOW_MONTHS

    @property
    def fired(self) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.fired)

    def not_working_for(self, side: Side) -> tuple[Trigger, ...]:
        return tuple(t for t in self.fired if t.side in (side, Side.BOTH))

    @property
    def options(self) -> tuple[Option, ...]:
        return OPTIONS


def recommend(triggers: Sequence[Trigger], rating: Rating) -> tuple[RecommendedAction, ...]:
    """The options to consider first, each with the fired triggers that point to it; termination is added when
    the contract rating is Inadequate. Nothing fired: no action beyond routine monitoring."""
    because: dict[str, list[str]] = {}
    for trigger in triggers:
        if trigger.fired:
            for option_id in RECOMMENDATIONS[trigger.id]:
                because.setdefault(option_id, []).append(f"{trigger.title}: {trigger.finding}")
    if rating is Rating.INADEQUATE:
        because.setdefault("termination", []).append("contract performance is rated inadequate")
    order = [o.id for o in OPTIONS]
    return tuple(RecommendedAction(_OPTION_BY_ID[i], tuple(because[i])) for i in order if i in because)


def review_contract(
    contract: Contract,
    returns: Sequence[Return],
    variations: Sequence[Variation],
    as_of: dt.date,
    *,
    triggers: TriggerPolicy | None = None,
    social_value: SocialValuePolicy | None = None,
    window_months: int = DEFAULT_WINDOW_MONTHS,
) -> ContractReview:
    """Review one contract as at `as_of`.

    KPIs are rated over the returns whose period ends in the last `window_months` (Commonweal default 12,
    matching the at-least-every-twelve-months assessment in Procurement Act 2023 s.71(2)).
    """
    window_start = add_months(as_of, -window_months) + dt.timedelta(days=1)
    window = [r for r in returns if window_start <= r.period.end <= as_of]
    kpis = tuple(assess_kpi(kpi, window) for kpi in contract.kpis)
    sv = assess_social_value(contract, returns, as_of, social_value)
    # social value enters as one £-weighted status, so one small commitment just started cannot outweigh the rest
    rating = combine([k.rating for k in kpis] + [sv.status])
    reasons = tuple(
        [f"KPI {k.kpi.id} ({k.kpi.title}): {k.rating.value}: {k.reason}" for k in kpis if k.rating is not
         Rating.GOOD]
        + ([f"social value: {sv.status.value}: {money(sv.delivered, None)} verified of "
            f"{money(sv.due_to_date, None)} due to date"]
           if sv.status not in (Rating.GOOD, Rating.OTHER) else [])
    )
    fired = evaluate_triggers(contract, returns, sv, triggers)
    warning = s52_warning(contract)
    reports = tuple((r.period, r.provider) for r in sorted(returns, key=lambda r: r.period)
                    if r.provider != ProviderReport())
    return ContractReview(
        contract=contract,
        as_of=as_of,
        window_start=window_start,
        rating=rating,
        rating_reasons=reasons or (rating.description,),
        kpis=kpis,
        periods=rate_periods(contract, returns),
        social_value=sv,
        triggers=fired,
        recommended_actions=recommend(fired, rating),
        variations=check_variations(contract, variations),
        warnings=(warning,) if warning else (),
        notice=performance_notice(contract, kpis, window_start, as_of),
        provider_reports=reports,
        trigger_policy=triggers or TriggerPolicy(),
        social_value_policy=social_value or SocialValuePolicy(),
        window_months=window_months,
    )


# -- a contract's own thresholds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicySetting:
    """One threshold the review used, beside its Commonweal default: `own` when the contract sets its own value."""

    name: str
    value: str
    default: str

    @property
    def own(self) -> bool:
        return self.value != self.default


def _policy_values(triggers: TriggerPolicy, social_value: SocialValuePolicy, window_months: int
                   ) -> dict[str, int | Decimal]:
    values: dict[str, int | Decimal] = {"window_months": window_months}
    for policy in (triggers, social_value):
        values.update({spec.name: getattr(policy, spec.name) for spec in fields(policy)})
    return values


_DEFAULTS = _policy_values(TriggerPolicy(), SocialValuePolicy(), DEFAULT_WINDOW_MONTHS)


def policy_settings(review: ContractReview) -> tuple[PolicySetting, ...]:
    """Every threshold of the review, in a fixed order, each with its Commonweal default."""
    values = _policy_values(review.trigger_policy, review.social_value_policy, review.window_months)
    return tuple(PolicySetting(name, str(values[name]), str(default)) for name, default in _DEFAULTS.items())


def policy_overrides(triggers: TriggerPolicy, social_value: SocialValuePolicy, window_months: int) -> dict[str, str]:
    """The settings that differ from the Commonweal defaults, as exact text: what a contract keeps as its own."""
    values = _policy_values(triggers, social_value, window_months)
    return {name: str(value) for name, value in values.items() if value != _DEFAULTS[name]}


def policies_from(overrides: Mapping[str, str]) -> tuple[TriggerPolicy, SocialValuePolicy, int]:
    """The policies a contract's kept overrides (`policy_overrides`) stand for; the defaults for everything else.
    The overrides were checked when they were read (`commonweal.io.contracts`); an unknown name is a KeyError."""
    def typed(name: str, text: str) -> int | Decimal:
        return int(text) if isinstance(_DEFAULTS[name], int) else Decimal(text)

    values = {name: typed(name, text) for name, text in overrides.items()}

    def pick(cls: type) -> dict[str, int | Decimal]:
        return {spec.name: values[spec.name] for spec in fields(cls) if spec.name in values}

    window = values.get("window_months", DEFAULT_WINDOW_MONTHS)
    return (TriggerPolicy(**pick(TriggerPolicy)), SocialValuePolicy(**pick(SocialValuePolicy)),  # type: ignore[arg-type]
            int(window))
