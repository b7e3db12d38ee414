"""docs/socialvalue.md keeps up with the code: every check, unit, default and rate it documents is the real one."""

from __future__ import annotations

from pathlib import Path

from commonweal.domain.socialvalue import core_values, delivery, washing
from commonweal.domain.socialvalue.library import UNITS
from commonweal.domain.socialvalue.maturity import QUESTIONS
from commonweal.domain.socialvalue.sroi import GREEN_BOOK_DISCOUNT_RATES

DOC = (Path(__file__).resolve().parents[3] / "docs" / "socialvalue.md").read_text(encoding="utf-8")


def test_every_anti_washing_check_is_documented() -> None:
    assert len(washing.CHECKS) == 5
    for check in washing.CHECKS:
        assert f"`{check}`" in DOC


def test_documented_defaults_match_the_code() -> None:
    assert f"at most {core_values.DEFAULT_CORE_VALUE_LIMIT} core values" in DOC
    assert f"{washing.DEFAULT_MAX_SHARE_OF_CONTRACT_VALUE * 100:.0f}% (Commonweal default" in DOC
    green, amber = delivery.DEFAULT_GREEN_AT * 100, delivery.DEFAULT_AMBER_AT * 100
    assert f"green from {green:.0f}%, amber from {amber:.0f}%" in DOC
    for first, last, rate in GREEN_BOOK_DISCOUNT_RATES:
        assert f"{rate * 100:.1f}% " in DOC and f"{first}–{last}" in DOC
    assert f"asks {len(QUESTIONS)} questions" in DOC
    for unit in UNITS:
        assert f"`{unit}`" in DOC
