"""The polars fast path and the row-level reader give identical rows, rejections and reports."""

import importlib.util
import random
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.io.spend.fast import _SPACE, clean, fast_import
from commonweal.io.spend.reader import clean_text, read_spend_file
from commonweal.io.spend.store import to_arrow
from commonweal.services.spend import supplier_key

MESSY = ("\ufeffAnytown Council,,,,,\r\nExpenditure over £500,,,,,\r\n"
         "Supplier Name,Supplier ID,Payment Date,Amount,Spend Area,\r\n"
         'Café\xa0Ltd,C1,20/12/2010,"£2,310.00",PEOPLE,#N/A\r\n'
         "REDACTED,C2,06/12/2010,-£4.50,PEOPLE,\r\n"
         "KELLY\u0092S  HEROES,C3,07/12/2010,2520.00-,PLACE,\r\n"
         "Brackets Ltd,C4,08/12/2010,(33.32),PLACE,\r\n"
         "Artefact Ltd,C5,09/12/2010,4582.499999999,PLACE,\r\n"
         "Penny Ltd,C6,09/12/2010,12.345,PLACE,\r\n"
         "Bad Ltd,C7,09/12/2010,twelve,PLACE,\r\n"
         "Nodate Ltd,C8,,5.00,PLACE,\r\n"
         "Wrong Ltd,C9,31/02/2010,5.00,PLACE,\r\n"
         "VARIOUS,VARIOUS,VARIOUS,\"3,615.39\",PLACE,\r\n"
         ",,,,,\r\n"
         "Grand Total,,,9999.99,,\r\n")


def rows_of_both(path: Path) -> tuple[list[dict[str, object]], list[dict[str, object]], dict[str, object],
                                      dict[str, object]]:
    fast = fast_import(path, supplier_key)
    assert fast is not None
    target = path.with_suffix(".fast.parquet")
    fast.write(target)
    fast_rows = sorted(pq.read_table(target).to_pylist(), key=lambda r: int(str(r["source_row"])))
    slow = read_spend_file(path)
    slow_rows = to_arrow(slow.records, [supplier_key(r.supplier_name, r.supplier_redacted)
                                        for r in slow.records]).to_pylist()
    return fast_rows, slow_rows, fast.report.as_dict(), slow.report.as_dict()


def test_fast_path_matches_the_row_reader_on_every_quirk(tmp_path: Path) -> None:
    path = tmp_path / "anytown_messy.csv"
    path.write_bytes(MESSY.encode("utf-8"))
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows
    assert fast_report == slow_report
    # 12 rows read: 6 loaded (incl. the VARIOUS row); 6 rejected: sub-penny, bad amount, blank date, 31 February,
    # the spacer row and the total row
    assert (slow_report["rows_read"], slow_report["rows_loaded"], slow_report["rows_rejected"]) == (12, 6, 6)
    # 2310.00 - 4.50 - 2520.00 - 33.32 + 4582.50 + 3615.39 = 7950.07
    assert slow_report["total_amount"] == "7950.07"


def benchmark() -> Any:
    script = Path(__file__).resolve().parents[3] / "benchmarks" / "spend_ingest.py"
    spec = importlib.util.spec_from_file_location("spend_ingest", script)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_fast_path_matches_on_the_benchmark_synthetic_mess(tmp_path: Path) -> None:
    bench = benchmark()
    path = tmp_path / "anytown_synthetic.csv"
    bench.generate(3000, path)
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows and fast_report == slow_report
    # 3000 generated rows + the total row; row 0 is a spacer; every 6th amount is 4582.499999999 -> 4582.50
    assert (slow_report["rows_read"], slow_report["rows_rejected"]) == (3001, 2)


def test_the_benchmark_checks_each_target_against_its_own_figure() -> None:
    check = benchmark().target_check
    run = {"rows_loaded": 9_999_900, "rows_rejected": 100, "ingest_seconds": 5.0, "peak_mb": 1500,
           "report_seconds": 2.6}
    assert check(run).count(": met") == 3
    assert "ingest 500,000 rows/s (target at least 1,000,000): NOT MET" in check(dict(run, ingest_seconds=20.0))
    assert "peak memory 2,048 MB (target under 2,048): NOT MET" in check(dict(run, peak_mb=2048))
    assert "standard report 12.0 s (target: seconds, under 10): NOT MET" in check(dict(run, report_seconds=12.0))


def test_contracts_registers_take_the_row_path(tmp_path: Path) -> None:
    path = tmp_path / "x_contracts.csv"
    path.write_text("Supplier Company Name,Annual Value,Start Date\nA Ltd,100.00,2022-01-01\n", encoding="utf-8")
    assert fast_import(path, supplier_key) is None


@pytest.mark.corpus
def test_fast_path_matches_the_row_reader_on_the_corpus(shared_data: Path, tmp_path: Path) -> None:
    for source in sorted((shared_data / "spend").glob("*.csv")):
        if source.name == "manifest.csv" or "contracts" in source.name:
            continue
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        fast_rows, slow_rows, fast_report, slow_report = rows_of_both(copy)
        assert fast_report == slow_report, source.name
        assert fast_rows == slow_rows, source.name


def test_progress_is_told_while_reading_and_settles_on_the_records_read(tmp_path: Path) -> None:
    path = tmp_path / "anytown_big.csv"
    body = "".join(f"Supplier {n % 997} Ltd,C{n},{n % 28 + 1:02d}/12/2010,{n % 5000}.25,PLACE,\r\n"
                   for n in range(300_000))
    path.write_text("Supplier,Reference,Date,Amount,Place,\r\n" + body, encoding="utf-8")
    told: list[int] = []
    imported = fast_import(path, supplier_key, progress=told.append)
    assert imported is not None
    imported.discard()
    assert imported.report.rows_read == 300_000
    assert sum(told) == 300_000 and all(n > 0 for n in told)
    assert len(told) > 1  # told batch by batch while polars reads and parses, not only once at the end


def test_the_whitespace_class_is_pythons_for_every_character() -> None:
    """`clean_text` collapses what Python calls whitespace; the polars expression must collapse the same."""
    characters = [chr(c) for c in range(0x30000) if not 0xD800 <= c < 0xE000]
    matched = pl.Series(characters).str.contains(f"^{_SPACE}$").to_list()
    assert [c for c, m in zip(characters, matched, strict=True) if m != c.isspace()] == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(" a1\t\n\r\x0b\x0c\x1c\x1f\x80\x81\x85\x92\x9f\xa0\u2003\u3000£é"),
                        max_size=12), min_size=1, max_size=30))
def test_the_cleaning_expression_is_clean_text(cells: list[str]) -> None:
    cleaned = pl.select(clean(pl.lit(pl.Series(cells, dtype=pl.String)))).to_series().to_list()
    assert cleaned == [clean_text(c) for c in cells]


def test_amounts_in_every_spelling_load_exactly_as_the_row_reader_reads_them(tmp_path: Path) -> None:
    """3,000 amount texts built from the pieces councils use (signs before, after or as brackets, `£`, `GBP`,
    `CR`, separators, spaces, float artefacts) and some that are not amounts: the fast path loads the same rows
    with the same pennies, and rejects the rest with the row reader's reasons."""
    pick = random.Random(4).choice
    amounts = []
    for _ in range(3000):
        number = pick(["1234.56", "1,234.56", "0.5", ".5", "12", "4582.499999999", "12.345", "1.10000000001",
                       "99", "1 234.50", "12a", "", "1.2.3", "--5", "0.005",
                       # C1 characters are repaired as Windows-1252 before noise goes: \x81 is undefined there and
                       # vanishes; \x85 is `…`, not the whitespace it is in Unicode
                       "1\x81234.56", "12\x8500", "1\x92000"])
        amount = (pick(["", "£", "GBP ", "gbp", "-£", "£-", "+", "-+", "\x81", "\t"]) + number
                  + pick(["", "-", "CR", " cr", "\xa0", "\x85", "\u2003", "\x1c"]))
        amounts.append(pick(["", "(", " "]) + amount + pick(["", ")", " "]))
    body = "".join(f'Supplier {n % 7} Ltd,C{n},{n % 28 + 1:02d}/12/2010,"{a}",PLACE\r\n' for n, a in enumerate(amounts))
    path = tmp_path / "anytown_amounts.csv"
    path.write_text("Supplier,Reference,Date,Amount,Place\r\n" + body, encoding="utf-8")
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows and fast_report == slow_report
    assert 500 < int(str(slow_report["rows_loaded"])) < 2500  # both kinds are well represented


def test_bare_carriage_returns_end_lines_as_in_old_mac_exports(tmp_path: Path) -> None:
    """Longer than the head the layout is read from, which must still end at a whole line."""
    path = tmp_path / "anytown_mac.csv"
    rows = "".join(f"Supplier {n} Ltd,C{n},20/12/2010,{n}.00\r" for n in range(40_000))
    path.write_bytes(("Supplier,Reference,Date,Amount\r" + rows).encode())
    assert path.stat().st_size > 1 << 20
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows and fast_report == slow_report
    assert slow_report["rows_loaded"] == 40_000


def test_windows_1252_after_the_head_is_transcoded_like_the_row_reader_does(tmp_path: Path) -> None:
    """The head (first MB) is UTF-8; a Windows-1252 `é` comes later, so polars meets it while reading."""
    rows = "".join(f"Supplier {n} Ltd,C{n},20/12/2010,5.00\r\n" for n in range(40_000))
    path = tmp_path / "anytown_late.csv"
    late = "Caf\xe9 Ltd,C9,20/12/2010,7.00\r\n".encode("cp1252")
    path.write_bytes(("Supplier,Reference,Date,Amount\r\n" + rows).encode() + late)
    assert path.stat().st_size > 1 << 20
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows and fast_report == slow_report
    assert fast_report["encoding"] == "cp1252" and fast_rows[-1]["supplier_name"] == "Caf\xe9 Ltd"


@pytest.mark.parametrize("start", [
    "ï»¿".encode("cp1252"),  # a double-encoded BOM saved as Windows-1252: its bytes look like a UTF-8 BOM
    b"\xef\xbb\xbf" + "ï»¿".encode(),  # UTF-8 BOM and a double-encoded one, then a Windows-1252 body
])
def test_the_encoding_is_named_as_the_row_reader_names_it(tmp_path: Path, start: bytes) -> None:
    path = tmp_path / "anytown_bom.csv"
    path.write_bytes(start + "Supplier,Reference,Date,Amount\r\nCaf\xe9 Ltd,C1,20/12/2010,5.00\r\n".encode("cp1252"))
    fast_rows, slow_rows, fast_report, slow_report = rows_of_both(path)
    assert fast_rows == slow_rows and fast_report == slow_report
    assert fast_report["encoding"] == "cp1252 (double-encoded BOM)"


def test_a_quote_inside_an_unquoted_field_sends_the_file_to_the_row_reader(tmp_path: Path) -> None:
    from commonweal.services.spend import import_files

    path = tmp_path / "anytown_quotes.csv"
    path.write_text('Supplier,Reference,Date,Amount\r\nA Ltd,C1,20/12/2010,5.00\r\n'
                    '"The Best" Ltd,C2,21/12/2010,6.00\r\n', encoding="utf-8")
    assert fast_import(path, supplier_key) is None  # polars refuses `"The Best" Ltd`; Python's csv module reads it
    fast = import_files([path], tmp_path / "fast", engine="fast")
    rows = import_files([path], tmp_path / "rows", engine="rows")
    assert fast == rows and fast[0]["rows_loaded"] == 2
