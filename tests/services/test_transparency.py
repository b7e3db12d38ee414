"""Transparency Code files and Procurement Act 2023 payments data from a spend store and contract folders: each
payment over £30,000 is linked to its contract or listed with the reason it could not be."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from commonweal.domain.notices.transparency import s69_period, s69_summary
from commonweal.services.notices import let_contracts, store_payments, transparency_files
from commonweal.services.spend import import_files

REPO = Path(__file__).resolve().parents[2]
FACILITIES = REPO / "examples" / "contracts" / "facilities-social-value"  # Civic Estates Services Ltd, £6.2m
GROUNDS = REPO / "examples" / "contracts" / "grounds-loss-making"  # Greenway Environmental Ltd

SPEND = (
    "Service Area,Payment Date,Supplier Name,Net Amount,Transaction Number,Purpose\n"
    "Facilities,2026-05-03,CIVIC ESTATES SERVICES LIMITED,45000.00,T1,Monthly charge EBC-2025-017\n"
    "Facilities,2026-05-04,Civic Estates Services Ltd,499.99,T2,Call-out\n"
    "Facilities,2026-05-05,Civic Estates Services Ltd,500.01,T3,Call-out\n"
    "Parks,2026-05-06,Greenway Environmental Ltd,31000.00,T4,Grounds maintenance\n"
    "Parks,2026-05-07,Unknown Landscapes Ltd,60000.00,T5,Tree works\n"
    "Parks,2026-03-31,Greenway Environmental Ltd,90000.00,T6,Before s.70 applies\n"
    "Facilities,2026-07-01,Civic Estates Services Ltd,40000.00,T7,Outside the period\n"
)


def store(tmp_path: Path) -> Path:
    source = tmp_path / "ebc_spend_2026.csv"
    source.write_text(SPEND, encoding="utf-8")
    db = tmp_path / "db"
    import_files([source], db)
    return db


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_files_for_a_quarter(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = transparency_files(store(tmp_path), [FACILITIES, GROUNDS], dt.date(2026, 4, 1), dt.date(2026, 6, 30),
                                out)
    spend = read_csv(out / "spend-over-500.csv")
    assert [r["Transaction"] for r in spend] == ["T1", "T3", "T4", "T5"]  # £499.99 does not exceed £500
    assert spend[0]["Irrecoverable VAT"] == "" and spend[0]["Beneficiary"] == "CIVIC ESTATES SERVICES LIMITED"
    contracts = read_csv(out / "contracts-over-5000.csv")
    assert {r["Reference"] for r in contracts} == {"EBC-2025-017", "EBC-2024-088"}
    s70 = read_csv(out / "payments-over-30000.csv")
    assert [(r["Contract"], r["Matched by"]) for r in s70] == [("EBC-2025-017", "supplier and date"),
                                                               ("EBC-2024-088", "supplier and date")]
    assert s70[0]["Publish by"] == "2026-07-29"  # 30 days beginning with 30 June
    unlinked = read_csv(out / "unlinked-payments-over-30000.csv")
    assert [(r["Reference"], r["Why it could not be linked"]) for r in unlinked] == [
        ("T5", "no contract with this supplier is on record")]
    workbook = openpyxl.load_workbook(out / "payments-over-30000.xlsx")
    assert workbook.active.max_row == 3
    compliance = json.loads((out / "payments-compliance.json").read_text())
    assert compliance["period"] == ["2026-04-01", "2026-09-30"] and compliance["publish_by"] == "2026-10-29"
    assert any("invoice day" in m for m in compliance["not_in_the_record"])
    assert (result.spend_rows, result.s70_rows, result.unlinked) == (4, 2, 1)


def test_a_supplier_with_two_live_contracts_needs_the_payment_to_name_one(tmp_path: Path) -> None:
    db = store(tmp_path)
    [facilities] = let_contracts([FACILITIES], dt.date(2026, 11, 30))
    from dataclasses import replace

    twin = replace(facilities, contract=replace(facilities.contract, id="EBC-2025-099"))
    from commonweal.domain.notices.transparency import link_payments

    links = {lk.payment.reference: lk for lk in link_payments(
        store_payments(db, dt.date(2026, 5, 1), dt.date(2026, 5, 31)), [facilities, twin])}
    assert links["T1"].contract is not None and links["T1"].contract.contract.id == "EBC-2025-017"
    assert links["T3"].contract is None and "names none of them" in links["T3"].reason


def test_s69_periods_end_on_31_march_and_30_september() -> None:
    assert s69_period(dt.date(2026, 2, 1)) == (dt.date(2025, 10, 1), dt.date(2026, 3, 31))
    assert s69_period(dt.date(2026, 10, 1)) == (dt.date(2026, 10, 1), dt.date(2027, 3, 31))
    first = s69_summary([], dt.date(2026, 2, 1))
    assert first.start == dt.date(2026, 1, 1)  # s.69 applies from 1 January 2026
    assert first.publish_by == dt.date(2026, 4, 29) and first.total == Decimal("0.00")
