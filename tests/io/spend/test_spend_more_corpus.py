"""The second corpus (`shared/data/spend-more/`, 24 files from 6 publishers the reader was not tuned to): 23 import
with no mapping and no options, and all 24 with a mapping, each with the rows and total the independent reference
script (`spend_more_reference.py`, written from the manifest) computes."""

import datetime as dt
from pathlib import Path

import pytest

from commonweal.io.errors import InputError
from commonweal.io.spend.layout import ColumnMap
from commonweal.io.spend.reader import read_spend_file
from tests.io.spend.spend_more_reference import expected, manifest

# The one file whose rows carry no date at all (every Paid Date is `00:00:00`): the month must be stated.
NEEDS_A_PERIOD = {"oxford_2014-04_raw.csv": dt.date(2014, 4, 1)}
# Rows the reader refuses, and why: the only ones are rows with no amount (Oxford's junk last line `,,xxx,,,,`).
ALLOWED_REJECTIONS = ("amount is blank", "blank row")


@pytest.fixture(scope="module")
def more(shared_data: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    folder = shared_data / "spend-more"
    return folder, manifest(folder)


def _check(report_rows: int, rejected: list[str], total: object, want_rows: int, want_total: object) -> None:
    assert report_rows == want_rows
    assert total == want_total
    assert all(reason.startswith(ALLOWED_REJECTIONS) for reason in rejected), rejected[:3]


@pytest.mark.corpus
def test_at_least_23_of_24_import_with_no_options_and_match_the_reference(
        more: tuple[Path, dict[str, dict[str, str]]]) -> None:
    folder, facts = more
    assert len(facts) == 24
    imported = []
    for name in sorted(facts):
        if name in NEEDS_A_PERIOD:
            with pytest.raises(InputError, match="holds no date"):
                read_spend_file(folder / name)
            continue
        report = read_spend_file(folder / name).report
        want = expected(folder / name, facts[name])
        _check(report.rows_loaded, [r.reason for r in report.rejections], report.total_amount, want.rows,
               want.total)
        assert report.rows_read == report.rows_loaded + report.rows_rejected
        assert report.date_first is not None, name
        imported.append(name)
    assert len(imported) >= 23


@pytest.mark.corpus
def test_all_24_import_with_the_mapping_the_manifest_states(more: tuple[Path, dict[str, dict[str, str]]]) -> None:
    folder, facts = more
    for name in sorted(facts):
        fact = facts[name]
        columns = {"amount": fact["amount_column"].split(" (")[0], "supplier_name": fact["supplier_column"],
                   "date": fact["date_column"]}
        if "\n" in fact["header_line_index"] or "again" in fact["header_line_index"]:
            columns = {}  # the header changes part-way down: the stated columns hold only for the first block
        stated = ColumnMap(columns=columns, period=NEEDS_A_PERIOD.get(name))
        report = read_spend_file(folder / name, column_map=stated).report
        want = expected(folder / name, fact)
        _check(report.rows_loaded, [r.reason for r in report.rejections], report.total_amount, want.rows, want.total)
        if name in NEEDS_A_PERIOD:
            assert report.flag_counts["period_stated"] == report.rows_loaded
            assert report.date_first == report.date_last == NEEDS_A_PERIOD[name]


@pytest.mark.corpus
def test_the_layout_traps_are_read_as_the_manifest_describes(shared_data: Path) -> None:
    folder = shared_data / "spend-more"
    lancs = read_spend_file(folder / "lancsfire_2022-04_raw.xlsx").report
    # a second header at sheet row 2745 moves Amount from column F to column E
    assert [(b["header_row"], b["first_row"]) for b in lancs.blocks] == [(1, 2), (2745, 2746)]
    stockport = read_spend_file(folder / "stockport_2014-09_raw.xls")
    assert stockport.report.mapping["amount"] == "Amount £"
    assert {r.period for r in stockport.records} == {dt.date(2014, 9, 1)}
    assert all(r.date is None and "month_only" in r.flags for r in stockport.records)
    tyneside = read_spend_file(folder / "northtyneside_2015-08_raw.csv").report
    assert tyneside.mapping["supplier_name"] == "Approved Supplier (Beneficiary) Name"
    assert tyneside.confidence["supplier_name"].startswith("medium")
    gla = read_spend_file(folder / "gla_2013-04.csv").report
    assert gla.mapping["date"] == "Clearing Date"
    suppliers = {r.supplier_name for r in read_spend_file(folder / "northtyneside_2014-11_raw.csv").records}
    assert "TOTAL MERCHANDISE LTD" in suppliers  # a supplier, not a totals row
