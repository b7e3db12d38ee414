import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.io.errors import InputError
from commonweal.io.spend.layout import ColumnMap, load_column_map
from commonweal.io.spend.reader import decode, read_spend_file


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_preamble_cp1252_pound_and_trailing_rows(tmp_path: Path) -> None:
    text = ("Anytown Council,,,,\r\nMonthly Expenditure over  £500,,,,\r\n"
            "Supplier Name,Supplier ID,Payment Date,Amount,Spend Area\r\n"
            'Café Ltd,C1,20/12/2010,"£2,310.00",PEOPLE\r\n'
            "REDACTED,C2,06/12/2010,-£4.50,PEOPLE\r\n"
            "Bad Amount Ltd,C3,07/12/2010,twelve,PEOPLE\r\n"
            "Total,,,,\r\n"
            "Grand Total,,,2305.50,\r\n"
            ",,,,\r\n")
    result = read_spend_file(write(tmp_path, "anytown_2010-12.csv", text, "cp1252"))
    report = result.report
    assert report.encoding == "cp1252"
    assert report.header_row == 3
    # 6 rows after the header: 2 loaded; the bad amount, 2 total rows and the blank row rejected
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (6, 2, 4)
    assert report.total_amount == Decimal("2305.50")  # 2310.00 - 4.50
    assert result.records[0].supplier_name == "Café Ltd"
    assert result.records[0].date == dt.date(2010, 12, 20)
    assert result.records[1].supplier_redacted and "credit" in result.records[1].flags
    bad = report.rejections[0]
    assert (bad.row, bad.column) == (6, "Amount") and "twelve" in bad.reason
    assert "total row" in report.rejections[1].reason
    assert result.records[0].council == "Anytown"


def test_double_encoded_bom_and_unnamed_marker_columns(tmp_path: Path) -> None:
    text = ("\ufeffï»¿Body Name,Paid Date,Supplier Name,Net Amount\n"
            "Anytown,2022-08-02,18 SEA VIEW VILLAS,1847.04,#N/A\n")
    result = read_spend_file(write(tmp_path, "a.csv", text))
    assert result.report.mapping["council"] == "Body Name"
    assert result.report.ignored_columns == ["column 5 (unnamed)"]
    assert "double-encoded" in result.report.encoding
    marker = (",Supplier id,Supplier Name,Amount,Pay Date\nINSERTED DETAIL,1,A Ltd,10.00,17/06/2013\n"
              "INSERTED DETAIL,,,,\n,2,B Ltd,5.00,18/06/2013\n")
    result = read_spend_file(write(tmp_path, "b.csv", marker))
    assert result.report.rows_loaded == 2 and result.report.rows_rejected == 1
    assert "blank row" in result.report.rejections[0].reason


def test_decode_repairs_only_what_is_broken() -> None:
    assert decode("£".encode("cp1252")) == ("£", "cp1252")
    assert decode("\ufeffx".encode()) == ("x", "utf-8")


def test_ambiguous_dates_stop_the_file_and_name_the_remedy(tmp_path: Path) -> None:
    path = write(tmp_path, "amb.csv", "Supplier Name,Date,Amount\nA,01/02/2022,1\nB,03/04/2022,2\n")
    with pytest.raises(InputError) as caught:
        read_spend_file(path)
    problem = caught.value.problems[0]
    assert problem.file == "amb.csv" and problem.column == "Date" and "--date-order" in problem.message
    assert read_spend_file(path, date_order="dmy").records[0].date == dt.date(2022, 2, 1)


def test_a_file_without_a_recognisable_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "odd.csv", "Who,When,How much\nA,2022-01-01,1\n")
    with pytest.raises(InputError, match="no header row"):
        read_spend_file(path)
    stated = ColumnMap(columns={"supplier_name": "Who", "date": "When", "amount": "How much"}, header_row=1)
    result = read_spend_file(path, column_map=stated)
    assert result.report.mapping == {"supplier_name": "Who", "date": "When", "amount": "How much"}
    assert result.report.total_amount == Decimal("1.00")


def test_column_map_file_is_validated(tmp_path: Path) -> None:
    good = tmp_path / "map.yaml"
    good.write_text("header_row: 2\ndate_order: dmy\ncolumns:\n  amount: Value paid\nkind: card\n")
    assert load_column_map(good) == ColumnMap({"amount": "Value paid"}, 2, "dmy", "card")
    bad = tmp_path / "bad.yaml"
    bad.write_text("date_order: ymd\ncolumns:\n  price: X\n")
    with pytest.raises(InputError) as caught:
        load_column_map(bad)
    assert {p.column for p in caught.value.problems} == {"date_order", "columns.price"}


def test_contracts_register_keeps_contracts_without_values(tmp_path: Path) -> None:
    text = ("Supplier Company Name,Annual Value,Start Date,Current Expiry Date,SME Supplier?\n"
            "Various,-,TBC,2022-09-31,Various\nA Ltd,100.00,2022-01-01,2023-01-01,Yes\n")
    result = read_spend_file(write(tmp_path, "x_contracts.csv", text))
    assert result.report.kind == "contract"
    assert result.report.rows_loaded == 2
    assert result.records[0].amount is None and result.records[0].date is None
    assert [w.column for w in result.report.warnings] == ["Start Date", "Current Expiry Date"]


def test_xlsx_with_preamble_and_date_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Spend over £500, March 2019"])
    sheet.append(["Supplier Name", "Pay Date", "Amount", "Group"])
    sheet.append(["A Ltd", dt.datetime.combine(dt.date(2019, 3, 4), dt.time()), 4808.6, "People"])
    sheet.append(["B Ltd", dt.datetime.combine(dt.date(2019, 3, 5), dt.time()), -2520, "People"])
    path = tmp_path / "anytown_2019-03.xlsx"
    workbook.save(path)
    result = read_spend_file(path)
    assert result.report.header_row == 2 and result.report.encoding == "xlsx"
    assert [(r.date, r.amount) for r in result.records] == [(dt.date(2019, 3, 4), Decimal("4808.60")),
                                                             (dt.date(2019, 3, 5), Decimal("-2520.00"))]
