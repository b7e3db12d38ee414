"""`commonweal notices build|validate` over the example folders."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from commonweal.cli.main import app

REPO = Path(__file__).resolve().parents[2]
TENDER = REPO / "examples" / "home-care-tender"
CONTRACT = REPO / "examples" / "contracts" / "facilities-social-value"


def test_build_then_validate(tmp_path: Path) -> None:
    out = tmp_path / "notices.json"
    built = CliRunner().invoke(
        app,
        [
            "notices",
            "build",
            "--tender",
            str(TENDER),
            "--contract",
            str(CONTRACT),
            "--as-of",
            "2026-11-30",
            "--ocid-prefix",
            "ocds-test",
            "--output",
            str(out),
        ],
    )
    assert built.exit_code == 0, built.output
    assert "libcoveocds: 0 errors" in built.output
    checked = CliRunner().invoke(app, ["notices", "validate", str(out)])
    assert checked.exit_code == 0, checked.output
    assert [line.split("\t")[0] for line in checked.output.splitlines()[:-1]] == [
        "UK2",
        "UK4",
        "UK6",
        "UK7",
        "UK9",
        "UK10",
    ]


def test_validate_reports_errors_with_exit_code_1(tmp_path: Path) -> None:
    out = tmp_path / "notices.json"
    CliRunner().invoke(app, ["notices", "build", "--tender", str(TENDER), "--output", str(out)])
    package = json.loads(out.read_text())
    package["releases"][0]["tender"]["lots"][0]["suitability"]["sme"] = "yes"
    out.write_text(json.dumps(package))
    checked = CliRunner().invoke(app, ["notices", "validate", str(out)])
    assert checked.exit_code == 1
    assert "suitability/sme" in checked.output


def test_bad_notices_yaml_names_the_key(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "tender"
    shutil.copytree(TENDER, folder)
    (folder / "notices.yaml").write_text("above_threshold: perhaps\ncategory: paintings\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["notices", "build", "--tender", str(folder)])
    assert result.exit_code == 2
    assert "above_threshold" in result.output and "paintings" in result.output


def test_build_a_pipeline_notice_from_a_planned_tender_folder(tmp_path: Path) -> None:
    planned = REPO / "examples" / "planned" / "leisure-centres"
    out = tmp_path / "pipeline.json"
    built = CliRunner().invoke(app, ["notices", "build", "--planned", str(planned), "--pipeline-year", "2027",
                                     "--ocid-prefix", "ocds-test", "--output", str(out)])
    assert built.exit_code == 0, built.output
    checked = CliRunner().invoke(app, ["notices", "validate", str(out)])
    assert checked.exit_code == 0 and checked.output.splitlines()[0] == "UK1\tocds-test-pipeline-2027"
    refused = CliRunner().invoke(app, ["notices", "build", "--planned", str(planned)])
    assert refused.exit_code != 0 and "--pipeline-year" in refused.output


def test_the_demo_builds_and_validates_one_notice_of_each_type(tmp_path: Path) -> None:
    """The README's demo (scripts/demo.sh) shows every notice type built from the shipped examples and validated
    offline (issue #19, "Done when"): its notices step, run as the script runs it, prints each type with 0 errors."""
    import os
    import subprocess
    import sys

    from commonweal.domain.notices.kinds import NoticeType

    repo = Path(__file__).resolve().parents[2]
    script = (repo / "scripts" / "demo.sh").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(script) if line.startswith('heading "Procurement Act 2023 notices'))
    end = next(i for i, line in enumerate(script) if line.startswith("for package in "))
    (tmp_path / "examples").symlink_to(repo / "examples")
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(script[start + 1 : end + 1])], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600, check=False,
                         env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert run.returncode == 0, run.stderr[-3000:]
    shown = {line.split("\t")[0] for line in run.stdout.splitlines() if "\t" in line}
    assert shown == {t.value for t in NoticeType}, run.stdout
    assert run.stdout.count("0 errors") == 6, run.stdout  # three packages built, the three validated
