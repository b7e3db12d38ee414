"""The back-test table in docs/resilience.md is what the method gives on the published figures in
tests/fixtures/resilience/backtest.csv (each row names its sources; blank cells were not found in one)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from commonweal.domain.resilience import ContractTier, risk_register
from commonweal.io.accounts import read_accounts

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "resilience" / "backtest.csv"
DOC = ROOT / "docs" / "resilience.md"
COMPANIES = ("Carillion plc", "Interserve Plc", "Southern Cross Healthcare Group PLC",
             "Four Seasons Health Care Limited", "Compass Group PLC", "Kier Group plc", "Serco Group plc",
             "Mears Group PLC")


def _documented() -> dict[tuple[str, str], str]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] in COMPANIES:
            rows[(cells[0], cells[1])] = cells[4]
    return rows


def test_every_row_names_its_sources() -> None:
    rows = list(csv.DictReader(FIXTURE.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 17
    assert all(row["sources"].count("http") >= 1 and row["outcome"] for row in rows)


def test_the_documented_back_test_is_what_the_method_gives() -> None:
    register = risk_register(read_accounts(FIXTURE), default_tier=ContractTier.MEDIUM)
    computed = {(risk.supplier, year.accounts.year_end.isoformat()): year.rating.value
                for risk in register for year in risk.years}
    assert computed == _documented()
    outcome = {row["supplier"]: row["outcome"].split(":")[0]
               for row in csv.DictReader(FIXTURE.read_text(encoding="utf-8").splitlines())}
    latest = {kind: Counter(risk.latest.rating.value for risk in register if outcome[risk.supplier] == kind)
              for kind in ("failed", "sound")}
    assert latest == {"failed": Counter({"red": 2, "amber": 1, "green": 1}),
                      "sound": Counter({"amber": 1, "green": 3})}
    assert Counter(computed.values()) == Counter({"red": 4, "amber": 2, "green": 10, "missing": 1})
