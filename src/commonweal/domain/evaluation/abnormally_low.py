"""Abnormally low tenders (Procurement Act 2023 s.19(3)–(5)).

A contracting authority may disregard a tender whose price it considers abnormally low (s.19(3)(c)), but only
after it has told the supplier so and given it a reasonable opportunity to show that it can perform the contract for
that price (s.19(4)); if the supplier shows it can, the tender may not be disregarded (s.19(5)). Commonweal flags
candidates with two tests whose percentages are Commonweal defaults (the Act sets no figure; see
`AbnormallyLowPolicy`), and holds the ranking as provisional until every flagged bid has a recorded decision:
explanation accepted (the bid stays) or rejected (the bid is disregarded).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.evaluation.model import HUNDRED, AbnormallyLowPolicy
from commonweal.domain.evaluation.records import AbnormallyLowDecision, Bid
from commonweal.domain.numbers import money

# The provisions every output cites (the engine, its reports and the web workspace all say the same).
# Verified against the Act's text (legislation.gov.uk/ukpga/2023/54/section/19, read December 2026): s.19(3)(c),
# the authority may disregard a tender whose price it considers abnormally low for performance of the contract;
# s.19(4), before doing so it must notify the supplier that it considers the price abnormally low and give it a
# reasonable opportunity to demonstrate that it will be able to perform the contract for the price offered;
# s.19(5), if the supplier so demonstrates to the authority's satisfaction, the tender may not be disregarded.
# No other section is cited for abnormally low tenders anywhere in Commonweal.
DISREGARD = "Procurement Act 2023 s.19(3)–(5)"
NOTICE = "Procurement Act 2023 s.19(4)"


@dataclass(frozen=True)
class AbnormallyLowFinding:
    bidder: str
    price: Decimal
    reasons: tuple[str, ...]
    decision: AbnormallyLowDecision | None

    @property
    def pending(self) -> bool:
        return self.decision is None


def _percent_below(price: Decimal, reference: Decimal) -> Decimal:
    return (reference - price) / reference * HUNDRED


def find_abnormally_low(
    bids: tuple[Bid, ...], policy: AbnormallyLowPolicy, decisions: tuple[AbnormallyLowDecision, ...]
) -> tuple[AbnormallyLowFinding, ...]:
    """Flag the bids whose price is far below the others'. Both tests look at low prices only: a bid at or above the
    median price is never flagged, and only the lowest price is compared with the next lowest (comparing every bid
    with the next dearer one flagged expensive bids wherever prices are widely spread). Needs two bids."""
    if len(bids) < 2:
        return ()
    prices = sorted(b.price for b in bids)
    middle = len(prices) // 2
    median = prices[middle] if len(prices) % 2 else (prices[middle - 1] + prices[middle]) / 2
    total = sum(prices, Decimal(0))
    findings = []
    for bid in sorted(bids, key=lambda b: b.bidder):
        if bid.price >= median:
            continue
        reasons = []
        mean_of_others = (total - bid.price) / (len(prices) - 1)
        below_mean = _percent_below(bid.price, mean_of_others)
        if below_mean >= policy.below_mean_of_others_percent:
            reasons.append(
                f"{money(bid.price)} is {below_mean:.1f}% below the mean of the other bids ({money(mean_of_others)}); "
                f"the threshold is {policy.below_mean_of_others_percent}%"
            )
        if bid.price == prices[0]:
            next_lowest = prices[1]
            below_next = _percent_below(bid.price, next_lowest)
            if below_next >= policy.below_next_lowest_percent:
                reasons.append(
                    f"{money(bid.price)} is the lowest price, {below_next:.1f}% below the next lowest "
                    f"({money(next_lowest)}); the threshold is {policy.below_next_lowest_percent}%"
                )
        if reasons:
            decision = next((d for d in decisions if d.bidder == bid.bidder), None)
            findings.append(AbnormallyLowFinding(bid.bidder, bid.price, tuple(reasons), decision))
    return tuple(findings)
