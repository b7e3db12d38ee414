"""Community partners and lotting advice for a planned contract.

For a planned contract (a service, an annual value, a number of lots) Commonweal lists the local SMEs and VCSE
organisations the council already pays or funds in related areas, with what they receive; flags lots too large
for any of them; and proposes a lot size that at least `min_bidders` of them could bid for.

"Too large" is a Commonweal default, not a legal rule: a lot is within an organisation's reach when it is no
more than `capacity_multiple` times the largest annual amount that organisation has received from the council.
Procurement Act 2023 s. 18 requires a contracting authority to consider whether a contract could reasonably be
awarded as lots, and, if it does not lot, to give reasons; s. 12(4) asks it to have regard to barriers to SMEs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from rapidfuzz import fuzz

from commonweal.domain.market.classification import Classification, Label

# Commonweal defaults, configurable per call.
DEFAULT_CAPACITY_MULTIPLE = Decimal(2)
DEFAULT_MIN_BIDDERS = 3
DEFAULT_RELATEDNESS = 70.0  # share (%) of the service's words found in one of a partner's spend areas
WORD_MATCH = 85.0  # rapidfuzz ratio at which two words are the same word (`childrens` ~ `children`)
_STOP_WORDS = frozenset({"and", "the", "for", "with", "services", "service", "other"})


@dataclass(frozen=True)
class Organisation:
    """A supplier or grant recipient as the council's records show it."""

    name: str
    classification: Classification  # its label, with the evidence the label rests on
    local: bool | None  # None when no postcode is known
    areas: tuple[str, ...]  # service areas, expense types and purposes it was paid or funded under
    received_total: Decimal
    largest_annual: Decimal  # largest amount received in any one financial year

    @property
    def label(self) -> Label:
        return self.classification.label


@dataclass(frozen=True)
class Partner:
    organisation: Organisation
    relatedness: float
    capacity: Decimal  # the largest lot within reach, by the capacity rule


@dataclass(frozen=True)
class LotAdvice:
    service: str
    annual_value: Decimal
    lots: int
    lot_value: Decimal
    partners: tuple[Partner, ...]
    lots_too_large: bool
    proposed_lots: int | None
    proposed_lot_value: Decimal | None
    min_bidders: int
    capacity_multiple: Decimal
    notes: tuple[str, ...]


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _STOP_WORDS]


def relatedness(service: str, areas: Sequence[str]) -> float:
    """The largest share (0-100) of the service's words that one area's words contain, words compared fuzzily:
    `home care` is fully related to `Home Care Services`, half related to `Domiciliary Care` and to `Home to
    School Transport`."""
    wanted = _words(service)
    best = 0.0
    for area in areas:
        words = _words(area)
        if wanted and words:
            hits = sum(1 for w in wanted if max(fuzz.ratio(w, x) for x in words) >= WORD_MATCH)
            best = max(best, 100.0 * hits / len(wanted))
    return best


def lot_advice(service: str, annual_value: Decimal, organisations: Sequence[Organisation], *, lots: int = 1,
               min_bidders: int = DEFAULT_MIN_BIDDERS, capacity_multiple: Decimal = DEFAULT_CAPACITY_MULTIPLE,
               related_at: float = DEFAULT_RELATEDNESS, local_only: bool = False) -> LotAdvice:
    """Advise on lotting a planned contract worth `annual_value` a year, split into `lots` equal lots."""
    if annual_value <= 0 or lots < 1 or min_bidders < 1:
        raise ValueError("annual value must be positive, lots and min_bidders at least 1")
    notes = []
    candidates = []
    for organisation in organisations:
        if organisation.label not in (Label.SME, Label.VCSE) or organisation.largest_annual <= 0:
            continue
        if local_only and organisation.local is not True:
            continue
        score = relatedness(service, organisation.areas)
        if score >= related_at:
            candidates.append(Partner(organisation, round(score, 1), organisation.largest_annual * capacity_multiple))
    candidates.sort(key=lambda p: (-p.capacity, p.organisation.name))
    lot_value = (annual_value / lots).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    too_large = not any(p.capacity >= lot_value for p in candidates)
    proposed_lots: int | None = None
    proposed_value: Decimal | None = None
    if len(candidates) >= min_bidders:
        # The min_bidders-th largest capacity is the largest lot that many partners could each bid for.
        reach = candidates[min_bidders - 1].capacity
        proposed_lots = max(lots, math.ceil(annual_value / reach))
        proposed_value = (annual_value / proposed_lots).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    else:
        notes.append(f"only {len(candidates)} related local SME/VCSE organisations found; at least {min_bidders} "
                     "are needed to propose a lot size")
    if not local_only and any(p.organisation.local is None for p in candidates):
        notes.append("some partners have no postcode, so whether they are local is unknown")
    return LotAdvice(service, annual_value, lots, lot_value, tuple(candidates), too_large, proposed_lots,
                     proposed_value, min_bidders, capacity_multiple, tuple(notes))
