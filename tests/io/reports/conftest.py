"""The shipped example tender, evaluated and rendered once per test session (PDF rendering takes seconds)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from commonweal.services.evaluation import TenderEvaluation, evaluate_folder
from commonweal.services.reports import write_evaluation_report

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "home-care-tender"
REPORT_DATE = dt.date(2026, 11, 24)


@pytest.fixture(scope="session")
def example_evaluation() -> TenderEvaluation:
    return evaluate_folder(EXAMPLE)


@pytest.fixture(scope="session")
def example_report(example_evaluation: TenderEvaluation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    written = write_evaluation_report(example_evaluation, out, REPORT_DATE)
    assert all(path.is_file() for path in written)
    return out
