"""Issue #15: the two spend engines agree on every input. Generated hostile CSV files (cells with commas, quotes,
C1 characters, decimal commas, digits other than ASCII, amounts past the store's limit, rows with fields missing or
extra, blank lines, carriage returns, two encodings) give the same rows, the same rejections with the same
reasons, or the same problems, from the row-level reader and the fast path (or the fast path hands the file over).

Bounded for CI (a fixed set of examples, well under 60 s); a longer, random run:
`COMMONWEAL_FUZZ_EXAMPLES=2000 .venv/bin/pytest -q tests/fuzz/test_spend_engines_agree.py`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from tests.fuzz.spend_engines import both

EXAMPLES = int(os.environ.get("COMMONWEAL_FUZZ_EXAMPLES", "0"))

HEADERS = ["Date", "Supplier Name", "Transaction Number", "Amount", "Service Area"]
DATES = ["13/08/2022", "01/08/2022", "2022-08-13", "31/02/2022", "", "VARIOUS", "١٣/٠٨/٢٠٢٢", "13.08.22",
         "14-Aug-2022", "08/13/2022", "not a date"]
AMOUNTS = ["250.00", "£1,234.50", "1234,5", "1,2345", "-£2,520.00", "2,520.00-", "(33.32)", "12.345",
           "4582.499999999", "١٢٣", "１２３", "99999999999999999999", "9999999999999999.99", "10000000000000000",
           "1e5", "", "£", "GBP 5", "5 CR", "--5", "(5", "\x855", ".5", "5.", "NaN", "1,234,567.891"]
PIECES = [*"ab Z,\"'\t\xa0-&", "\x92", "\x85", "\x80", "é", "Ã", "١", "\ufeff", "REDACTED ", "Ltd", "VARIOUS"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


def cell(options: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(options), TEXT)


row = st.tuples(cell(DATES), TEXT, st.text(alphabet="0123456789", max_size=5), cell(AMOUNTS), TEXT)


@st.composite
def files(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        cells = list(draw(row))
        kind = draw(st.sampled_from(["quoted", "quoted", "raw", "short", "long", "blank", "spaces"]))
        if kind == "quoted":  # what a careful export writes
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(cells)
            lines.append(buffer.getvalue())
        elif kind == "raw":  # joined without quoting: a comma in a cell shifts the rest
            lines.append(",".join(cells))
        elif kind == "short":
            lines.append(",".join(cells[: draw(st.integers(min_value=1, max_value=4))]))
        elif kind == "long":
            lines.append(",".join([*cells, *draw(st.lists(TEXT, min_size=1, max_size=2))]))
        elif kind == "blank":
            lines.append("")
        else:
            lines.append(",,,,")
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join([",".join(HEADERS), *lines]) + draw(st.sampled_from(["", end]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "cp1252", "mixed"]))
    if encoding == "mixed":
        return text.encode("utf-8", errors="replace") + "Crème,x\n".encode("cp1252")
    return text.encode(encoding, errors="replace")


@settings(max_examples=EXAMPLES or 60, derandomize=not EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files())
def test_both_engines_give_the_same_rows_reasons_and_problems(data: bytes) -> None:
    note(f"file: {data!r}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "anytown_2022.csv"
        path.write_bytes(data)
        outcome, handed_over = both(path)  # asserts the two outcomes are equal
    event("handed over to the row-level reader" if handed_over else
          "refused as a whole" if "problems" in outcome else "read by both")
