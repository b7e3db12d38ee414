from decimal import Decimal

import pytest

from commonweal.domain.market.classification import NAME_RULE, Classification, Label
from commonweal.domain.market.concentration import (
    UK_CC_OFT_2010,
    US_DOJ_FTC_2023,
    concentration,
    concentration_curve,
    dependency_alerts,
    hhi,
    top_n_share,
)
from commonweal.domain.market.locality import is_local
from commonweal.domain.market.partners import Organisation, lot_advice

D = Decimal


def test_hhi_and_top_n_by_hand() -> None:
    # shares 50%, 30%, 20%: HHI = 2500 + 900 + 400 = 3800; the credit-only supplier has no share
    amounts = {"A": D(500), "B": D(300), "C": D(200), "D": D(-50)}
    assert hhi(amounts) == D(3800)
    assert top_n_share(amounts, 2) == D("0.8")
    assert concentration_curve(amounts) == [(1, D("0.5")), (2, D("0.8")), (3, D("1.0"))]
    result = concentration("Care", amounts)
    assert (result.suppliers, result.band) == (3, "highly concentrated")  # above 2,000 (CC2/OFT1254 5.3.5)
    # four equal suppliers: 4 x 25^2 = 2500
    assert hhi({k: D(1) for k in "WXYZ"}) == D(2500)


@pytest.mark.parametrize(("value", "uk", "us"), [(D(1000), "not concentrated", "not highly concentrated"),
                                                  (D(1500), "concentrated", "not highly concentrated"),
                                                  (D(1900), "concentrated", "highly concentrated"),
                                                  (D(2001), "highly concentrated", "highly concentrated")])
def test_bands(value: Decimal, uk: str, us: str) -> None:
    assert UK_CC_OFT_2010.band(value) == uk
    assert US_DOJ_FTC_2023.band(value) == us


def test_dependency_alerts_at_the_threshold() -> None:
    alerts = dependency_alerts({"Care": {"A": D(25), "B": D(75)}, "Roads": {"C": D(24), "D": D(76)}},
                               threshold=D("0.25"))
    # Care: A 25% and B 75% both alert; Roads: C 24% does not
    assert [(a.service_area, a.supplier) for a in alerts] == [("Roads", "D"), ("Care", "B"), ("Care", "A")]


def named(label: Label) -> Classification:
    return Classification(label, NAME_RULE, 0.6, "a test's name rule")


def organisation(name: str, largest: str, label: Label = Label.VCSE, local: bool | None = True) -> Organisation:
    return Organisation(name, named(label), local, ("Home care", "Domiciliary care"), D(largest), D(largest))


def test_lots_too_large_and_proposed_lot_size() -> None:
    partners = [organisation("A", "100000"), organisation("B", "60000"), organisation("C", "40000"),
                organisation("D", "10000"), organisation("Big", "9000000", Label.LARGE),
                Organisation("Roads Ltd", named(Label.SME), True, ("Highways",), D(500000), D(500000))]
    advice = lot_advice("home care", D(600000), partners, lots=2, min_bidders=3, capacity_multiple=D(2))
    # capacities 200k, 120k, 80k, 20k (the large firm and the unrelated one are left out); lot = 300k > 200k
    assert [p.organisation.name for p in advice.partners] == ["A", "B", "C", "D"]
    assert advice.lot_value == D("300000.00") and advice.lots_too_large
    # the 3rd largest capacity is 80k: ceil(600k / 80k) = 8 lots of 75k
    assert (advice.proposed_lots, advice.proposed_lot_value) == (8, D("75000.00"))


def test_too_few_partners_is_said_not_guessed() -> None:
    advice = lot_advice("home care", D(100000), [organisation("A", "100000")], min_bidders=3)
    assert advice.proposed_lots is None and "only 1" in advice.notes[0]
    assert not advice.lots_too_large


def test_locality_from_postcode() -> None:
    assert is_local("M5 4WT", ["M5"]) is True
    assert is_local("M50 1AA", ["M5"]) is False  # a district, not a prefix
    assert is_local("M50 1AA", ["M"]) is True  # an area
    assert is_local("BL4 0NN", []) is None and is_local("Various", ["M"]) is None


def test_relatedness_counts_the_service_words_an_area_contains() -> None:
    from commonweal.domain.market.partners import relatedness

    assert relatedness("home care", ["Home Care Services"]) == 100.0
    assert relatedness("home care", ["Domiciliary Care", "Home to School Transport"]) == 50.0  # 1 of 2 words
    assert relatedness("childrens residential care", ["Residential Care (Children)"]) == 100.0
    assert relatedness("home care", []) == 0.0
