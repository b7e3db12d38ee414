"""Classification accuracy against the ground truth the corpus carries, with the councils' flags withheld.

The floors are the figures measured on 2026-11-24 (docs/market.md), rounded down: a change to the rules that
makes classification worse fails here.
"""

from pathlib import Path

import pytest

from commonweal.services.spend import accuracy_of_files

FLOORS = {"devon_2014-07.csv": 0.51, "calderdale_2022-08.csv": 0.93, "salford_contracts_2022-07.csv": 0.49}


@pytest.mark.corpus
def test_classification_accuracy_floor(shared_data: Path) -> None:
    results = accuracy_of_files([shared_data / "spend" / name for name in FLOORS])
    for name, floor in FLOORS.items():
        assert results[name]["suppliers"] > 200, name
        assert results[name]["accuracy"] >= floor, (name, results[name])
