"""Header detection by evidence: names normalised (case, camelCase, units, currency, colons, no-break spaces),
partial names confirmed by the cells below, ambiguity stopped, workbooks' sheets, non-spend files refused."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from commonweal.io.errors import InputError
from commonweal.io.spend.layout import ColumnMap
from commonweal.io.spend.reader import read_spend_file


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_camel_case_units_colons_and_a_preamble_are_read(tmp_path: Path) -> None:
    text = ("Report: payments over 500\nRun date: 01/02/2024\nParameters: all services\n\n"
            "paidDate,SupplierName,Value (£):,Service\u00a0Area\n"
            "13/01/2024,Acme Ltd,\" 1,200.50 \",Highways\n"
            "14/01/2024,TOTAL GAS & POWER LTD,99.50,Facilities\n")
    report = read_spend_file(write(tmp_path, "anytown_2024-01.csv", text)).report
    assert report.header_row == 5
    assert report.mapping == {"date": "paidDate", "supplier_name": "SupplierName", "amount": "Value (£):",
                              "service_area": "Service\u00a0Area"}
    assert (report.rows_loaded, report.total_amount) == (2, Decimal("1300.00"))
    assert all(how.startswith("high") for how in report.confidence.values())


def test_partial_names_are_taken_only_when_the_cells_below_agree(tmp_path: Path) -> None:
    text = ("Posting Ref,Clearing Date,Payee Reference,Beneficiary Organisation,Amount Paid\n"
            "A1,2024-01-03,P-1,Acme Ltd,10.00\n"
            "A2,2024-01-04,P-2,Beta plc,20.00\n")
    report = read_spend_file(write(tmp_path, "anytown.csv", text)).report
    assert report.mapping["date"] == "Clearing Date"
    assert report.mapping["supplier_name"] == "Beneficiary Organisation"
    assert report.mapping["amount"] == "Amount Paid"
    assert report.confidence["amount"].startswith("medium") and "100%" in report.confidence["amount"]


def test_two_amount_like_columns_stop_and_ask(tmp_path: Path) -> None:
    text = "Date,Supplier,Amount Approved,Amount Paid\n2024-01-03,Acme Ltd,12.00,10.00\n"
    with pytest.raises(InputError, match=r"2 columns could each hold the amount .*--column-map"):
        read_spend_file(write(tmp_path, "anytown.csv", text))
    stated = ColumnMap(columns={"amount": "Amount Paid"})
    assert read_spend_file(write(tmp_path, "anytown.csv", text), column_map=stated).report.total_amount == 10


def test_rows_without_a_date_take_the_stated_period_flagged(tmp_path: Path) -> None:
    text = "Payment Date,Supplier Name,Amount\n2024-01-03,Acme Ltd,10.00\n,Beta plc,5.00\n"
    path = write(tmp_path, "anytown.csv", text)
    refused = read_spend_file(path).report
    assert refused.rows_loaded == 1 and "--period" in refused.rejections[0].reason
    stated = read_spend_file(path, period=dt.date(2024, 1, 1))
    assert stated.report.rows_loaded == 2
    beta = stated.records[1]
    assert (beta.date, beta.period, beta.flags) == (None, dt.date(2024, 1, 1), "period_stated")


def test_a_pdf_renamed_csv_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with pytest.raises(InputError, match=r"not a text \(CSV\) file.*PDF"):
        read_spend_file(path)


def test_every_sheet_of_a_workbook_is_read_and_a_notes_sheet_skipped(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["This file lists payments over £500."])
    for month, amount in (("Jan", 10), ("Feb", 20)):
        sheet = book.create_sheet(month)
        sheet.append(["Transaction Date", "Supplier Name", "Amount £"])
        sheet.append([dt.date(2024, 1 if month == "Jan" else 2, 5), "Acme Ltd", amount])
    data = io.BytesIO()
    book.save(data)
    path = tmp_path / "anytown.xlsx"
    path.write_bytes(data.getvalue())
    report = read_spend_file(path).report
    assert (report.rows_loaded, report.total_amount) == (2, Decimal(30))
    assert [b["sheet"] for b in report.blocks] == ["Jan", "Feb", "Notes"]
    assert report.blocks[2]["skipped"]
