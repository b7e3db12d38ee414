"""Delivery tracking: what a supplier delivered against each commitment, period by period, with evidence.

Only verified delivery counts towards a commitment. Unverified delivery is shown beside it (it may yet be
verified); rejected delivery is shown and never counts. Delivered £ uses the same proxy as the commitment, so
committed and delivered £ are always like for like.

Red/amber/green: a commitment is green when verified delivery reaches `green_at` of what was committed, amber
from `amber_at`, red below. A contract is rated the same way on its £ (delivered £ ÷ committed £); a contract
whose commitments are all record-only is rated by its worst commitment. The thresholds are Commonweal defaults,
configurable through `RagPolicy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from commonweal.domain.rag import Rag, worst
from commonweal.domain.socialvalue.commitments import Commitment, value_commitment, value_units
from commonweal.domain.socialvalue.library import Library

Verification = Literal["verified", "unverified", "rejected"]
VERIFICATIONS: tuple[Verification, ...] = ("verified", "unverified", "rejected")

# Commonweal defaults: green when 100% of the commitment is delivered and verified, amber from 75%.
DEFAULT_GREEN_AT = Decimal("1.00")
DEFAULT_AMBER_AT = Decimal("0.75")


@dataclass(frozen=True)
class RagPolicy:
    green_at: Decimal = DEFAULT_GREEN_AT
    amber_at: Decimal = DEFAULT_AMBER_AT

    def rate(self, ratio: Decimal) -> Rag:
        if ratio >= self.green_at:
            return Rag.GREEN
        return Rag.AMBER if ratio >= self.amber_at else Rag.RED


@dataclass(frozen=True)
class DeliveryRecord:
    """One return: `quantity` units of `measure_id` delivered in `period` of contract `year`."""

    supplier: str
    lot: str
    measure_id: str
    year: int
    period: str
    quantity: Decimal
    evidence: str
    verification: Verification


@dataclass(frozen=True)
class CommitmentDelivery:
    commitment: Commitment
    delivered: Decimal
    unverified: Decimal
    rejected: Decimal
    committed_value: Decimal | None
    delivered_value: Decimal | None
    rag: Rag | None  # None: not yet due
    records: tuple[DeliveryRecord, ...]


@dataclass(frozen=True)
class ContractDelivery:
    supplier: str
    lot: str
    lines: tuple[CommitmentDelivery, ...]
    committed_value: Decimal  # of the commitments due so far
    delivered_value: Decimal
    rag: Rag | None  # None: nothing due yet


@dataclass(frozen=True)
class DeliveryReport:
    contracts: tuple[ContractDelivery, ...]
    unmatched: tuple[DeliveryRecord, ...]  # returns for which no commitment exists; shown, never dropped


def _key(supplier: str, lot: str, measure_id: str, year: int) -> tuple[str, str, str, int]:
    return (supplier, lot, measure_id, year)


def track_delivery(
    commitments: Iterable[Commitment],
    records: Iterable[DeliveryRecord],
    library: Library,
    policy: RagPolicy = RagPolicy(),
    as_of_year: int | None = None,
) -> DeliveryReport:
    """Committed against delivered, per commitment and per contract (supplier × lot).

    Commitments to the same measure in the same contract year are tracked as one. With `as_of_year`, later
    years' commitments are listed as not yet due (no RAG) and left out of the contract's £ and RAG.
    """
    merged: dict[tuple[str, str, str, int], Commitment] = {}
    for commitment in commitments:
        key = _key(commitment.bidder, commitment.lot, commitment.measure_id, commitment.year)
        earlier = merged.get(key)
        merged[key] = commitment if earlier is None else replace(
            earlier, quantity=earlier.quantity + commitment.quantity
        )
    by_key: dict[tuple[str, str, str, int], list[DeliveryRecord]] = {}
    for record in records:
        by_key.setdefault(_key(record.supplier, record.lot, record.measure_id, record.year), []).append(record)
    contracts: dict[tuple[str, str], list[CommitmentDelivery]] = {}
    for key, commitment in merged.items():
        matched = tuple(by_key.pop(key, ()))

        def units(status: Verification, matched: tuple[DeliveryRecord, ...] = matched) -> Decimal:
            return sum((r.quantity for r in matched if r.verification == status), Decimal(0))

        delivered = units("verified")
        measure = library.measure(commitment.measure_id)
        ratio = delivered / commitment.quantity if commitment.quantity else Decimal(1)
        due = as_of_year is None or commitment.year <= as_of_year
        contracts.setdefault((commitment.bidder, commitment.lot), []).append(
            CommitmentDelivery(
                commitment=commitment,
                delivered=delivered,
                unverified=units("unverified"),
                rejected=units("rejected"),
                committed_value=value_commitment(commitment, library).value,
                delivered_value=value_units(delivered, measure),
                rag=policy.rate(ratio) if due else None,
                records=matched,
            )
        )
    results = []
    for (supplier, lot), lines in contracts.items():
        due_lines = [line for line in lines if line.rag is not None]
        committed = sum((line.committed_value or Decimal(0) for line in due_lines), Decimal("0.00"))
        delivered = sum((line.delivered_value or Decimal(0) for line in due_lines), Decimal("0.00"))
        rag: Rag | None = None
        if committed:
            rag = policy.rate(delivered / committed)
        elif due_lines:
            rag = worst(line.rag for line in due_lines if line.rag)
        results.append(ContractDelivery(supplier, lot, tuple(lines), committed, delivered, rag))
    unmatched = tuple(record for group in by_key.values() for record in group)
    return DeliveryReport(tuple(results), unmatched)
