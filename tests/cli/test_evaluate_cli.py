"""`commonweal evaluate` end to end on the shipped example."""

import csv
import io
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from commonweal.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"
runner = CliRunner()


def test_json_has_the_documented_shape() -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [lot["lot"] for lot in data["lots"]] == ["1", "2"]
    for lot in data["lots"]:
        for entry in lot["ranking"]:
            assert {"bidder", "rank", "total", "scores", "flags"} <= set(entry)
            assert set(entry["scores"]) == {"price", "quality", "social_value"}
        assert {"win_probability", "tipping_points", "winner_by_formula", "rank_reversal"} <= set(lot["sensitivity"])
    lot2 = data["lots"][1]
    # the example's close finish in lot 2: Calder leads Fernbridge by 0.06 and sensitivity shows how fragile that is
    assert [e["bidder"] for e in lot2["ranking"][:2]] == [
        "Calder Community Care CIC",
        "Fernbridge Carers Co-operative Ltd",
    ]
    assert lot2["recommendation"]["margin"] == 0.06
    assert lot2["sensitivity"]["win_probability"]["Calder Community Care CIC"] < 0.9
    assert lot2["sensitivity"]["rank_reversal"] == [
        {"removed": "Harbour Healthcare Group plc", "new_winner": "Fernbridge Carers Co-operative Ltd"}
    ]
    # the abnormally low bid in lot 1 has a recorded decision, so the ranking is final
    lot1 = data["lots"][0]
    assert lot1["final"] and lot1["abnormally_low"][0]["bidder"] == "Harbour Healthcare Group plc"
    assert lot1["abnormally_low"][0]["decision"] == "accepted"
    # money is exact text, never a float
    assert lot1["ranking"][0]["price"] == "3740000.00"


def test_csv_lists_every_bid_of_every_lot() -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 10
    excluded = [r for r in rows if r["excluded"] == "yes"]
    assert [(r["lot"], r["bidder"]) for r in excluded] == [("2", "Meadowside Care Services Ltd")]


def test_table_shows_the_ranking() -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE)])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    # social value: SV1 5/5 x 6 + SV2 4/5 x 3.75 + SV3 4/5 x 2.25 + SV4 3 (£62,655.30 is above the £39,200 cap,
    # so full marks) = 6 + 3 + 1.80 + 3 = 13.80; total 28.34 + 37.35 + 13.80 = 79.49
    assert "│ 1 │ Calder Community Care CIC │ £3,740,000 │ 28.34 │ 37.35 │ 13.80 │ 79.49 │" in text
    assert "out │ Meadowside Care Services Ltd" in text
    assert (
        "Removing Harbour Healthcare Group plc's tender would make Fernbridge Carers Co-operative Ltd the winner"
        in text
    )


def test_bad_input_exits_2_names_the_place_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "tender"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "scores.csv").read_text().splitlines()
    parts = text[3].split(",")
    parts[4] = "9"
    text[3] = ",".join(parts)
    (folder / "scores.csv").write_text("\n".join(text) + "\n")
    out = tmp_path / "report"
    result = runner.invoke(app, ["evaluate", str(folder), "--out", str(out)])
    assert result.exit_code == 2
    assert "scores.csv, row 4, column 'score': score 9 is not on scale 0-5" in result.stderr
    assert not out.exists()
