"""Issue #15, the spend readers: each hostile file found there gives the same clear result on both engines (or the
fast path hands it to the row-level reader), and nothing is ever read with a changed meaning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from commonweal.services.spend import import_files
from tests.fuzz.spend_engines import both

HEADER = "Date,Supplier Name,Transaction Number,Amount\n"
COMMONWEAL = str(Path(sys.executable).parent / "commonweal")


def write(tmp_path: Path, text: str | bytes, name: str = "anytown_2022.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def reasons(outcome: dict[str, object]) -> dict[int, str]:
    report = outcome["report"]
    assert isinstance(report, dict)
    return {r["row"]: r["reason"] for r in report["rejections"]}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMONWEAL, *args], capture_output=True, text=True, timeout=120, check=False)


def test_a_missing_file_is_a_clear_error_with_exit_code_2(tmp_path: Path) -> None:
    result = run("spend", "import", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "d"))
    assert result.returncode == 2
    assert "nope.csv: no such file" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists()


def test_the_same_file_twice_is_refused_before_anything_is_saved(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "13/08/2022,A Ltd,1,5.00\n")
    copy = write(tmp_path, path.read_bytes(), "copy_2022.csv")
    for files in ([path, path], [path, tmp_path / "." / path.name], [path, copy]):
        result = run("spend", "import", *map(str, files), "--db", str(tmp_path / "d"))
        assert result.returncode == 2, result.stderr
        assert ("named twice" in result.stderr or "same content" in result.stderr), result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "d").exists()


def test_a_header_only_file_loads_nothing_on_both_engines(tmp_path: Path) -> None:
    result, _ = both(write(tmp_path, HEADER))
    assert result["report"]["rows_read"] == 0 and result["rows"] == []  # type: ignore[index]


def test_an_unquoted_comma_is_refused_never_read_shifted(tmp_path: Path) -> None:
    # the transaction number 5002 would otherwise be loaded as the amount, £5,002.00
    text = HEADER + "13/08/2022,Smith, J Ltd,5002,250.00\n13/08/2022,Jones Ltd,5003,10.00\n13/08/2022,Short Ltd\n"
    result, handed_over = both(write(tmp_path, text))
    assert not handed_over
    assert [r["amount"] for r in result["rows"]] == [pytest.approx(10)]  # type: ignore[index]
    why = reasons(result)
    assert set(why) == {2, 4}
    assert why[2].startswith("the row has 5 fields where the file's rows have 4")
    assert why[4].startswith("the row has 2 fields where the file's rows have 4")


def test_a_constant_unnamed_last_column_sets_the_width(tmp_path: Path) -> None:
    # Newcastle's files: every row has one field more than the header; a row with one more again is refused
    rows = "".join(f"13/08/2022,A{i} Ltd,{i},5.00,#N/A\n" for i in range(5))
    result, _ = both(write(tmp_path, HEADER + rows + "13/08/2022,Smith, J Ltd,9,7.00,#N/A\n"))
    assert result["report"]["rows_loaded"] == 5 and set(reasons(result)) == {7}  # type: ignore[index]


def test_a_decimal_comma_is_refused_on_both_engines(tmp_path: Path) -> None:
    text = HEADER + '13/08/2022,A Ltd,1,"1234,5"\n13/08/2022,B Ltd,2,"1,234.50"\n13/08/2022,C Ltd,3,"12,34"\n'
    result, handed_over = both(write(tmp_path, text))
    assert not handed_over
    assert [str(r["amount"]) for r in result["rows"]] == ["1234.50"]  # type: ignore[index]
    assert all("not a thousands separator" in why for why in reasons(result).values())
    assert set(reasons(result)) == {2, 4}


@pytest.mark.parametrize("digits", ["١٢٣٫٤", "١٢٣", "１２３", "１２３.００"])
def test_digits_other_than_ascii_are_refused_on_both_engines(tmp_path: Path, digits: str) -> None:
    result, handed_over = both(write(tmp_path, HEADER + f"13/08/2022,A Ltd,1,{digits}\n13/08/2022,B Ltd,2,5\n"))
    assert not handed_over
    assert reasons(result) == {2: f"amount '{digits}' is not a number; expected pounds such as 1234.56 or -£2,520.00"}


@pytest.mark.parametrize("amount", ["10000000000000000", "99999999999999999999.00", "1" * 40])
def test_an_amount_past_decimal_18_2_is_refused_with_its_row(tmp_path: Path, amount: str) -> None:
    result, handed_over = both(write(tmp_path, HEADER + f"13/08/2022,A Ltd,1,{amount}\n13/08/2022,B Ltd,2,5\n"))
    assert not handed_over
    assert reasons(result) == {2: f"amount '{amount}' is too large: amounts are stored up to 9999999999999999.99 "
                                  "pounds"}
    # the largest amount the store holds loads
    result, _ = both(write(tmp_path, HEADER + "13/08/2022,A Ltd,1,9999999999999999.99\n", "max_2022.csv"))
    assert str(result["rows"][0]["amount"]) == "9999999999999999.99"  # type: ignore[index]


@pytest.mark.parametrize("header", ["Date,Supplier Name,Amount,Amount", "Date,Supplier Name,Amount,Date"])
def test_two_columns_with_one_header_are_refused_naming_both(tmp_path: Path, header: str) -> None:
    result, _ = both(write(tmp_path, header + "\n13/08/2022,A Ltd,5.00,6.00\n"))
    (problem,) = result["problems"]  # type: ignore[misc]
    assert "2 columns are headed" in problem and ("(columns 3 and 4)" in problem or "(columns 1 and 4)" in problem)


def test_one_windows_1252_byte_in_a_utf8_file_is_refused_not_decoded_wrongly(tmp_path: Path) -> None:
    text = (HEADER + "13/08/2022,Café Ltd,1,5.00\n").encode() + "13/08/2022,Crème Ltd,2,6.00\n".encode("cp1252")
    result, _ = both(write(tmp_path, text))
    (problem,) = result["problems"]  # type: ignore[misc]
    assert "row 3" in problem and "mixes two encodings: byte 0xE8 on line 3 is not UTF-8" in problem
    assert "line 2 holds UTF-8 text" in problem
    # the same bytes in one encoding read as that encoding, on both engines
    for encoding in ("utf-8", "cp1252"):
        one = (HEADER + "13/08/2022,Café Ltd,1,5.00\n13/08/2022,Crème Ltd,2,6.00\n").encode(encoding)
        result, _ = both(write(tmp_path, one, f"{encoding}_2022.csv"))
        assert [r["supplier_name"] for r in result["rows"]] == ["Café Ltd", "Crème Ltd"]  # type: ignore[index]
        assert result["report"]["encoding"] == encoding  # type: ignore[index]


def test_a_mixed_file_past_the_fast_paths_head_is_refused_by_both(tmp_path: Path) -> None:
    rows = "".join(f"13/08/2022,Café {i} Ltd,{i},5.00\n" for i in range(40000))
    text = (HEADER + rows).encode() + "13/08/2022,Crème Ltd,2,6.00\n".encode("cp1252")
    assert len(text) > 1 << 20
    result, _ = both(write(tmp_path, text))
    (problem,) = result["problems"]  # type: ignore[misc]
    assert f"byte 0xE8 on line {40002} is not UTF-8" in problem


def test_import_files_says_the_same_on_both_engines(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "13/08/2022,Smith, J Ltd,5002,250.00\n13/08/2022,Jones Ltd,5003,10.00\n")
    fast = import_files([path], tmp_path / "fast", engine="fast")
    rows = import_files([path], tmp_path / "rows", engine="rows")
    assert json.dumps(fast) == json.dumps(rows)
    assert fast[0]["rows_loaded"] == 1 and fast[0]["total_amount"] == "10.00"


def test_rows_too_long_for_the_fast_paths_head_are_read_by_the_row_level_reader(tmp_path: Path) -> None:
    # the first 100 rows set the file's width; when they do not fit in the head, the fast path hands over
    rows = "".join(f"13/08/2022,{'A' * 20_000} {i} Ltd,{i},5.00\n" for i in range(60))
    path = write(tmp_path, HEADER + rows + "13/08/2022,Smith, J Ltd,9,7.00\n")
    assert path.stat().st_size > 1 << 20
    result, handed_over = both(path)
    assert handed_over and set(reasons(result)) == {62}


def test_360giving_hostile_values_are_rejected_row_by_row(tmp_path: Path) -> None:
    from commonweal.io.spend.grants360 import read_360giving

    path = write(tmp_path, '{"grants": [1, null, {"amountAwarded": 1e999, "awardDate": "2020-01-01"}, '
                           '{"amountAwarded": 12345678901234567890, "awardDate": "2020-01-01"}, '
                           '{"amountAwarded": "NaN", "awardDate": "2020-01-01"}, '
                           '{"amountAwarded": 5.5, "awardDate": "2020-01-01", "recipientOrganization": "A"}]}',
                 "grants.json")
    read = read_360giving(path)
    why = {r.row: r.reason for r in read.report.rejections}
    assert why == {
        1: "expected a grant (a JSON object), found 1", 2: "expected a grant (a JSON object), found None",
        3: "amount 1E+999 is too large: amounts are stored up to 9999999999999999.99 pounds",
        4: "amount '12345678901234567890' is too large: amounts are stored up to 9999999999999999.99 pounds",
        5: "amount 'NaN' is not a number; expected pounds such as 1234.56 or -£2,520.00"}
    assert [str(r.amount) for r in read.records] == ["5.50"]


@pytest.mark.parametrize("text", ['{"grants": {"a": 1}}', "[]", "not json", '{"grants": [{"title": "Caf\xe9"}]}'])
def test_360giving_files_that_are_not_packages_are_refused(tmp_path: Path, text: str) -> None:
    from commonweal.io.errors import InputError

    path = write(tmp_path, text.encode("cp1252"), "grants.json")
    with pytest.raises(InputError) as error:
        import_files([path], tmp_path / "db")
    assert "grants" in str(error.value)
    assert not (tmp_path / "db").exists()


def test_a_quote_left_open_never_joins_two_rows_silently(tmp_path: Path) -> None:
    # the csv module reads on past the line end inside an open quote: the two rows become one record
    text = HEADER + '13/08/2022,"A ""Q"" Ltd,1,5.00\n13/08/2022,"unterminated,2,7.00\n13/08/2022,Fine Ltd,3,9.00\n'
    result, _ = both(write(tmp_path, text))
    report = result["report"]
    assert isinstance(report, dict)
    assert report["rows_read"] == report["rows_loaded"] + len(report["rejections"])
    assert [r["supplier_name"] for r in result["rows"]] == ["Fine Ltd"]  # type: ignore[index]
    assert any("a quote left open may have joined this row to the next" in why for why in reasons(result).values())
