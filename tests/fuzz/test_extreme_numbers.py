"""Extreme but well-formed numbers (the largest and smallest the readers accept, zero, negatives) in every numeric
field of the shipped examples, carried through the services that use them: a reader refuses them (InputError) or
the whole computation and its JSON complete; never a `decimal.InvalidOperation` or other traceback. (This is how
the 6-decimal-place and £10^15 accounts bounds were found: 10^-19 as revenue overflowed a ratio.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from commonweal.services.contracts import review_contracts
from commonweal.services.socialvalue import sroi_report
from commonweal.services.suppliers import AssessmentRequest, assess_suppliers, register_as_dict
from tests.fuzz.support import FUZZ, never_crashes

ROOT = Path(__file__).resolve().parents[2] / "examples"
EXTREMES = ["99999999999999999999", "-99999999999999999999", "99999999999999.999999", "0", "0.000001", "-1"]


def csv_variants(path: Path) -> Iterator[tuple[str, str]]:
    """(file name, content) with one numeric cell of the first data row set to each extreme."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for column in range(len(rows[0])):
        if re.fullmatch(r"-?[0-9.,£%]+", rows[1][column] or "x"):
            for value in EXTREMES:
                changed = [r[:] for r in rows]
                changed[1][column] = value
                out = io.StringIO()
                csv.writer(out).writerows(changed)
                yield path.name, out.getvalue()


def yaml_variants(path: Path) -> Iterator[tuple[str, str]]:
    """(file name, content) with one numeric YAML value set to each extreme."""
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"(?m)^(\s*(?:- )?[a-z_]+: )(-?[0-9][0-9.]*)\s*$", text):
        for value in EXTREMES:
            yield path.name, text[: match.start(2)] + value + text[match.end(2):]


def variants(folder: Path) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for item in sorted(folder.iterdir()):
        found += csv_variants(item) if item.suffix == ".csv" else yaml_variants(item) if item.suffix == ".yaml" else []
    return found


CONTRACT = ROOT / "contracts" / "healthy-home-care"
ACCOUNTS = ROOT / "suppliers" / "accounts.csv"
EXPOSURES = ROOT / "suppliers" / "contracts.csv"


@FUZZ
@given(st.sampled_from(variants(CONTRACT)))
def test_contract_review(case: tuple[str, str]) -> None:
    name, content = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "c"
        shutil.copytree(CONTRACT, folder)
        (folder / name).write_text(content, encoding="utf-8")
        never_crashes(review_contracts, folder, dt.date(2026, 6, 30))


@FUZZ
@given(st.sampled_from(list(yaml_variants(ROOT / "socialvalue" / "impact-map.yaml"))))
def test_sroi(case: tuple[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.yaml"
        path.write_text(case[1], encoding="utf-8")
        never_crashes(sroi_report, path)


@FUZZ
@given(st.sampled_from([("a", c) for _, c in csv_variants(ACCOUNTS)] + [("c", c) for _, c in csv_variants(EXPOSURES)]))
def test_supplier_assessment(case: tuple[str, str]) -> None:
    which, content = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("accounts.csv" if which == "a" else "contracts.csv")
        path.write_text(content, encoding="utf-8")
        request = AssessmentRequest(accounts=path if which == "a" else ACCOUNTS,
                                    contracts=path if which == "c" else EXPOSURES)
        never_crashes(lambda: register_as_dict(assess_suppliers(request)))
