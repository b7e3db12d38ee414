import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from commonweal.io.export import neutralise, write_csv, write_xlsx

ROWS = [{"supplier": "=HYPERLINK(\"http://x\",\"click\")", "amount": Decimal("-12.50"), "note": "+44 1234"},
        {"supplier": "@SUM(A1)", "amount": Decimal("3.00"), "note": "\tTab"},
        {"supplier": "Plain Ltd", "amount": Decimal("1.00"), "note": "-minus"}]


def test_formula_prefixes_are_quoted() -> None:
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Plain") == "Plain" and neutralise(Decimal("-1")) == Decimal("-1")


def test_csv_export_neutralises_text_not_numbers(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_csv(path, ROWS)
    with path.open(newline="", encoding="utf-8") as handle:
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
