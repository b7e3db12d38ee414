"""What arrives for evaluation: bids, each evaluator's scores, moderated scores, gate results and abnormally low
tender decisions. Records are frozen: once entered, a score is never overwritten, only joined by a later record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from commonweal.domain.provenance import Source

Decision = Literal["accepted", "rejected"]


def bidder_key(name: str) -> str:
    """Names equal after case folding and whitespace normalisation are the same bidder ('BIDDER  A' is 'Bidder A')."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Bid:
    bidder: str
    lot: str
    price: Decimal
    identifier: str = ""  # e.g. GB-COH-01234567 or a PPON id (Procurement Regulations 2024 reg 31(2)(c))
    address: str = ""
    email: str = ""
    source: Source | None = None
    # each price element's price (element id, £), when the lot prices elements; `price` is then their evaluated total
    element_prices: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class EvaluatorScore:
    evaluator: str
    bidder: str
    lot: str
    criterion: str
    score: Decimal
    rationale: str
    source: Source | None = None


@dataclass(frozen=True)
class ModeratedScore:
    """The consensus score agreed at moderation, with the rationale that explains it to the bidder."""

    bidder: str
    lot: str
    criterion: str
    score: Decimal
    rationale: str
    source: Source | None = None


@dataclass(frozen=True)
class GateResult:
    bidder: str
    lot: str
    gate: str
    passed: bool
    rationale: str = ""
    source: Source | None = None


@dataclass(frozen=True)
class AbnormallyLowDecision:
    """The recorded outcome of asking a bidder to explain a low price (Procurement Act 2023 s.19(4))."""

    bidder: str
    lot: str
    decision: Decision
    reason: str
    decided_by: str
    decided_on: dt.date
    source: Source | None = None
