"""Bid commitments: measure × quantity × timing per bidder, turned into £ with the library's proxy values.

A bid's social value is Σ quantity × proxy over its commitments to measures that carry a proxy. Commitments to
record-only measures are kept and reported in units, never priced. The total is also given as a percentage of
the bid price and per £ of contract value (the lot's estimated value where the tender states one, otherwise the
bid price), so that offers on contracts of different sizes can be compared.

The total is the number a quantitative social value criterion scores (proportional to the best offer, optionally
capped, or against a target): see `quantities`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from commonweal.domain.socialvalue.library import PENNY, Library, Measure


@dataclass(frozen=True)
class Commitment:
    """A bidder's promise: `quantity` units of `measure_id` in contract `year` (1 = the first year).

    `owner` and `milestone` say who delivers it and by when; `beneficiaries` names the group of people it
    counts (two commitments naming the same group under different measures are counting them twice).
    """

    bidder: str
    lot: str
    measure_id: str
    quantity: Decimal
    year: int
    owner: str = ""
    milestone: str = ""
    beneficiaries: str = ""


@dataclass(frozen=True)
class CommitmentValue:
    commitment: Commitment
    measure: Measure
    value: Decimal | None  # None: the measure is record-only

    @property
    def record_only(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class BidSocialValue:
    bidder: str
    lot: str
    lines: tuple[CommitmentValue, ...]
    total: Decimal
    bid_price: Decimal | None
    contract_value: Decimal | None

    @property
    def share_of_bid_price(self) -> Decimal | None:
        """Total social value as a percentage of the bid price, to 2 dp."""
        if not self.bid_price:
            return None
        return (self.total * 100 / self.bid_price).quantize(PENNY, rounding=ROUND_HALF_UP)

    @property
    def per_pound_of_contract(self) -> Decimal | None:
        """£ of social value per £1 of contract value, to 4 dp."""
        if not self.contract_value:
            return None
        return (self.total / self.contract_value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def value_units(quantity: Decimal, measure: Measure) -> Decimal | None:
    """`quantity` units of `measure` in £: quantity × proxy, to the penny (half up); None when record-only.

    The one valuation of social value units: bid commitments, delivery returns and the contract review's due and
    delivered £ all come through here.
    """
    if measure.proxy is None:
        return None
    return (quantity * measure.proxy).quantize(PENNY, rounding=ROUND_HALF_UP)


def value_commitment(commitment: Commitment, library: Library) -> CommitmentValue:
    measure = library.measure(commitment.measure_id)
    return CommitmentValue(commitment, measure, value_units(commitment.quantity, measure))


def value_bids(
    commitments: Iterable[Commitment],
    library: Library,
    bid_prices: Mapping[tuple[str, str], Decimal],
    contract_values: Mapping[str, Decimal],
) -> tuple[BidSocialValue, ...]:
    """Each (bidder, lot)'s commitments valued and totalled, in the order bids first appear.

    `bid_prices` maps (bidder, lot) to the bid price; `contract_values` maps a lot to its estimated contract
    value. A bid with commitments but no price still gets its £ total (the percentages are then None).
    """
    grouped: dict[tuple[str, str], list[CommitmentValue]] = {}
    for commitment in commitments:
        grouped.setdefault((commitment.bidder, commitment.lot), []).append(value_commitment(commitment, library))
    results = []
    for (bidder, lot), lines in grouped.items():
        price = bid_prices.get((bidder, lot))
        results.append(
            BidSocialValue(
                bidder=bidder,
                lot=lot,
                lines=tuple(lines),
                total=sum((line.value for line in lines if line.value is not None), Decimal("0.00")),
                bid_price=price,
                contract_value=contract_values.get(lot, price),
            )
        )
    return tuple(results)


def quantities(
    bids: Iterable[BidSocialValue], lot: str, criterion_id: str, bidders: Iterable[str] = ()
) -> dict[tuple[str, str], Decimal]:
    """The per-bid numbers a quantitative social value criterion scores: `(bidder, criterion_id) -> £ total`.

    Each of `bidders` (the lot's bids) without commitments offers £0.00: committing nothing is an offer of nothing.
    """
    offered = {(bidder, criterion_id): Decimal("0.00") for bidder in bidders}
    offered.update({(bid.bidder, criterion_id): bid.total for bid in bids if bid.lot == lot})
    return offered
