"""PPN 002 as data: Commonweal ships only verified rows, and a model file's structure is checked."""

from __future__ import annotations

import pytest

from commonweal.domain.socialvalue.ppn002 import ModelRow, check_model
from commonweal.io.errors import InputError
from commonweal.io.socialvalue import parse_ppn002, shipped_ppn002

HEADER = "row_type,id,parent_id,wording,unit,source_url,section,source_kind,verbatim,status,notes\n"


def test_every_shipped_row_is_read_verbatim_in_a_primary_source() -> None:
    rows = shipped_ppn002()
    assert rows and all(r.verified for r in rows)
    assert {r.row_type for r in rows} <= {"rule", "guidance"}  # no metric was seen in a primary source


def _row(row_type: str, id: str, parent: str = "") -> ModelRow:
    return ModelRow(row_type, id, parent, "w", "", "u", "s", "primary", True, "read")  # type: ignore[arg-type]


def test_a_model_row_must_sit_under_the_right_kind_of_parent() -> None:
    assert check_model([_row("mission", "M1"), _row("outcome", "1", "M1"), _row("mac", "1a", "1")]) == []
    problems = check_model([_row("mission", "M1"), _row("mac", "1a", "M1"), _row("srm", "x", "nope")])
    assert any("sits under a mission" in p for p in problems)
    assert any("'nope'" in p for p in problems)


def test_a_row_marked_read_must_be_verbatim_and_sourced() -> None:
    bad = HEADER + "mac,1a,,Create jobs,,,,secondary,no,read,\n"
    with pytest.raises(InputError) as caught:
        parse_ppn002("model.csv", bad.encode())
    columns = {p.column for p in caught.value.problems}
    assert {"verbatim", "source_url", "section"} <= columns


def test_an_unknown_kind_or_status_is_refused() -> None:
    with pytest.raises(InputError, match="row_type"):
        parse_ppn002("model.csv", (HEADER + "metric,1,,x,,u,s,primary,yes,read,\n").encode())
