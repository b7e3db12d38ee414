"""Anti-washing checks: each raises a flag with a plain-English reason for an evaluator to look into.

A flag is not a verdict. It marks a commitment the evaluator should question before the £ figure is scored:

- `share_of_contract_value`: the bid claims social value above a share of the contract's value;
- `implausible_quantity`: more people in jobs in a year than the contract's whole workforce;
- `double_counting`: the same beneficiaries counted under two measures, or two measures the library says
  overlap (for example a fiscal and an economic value of the same job) committed for the same year, unless the
  bid names different beneficiaries for each;
- `no_owner_or_milestone`: a commitment nobody is named to deliver, or with no milestone to check it by;
- `service_itself`: "additional" value that is the service the council is already buying.

The thresholds are Commonweal defaults (no statute or guidance sets them), labelled as ours and configurable
through `WashingPolicy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, get_args

from commonweal.domain.numbers import money
from commonweal.domain.socialvalue.commitments import BidSocialValue
from commonweal.domain.socialvalue.library import Library

# Commonweal default: a bid claiming social value worth more than half its contract's value is flagged. Ours,
# chosen as a point where a claim needs explaining; configurable per tender.
DEFAULT_MAX_SHARE_OF_CONTRACT_VALUE = Decimal("0.5")
# Commonweal default: measures in these themes counted per person-year are jobs, compared with the workforce.
DEFAULT_JOB_THEMES = ("Jobs",)
DEFAULT_JOB_UNITS = ("person_year",)

Check = Literal[
    "share_of_contract_value", "implausible_quantity", "double_counting", "no_owner_or_milestone", "service_itself"
]
CHECKS: tuple[Check, ...] = get_args(Check)


@dataclass(frozen=True)
class WashingPolicy:
    max_share_of_contract_value: Decimal = DEFAULT_MAX_SHARE_OF_CONTRACT_VALUE
    job_themes: tuple[str, ...] = DEFAULT_JOB_THEMES
    job_units: tuple[str, ...] = DEFAULT_JOB_UNITS


@dataclass(frozen=True)
class ContractContext:
    """What the council knows about the contract: its workforce (FTE) and which measures are the service
    itself (e.g. hours of care on a home-care contract)."""

    workforce: Decimal | None = None
    service_measures: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class WashingFlag:
    check: Check
    bidder: str
    lot: str
    measures: tuple[str, ...]
    reason: str


def check_bid(
    bid: BidSocialValue, library: Library, context: ContractContext, policy: WashingPolicy = WashingPolicy()
) -> tuple[WashingFlag, ...]:
    flags: list[WashingFlag] = []

    def flag(check: Check, measures: tuple[str, ...], reason: str) -> None:
        flags.append(WashingFlag(check, bid.bidder, bid.lot, measures, reason))

    if bid.contract_value and bid.total > bid.contract_value * policy.max_share_of_contract_value:
        share = (bid.total * 100 / bid.contract_value).quantize(Decimal("0.1"))
        flag(
            "share_of_contract_value",
            tuple(dict.fromkeys(line.commitment.measure_id for line in bid.lines if line.value)),
            f"The bid claims {money(bid.total, None)} of social value, {share}% of the "
            f"{money(bid.contract_value, None)} contract; "
            f"claims above {policy.max_share_of_contract_value * 100:.0f}% of contract value need explaining "
            "(Commonweal default threshold).",
        )

    if context.workforce is not None:
        jobs_by_year: dict[int, tuple[Decimal, list[str]]] = {}
        for line in bid.lines:
            if line.measure.theme in policy.job_themes and line.measure.unit in policy.job_units:
                total, ids = jobs_by_year.get(line.commitment.year, (Decimal(0), []))
                jobs_by_year[line.commitment.year] = (total + line.commitment.quantity, [*ids, line.measure.id])
        for year, (jobs, ids) in sorted(jobs_by_year.items()):
            if jobs > context.workforce:
                flag(
                    "implausible_quantity",
                    tuple(dict.fromkeys(ids)),
                    f"The bid commits {jobs} people into work in year {year}, more than the contract's whole "
                    f"workforce of {context.workforce} FTE.",
                )

    by_group: dict[str, set[str]] = {}
    for line in bid.lines:
        if line.commitment.beneficiaries:
            by_group.setdefault(line.commitment.beneficiaries.strip().lower(), set()).add(line.measure.id)
    for group, group_ids in by_group.items():
        if len(group_ids) > 1:
            flag(
                "double_counting",
                tuple(sorted(group_ids)),
                f"The same beneficiaries ({group!r}) are counted under {len(group_ids)} measures: "
                f"{', '.join(sorted(group_ids))}.",
            )
    # who each (measure, year) counts; overlapping measures naming different beneficiaries are left alone
    committed: dict[tuple[str, int], set[str]] = {}
    for line in bid.lines:
        committed.setdefault((line.measure.id, line.commitment.year), set()).add(
            line.commitment.beneficiaries.strip().lower())
    reported: set[frozenset[str]] = set()
    for (measure_id, year), groups in sorted(committed.items()):
        for other in library.measure(measure_id).overlaps:
            pair = frozenset((measure_id, other))
            others = committed.get((other, year))
            distinct = others is not None and "" not in groups | others and not groups & others
            if others is not None and not distinct and pair not in reported:
                reported.add(pair)
                flag(
                    "double_counting",
                    tuple(sorted(pair)),
                    f"{measure_id} and {other} are both committed for year {year}, and the library says they "
                    "overlap: adding them counts the same benefit twice.",
                )

    for line in bid.lines:
        missing = [name for name, text in (("owner", line.commitment.owner), ("milestone", line.commitment.milestone))
                   if not text.strip()]
        if missing:
            flag(
                "no_owner_or_milestone",
                (line.measure.id,),
                f"The commitment to {line.commitment.quantity} × {line.measure.id} in year {line.commitment.year} "
                f"has no delivery {' or '.join(missing)}, so nobody can be held to it.",
            )
        if line.measure.id in context.service_measures:
            flag(
                "service_itself",
                (line.measure.id,),
                f"{line.measure.id} ({line.measure.name}) is what the contract already buys; committing to it is "
                "the service itself, not additional social value.",
            )
    return tuple(flags)
