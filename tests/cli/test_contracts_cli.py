import json
import re
import shutil
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commonweal.cli.main import app
from commonweal.io.reports import render

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "contracts"


def review(*args: str):
    return CliRunner().invoke(app, ["contracts", "review", *args, "--as-of", "2026-10-31"])


def test_json_has_the_documented_shape_for_each_contract() -> None:
    result = review(str(EXAMPLES), "--format", "json")
    assert result.exit_code == 0, result.output
    contracts = {c["contract"]["id"]: c for c in json.loads(result.stdout)["contracts"]}
    assert set(contracts) == {"EBC-2025-041", "EBC-2025-017", "EBC-2024-088"}
    for item in contracts.values():
        assert {"contract", "rating", "kpis", "social_value", "triggers", "recommended_actions"} <= set(item)
        assert all({"id", "rating", "kind"} <= set(k) for k in item["kpis"])
        assert {"committed", "delivered", "status"} <= set(item["social_value"])
        assert all({"id", "fired", "explanation", "status"} <= set(t) for t in item["triggers"])
        assert isinstance(item["contract"]["value"], str)  # money stays an exact decimal string


def test_the_three_examples_tell_their_stories() -> None:
    contracts = {c["contract"]["id"]: c for c in json.loads(review(str(EXAMPLES), "--format", "json").stdout)[
        "contracts"]}
    healthy, facilities, grounds = contracts["EBC-2025-041"], contracts["EBC-2025-017"], contracts["EBC-2024-088"]

    assert healthy["rating"]["rating"] == "good"
    assert not [t for t in healthy["triggers"] if t["fired"]]
    assert healthy["recommended_actions"] == []
    # year 1: 12 jobs (£96,000) + 600 training hours (£18,000); year 2 one month in: 1 of 12 jobs (£8,000)
    assert healthy["social_value"]["due_to_date"] == "122000.00"
    assert healthy["social_value"]["delivered"] == "122000.00"

    assert not healthy["performance_notice"]["required"]  # light touch: s.52(1) and so s.71(2) do not bind
    notice = facilities["performance_notice"]
    assert notice["required"]  # £6.2m, not light touch: KPIs set under s.52(1), assessed under s.71(2)
    assert notice["period"] == {"start": "2025-11-01", "end": "2026-10-31"}
    assert [(r["kpi"], r["rating"]) for r in notice["ratings"]] == [
        ("reactive_jobs_on_time", "good"), ("planned_maintenance", "good"), ("helpdesk_answer", "good")]

    fired = {t["id"] for t in facilities["triggers"] if t["fired"]}
    assert fired == {"social_value_below_profile"}
    # verified: 1 apprentice x £15,000 + 200 hours x £20 + 1 subcontract x £20,000 = £39,000 of £274,000
    assert facilities["social_value"]["delivered"] == "39000.00"
    assert facilities["social_value"]["status"] == "inadequate"
    assert [a["option"] for a in facilities["recommended_actions"]][:2] == ["remedy_plan", "social_value_reprofiling"]
    v1 = facilities["variations"][0]
    assert v1["ground_status"] == "does not hold" and v1["value_change_pct"] == "14.52"  # 900,000 / 6,200,000
    assert v1["change_notice_required"] and not v1["change_notice_published"]

    fired = {t["id"] for t in grounds["triggers"] if t["fired"]}
    assert {"provider_loss_making", "provider_inflation_pressure", "volumes_off_tender"} <= fired
    # volumes speak for both sides; loss and inflation for the provider; KPI misses for the council
    assert grounds["not_working_for"] == {
        "council": ["kpi_consecutive_misses", "volumes_off_tender"],
        "provider": ["provider_loss_making", "provider_inflation_pressure", "volumes_off_tender"]}
    assert grounds["warnings"] and "s.52(1)" in grounds["warnings"][0]
    assert "variation" in [a["option"] for a in grounds["recommended_actions"]]


def test_bad_return_exits_with_file_row_column_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "contracts" / "healthy"
    shutil.copytree(EXAMPLES / "healthy-home-care", folder)
    with (folder / "kpi_returns.csv").open("a") as handle:
        handle.write("2026-09-01,unknown_kpi,5,\n")
    out = tmp_path / "packs"
    result = review(str(folder), "--out", str(out))
    assert result.exit_code == 2
    stderr = " ".join(result.stderr.split())  # the console may wrap long lines
    assert "Nothing was saved or written" in stderr
    assert "healthy/kpi_returns.csv, row 38, column 'kpi': unknown KPI 'unknown_kpi'" in stderr
    assert not out.exists()


def pdf_text_objects(pdf: bytes) -> bytes:
    """The PDF's decompressed streams: WeasyPrint writes headings as bookmark titles in them."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def test_review_pack_is_written_as_html_and_pdf(tmp_path: Path) -> None:
    result = review(str(EXAMPLES / "grounds-loss-making" / "contract.yaml"), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "EBC-2024-088.html").read_text()
    assert "<title>Contract review: Grounds maintenance and street cleansing</title>" in html
    provider_side = html.split("What is not working for the provider")[1].split("Recommended actions")[0]
    assert "Contract loss-making for the provider</strong>: margin -3.6% in 2026-09" in provider_side
    assert "Consecutive KPI misses" not in provider_side  # a council-side trigger
    assert "Cannot sustain current crews at this price beyond March" in html  # the provider's own words
    pdf = (tmp_path / "EBC-2024-088.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5000
    assert b"Contract review: Grounds maintenance and street cleansing" in pdf_text_objects(pdf)


def test_a_failed_pdf_leaves_no_pack_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail_on_second(html: str, path: Path) -> Path:
        if any(tmp_path.rglob("*.pdf")):
            raise OSError("disk full")
        path.write_bytes(b"%PDF-stub")
        return path

    monkeypatch.setattr(render, "write_pdf", fail_on_second)
    result = review(str(EXAMPLES), "--out", str(tmp_path / "packs"))
    assert isinstance(result.exception, OSError)
    assert list(tmp_path.iterdir()) == []  # neither the packs folder nor the staging folder is left


def test_provider_returns_are_carried_into_the_review() -> None:
    result = review(str(EXAMPLES / "grounds-loss-making"), "--format", "json")
    [grounds] = json.loads(result.stdout)["contracts"]
    reports = {r["period"]: r for r in grounds["provider"]["reports"]}
    assert len(reports) == 12  # one provider report a month, October 2025 to September 2026
    assert reports["2026-09"] == {"period": "2026-09", "cost_growth_pct": "7.9", "volume": "1260",
                                  "workforce_fte": "41", "vacancies": "3", "margin_pct": "-3.6",
                                  "cost_pressures": "Cannot sustain current crews at this price beyond March"}
    assert reports["2025-11"]["margin_pct"] is None  # not shared that month, never filled in


def test_text_summary_names_rating_triggers_and_actions() -> None:
    result = review(str(EXAMPLES / "facilities-social-value"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "EBC-2025-017  Facilities management, civic buildings  (Civic Estates Services Ltd)"
    assert "  rating: inadequate" in lines
    assert "  social value: £39,000 verified of £274,000 due (£274,000 committed): inadequate" in lines
    assert "  consider: Re-profiling of social value" in lines
