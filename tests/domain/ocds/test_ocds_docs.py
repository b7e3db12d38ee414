"""docs/ocds.md stays honest: every indicator and every red flag setting is documented."""

from dataclasses import fields
from pathlib import Path

from commonweal.domain.ocds.redflags import INDICATORS, RedFlagSettings

DOCS = Path(__file__).resolve().parents[3] / "docs" / "ocds.md"


def test_every_indicator_has_a_row_with_its_method_and_source() -> None:
    text = DOCS.read_text()
    for code, indicator in INDICATORS.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| {code} |")), None)
        assert row is not None, code
        assert indicator.title in row
        assert "Cardinal" in row


def test_every_setting_is_documented_with_its_default_and_source() -> None:
    rows = {line.split("|")[1].strip(" `"): line for line in DOCS.read_text().splitlines() if line.startswith("| `")}
    for setting in fields(RedFlagSettings):
        assert setting.name in rows, setting.name
        assert "Cardinal" in rows[setting.name] or "Commonweal default" in rows[setting.name], setting.name
