from decimal import Decimal

from commonweal.domain.market.locality import (
    MAX_LOCAL_AREAS,
    Locality,
    local_share,
    parse_local_areas,
    supplier_locality,
)


def test_local_areas_are_areas_or_districts_in_capitals_once_each() -> None:
    assert parse_local_areas("m5, M6;bl4\nM  ec1a m5") == (("M5", "M6", "BL4", "M", "EC1A"), [])
    assert parse_local_areas("") == ((), [])


def test_other_shapes_are_refused_with_the_reason() -> None:
    areas, problems = parse_local_areas("M5, 4WT, Salford, M5-4WT")
    assert areas == ()
    assert problems == [
        "'4WT' is not a postcode area (one or two letters, such as M or BL) or a district (an outward code, such "
        "as M5, BL4 or EC1A)",
        "'SALFORD' is not a postcode area (one or two letters, such as M or BL) or a district (an outward code, "
        "such as M5, BL4 or EC1A)",
        "'M5-4WT' is not a postcode area (one or two letters, such as M or BL) or a district (an outward code, "
        "such as M5, BL4 or EC1A)"]
    assert parse_local_areas("M54WT")[1] == ["'M54WT' is a full postcode: enter its district (M5) or its area"]


def test_the_list_is_limited() -> None:
    areas = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    assert parse_local_areas(",".join(areas[:MAX_LOCAL_AREAS]))[0] == tuple(areas[:MAX_LOCAL_AREAS])
    assert parse_local_areas(",".join(areas[:MAX_LOCAL_AREAS + 1]))[1] == [
        f"{MAX_LOCAL_AREAS + 1} areas listed; at most {MAX_LOCAL_AREAS} may be"]


def test_a_supplier_is_local_only_when_its_postcodes_agree() -> None:
    assert supplier_locality(["M5 4WT"], ["M5"]) is Locality.LOCAL
    assert supplier_locality(["M5 4WT", "M5 3AA"], ["M"]) is Locality.LOCAL
    assert supplier_locality(["BL4 0NN"], ["M"]) is Locality.NOT_LOCAL
    # sites on both sides: which one was paid is not recorded, so it is not guessed
    assert supplier_locality(["M5 4WT", "BL4 0NN"], ["M5"]) is Locality.UNKNOWN
    # no postcode, none that is a UK postcode, or no local areas listed
    assert supplier_locality([], ["M5"]) is Locality.UNKNOWN
    assert supplier_locality(["Various"], ["M5"]) is Locality.UNKNOWN
    assert supplier_locality(["Various", "M5 4WT"], ["M5"]) is Locality.LOCAL
    assert supplier_locality(["M5 4WT"], []) is Locality.UNKNOWN


def test_local_share_adds_exact_amounts_and_counts_suppliers_once() -> None:
    share = local_share([("A", Decimal("0.10"), "local"), ("A", Decimal("0.20"), "local"),
                         ("B", Decimal("-0.05"), "not_local"), ("C", Decimal("1000.01"), "unknown")], ["M5"])
    assert share.total == Decimal("1000.26")
    assert share.totals == {Locality.LOCAL: Decimal("0.30"), Locality.NOT_LOCAL: Decimal("-0.05"),
                            Locality.UNKNOWN: Decimal("1000.01")}
    data = share.as_data()
    assert data["total"] == "1000.26" and data["local_areas"] == ["M5"]
    assert [(p["locality"], p["total"], p["suppliers"]) for p in data["parts"]] == [
        ("local", "0.30", 1), ("not_local", "-0.05", 1), ("unknown", "1000.01", 1)]
    assert local_share([], []).as_data()["parts"][0] == {"locality": "local", "total": "0.00", "share": None,
                                                         "suppliers": 0}
