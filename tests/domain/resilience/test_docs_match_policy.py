"""docs/resilience.md must state the thresholds the code ships (datasette-style: tests keep the docs honest)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from commonweal.domain.resilience.metrics import METRICS
from commonweal.domain.resilience.policy import DEFAULT_THRESHOLDS, PPN_AVERAGE_PAYMENT_DAYS, ContractTier

DOC = Path(__file__).resolve().parents[3] / "docs" / "resilience.md"


def _numbers(cell: str) -> list[Decimal]:
    """`≥ 5% / < 0%` -> [0.05, 0]; `same` -> []."""
    found = []
    for number, percent in re.findall(r"(−?-?\d+(?:\.\d+)?)(%?)", cell.replace("−", "-")):
        value = Decimal(number)
        found.append(value / 100 if percent else value)
    return found


def test_threshold_table_matches_default_policy() -> None:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6:
            rows[cells[0]] = cells
    checked = 0
    for metric in METRICS:
        cells = next(cells for label, cells in rows.items() if f"(`{metric.key}`)" in label)
        previous: list[Decimal] = []
        for tier, cell in zip(ContractTier, cells[3:], strict=True):
            stated = _numbers(cell) or previous  # "same" repeats the tier to its left
            threshold = DEFAULT_THRESHOLDS[tier][metric.key]
            expected = [threshold.green] + ([threshold.red] if threshold.red is not None else [])
            assert stated == expected, (metric.key, tier, cell)
            previous = stated
            checked += 1
    assert checked == len(METRICS) * 3


def test_payment_benchmark_is_the_documented_one() -> None:
    assert Decimal(55) == PPN_AVERAGE_PAYMENT_DAYS
    assert "above **55 days**" in DOC.read_text(encoding="utf-8")
