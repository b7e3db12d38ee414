"""All 15 real files import with no rejected row a person would call valid, and their totals reconcile with an
independent computation: the csv module, the header row and amount column named by hand from the corpus
README, and the amount cleaned with plain string operations."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.io.spend.reader import read_spend_file

# file -> (encoding, header row index, amount column, rows the reader loads beyond the manifest's count)
CORPUS = {
    "devon_2014-07.csv": ("cp1252", 0, "Amount", 0),
    "devon_2025-10.csv": ("utf-8-sig", 0, "Amount", 0),
    "warwickshire_2010-12.csv": ("cp1252", 2, "Amount", 0),
    # 7 real payment rows lack the INSERTED DETAIL marker the manifest counted by
    "warwickshire_2013-06.csv": ("utf-8", None, "Amount", 7),
    "warwickshire_2019-03.csv": ("cp1252", 0, "Amount", 0),
    "warwickshire_pcard_2022-03.csv": ("cp1252", 0, "Net Amount", 0),
    "warwickshire_grants_2015-16.csv": ("utf-8", 0, "Amount", 0),
    "leeds_2011-01_raw.csv": ("cp1252", 0, "Net Amount", 0),
    "calderdale_2022-08.csv": ("utf-8", 0, "Net Amount", 0),
    "manchester_2022-05.csv": ("utf-8", 0, "Net Amount", 0),
    "newcastle_2022-08.csv": ("utf-8", 0, "Total (excludes VAT)", 0),
    "sheffield_2017-01.csv": ("utf-8", 0, "Invoiced Value", 0),
    "wakefield_2021-Q4.csv": ("utf-8", 0, "Net Amount", 0),
    "gateshead_2022-08.csv": ("utf-8", 0, "Amount", 0),
    "salford_contracts_2022-07.csv": ("utf-8", 0, "Annual Value", 0),
}


def independent_total(path: Path, encoding: str, header_index: int | None, amount_column: str) -> Decimal:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding=encoding), newline="")))
    if header_index is None:  # the Agresso export: the header is the row after the `columns` line
        header_index = next(i for i, r in enumerate(rows) if r and r[0] == "columns") + 1
    header = [h.replace("ï»¿", "").strip() for h in rows[header_index]]
    column = header.index(amount_column)
    total = Decimal(0)
    for row in rows[header_index + 1:]:
        if len(row) <= column:
            continue
        text = row[column].replace("£", "").replace(",", "").strip()
        negative = text.startswith("-")
        text = text.lstrip("-")
        if text.replace(".", "", 1).isdigit():
            total += -Decimal(text) if negative else Decimal(text)
    return total


@pytest.fixture(scope="module")
def manifest(shared_data: Path) -> dict[str, dict[str, str]]:
    with (shared_data / "spend" / "manifest.csv").open(encoding="utf-8-sig") as handle:
        return {r["file"]: r for r in csv.DictReader(handle)}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_imports_completely_and_reconciles(shared_data: Path, manifest: dict[str, dict[str, str]],
                                                       name: str) -> None:
    encoding, header_index, amount_column, extra = CORPUS[name]
    path = shared_data / "spend" / name
    report = read_spend_file(path).report
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert report.rows_loaded == int(manifest[name]["data_rows_parsed"]) + extra
    # the only rejections are rows with no values at all (spacers, INSERTED DETAIL fillers)
    assert all(r.reason.startswith("blank row") for r in report.rejections), report.rejections[:3]
    assert report.total_amount == independent_total(path, encoding, header_index, amount_column)
    assert report.date_first is not None and report.date_last is not None


@pytest.mark.corpus
def test_corpus_quirks_are_read_as_the_readme_describes(shared_data: Path) -> None:
    spend = shared_data / "spend"
    gateshead = read_spend_file(spend / "gateshead_2022-08.csv")
    assert {str(r.period) for r in gateshead.records} == {"2022-08-01"}  # period 202205 = August 2022
    assert gateshead.report.mapping["supplier_name"] == "Supplier ID(T)"
    leeds = read_spend_file(spend / "leeds_2011-01_raw.csv").report
    assert (leeds.date_first.isoformat(), leeds.date_last.isoformat()) == ("2010-10-28", "2011-01-31")
    assert leeds.flag_counts["redacted"] == 697 + 6
    newcastle = read_spend_file(spend / "newcastle_2022-08.csv")
    assert newcastle.report.mapping["supplier_name"] == "Supplier Name"
    assert newcastle.records[0].service_area == "Adult Social Care"  # not misaligned as pandas does
    assert "column 11 (unnamed)" in newcastle.report.ignored_columns
    devon = read_spend_file(spend / "devon_2014-07.csv").report
    assert devon.flag_counts["redacted"] == 257 and devon.flag_counts["credit"] == 104
    warwick = read_spend_file(spend / "warwickshire_2010-12.csv").report
    assert warwick.flag_counts["undated"] == 1  # the aggregated VARIOUS row is loaded, flagged, not dropped
