"""The one money formatter and the one red/amber/green vocabulary (#21 item 8)."""

from decimal import Decimal as D

import pytest

from commonweal.domain.numbers import money
from commonweal.domain.rag import COLOURS, Rag, worst


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (D("3740000"), 2, "£3,740,000.00"),
        (D("-1234.5"), 2, "−£1,234.50"),
        (D("-1234567.8"), 0, "−£1,234,568"),
        (D("5000000"), None, "£5,000,000"),
        (D("12.5"), None, "£12.50"),
        (D("-0.001"), 2, "£0.00"),
        (D("1E+6"), None, "£1,000,000"),
        (None, 2, "–"),
    ],
)
def test_money_styles(value: D | None, places: int | None, text: str) -> None:
    assert money(value, places) == text


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        money(1.5)  # type: ignore[arg-type]


def test_worst_ignores_missing_unless_nothing_was_rated() -> None:
    assert worst([Rag.GREEN, Rag.MISSING, Rag.AMBER]) is Rag.AMBER
    assert worst([Rag.MISSING]) is Rag.MISSING
    assert worst([]) is Rag.MISSING
    assert Rag.MISSING not in COLOURS
    assert Rag("red") is Rag.RED
