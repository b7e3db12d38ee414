"""Commitment £ and anti-washing flags against hand-worked figures."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from commonweal.domain.socialvalue.commitments import BidSocialValue, Commitment, quantities, value_bids
from commonweal.domain.socialvalue.library import Library
from commonweal.domain.socialvalue.washing import ContractContext, WashingPolicy, check_bid


def pledge(bidder: str, measure: str, quantity: str, year: int = 1, **extra: str) -> Commitment:
    extra = {"owner": "HR manager", "milestone": "end of year 1", **extra}
    return Commitment(bidder, "north", measure, D(quantity), year, **extra)


COMMITMENTS = (
    pledge("Acorn", "JOB", "3"),
    pledge("Acorn", "VOL", "500"),
    pledge("Acorn", "TRAIN", "10"),
    pledge("Birch", "JOB", "2"),
)
PRICES = {("Acorn", "north"): D(400000), ("Birch", "north"): D(350000)}


def test_commitments_are_valued_per_bid(library: Library) -> None:
    acorn, birch = value_bids(COMMITMENTS, library, PRICES, {"north": D(500000)})
    # Acorn: 3 × £9,800 = £29,400 + 500 × £18.64 = £9,320; 10 training weeks are record only → £38,720.00
    assert [line.value for line in acorn.lines] == [D("29400.00"), D("9320.00"), None]
    assert acorn.total == D("38720.00")
    assert acorn.share_of_bid_price == D("9.68")  # 38,720 / 400,000 = 9.68%
    assert acorn.per_pound_of_contract == D("0.0774")  # 38,720 / 500,000 = 0.07744
    # Birch: 2 × £9,800 = £19,600 → 5.60% of £350,000; £0.0392 per £ of the £500,000 contract
    assert (birch.total, birch.share_of_bid_price, birch.per_pound_of_contract) == (
        D("19600.00"), D("5.60"), D("0.0392"))


def test_contract_value_falls_back_to_the_bid_price(library: Library) -> None:
    (birch,) = value_bids(COMMITMENTS[3:], library, PRICES, {})
    assert birch.contract_value == D(350000)
    assert birch.per_pound_of_contract == D("0.0560")


def test_quantities_feed_the_quantitative_criterion(library: Library) -> None:
    bids = value_bids(COMMITMENTS, library, PRICES, {"north": D(500000)})
    assert quantities(bids, "north", "sv") == {("Acorn", "sv"): D("38720.00"), ("Birch", "sv"): D("19600.00")}
    assert quantities(bids, "south", "sv") == {}


def test_an_unknown_measure_is_refused(library: Library) -> None:
    with pytest.raises(KeyError, match="NOPE"):
        value_bids((pledge("Acorn", "NOPE", "1"),), library, PRICES, {})


CLEAN_CONTEXT = ContractContext(workforce=D(40), service_measures=frozenset({"CARE"}))


def bid(library: Library, *commitments: Commitment, contract_value: str = "500000") -> BidSocialValue:
    (result,) = value_bids(commitments, library, PRICES, {"north": D(contract_value)})
    return result


def checks(library: Library, the_bid: BidSocialValue, policy: WashingPolicy | None = None) -> list[str]:
    return [f.check for f in check_bid(the_bid, library, CLEAN_CONTEXT, policy or WashingPolicy())]


def test_a_clean_bid_raises_no_flag(library: Library) -> None:
    clean = bid(library, pledge("Acorn", "JOB", "3"), pledge("Acorn", "VOL", "500", beneficiaries="tenants"),
                pledge("Acorn", "JOB-ECON", "2", year=2))
    assert checks(library, clean) == []


def test_social_value_above_the_share_of_contract_value(library: Library) -> None:
    # £38,720 against a £50,000 contract is 77.4%, above the Commonweal default 50%
    (flag,) = check_bid(bid(library, *COMMITMENTS[:2], contract_value="50000"), library, CLEAN_CONTEXT)
    assert flag.check == "share_of_contract_value"
    assert "77.4%" in flag.reason and "Commonweal default" in flag.reason
    assert checks(library, bid(library, *COMMITMENTS[:2], contract_value="50000"),
                  policy=WashingPolicy(max_share_of_contract_value=D("0.8"))) == []


def test_more_jobs_than_the_workforce(library: Library) -> None:
    # 45 × £9,800 = £441,000 is 44.1% of £1m: only the workforce check fires
    (flag,) = check_bid(bid(library, pledge("Acorn", "JOB", "45"), contract_value="1000000"), library, CLEAN_CONTEXT)
    assert flag.check == "implausible_quantity"
    assert "45 people into work in year 1" in flag.reason and "40 FTE" in flag.reason


def test_the_same_beneficiaries_under_two_measures(library: Library) -> None:
    doubled = bid(library, pledge("Acorn", "JOB", "1", beneficiaries="Care leavers"),
                  pledge("Acorn", "VOL", "10", beneficiaries="care leavers "))
    (flag,) = check_bid(doubled, library, CLEAN_CONTEXT)
    assert flag.check == "double_counting" and flag.measures == ("JOB", "VOL")


def test_overlapping_measures_in_the_same_year(library: Library) -> None:
    (flag,) = check_bid(bid(library, pledge("Acorn", "JOB", "1"), pledge("Acorn", "JOB-ECON", "1")), library,
                        CLEAN_CONTEXT)
    assert flag.check == "double_counting" and "library says they overlap" in flag.reason


def test_no_owner_or_milestone(library: Library) -> None:
    (flag,) = check_bid(bid(library, replace(pledge("Acorn", "VOL", "10"), owner="", milestone="")), library,
                        CLEAN_CONTEXT)
    assert flag.check == "no_owner_or_milestone" and "owner or milestone" in flag.reason


def test_the_service_itself_is_not_additional(library: Library) -> None:
    (flag,) = check_bid(bid(library, pledge("Acorn", "CARE", "100")), library, CLEAN_CONTEXT)
    assert flag.check == "service_itself"


def test_overlapping_measures_for_different_named_beneficiaries_are_not_flagged(library: Library) -> None:
    distinct = bid(library, pledge("Acorn", "JOB", "1", beneficiaries="jobseekers"),
                   pledge("Acorn", "JOB-ECON", "1", beneficiaries="care leavers"))
    assert checks(library, distinct) == []
