"""notices.yaml through the one structured-input layer: every problem names the file and the key, nothing is
guessed, and an absent file means nothing recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.io.errors import InputError
from commonweal.io.notices import read_contract_settings, read_tender_settings


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notices.yaml").write_text(text, encoding="utf-8")
    return folder


def test_an_absent_file_records_nothing(tmp_path: Path) -> None:
    settings = read_tender_settings(tmp_path)
    assert settings.facts.engagement is None and settings.assessment_summaries_sent is None
    assert settings.facts.above_threshold is False
    assert read_contract_settings(tmp_path).end is None


def test_contract_settings_are_read_exactly(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "c",
        "procurement: T-1\nsme: true\nended:\n  date: 2026-11-20\n  reason: Expired\n"
        "  final_value: 1210000.10\nfailures:\n  - {id: f1, requirement: R, "
        "description: D, penalty_type: imposed, penalty_value: '£1,500.00'}\n",
    )
    settings = read_contract_settings(folder)
    assert settings.end is not None and settings.end.final_value == Decimal("1210000.10")
    assert settings.end.ended_on == dt.date(2026, 11, 20)
    assert settings.failures[0].penalty_value == Decimal("1500.00") and settings.sme is True


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("above_threshold: yes please\n", "above_threshold"),
        ("category: paintings\n", "category"),
        ("engagement: {description: Events}\n", "engagement.closes_on"),
        ("termination: 2026-01-01\n", "termination"),
        ("tender_period_end: 2026-02-30\n", "notices.yaml"),
        ("a: &x 1\nb: *x\n", "notices.yaml"),
    ],
)
def test_bad_tender_settings_name_the_key(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(InputError) as raised:
        read_tender_settings(write(tmp_path / "t", text))
    assert where in str(raised.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("failures:\n  - {id: f1, requirement: R, description: D, penalty_type: fined}\n", "failures[0].penalty_type"),
        ("ended: {date: 2026-01-01}\n", "ended.reason"),
        ("sme: 1\n", "sme"),
    ],
)
def test_bad_contract_settings_name_the_key(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(InputError) as raised:
        read_contract_settings(write(tmp_path / "c", text))
    assert where in str(raised.value)
