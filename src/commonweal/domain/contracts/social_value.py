"""Social value delivery against the profile promised in the winning bid.

Each commitment (the social value module's Commitment and its Measure) is carried over as a KPI: the target is
the share of the year's quantity due by the review date. Delivery counts only once the council has verified its
evidence; unverified claims are shown but not counted, rejected ones neither. Committed, due and delivered £ use
the social value module's one valuation (`commonweal.domain.socialvalue.commitments.value_units`): the library
measure's proxy for a commitment read from a tender's `commitments.csv`, the bid's own £ per unit for one listed
in contract.yaml.

Commonweal defaults (configurable through `SocialValuePolicy`): the profile within a contract year is linear
(a twelfth of the year's quantity per month); verified delivery of at least 90% of profile is "approaching
target", below 50% "inadequate". These are ours, not the Act's or any guidance's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.contracts.model import (
    Contract,
    Return,
    SocialValueCommitment,
    Verification,
    add_months,
    with_unit,
)
from commonweal.domain.contracts.ratings import Rating


@dataclass(frozen=True)
class SocialValuePolicy:
    """Commonweal defaults for rating delivery against profile (shares of the profile due to date)."""

    approaching_share: Decimal = Decimal("0.9")
    inadequate_below_share: Decimal = Decimal("0.5")


@dataclass(frozen=True)
class CommitmentAssessment:
    commitment: SocialValueCommitment
    due_to_date: Decimal
    delivered: Decimal
    unverified: Decimal
    rejected: Decimal
    rating: Rating
    reason: str

    @property
    def value_due(self) -> Decimal:
        return self.commitment.value_of(self.due_to_date)

    @property
    def value_delivered(self) -> Decimal:
        return self.commitment.value_of(self.delivered)


@dataclass(frozen=True)
class SocialValueAssessment:
    commitments: tuple[CommitmentAssessment, ...]
    committed: Decimal
    due_to_date: Decimal
    delivered: Decimal
    status: Rating

    @property
    def delivered_share(self) -> Decimal | None:
        """Verified £ delivered as a share of £ due to date; None before anything is due."""
        return (self.delivered / self.due_to_date) if self.due_to_date else None


def contract_year_start(contract: Contract, year: int) -> dt.date:
    return add_months(contract.start, 12 * (year - 1))


def share_of_year_elapsed(contract: Contract, year: int, as_of: dt.date) -> Decimal:
    """Whole months of contract year `year` completed by `as_of`, in twelfths (the linear profile)."""
    start = contract_year_start(contract, year)
    months = 0
    while months < 12 and add_months(start, months + 1) <= as_of + dt.timedelta(days=1):
        months += 1
    return Decimal(months) / 12


def rate_share(share: Decimal, policy: SocialValuePolicy) -> Rating:
    if share >= 1:
        return Rating.GOOD
    if share >= policy.approaching_share:
        return Rating.APPROACHING_TARGET
    if share >= policy.inadequate_below_share:
        return Rating.REQUIRES_IMPROVEMENT
    return Rating.INADEQUATE


def assess_commitment(
    contract: Contract,
    commitment: SocialValueCommitment,
    returns: Sequence[Return],
    as_of: dt.date,
    policy: SocialValuePolicy,
) -> CommitmentAssessment:
    start = contract_year_start(contract, commitment.year)
    end = contract_year_start(contract, commitment.year + 1)
    totals = {v: Decimal(0) for v in Verification}
    for ret in returns:
        if start <= ret.period.start < end:
            for delivery in ret.deliveries:
                if delivery.measure == commitment.measure_id:
                    totals[delivery.verification] += delivery.quantity
    due = commitment.quantity * share_of_year_elapsed(contract, commitment.year, as_of)
    delivered = totals[Verification.VERIFIED]
    unit = commitment.unit
    described = (f"{with_unit(delivered, unit)} verified of {with_unit(f'{due.normalize():f}', unit)} due by "
                 f"{as_of.isoformat()} (year {commitment.year} commitment: {with_unit(commitment.quantity, unit)})")
    if totals[Verification.UNVERIFIED]:
        described += f"; {with_unit(totals[Verification.UNVERIFIED], unit)} awaiting verification, not counted"
    if due == 0:
        return CommitmentAssessment(commitment, due, delivered, totals[Verification.UNVERIFIED],
                                    totals[Verification.REJECTED], Rating.OTHER,
                                    f"contract year {commitment.year} has not started a full month yet")
    rating = rate_share(delivered / due, policy)
    return CommitmentAssessment(commitment, due, delivered, totals[Verification.UNVERIFIED],
                                totals[Verification.REJECTED], rating, described)


def assess_social_value(
    contract: Contract, returns: Sequence[Return], as_of: dt.date, policy: SocialValuePolicy | None = None
) -> SocialValueAssessment:
    """Every commitment against its profile, and the contract's £ totals: committed, due to date, delivered."""
    policy = policy or SocialValuePolicy()
    assessed = tuple(assess_commitment(contract, c, returns, as_of, policy) for c in contract.commitments)
    due = sum((a.value_due for a in assessed), Decimal(0))
    delivered = sum((a.value_delivered for a in assessed), Decimal(0))
    status = rate_share(delivered / due, policy) if due else Rating.OTHER
    committed = sum((c.value or Decimal(0) for c in contract.commitments), Decimal(0))
    return SocialValueAssessment(assessed, committed, due, delivered, status)
