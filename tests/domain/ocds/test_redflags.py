"""Each Cardinal indicator fires on a constructed process and stays silent on a clean one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from commonweal.domain.ocds.redflags import INDICATORS, RedFlagSettings, fences, quantile, red_flags


def bid(who: str, amount: float, status: str = "valid", date: str = "2024-01-10T00:00:00+00:00") -> dict[str, Any]:
    return {"id": f"bid-{who}", "tenderers": [{"id": who, "name": who}], "value": {"amount": amount, "currency": "GBP"},
            "status": status, "date": date}


def process(ocid: str, bids: list[dict[str, Any]], winner: str | None = "A", *, method: str = "open",
            start: str = "2024-01-01T00:00:00+00:00", end: str = "2024-01-31T00:00:00+00:00",
            buyer: str = "council", items: tuple[str, ...] = ()) -> dict[str, Any]:
    release: dict[str, Any] = {
        "ocid": ocid, "buyer": {"id": buyer, "name": buyer},
        "tender": {"procurementMethod": method, "tenderPeriod": {"startDate": start, "endDate": end}},
        "bids": {"details": bids},
    }
    if winner:
        release["awards"] = [{"id": "1", "status": "active", "suppliers": [{"id": winner, "name": winner}],
                              "items": [{"id": str(n), "classification": {"scheme": "CPV", "id": code}}
                                        for n, code in enumerate(items)]}]
    return release


CLEAN = process("clean", [bid("A", 100), bid("B", 110), bid("C", 125)])
# A competitive market around it: (second lowest - winner) / winner = 0.09, 0.10, 0.11, 0.12
MARKET = [process(f"m{b}", [bid("A", 100), bid("B", b)]) for b in (109, 110, 111, 112)]


def codes(report: Any, ocid: str) -> set[str]:
    return {flag.code for flag in report.processes[ocid]}


def test_a_clean_process_raises_no_flag() -> None:
    report = red_flags([CLEAN, *MARKET])
    assert report.processes == {"clean": (), "m109": (), "m110": (), "m111": (), "m112": ()}
    assert report.organisations == {}
    assert report.checked == 5


def test_r003_short_submission_period() -> None:
    short = process("short", [bid("A", 100), bid("B", 110)], end="2024-01-15T00:00:00+00:00")  # 14 days < 15
    just_enough = process("ok", [bid("A", 100), bid("B", 110)], end="2024-01-16T00:00:00+00:00")  # 15 days
    report = red_flags([short, just_enough])
    assert "R003" in codes(report, "short")
    assert "R003" not in codes(report, "ok")
    # configurable: a 10-day threshold clears the 14-day period
    assert "R003" not in codes(red_flags([short], RedFlagSettings(r003_threshold_days=10)), "short")


def test_r018_single_bid_only_in_competitive_procedures() -> None:
    single = process("single", [bid("A", 100)])
    direct = process("direct", [bid("A", 100)], method="direct")
    report = red_flags([single, direct, CLEAN])
    assert "R018" in codes(report, "single")
    assert "R018" not in codes(report, "direct")
    assert "R018" not in codes(report, "clean")


def test_r024_and_r058_use_the_fences_of_the_differences() -> None:
    close = process("close", [bid("A", 1000), bid("B", 1001)])  # 1 / 1000 = 0.001
    discounted = process("discount", [bid("A", 100), bid("B", 300)])  # 200 / 100 = 2
    report = red_flags([CLEAN, *MARKET, close, discounted])
    # sorted differences [0.001, 0.09, 0.10 (market), 0.10 (CLEAN), 0.11, 0.12, 2]: n = 7.
    # statrs definition 8: h(0.25) = (7 + 1/3) / 4 + 1/3 = 2.1667 -> 0.09 + 0.1667 * (0.10 - 0.09) = 0.091667;
    # h(0.75) = 5.8333 -> 0.11 + 0.8333 * (0.12 - 0.11) = 0.118333; IQR = 0.026667;
    # lower fence 0.091667 - 0.04 = 0.051667, upper fence 0.118333 + 0.04 = 0.158333
    fence = report.fences["R024"]
    assert fence.q1 is not None and round(fence.q1, 6) == Decimal("0.091667")
    assert round(fence.fence, 6) == Decimal("0.051667")
    assert round(report.fences["R058"].fence, 6) == Decimal("0.158333")
    assert codes(report, "close") == {"R024"}
    assert codes(report, "discount") == {"R058"}
    assert not codes(report, "clean")
    # a configured threshold replaces the fence (Cardinal's `threshold`)
    assert "R024" in codes(red_flags([CLEAN], RedFlagSettings(r024_threshold=Decimal("0.2"))), "clean")


def test_r028_identical_bid_prices() -> None:
    same = process("same", [bid("A", 100), bid("B", 100)])
    report = red_flags([same, CLEAN])
    assert "R028" in codes(report, "same")
    assert "R028" not in codes(report, "clean")


def test_r030_late_bid_won() -> None:
    late = process("late", [bid("A", 100, date="2024-02-02T00:00:00+00:00"), bid("B", 110)])
    report = red_flags([late, CLEAN])
    assert "R030" in codes(report, "late")
    assert "R030" not in codes(report, "clean")


def test_r035_all_except_winning_bid_disqualified() -> None:
    rigged = process("rigged", [bid("A", 120), bid("B", 100, "disqualified"), bid("C", 110, "disqualified")])
    report = red_flags([rigged, CLEAN])
    flag = next(f for f in report.processes["rigged"] if f.code == "R035")
    assert flag.value == 2  # B and C
    assert "R035" not in codes(report, "clean")
    assert "R035" not in codes(red_flags([rigged], RedFlagSettings(r035_threshold=3)), "rigged")


def test_r036_lowest_bid_disqualified() -> None:
    lowest_out = process("lowest", [bid("A", 120), bid("B", 100, "disqualified"), bid("C", 130)])
    report = red_flags([lowest_out, CLEAN])
    assert "R036" in codes(report, "lowest")
    assert "R036" not in codes(report, "clean")


def test_r038_excessive_disqualified_bids_per_buyer() -> None:
    # buyers: four disqualify 0 of 2 bids per process, "harsh" disqualifies 2 of 3 in each of 2 processes
    fair = [process(f"f{b}{i}", [bid("A", 100), bid("B", 110)], buyer=f"fair{b}") for b in range(4) for i in range(2)]
    harsh = [process(f"h{i}", [bid("A", 100), bid("B", 90, "disqualified"), bid("C", 95, "disqualified")],
                     buyer="harsh") for i in range(2)]
    report = red_flags([*fair, *harsh])
    assert [f.code for f in report.organisations[("Buyer", "harsh")]] == ["R038"]
    assert report.organisations[("Buyer", "harsh")][0].value == Decimal(4) / Decimal(6)
    assert ("Buyer", "fair0") not in report.organisations


def test_r048_heterogeneous_supplier() -> None:
    narrow = [process(f"s{i}", [bid(f"S{i}", 100), bid("X", 120)], winner=f"S{i}", items=("85311000",))
              for i in range(5)]
    wide = process("w", [bid("W", 100), bid("X", 120)], winner="W",
                   items=("85311000", "90910000", "45000000", "79410000", "73000000"))
    report = red_flags([*narrow, wide])
    assert report.organisations[("Tenderer", "W")][0].code == "R048"
    assert report.organisations[("Tenderer", "W")][0].value == 5  # divisions 85, 90, 45, 79, 73
    assert ("Tenderer", "S0") not in report.organisations


def test_indicators_are_documented_with_their_source() -> None:
    assert len(INDICATORS) >= 8
    for indicator in INDICATORS.values():
        assert indicator.method and "cardinal.readthedocs.io" in indicator.source


@pytest.mark.parametrize(("values", "p", "expected"), [
    # n = 4: h(0.5) = (4 + 1/3) / 2 + 1/3 = 2.5 -> 2 + 0.5 * (3 - 2) = 2.5
    ([Decimal(1), Decimal(2), Decimal(3), Decimal(4)], Decimal("0.5"), Decimal("2.5")),
    ([Decimal(7)], Decimal("0.25"), Decimal(7)),
])
def test_quantile_is_hyndman_fan_8(values: list[Decimal], p: Decimal, expected: Decimal) -> None:
    assert round(quantile(values, p), 10) == expected
    assert fences(values)[0] <= fences(values)[1]
