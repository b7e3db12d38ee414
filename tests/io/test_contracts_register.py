"""The Transparency Code contracts register reader: every row checked, every problem named, nothing partial."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commonweal.io.contracts_register import read_register
from commonweal.io.errors import InputError

HEADER = "Reference,Title,Department,Supplier,Value,Start Date,End Date,Kind,SME,VCSE,Frequency\n"


def test_a_good_register_reads_every_row() -> None:
    rows = read_register("register.csv", (HEADER + 'A1,Parks,Environment,Green Ltd,"£12,500.00",2026-04-01,'
                                          "2027-03-31,services,yes,,\n").encode())
    assert len(rows) == 1
    assert (rows[0].value, rows[0].sme, rows[0].vcse, rows[0].frequency.value) == (Decimal("12500.00"), True,
                                                                                     False, "quarterly")


def test_every_problem_is_named_and_nothing_is_returned() -> None:
    bad = (HEADER + "A1,Parks,Environment,Green Ltd,12500,01/04/2026,2027-03-31,services,yes,no,weekly\n"
           "A1,,Environment,,12.345,2026-04-01,2026-03-31,stuff,maybe,no,\n")
    with pytest.raises(InputError) as caught:
        read_register("register.csv", bad.encode())
    found = {(p.row, p.column) for p in caught.value.problems}
    assert {(2, "start_date"), (2, "frequency"), (3, "title"), (3, "supplier"), (3, "value"), (3, "end_date"),
            (3, "kind"), (3, "sme"), (3, "reference")} <= found


def test_an_unknown_column_is_refused_not_ignored() -> None:
    with pytest.raises(InputError, match="not a register column"):
        read_register("register.csv", (HEADER.rstrip("\n") + ",Colour\n").encode())
