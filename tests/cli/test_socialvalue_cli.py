"""`commonweal socialvalue ...` and `commonweal maturity`: JSON shapes, tables and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commonweal.cli import socialvalue as socialvalue_cli
from commonweal.cli.main import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
runner = CliRunner()


def run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_measures_json_lists_every_measure_with_source_and_licence() -> None:
    data = run_json("socialvalue", "measures")
    library = data["library"]
    assert isinstance(library, dict) and library["version"] == "2026.1" and len(library["content_hash"]) == 64
    measures = data["measures"]
    assert isinstance(measures, list) and len(measures) == 27
    first = measures[0]
    assert {"id", "unit", "proxy_gbp", "record_only", "price_year", "source", "licence", "licence_marking",
            "evidence_required"} <= set(first)
    assert first["proxy_gbp"] == "9800"  # money is an exact string, never a float


def test_measures_rebased_say_why_a_value_cannot_be_rebased() -> None:
    data = run_json("socialvalue", "measures", "--rebase-to", "2024")
    by_id = {m["id"]: m for m in data["measures"]}  # type: ignore[attr-defined]
    assert by_id["CO2-DESNZ-2024"]["rebased_gbp"] == "297.20"
    assert by_id["EMP-JSA-FISCAL"]["rebased_gbp"] is None
    assert "2012/13 not in" in by_id["EMP-JSA-FISCAL"]["rebase_note"]
    assert by_id["TRAIN-WEEK"]["rebase_note"].startswith("record only")


def test_a_restricted_library_is_marked_in_the_table(tmp_path: Path) -> None:
    (tmp_path / "toms.csv").write_text(
        "measure_id,theme,outcome,measure,unit,proxy_gbp,price_year,source_title,licence\n"
        "NT1,Jobs,Work,Local FTE,person_year,100,2024,National TOMs 2024,CC BY-NC-ND 4.0\n", encoding="utf-8")
    result = runner.invoke(app, ["socialvalue", "measures", "--library", str(tmp_path / "toms.csv")])
    assert result.exit_code == 0, result.output
    assert "LICENCE: NON-COMMERCIAL USE ONLY" in result.stdout


def test_a_bad_library_fails_with_file_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(
        "measure_id,theme,outcome,measure,unit,proxy_gbp,price_year,source_title,licence\n"
        "X,Jobs,Work,x,furlong,1,2024,src,OGL\n", encoding="utf-8")
    result = runner.invoke(app, ["socialvalue", "measures", "--library", str(tmp_path / "bad.csv")])
    assert result.exit_code == 2
    assert "bad.csv, row 2, column 'unit': unknown unit 'furlong'" in result.stderr


def test_commitments_json_reports_each_bid_with_flags() -> None:
    data = run_json("socialvalue", "commitments", str(EXAMPLES / "home-care-tender"))
    bids = data["bids"]
    assert isinstance(bids, list) and len(bids) == 10
    harbour = next(b for b in bids if b["bidder"] == "Harbour Healthcare Group plc" and b["lot"] == "1")
    # 150 × £9,800 + 150 × £4,335 = £2,120,250.00; 2,120,250 / 2,650,000 = 80.01% of the bid price
    assert harbour["social_value_gbp"] == "2120250.00"
    assert harbour["share_of_bid_price_percent"] == "80.01"
    assert {f["check"] for f in harbour["flags"]} == {
        "share_of_contract_value", "implausible_quantity", "double_counting", "no_owner_or_milestone"}
    clean = [b for b in bids if b["bidder"] != "Harbour Healthcare Group plc" or b["lot"] != "1"]
    assert all(b["flags"] == [] for b in clean)
    assert data["library"]["content_hash"]  # type: ignore[index]


def test_sroi_json_has_the_ratios_and_sensitivity() -> None:
    data = run_json("socialvalue", "sroi", str(EXAMPLES / "socialvalue" / "impact-map.yaml"))
    assert {"present_value", "ratio", "net_ratio", "sensitivity", "investment", "discount_rates"} <= set(data)
    assert data["investment"] == "120000"
    assert float(data["ratio"]) > 1  # type: ignore[arg-type]
    row = data["sensitivity"][0]  # type: ignore[index]
    assert {"outcome", "assumption", "current", "break_even", "reachable", "ratio_below_1_when"} <= set(row)
    assert "Green Book" in data["discount_rates"]["source"]  # type: ignore[index]


def test_delivery_json_rates_each_commitment() -> None:
    data = run_json("socialvalue", "delivery", str(EXAMPLES / "socialvalue" / "awarded-commitments.csv"),
                    str(EXAMPLES / "socialvalue" / "delivery-returns.csv"))
    (contract,) = data["contracts"]  # type: ignore[misc]
    # 2 of 3 verified jobs (the offer letter is unverified): 67% → red
    jobs = contract["commitments"][0]
    assert (jobs["delivered_units"], jobs["unverified_units"], jobs["rag"]) == ("2", "1", "red")
    assert contract["rag"] in {"red", "amber", "green"}


def test_maturity_from_an_answers_file() -> None:
    data = run_json("maturity", "--answers", str(EXAMPLES / "socialvalue" / "maturity-answers.csv"))
    # answers score 2,1,1,2,1,0,1,0,0,2,1,0 = 11; 11 / 12 = 0.92 → "slightly"
    assert (data["level"], data["mean_score"]) == ("slightly", "0.92")
    assert data["benchmark"]["shares_percent"] == {  # type: ignore[index]
        "not at all": "0", "slightly": "64", "moderately": "32", "significantly": "4"}
    assert len(data["next_steps"]) == 12  # type: ignore[arg-type]


def test_maturity_without_a_terminal_asks_for_a_file() -> None:
    result = runner.invoke(app, ["maturity"])
    assert result.exit_code == 2
    assert "--answers" in result.stderr


def test_sroi_table_shows_the_ratio() -> None:
    result = runner.invoke(app, ["socialvalue", "sroi", str(EXAMPLES / "socialvalue" / "impact-map.yaml")])
    assert result.exit_code == 0
    assert "SROI ratio" in result.stdout and "break-even" in result.stdout


def test_measures_csv_export_carries_the_licence_on_every_row(tmp_path: Path) -> None:
    (tmp_path / "toms.csv").write_text(
        "measure_id,theme,outcome,measure,unit,proxy_gbp,price_year,source_title,licence\n"
        "NT1,Jobs,Work,Local FTE,person_year,100,2024,National TOMs 2024,CC BY-NC-ND 4.0\n"
        "NT2,Jobs,Work,Local apprentice,person_year,,2024,National TOMs 2024,CC BY-NC-ND 4.0\n", encoding="utf-8")
    result = runner.invoke(app, ["socialvalue", "measures", "--library", str(tmp_path / "toms.csv"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["NT1", "NT2"]
    assert all(r["licence"] == "CC BY-NC-ND 4.0" and "NON-COMMERCIAL" in r["licence_marking"] for r in rows)


def test_maturity_asks_each_question_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socialvalue_cli, "_is_terminal", lambda: True)
    answers = ["significantly"] * 11 + ["moderately"]
    result = runner.invoke(app, ["maturity", "--format", "json"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{"):])
    # eleven at 3 and one at 2: 35 / 12 = 2.92 → "significantly", where 4% of delegates placed theirs
    assert (data["level"], data["mean_score"]) == ("significantly", "2.92")
    assert data["benchmark"]["below_percent"] == "96"
