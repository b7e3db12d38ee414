from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from commonweal.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "suppliers"


def test_assess_json_shape_on_the_shipped_example() -> None:
    result = CliRunner().invoke(app, ["suppliers", "assess", str(EXAMPLE / "accounts.csv"), "--format", "json",
                                      "--contracts", str(EXAMPLE / "contracts.csv")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["assessments"]) == 6  # two suppliers, three years each
    for year in data["assessments"]:
        assert {"supplier", "year_end", "rating", "altman_z2", "metrics", "reasons"} <= year.keys()
        for metric in year["metrics"].values():
            assert {"value", "rating", "threshold"} <= metric.keys()
    keystone_2023 = next(y for y in data["assessments"]
                         if y["supplier"] == "Keystone Outsourcing plc" and y["year_end"] == "2023-12-31")
    assert keystone_2023["rating"] == "red"
    # equity −200 £m from the £m unit column: exact pounds as a string
    assert keystone_2023["metrics"]["net_assets"]["value"] == "-200000000.00"
    assert keystone_2023["metrics"]["net_debt_to_ebitda"]["value"] == "missing"  # EBITDA −150 + 45 < 0
    assert keystone_2023["metrics"]["net_debt_to_ebitda"]["rating"] == "red"
    assert keystone_2023["reasons"][0]["rating"] == "red"
    # register: most severe first, the distressed supplier before the healthy one
    assert [r["supplier"] for r in data["register"]] == ["Keystone Outsourcing plc", "Greenway Community Care Ltd"]
    assert [r["rating"] for r in data["register"]] == ["red", "green"]
    assert len(data["register"][0]["checklist"]) == 6  # both services are marked critical


def test_assess_table_and_contract_value_option() -> None:
    result = CliRunner().invoke(app, ["suppliers", "assess", str(EXAMPLE / "accounts.csv"),
                                      "--contract-value", "2,000,000", "--tier", "high"])
    assert result.exit_code == 0, result.output
    assert "Keystone Outsourcing plc" in result.stdout and "RED" in result.stdout
    assert "Altman Z''" in result.stdout


def test_bad_file_exits_2_naming_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "accounts.csv"
    lines = (EXAMPLE / "accounts.csv").read_text().splitlines()
    lines[2] = lines[2].replace("2023-03-31", "31/03/2023")
    bad.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["suppliers", "assess", str(bad), "--format", "json"])
    assert result.exit_code == 2
    assert "accounts.csv, row 3, column 'year_end'" in result.output
    assert result.stdout.strip() == "" or "assessments" not in result.stdout


def test_assess_companies_house_ixbrl() -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "ixbrl" / "hollybrook-care-2024.html"
    result = CliRunner().invoke(app, ["suppliers", "assess", str(fixture), "--format", "json"])
    assert result.exit_code == 0, result.output
    years = json.loads(result.stdout)["assessments"]
    assert [y["year_end"] for y in years] == ["2023-03-31", "2024-03-31"]
    assert years[1]["metrics"]["operating_margin"]["value"] == 0.075  # 180,000 / 2,400,000
    # no cash-flow statement in the filing: missing, with the reason
    assert years[1]["metrics"]["free_cash_flow_to_net_debt"]["value"] == "missing"
    assert "operating cash flow" in years[1]["metrics"]["free_cash_flow_to_net_debt"]["missing_because"]
