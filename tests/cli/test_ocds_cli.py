"""`commonweal ocds ...` end to end through the Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from commonweal.cli.main import app

REPO = Path(__file__).resolve().parents[2]
FOUR_DAYS = {"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-01-05T00:00:00Z"}
RELEASES = [
    {"ocid": "ocds-x-2", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"], "initiationType": "tender",
     "parties": [], "tender": {"id": "t", "title": "Meals", "procurementMethod": "open", "tenderPeriod": FOUR_DAYS}},
    {"ocid": "ocds-x-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"], "initiationType": "tender",
     "parties": [], "tender": {"id": "t", "title": "Care"}},
    {"ocid": "ocds-x-1", "id": "2", "date": "2024-02-01T00:00:00Z", "tag": ["tenderUpdate"], "initiationType": "tender",
     "parties": [], "tender": {"id": "t", "title": "Home care"}},
]


def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "releases.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RELEASES))
    return path


def test_compile_prints_one_compiled_release_per_ocid_in_ocid_order(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ocds", "compile", str(jsonl(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [c["ocid"] for c in lines] == ["ocds-x-1", "ocds-x-2"]
    assert lines[0]["tender"]["title"] == "Home care"  # the later release wins
    assert lines[0]["id"] == "ocds-x-1-2024-02-01T00:00:00Z"


def test_compile_in_worker_processes_prints_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commonweal.services import ocds

    monkeypatch.setattr(ocds, "PARALLEL_FROM_OCIDS", 2)  # two ocids are enough to fork for
    one = CliRunner().invoke(app, ["ocds", "compile", str(jsonl(tmp_path)), "--jobs", "1"])
    for jobs in (["--jobs", "2"], []):  # the default: one worker per CPU
        result = CliRunner().invoke(app, ["ocds", "compile", str(jsonl(tmp_path)), *jobs])
        assert result.exit_code == 0, result.output
        assert result.stdout == one.stdout
    assert [json.loads(line)["ocid"] for line in one.stdout.splitlines()] == ["ocds-x-1", "ocds-x-2"]


def test_compile_pads_glibcs_heap() -> None:
    from commonweal.cli.ocds import _pad_the_heap

    assert _pad_the_heap() is True  # Commonweal's machines run glibc, whose malloc takes the pad


def test_compile_versioned(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ocds", "compile", "--versioned", str(jsonl(tmp_path))])
    first = json.loads(result.stdout.splitlines()[0])
    assert [v["value"] for v in first["tender"]["title"]] == ["Care", "Home care"]


def test_compile_to_a_file_writes_nothing_when_the_input_is_bad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(RELEASES[0]) + '\n{"ocid": "ocds-x-3", "date": }\n')
    out = tmp_path / "compiled.jsonl"
    result = CliRunner().invoke(app, ["ocds", "compile", str(bad), "--output", str(out)])
    assert result.exit_code == 2
    # `{"ocid": "ocds-x-3", "date": ` is 29 characters, so the stray `}` is column 30 (stderr is wrapped by Rich)
    assert "bad.jsonl, row 2, column '30': malformed JSON" in " ".join(result.stderr.split())
    assert not out.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_import_then_flags(tmp_path: Path) -> None:
    db = tmp_path / "ocds.duckdb"
    result = CliRunner().invoke(app, ["ocds", "import", str(jsonl(tmp_path)), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "imported 3 releases, 2 contracting processes" in result.stdout
    flags = CliRunner().invoke(app, ["ocds", "flags", str(jsonl(tmp_path)), "--format", "json"])
    data = json.loads(flags.stdout)
    # ocds-x-2: open procedure, tender period 4 days < Cardinal's 15
    assert [f["code"] for f in data["processes"]["ocds-x-2"]] == ["R003"]
    assert data["processes"]["ocds-x-1"] == []
    relaxed = CliRunner().invoke(app, ["ocds", "flags", str(jsonl(tmp_path)), "--format", "json",
                                       "--set", "r003_threshold_days=3"])
    assert json.loads(relaxed.stdout)["processes"]["ocds-x-2"] == []
    # the same flags over what was imported
    imported = CliRunner().invoke(app, ["ocds", "flags", "--db", str(db), "--format", "json"])
    assert json.loads(imported.stdout)["processes"] == data["processes"]


def test_export_writes_a_package(tmp_path: Path) -> None:
    out = tmp_path / "package.json"
    result = CliRunner().invoke(app, [
        "ocds", "export", str(REPO / "examples" / "home-care-tender"),
        "--contract", str(REPO / "examples" / "ocds" / "home-care-lot-1-contract"),
        "--published", "2027-06-01T00:00:00Z", "--output", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert "libcoveocds: 0 errors" in result.stdout
    package = orjson.loads(out.read_bytes())
    assert package["publishedDate"] == "2027-06-01T00:00:00Z"
    assert len(package["releases"]) == 2


def test_flags_refuses_a_setting_that_is_not_a_number(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ocds", "flags", str(jsonl(tmp_path)), "--set", "r003_threshold_days=soon"])
    assert result.exit_code == 2
    assert "expects a number, got 'soon'" in " ".join(result.output.split())
