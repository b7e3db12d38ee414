"""Renegotiation triggers: signs that a contract is not working for the council, for the provider, or both.

"If it's not working for you it might not be working for them": each trigger says, in plain English, what it
watches and why it matters, and which side it speaks for. Every threshold here is a **Commonweal default**,
not a legal or guidance figure; councils change them per contract (`triggers:` in contract.yaml).
A trigger is `fired`, `clear`, or `not assessed` when the data it needs is missing (margin, for one, is only
there when the provider chooses to share it); missing data is never read as good news.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from commonweal.domain.contracts.model import Contract, Return
from commonweal.domain.contracts.ratings import rate_kpi_periods
from commonweal.domain.contracts.social_value import SocialValueAssessment
from commonweal.domain.numbers import money
from commonweal.domain.rag import Rag


@dataclass(frozen=True)
class TriggerPolicy:
    """Commonweal defaults for when a trigger fires; each is ours and configurable."""

    consecutive_misses: int = 3
    social_value_share: Decimal = Decimal("0.8")
    cost_growth_headroom_pct: Decimal = Decimal("0")
    loss_making_margin_pct: Decimal = Decimal("0")
    volume_deviation_share: Decimal = Decimal("0.2")
    volume_periods: int = 3


class TriggerStatus(StrEnum):
    FIRED = "fired"
    CLEAR = "clear"
    NOT_ASSESSED = "not assessed"


class Side(StrEnum):
    COUNCIL = "council"
    PROVIDER = "provider"
    BOTH = "both"


@dataclass(frozen=True)
class Trigger:
    id: str
    title: str
    side: Side
    explanation: str
    status: TriggerStatus
    finding: str

    @property
    def fired(self) -> bool:
        return self.status is TriggerStatus.FIRED


def consecutive_kpi_misses(contract: Contract, returns: Sequence[Return], policy: TriggerPolicy) -> Trigger:
    """Fires when any KPI has missed its target (rated below Good) in each of the latest N returns; a return
    without a figure for the KPI ends the run (it is neither a hit nor a miss)."""
    explanation = (
        f"Any KPI missing its target in {policy.consecutive_misses} or more consecutive returns, up to the latest "
        "one. One bad month is noise; a run of them means the service is not being delivered as specified."
    )
    runs = []
    for kpi in contract.kpis:
        run = 0
        for period_rating in reversed(rate_kpi_periods(kpi, returns)):
            if not period_rating.rating.is_miss:
                break
            run += 1
        if run >= policy.consecutive_misses:
            runs.append(f"{kpi.id} has missed its target in the last {run} returns")
    if not any(r.measurements for r in returns):
        return Trigger("kpi_consecutive_misses", "Consecutive KPI misses", Side.COUNCIL, explanation,
                       TriggerStatus.NOT_ASSESSED, "no returns with KPI figures yet")
    status = TriggerStatus.FIRED if runs else TriggerStatus.CLEAR
    finding = "; ".join(runs) if runs else f"no KPI has missed {policy.consecutive_misses} returns in a row"
    return Trigger("kpi_consecutive_misses", "Consecutive KPI misses", Side.COUNCIL, explanation, status, finding)


def social_value_below_profile(assessment: SocialValueAssessment, policy: TriggerPolicy) -> Trigger:
    """Fires when verified social value delivered (£, at the bid's unit values) is below the set share of the
    £ due to date on the bid's profile."""
    share_pct = (policy.social_value_share * 100).normalize()
    explanation = (
        f"Verified social value delivered below {share_pct:f}% of what the winning bid promised by now. Social "
        "value was part of why this bid won; if it is not delivered, the award's basis is not being honoured."
    )
    title = "Social value below profile"
    share = assessment.delivered_share
    if share is None:
        return Trigger("social_value_below_profile", title, Side.COUNCIL, explanation, TriggerStatus.NOT_ASSESSED,
                       "no social value commitment is due yet")
    pct = (share * 100).quantize(Decimal("0.1"))
    finding = (f"{money(assessment.delivered, None)} verified of {money(assessment.due_to_date, None)} due to date "
               f"({pct}%)")
    status = TriggerStatus.FIRED if share < policy.social_value_share else TriggerStatus.CLEAR
    return Trigger("social_value_below_profile", title, Side.COUNCIL, explanation, status, finding)


def financial_rating_red(contract: Contract) -> Trigger:
    """Fires when the supplier's financial rating is red: entered by the council, or the supplier resilience
    module's rating of the supplier's latest accounts (`financial_rating_basis` says which, or why none)."""
    explanation = (
        "The supplier's financial rating is red. A provider in financial distress may cut corners or fail outright "
        "(the Carillion lesson); both sides need a plan before that happens."
    )
    title = "Supplier financial rating red"
    if contract.financial_rating is None:
        return Trigger("supplier_financial_red", title, Side.BOTH, explanation, TriggerStatus.NOT_ASSESSED,
                       contract.financial_rating_basis or "no financial rating supplied")
    fired = contract.financial_rating is Rag.RED
    basis = f" ({contract.financial_rating_basis})" if contract.financial_rating_basis else ""
    return Trigger("supplier_financial_red", title, Side.BOTH, explanation,
                   TriggerStatus.FIRED if fired else TriggerStatus.CLEAR,
                   f"financial rating is {contract.financial_rating.value}{basis}")


def provider_loss_making(returns: Sequence[Return], policy: TriggerPolicy) -> Trigger:
    """Fires when the latest margin the provider shared is at or below the set level (default: a loss)."""
    explanation = (
        f"The provider reports a margin on this contract at or below {policy.loss_making_margin_pct}%. A contract "
        "that loses money for the provider tends to fail: staff leave, quality drops, the provider walks away."
    )
    title = "Contract loss-making for the provider"
    shared = [r for r in sorted(returns, key=lambda r: r.period) if r.provider.margin_pct is not None]
    if not shared:
        return Trigger("provider_loss_making", title, Side.PROVIDER, explanation, TriggerStatus.NOT_ASSESSED,
                       "the provider has not shared a margin")
    latest = shared[-1]
    margin = latest.provider.margin_pct
    assert margin is not None  # filtered above
    fired = margin <= policy.loss_making_margin_pct
    return Trigger("provider_loss_making", title, Side.PROVIDER, explanation,
                   TriggerStatus.FIRED if fired else TriggerStatus.CLEAR,
                   f"margin {margin}% in {latest.period.label}")


def provider_inflation_pressure(contract: Contract, returns: Sequence[Return], policy: TriggerPolicy) -> Trigger:
    """Fires when the provider's latest reported annual cost growth exceeds the contract's price indexation
    (plus the headroom) for the year."""
    headroom = f" plus {policy.cost_growth_headroom_pct} points" if policy.cost_growth_headroom_pct else ""
    explanation = (
        f"The provider's costs are growing faster than the contract's price indexation{headroom}. The gap comes "
        "out of the provider's margin every month it lasts."
    )
    title = "Cost growth above price indexation"
    reported = [r for r in sorted(returns, key=lambda r: r.period) if r.provider.cost_growth_pct is not None]
    if contract.price_indexation_pct is None or not reported:
        missing = "no price indexation in the contract" if contract.price_indexation_pct is None else \
            "the provider has not reported cost growth"
        return Trigger("provider_inflation_pressure", title, Side.PROVIDER, explanation,
                       TriggerStatus.NOT_ASSESSED, missing)
    latest = reported[-1]
    growth = latest.provider.cost_growth_pct
    assert growth is not None  # filtered above
    fired = growth > contract.price_indexation_pct + policy.cost_growth_headroom_pct
    return Trigger("provider_inflation_pressure", title, Side.PROVIDER, explanation,
                   TriggerStatus.FIRED if fired else TriggerStatus.CLEAR,
                   f"cost growth {growth}% in {latest.period.label} against indexation of "
                   f"{contract.price_indexation_pct}%")


def volumes_off_tender(contract: Contract, returns: Sequence[Return], policy: TriggerPolicy) -> Trigger:
    """Fires when the mean volume over the latest N returns differs from the tender's assumed volume per period
    by more than the set share, either way."""
    pct = (policy.volume_deviation_share * 100).normalize()
    explanation = (
        f"Volumes over the last {policy.volume_periods} returns are more than {pct:f}% away from what the tender "
        "assumed. Prices were bid on those volumes: far fewer strands the provider's fixed costs, far more "
        "stretches its staff, and either way the council is no longer buying what it tendered."
    )
    title = "Volumes far from tender assumptions"
    volumes = [r.provider.volume for r in sorted(returns, key=lambda r: r.period) if r.provider.volume is not None]
    if contract.tender_volume_per_period is None or not volumes:
        missing = "no tender volume assumption in the contract" if contract.tender_volume_per_period is None \
            else "the provider has not reported volumes"
        return Trigger("volumes_off_tender", title, Side.BOTH, explanation, TriggerStatus.NOT_ASSESSED, missing)
    recent = volumes[-policy.volume_periods:]
    mean = sum(recent, Decimal(0)) / len(recent)
    deviation = (mean - contract.tender_volume_per_period) / contract.tender_volume_per_period
    fired = abs(deviation) > policy.volume_deviation_share
    return Trigger("volumes_off_tender", title, Side.BOTH, explanation,
                   TriggerStatus.FIRED if fired else TriggerStatus.CLEAR,
                   f"mean volume {mean.quantize(Decimal('0.1'))} over {len(recent)} return(s) against "
                   f"{contract.tender_volume_per_period} assumed ({(deviation * 100).quantize(Decimal('0.1'))}%)")


def evaluate_triggers(
    contract: Contract,
    returns: Sequence[Return],
    social_value: SocialValueAssessment,
    policy: TriggerPolicy | None = None,
) -> tuple[Trigger, ...]:
    """Every trigger for the contract, fired or not, so the review shows what was checked as well as what fired."""
    policy = policy or TriggerPolicy()
    return (
        consecutive_kpi_misses(contract, returns, policy),
        social_value_below_profile(social_value, policy),
        financial_rating_red(contract),
        provider_loss_making(returns, policy),
        provider_inflation_pressure(contract, returns, policy),
        volumes_off_tender(contract, returns, policy),
    )
