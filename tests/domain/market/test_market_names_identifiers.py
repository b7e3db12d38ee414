import datetime as dt

import pytest

from commonweal.domain.market.identifiers import charity_number, company_number, vat_number
from commonweal.domain.market.names import normalise_name
from commonweal.domain.market.resolution import ReviewDecision, SupplierMention, resolve


@pytest.mark.parametrize(("raw", "key"), [
    ("Age UK Warwickshire Ltd.", "AGE UK WARWICKSHIRE"),
    ("AGE UK WARWICKSHIRE LIMITED", "AGE UK WARWICKSHIRE"),
    ("LIFEWAYS COMMUNITY CARE LTD (NEW", "LIFEWAYS COMMUNITY CARE"),
    ("A & A\xa0Electrical Distributors Ltd", "A AND A ELECTRICAL DISTRIBUTORS"),
    ("The Kelly\u2019s Heroes CIC", "KELLYS HEROES"),
    ("Barnardo Services Ltd ", "BARNARDO SERVICES"),
])
def test_names_normalise_to_one_key(raw: str, key: str) -> None:
    assert normalise_name(raw) == key


def test_identifiers_are_repaired_or_refused() -> None:
    assert company_number("4869035") == "04869035"  # the lost leading zero restored
    assert company_number("03350709") == "03350709"
    assert company_number("sc 123456") == "SC123456"
    assert company_number("CE1234") == "CE001234"
    assert company_number("-") is None and company_number("Various") is None and company_number("0") is None
    assert charity_number("1151621") == "1151621"
    assert charity_number("SC012345") == "SC012345"
    assert charity_number("N/A") is None
    assert vat_number("GB 785 4210 21") == "785421021"
    assert vat_number("12345") is None


def test_identifiers_merge_and_similar_names_are_only_listed() -> None:
    result = resolve([
        SupplierMention("DEVON NORSE LTD", vat_number="785421021"),
        SupplierMention("NORSE SOUTH WEST LIMITED", vat_number="785421021"),
        SupplierMention("Lifeways Community Care Limited"),
        SupplierMention("LIFEWAYS COMMUNITY CARE LTD (NEW"),
        SupplierMention("Acorn Care and Education"),
        SupplierMention("Acorn Care and Education Sales Ledger"),
        SupplierMention("Smith Taxis"),
        SupplierMention("Smyth Taxis"),
    ])
    assert result.entity_of["NORSE SOUTH WEST"] == result.entity_of["DEVON NORSE"]  # same VAT number
    assert result.entity_of["LIFEWAYS COMMUNITY CARE"] == "LIFEWAYS COMMUNITY CARE"  # same normalised name
    # 6 entities: Norse, Lifeways, two Acorns, two taxis firms (similar names are never merged silently)
    assert len(result.entities) == 6
    pairs = {(c.left, c.right) for c in result.candidates}
    assert ("ACORN CARE AND EDUCATION", "ACORN CARE AND EDUCATION SALES LEDGER") in pairs
    assert ("SMITH TAXIS", "SMYTH TAXIS") in pairs
    assert result.entity_of["SMITH TAXIS"] != result.entity_of["SMYTH TAXIS"]


def test_a_reviewers_decision_joins_or_separates_a_pair_and_the_latest_stands() -> None:
    mentions = [SupplierMention("Smith Taxis"), SupplierMention("Smyth Taxis"),
                SupplierMention("Acorn Care and Education"), SupplierMention("Acorn Care and Education Sales Ledger")]
    day = dt.date(2026, 11, 24)
    same = ReviewDecision("SMITH TAXIS", "SMYTH TAXIS", True, "j.bloggs", day, "same VAT invoice address")
    different = ReviewDecision("ACORN CARE AND EDUCATION", "ACORN CARE AND EDUCATION SALES LEDGER", False,
                               "j.bloggs", day, "the ledger is a separate trading account")
    result = resolve(mentions, decisions=[same, different])
    assert result.entity_of["SMYTH TAXIS"] == result.entity_of["SMITH TAXIS"]  # joined by the decision
    assert result.entity_of["ACORN CARE AND EDUCATION"] != result.entity_of["ACORN CARE AND EDUCATION SALES LEDGER"]
    assert result.candidates == ()  # both pairs are decided, so neither is listed again
    assert len(result.entities) == 3 and set(result.decisions) == {same, different}

    # a later decision on the same pair (names given the other way round) replaces the earlier one
    undone = ReviewDecision("SMYTH TAXIS", "SMITH TAXIS", False, "a.auditor", day, "different owners")
    result = resolve(mentions, decisions=[same, different, undone])
    assert result.entity_of["SMYTH TAXIS"] != result.entity_of["SMITH TAXIS"]
    assert set(result.decisions) == {different, undone}

    # a decision about a name not among the mentions (another council's supplier) is not applied
    elsewhere = ReviewDecision("SMITH TAXIS", "NORTHERN CABS", True, "j.bloggs", day, "merged firms")
    assert resolve(mentions, decisions=[elsewhere]).decisions == ()


def naive_candidates(keys: list[str], threshold: float) -> list[tuple[str, str, float, str]]:
    """Every pair in every block, one at a time: the plain reading of the rule, to hold the fast one to."""
    from rapidfuzz import fuzz

    from commonweal.domain.market.resolution import MIN_PREFIX_LENGTH

    found = []
    for i, left in enumerate(keys):
        for right in keys[i + 1:]:
            if left[:2] != right[:2]:
                continue
            if len(left) >= MIN_PREFIX_LENGTH and right.startswith(left):
                found.append((left, right, 100.0, "one name is a truncated form of the other"))
            elif (score := fuzz.token_sort_ratio(left, right)) >= threshold:
                found.append((left, right, round(score, 1), "similar names"))
    return sorted(found, key=lambda c: (-c[2], c[0], c[1]))


def test_review_candidates_match_the_plain_pairwise_rule() -> None:
    import random

    from commonweal.domain.market.resolution import _candidates

    rng = random.Random(11)
    words = ["CARE", "CARES", "COMMUNITY", "HOME", "HOMES", "SERVICES", "SERVICE", "TRUST", "NORTH", "NORTHERN"]
    names = {" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) for _ in range(400)}
    names |= {name + " " + rng.choice(words) for name in list(names)[:60]}  # truncated forms, 20+ characters
    names |= {name[:-1] + "X" for name in list(names)[:60]}  # one letter apart
    keys = sorted(names)
    fast = [(left, right, -score, reason) for score, left, right, reason in _candidates(keys, 90.0)]
    assert fast == naive_candidates(keys, 90.0)
    assert any(c[3].startswith("one name is a truncated") for c in fast) and any(c[3] == "similar names" for c in fast)
