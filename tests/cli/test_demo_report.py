"""`commonweal demo --out DIR`: evaluate the shipped example and write the whole report, end to end."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from commonweal.cli.main import app


def test_demo_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Calder Community Care CIC" in result.stdout
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "<title>Tender evaluation report" in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "award-recommendation.pdf").is_file()
    # 2 lots × 5 bidders, each summary in HTML and PDF
    assert len(list((out / "summaries").glob("*.html"))) == 10
    assert len(list((out / "summaries").glob("*.pdf"))) == 10
