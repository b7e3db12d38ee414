from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from commonweal.io.accounts import CANONICAL_COLUMNS, read_accounts, read_contract_exposures
from commonweal.io.errors import InputError

HEADER = ",".join(CANONICAL_COLUMNS)


def _row(**values: str) -> str:
    return ",".join(values.get(c, "") for c in CANONICAL_COLUMNS)


def _write(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "accounts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_reads_pounds_and_blanks_stay_unknown(tmp_path: Path) -> None:
    row = _row(supplier="A Ltd", year_end="2024-03-31", revenue='"£1,234.50"', operating_profit="(200)")
    path = _write(tmp_path, row)
    [accounts] = read_accounts(path)
    assert accounts.supplier == "A Ltd" and accounts.year_end == dt.date(2024, 3, 31)
    assert accounts.revenue == Decimal("1234.50")
    assert accounts.operating_profit == Decimal(-200)  # accountants' brackets are negative
    assert accounts.cash is None  # blank is unknown, not zero


def test_unit_option_and_unit_column(tmp_path: Path) -> None:
    header = HEADER + ",unit"
    path = _write(tmp_path,
                  _row(supplier="A", year_end="2024-03-31", revenue="12.345") + ",",
                  _row(supplier="B", year_end="2024-03-31", revenue="12.345") + ",£",
                  header=header)
    a, b = read_accounts(path, unit="£m")
    assert a.revenue == Decimal("12345000.000")  # 12.345 £m, the option applies to a row with no unit
    assert b.revenue == Decimal("12.345")  # the row's own unit wins


def test_xlsx(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(CANONICAL_COLUMNS))
    sheet.append(["C Ltd", "", dt.date(2023, 12, 31), 5000, *([None] * (len(CANONICAL_COLUMNS) - 4))])
    path = tmp_path / "accounts.xlsx"
    book.save(path)
    [accounts] = read_accounts(path)
    assert accounts.year_end == dt.date(2023, 12, 31) and accounts.revenue == Decimal(5000)


def test_bad_cells_name_file_row_and_column_and_nothing_is_returned(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _row(supplier="Good Ltd", year_end="2024-03-31", revenue="100"),
        _row(supplier="Bad Ltd", year_end="31/03/2024", revenue="lots"),
        _row(supplier="", year_end="2024-03-31"),
        _row(supplier="Good Ltd", year_end="2024-03-31"),
    )
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    where = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert ("accounts.csv", 3, "year_end") in where  # dd/mm is never guessed
    assert ("accounts.csv", 3, "revenue") in where
    assert ("accounts.csv", 4, "supplier") in where
    assert ("accounts.csv", 5, "year_end") in where  # same supplier and year as row 2
    assert "expected an amount" in str(caught.value)
    assert "row 2" in next(p.message for p in caught.value.problems if p.row == 5)


def test_missing_column_and_bad_unit(tmp_path: Path) -> None:
    path = _write(tmp_path, "A,2024-03-31,1", header="supplier,year_end,revenue")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert ("accounts.csv", 1, "cost_of_sales") in {(p.file, p.row, p.column) for p in caught.value.problems}
    path = _write(tmp_path, _row(supplier="A", year_end="2024-03-31") + ",dollars", header=HEADER + ",unit")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "unit")]


def test_contracts_file(tmp_path: Path) -> None:
    path = tmp_path / "contracts.csv"
    path.write_text("supplier,annual_contract_value,tier,critical\nA,1000,high,yes\nB,,,no\nC,x,urgent,maybe\n")
    with pytest.raises(InputError) as caught:
        read_contract_exposures(path)
    assert {(p.row, p.column) for p in caught.value.problems} == {(4, "annual_contract_value"), (4, "tier"),
                                                                 (4, "critical")}
    path.write_text("supplier,annual_contract_value,tier,critical\nA,1000,high,yes\nB,,,no\n")
    exposures, tiers = read_contract_exposures(path)
    assert exposures["A"].annual_contract_value == Decimal(1000) and exposures["A"].critical
    assert exposures["B"].annual_contract_value is None and not exposures["B"].critical
    assert tiers == {"A": tiers["A"]} and tiers["A"].value == "high"


def test_contracts_file_names_the_row_its_spend_figures_come_from(tmp_path: Path) -> None:
    path = tmp_path / "contracts.csv"
    path.write_text("supplier,annual_contract_value,council_spend_with_supplier,council_spend_in_service_area\n"
                    "A,100,0,5000\nB,100,,\n")
    exposures, _ = read_contract_exposures(path)
    # a stated £0 is a figure the council gave, so it has a source like any other
    assert exposures["A"].council_spend_source == (
        "contracts.csv row 2: council_spend_with_supplier, council_spend_in_service_area")
    assert exposures["B"].council_spend_source == ""
