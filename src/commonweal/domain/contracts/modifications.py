"""The variations log checked against the Procurement Act 2023 rules on modifying a public contract.

- s.74(1): a public contract may be modified only if the modification (a) is a permitted modification under
  Schedule 8, (b) is not a substantial modification, or (c) is a below-threshold modification; s.74(2): a light
  touch contract may be modified.
- s.74(3): a *substantial modification* would (a) increase or decrease the term by more than 10 per cent of the
  maximum term provided for on award, (b) materially change the scope of the contract, or (c) materially change
  the economic balance of the contract in favour of the supplier.
- s.74(4): a *below-threshold modification* (a) would not itself increase or decrease the estimated value by more
  than 10 per cent (goods or services) or 15 per cent (works); (b) keeps the aggregated value of below-threshold
  modifications below the threshold amount for the type of contract; and must not materially change the overall
  nature of the contract (our reading of the rest of s.74(4); the council records that judgement).
- Schedule 8 paras 4 (unforeseeable circumstances) and 5 (materialisation of a known risk): the modification
  must not increase the estimated value by more than 50 per cent (the cap does not apply to utilities contracts).
- s.75(1): a contract change notice must be published before modifying, except (s.75(2)) where the modification
  changes the estimated value by 10 per cent or less (goods or services) or 15 per cent or less (works), or the
  term by 10 per cent or less of the maximum term, unless it is a Schedule 8 para 9 modification (novation or
  assignment on corporate restructuring). Commonweal reads the exemption as needing every change the
  modification makes to be within its limb (value and term); s.75(4)-(5): a modification that could reasonably
  have been made together with an earlier one is judged as one with it; s.75(6)(b): light touch contracts are
  outside s.75.

Percentages are measured against the estimated value and maximum term on award (Commonweal's reading: a fixed
base, so a series of changes cannot creep past the limits by re-basing each time). Materiality is the council's
judgement, recorded on each variation; Commonweal does the arithmetic and says which tests it could not decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from commonweal.domain.contracts.model import (
    Contract,
    ContractKind,
    ModificationGround,
    Variation,
    months_between,
)
from commonweal.domain.numbers import money

TERM_LIMIT_PCT = Decimal(10)  # s.74(3)(a) and s.75(2)(b)
SCHEDULE_8_VALUE_CAP_PCT = Decimal(50)  # Schedule 8 paras 4(1)(c) and 5
SCHEDULE_8_CAPPED_PARAGRAPHS = (4, 5)
SCHEDULE_8_RESTRUCTURING_PARAGRAPH = 9  # novation or assignment on corporate restructuring (s.75(2))
S77_VALUE_THRESHOLD = Decimal("5000000")  # s.77: modifications of contracts over £5 million are published
_ONE_DAY = dt.timedelta(days=1)


def value_limit_pct(kind: ContractKind) -> Decimal:
    """s.74(4)(a) and s.75(2)(a): 10 per cent for goods or services, 15 per cent for works."""
    return Decimal(15) if kind is ContractKind.WORKS else Decimal(10)


class GroundStatus(StrEnum):
    HOLDS = "holds"
    DOES_NOT_HOLD = "does not hold"
    CANNOT_BE_CHECKED = "cannot be checked"


@dataclass(frozen=True)
class VariationCheck:
    variation: Variation
    value_change_pct: Decimal
    term_change_pct: Decimal
    substantial_reasons: tuple[str, ...]
    below_threshold_failures: tuple[str, ...]
    lawful_routes: tuple[ModificationGround, ...]
    ground_status: GroundStatus
    change_notice_required: bool
    flags: tuple[str, ...]

    @property
    def substantial(self) -> bool:
        return bool(self.substantial_reasons)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    """Exact percentage: limits are tested unrounded, so 10.0001% is over a 10% limit."""
    return abs(part) / whole * 100 if whole else Decimal(0)


def _shown(pct: Decimal) -> Decimal:
    return pct.quantize(Decimal("0.01"))


def check_variation(contract: Contract, variation: Variation, earlier: Sequence[Variation]) -> VariationCheck:
    """Check one variation, given the variations agreed before it (for the aggregated value and s.75(4))."""
    term_months = months_between(contract.start, contract.term_end + _ONE_DAY)
    value_pct = _pct(variation.value_change, contract.value)
    term_pct = _pct(Decimal(variation.term_change_months), Decimal(term_months))
    limit = value_limit_pct(contract.kind)
    flags: list[str] = []

    substantial = []
    if term_pct > TERM_LIMIT_PCT:
        substantial.append(f"s.74(3)(a): changes the term by {_shown(term_pct)}% of the maximum term on award "
                           f"({term_months} months), more than {TERM_LIMIT_PCT}%")
    if variation.changes_scope:
        substantial.append("s.74(3)(b): recorded as materially changing the scope of the contract")
    if variation.favours_supplier:
        substantial.append("s.74(3)(c): recorded as materially changing the economic balance in favour of the "
                           "supplier")

    below = []
    unchecked = contract.threshold_amount is None
    if value_pct > limit:
        below.append(f"s.74(4)(a): changes the estimated value by {_shown(value_pct)}%, more than {limit}% for a "
                     f"{contract.kind.value} contract")
    if contract.threshold_amount is not None:
        aggregated = sum((abs(v.value_change) for v in earlier if v.ground is ModificationGround.BELOW_THRESHOLD),
                         abs(variation.value_change))
        if aggregated >= contract.threshold_amount:
            below.append(f"s.74(4)(b): below-threshold modifications would total {money(aggregated, None)}, "
                         f"not less than the threshold amount of {money(contract.threshold_amount, None)}")
    if variation.changes_overall_nature:
        below.append("s.74(4): recorded as materially changing the overall nature of the contract")

    routes = []
    if contract.light_touch:
        routes.append(ModificationGround.LIGHT_TOUCH)
    if not substantial:
        routes.append(ModificationGround.NOT_SUBSTANTIAL)
    if not below and not unchecked:
        routes.append(ModificationGround.BELOW_THRESHOLD)
    if variation.ground is ModificationGround.PERMITTED:
        paragraph = variation.schedule_8_paragraph
        if paragraph is None:
            flags.append("relies on Schedule 8 without naming the paragraph")
        elif paragraph in SCHEDULE_8_CAPPED_PARAGRAPHS and variation.value_change > 0 and \
                value_pct > SCHEDULE_8_VALUE_CAP_PCT:
            flags.append(f"Schedule 8 para {paragraph}: increases the estimated value by {_shown(value_pct)}%, "
                         f"more than the {SCHEDULE_8_VALUE_CAP_PCT}% cap")
        else:
            routes.append(ModificationGround.PERMITTED)
            flags.append(f"relies on Schedule 8 para {paragraph}: keep the record showing each of its conditions "
                         "is met (Commonweal checks only the value cap of paras 4 and 5)")
    unconfirmed = not below and unchecked  # only the missing threshold amount stands in the way of s.74(4)
    missing = ("s.74(4)(b) cannot be checked without the contract's Schedule 1 threshold amount (threshold_amount, "
               "with threshold_source, in contract.yaml)")
    if variation.ground in routes:
        status = GroundStatus.HOLDS
    elif variation.ground is ModificationGround.BELOW_THRESHOLD and unconfirmed:
        status = GroundStatus.CANNOT_BE_CHECKED
        flags.append(missing)
    else:
        status = GroundStatus.DOES_NOT_HOLD
        flags.append(f"the ground relied on ({variation.ground.value}) does not hold")
    if not routes and unconfirmed and status is GroundStatus.DOES_NOT_HOLD:
        flags.append(f"only a below-threshold modification could apply, but {missing}")
    elif not routes and not unconfirmed:
        flags.append("no lawful route under s.74 on the facts recorded: this change needs a new procurement")

    notice = _change_notice_required(contract, variation, value_pct, term_pct, earlier)
    if notice and not variation.change_notice_published:
        flags.append("s.75(1): a contract change notice must be published before the modification; none recorded")
    if contract.value > S77_VALUE_THRESHOLD:
        flags.append("s.77: the contract is worth more than £5 million, so the modification (or the modified "
                     "contract) must be published")
    return VariationCheck(variation, value_pct, term_pct, tuple(substantial), tuple(below), tuple(routes), status,
                          notice, tuple(flags))


def _change_notice_required(
    contract: Contract,
    variation: Variation,
    value_pct: Decimal,
    term_pct: Decimal,
    earlier: Sequence[Variation],
) -> bool:
    """s.75: is a contract change notice needed before this modification?"""
    if contract.light_touch:
        return False  # s.75(6)(b)
    if variation.ground is ModificationGround.PERMITTED and \
            variation.schedule_8_paragraph == SCHEDULE_8_RESTRUCTURING_PARAGRAPH:
        return True
    limit = value_limit_pct(contract.kind)
    # Commonweal's reading of s.75(2): exempt only when every change made is within its own limb, so a large
    # value change is not rescued by leaving the term alone
    exempt = value_pct <= limit and term_pct <= TERM_LIMIT_PCT
    linked = next((v for v in earlier if v.id == variation.linked_to), None)
    if exempt and linked is not None:
        # s.75(4)-(5): judged as one modification with the earlier one it could have been made with
        term_months = months_between(contract.start, contract.term_end + _ONE_DAY)
        joint_value = _pct(linked.value_change + variation.value_change, contract.value)
        joint_term = _pct(Decimal(linked.term_change_months + variation.term_change_months), Decimal(term_months))
        exempt = joint_value <= limit and joint_term <= TERM_LIMIT_PCT
    return not exempt


def check_variations(contract: Contract, variations: Sequence[Variation]) -> tuple[VariationCheck, ...]:
    """Check the whole log in the order the variations were agreed."""
    ordered = sorted(variations, key=lambda v: (v.agreed_on, v.id))
    return tuple(check_variation(contract, v, ordered[:i]) for i, v in enumerate(ordered))
