import io
from decimal import Decimal

from openpyxl import load_workbook

from commonweal.io.export import csv_bytes, neutralise, xlsx_bytes

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
