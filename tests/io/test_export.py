import csv
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from commonweal.io.export import csv_bytes, neutralise, write_csv, write_xlsx, xlsx_bytes

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def test_every_formula_start_is_neutralised() -> None:
    assert [neutralise(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert neutralise("Acme Ltd") == "Acme Ltd"
    assert neutralise(Decimal("-5.00")) == Decimal("-5.00")


def test_csv_writes_neutralised_text_and_exact_money() -> None:
    text = csv_bytes(["bidder", "price"], [["=cmd|' /C calc'!A0", Decimal("1234.50")]]).decode("utf-8")
    assert text == "\ufeffbidder,price\r\n'=cmd|' /C calc'!A0,1234.50\r\n"


def test_xlsx_cells_are_text_not_formulas() -> None:
    data = xlsx_bytes("Results", ["bidder", "price"], [["=1+1", Decimal("10.25")], ["-A1", 3]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == ["'=1+1", 10.25]
    assert sheet["A2"].data_type == "s"
    assert [c.value for c in sheet[3]] == ["'-A1", 3]


ROWS = [{"supplier": "=HYPERLINK(\"http://x\",\"click\")", "amount": Decimal("-12.50"), "note": "+44 1234"},
        {"supplier": "@SUM(A1)", "amount": Decimal("3.00"), "note": "\tTab"},
        {"supplier": "Plain Ltd", "amount": Decimal("1.00"), "note": "-minus"}]


def test_csv_export_neutralises_text_not_numbers(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_csv(path, ROWS)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["supplier"].startswith("'=HYPERLINK")
    assert rows[0]["amount"] == "-12.50"  # a negative amount is a number, not a formula
    assert rows[1]["supplier"] == "'@SUM(A1)" and rows[1]["note"] == "'\tTab"
    assert rows[2]["note"] == "'-minus"


def test_xlsx_export_keeps_numbers_numeric(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(path, ROWS)
    sheet = load_workbook(path).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["supplier", "amount", "note"]
    assert values[1][0].startswith("'=HYPERLINK") and values[1][1] == -12.5
    assert values[2][0] == "'@SUM(A1)"
