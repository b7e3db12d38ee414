"""Every case of issue #15 in the structured-input layer's area, as an explicit test: each hostile file is made
here (nothing binary is committed), read in a child limited in time and memory, and must be refused with a clear
error naming the file (and line or row where there is one), never a traceback, a hang or a silent change of
meaning."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.io.accounts import read_accounts, read_contract_exposures
from commonweal.io.contracts import load_contract_folder
from commonweal.io.errors import InputError
from commonweal.io.ixbrl import parse_ixbrl
from commonweal.io.socialvalue import read_commitments, read_delivery, read_impact_map, read_settings
from commonweal.io.structured import Folder, Limits, load_json, load_yaml
from commonweal.io.tabular import parse_table, read_table
from commonweal.io.tender_folder import load_tender_folder, parse_tender_yaml
from tests.fuzz.support import AS_OF, CONTRACT, IXBRL, SOCIAL, SUPPLIERS, TENDER, bounded, refused

ALIAS_BOMB = (b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
              b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
              b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
              b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
              b"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n")


def tender_files(**changes: bytes) -> Folder:
    files = {p.name: p.read_bytes() for p in TENDER.iterdir() if p.is_file()}
    files.update(changes)
    return Folder(label="upload", files=files)


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- YAML: alias bombs, depth, duplicates, numbers, dates --------------------------------------------------------


def test_a_433_byte_alias_bomb_is_refused_in_milliseconds() -> None:
    assert len(ALIAS_BOMB) < 500
    refused(bounded(parse_tender_yaml, ALIAS_BOMB), "tender.yaml, row 1", "anchor or alias")
    # the same file uploaded to the web goes through the same loader
    refused(bounded(load_tender_folder, tender_files(**{"tender.yaml": ALIAS_BOMB}), False), "anchor or alias")


def test_unused_billion_laughs_anchors_are_refused() -> None:
    unused = b"x: 1\n" + ALIAS_BOMB.replace(b"a: &a", b"a: &a", 1)
    refused(bounded(load_yaml, "t.yaml", unused), "anchor or alias")


@pytest.mark.parametrize("reader", ["tender", "contract", "impact"])
def test_ten_thousand_nested_brackets_are_a_clear_error(reader: str, tmp_path: Path) -> None:
    deep = b"[" * 10_000
    if reader == "tender":
        outcome = bounded(parse_tender_yaml, deep)
    elif reader == "contract":
        folder = copy_tree(CONTRACT, tmp_path / "c")
        (folder / "contract.yaml").write_bytes(deep)
        outcome = bounded(load_contract_folder, folder, AS_OF)
    else:
        (tmp_path / "map.yaml").write_bytes(deep)
        outcome = bounded(read_impact_map, tmp_path / "map.yaml")
    message = refused(outcome, "row 1")
    assert "nest" in message


def test_duplicate_keys_are_refused_naming_both_lines(tmp_path: Path) -> None:
    text = (SOCIAL / "impact-map.yaml").read_text(encoding="utf-8")
    assert "quantity:" in text
    doubled = text.replace("quantity:", "quantity: 1\n    quantity:", 1)
    (tmp_path / "map.yaml").write_text(doubled, encoding="utf-8")
    message = refused(bounded(read_impact_map, tmp_path / "map.yaml"), "'quantity' appears twice")
    assert "on lines" in message


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "123456789012345678901234567890", "1e309"])
def test_bad_numbers_in_tender_yaml_are_clear_errors(value: str) -> None:
    text = (TENDER / "tender.yaml").read_text(encoding="utf-8")
    assert "weight: 40" in text
    hostile = text.replace("weight: 40", f"weight: {value}", 1).encode()
    message = refused(bounded(parse_tender_yaml, hostile), "tender.yaml, row")
    assert "weight" in message or "number" in message


def test_sensitivity_samples_are_bounded() -> None:
    text = (TENDER / "tender.yaml").read_text(encoding="utf-8")
    hostile = text.replace("samples: 10000\n", "samples: 1000000000\n", 1)
    assert hostile != text
    refused(bounded(parse_tender_yaml, hostile.encode()), "sensitivity.samples", "100,000")


def test_an_impossible_contract_date_is_a_clear_error(tmp_path: Path) -> None:
    folder = copy_tree(CONTRACT, tmp_path / "c")
    text = (folder / "contract.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("start:")]
    assert lines
    (folder / "contract.yaml").write_text(text.replace(lines[0], "start: 2020-13-01"), encoding="utf-8")
    refused(bounded(load_contract_folder, folder, AS_OF), "contract.yaml", "'2020-13-01' is not a valid date")


def test_an_sroi_duration_of_a_billion_years_is_a_range_error(tmp_path: Path) -> None:
    text = (SOCIAL / "impact-map.yaml").read_text(encoding="utf-8")
    (tmp_path / "map.yaml").write_text(text.replace("duration: ", "duration: 1000000000 #", 1), encoding="utf-8")
    refused(bounded(read_impact_map, tmp_path / "map.yaml"), "duration", "from 1 to 125")


@pytest.mark.parametrize("investment", ["'.nan'", "1e309", "123456789012345678901234567890", "'1234,5'"])
def test_sroi_investment_must_be_a_plain_amount(investment: str, tmp_path: Path) -> None:
    text = (SOCIAL / "impact-map.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("investment:")]
    (tmp_path / "map.yaml").write_text(text.replace(lines[0], f"investment: {investment}"), encoding="utf-8")
    outcome = bounded(read_impact_map, tmp_path / "map.yaml")
    assert outcome.kind == "refused", outcome


# --- tables: numbers, field counts, truncation, encodings -------------------------------------------------------


@pytest.mark.parametrize("price", ["nan", "inf", "1e309", "123456789012345678901234567890", "1234,5", "١٢٣"])
def test_bad_prices_in_bids_are_refused_naming_the_row(price: str) -> None:
    bids = (TENDER / "bids.csv").read_bytes() + f'Hostile Ltd,1,"{price}",,,\n'.encode()
    refused(bounded(load_tender_folder, tender_files(**{"bids.csv": bids}), False), "bids.csv, row 12",
            "column 'price'")


def test_a_decimal_comma_is_never_read_as_thousands() -> None:
    table = parse_table("t.csv", b'quantity\n"1234,5"\n"1,234"\n', ["quantity"])
    from commonweal.io.tabular import parse_pounds

    assert [parse_pounds(r.get("quantity")) for r in table] == [None, Decimal(1234)]


def test_an_unquoted_comma_is_refused_not_shifted() -> None:
    data = b"bidder,lot,price\nSmith, J Ltd,1,250.00\n"
    with pytest.raises(InputError) as caught:
        parse_table("bids.csv", data, ["bidder", "lot", "price"])
    assert "bids.csv, row 2: has 4 fields but the header has 3" in str(caught.value)


def test_a_row_with_too_few_fields_is_refused() -> None:
    with pytest.raises(InputError, match="row 3: has 2 fields but the header has 3"):
        parse_table("bids.csv", b"bidder,lot,price\nA,1,2.00\nB,1\n", ["bidder", "lot", "price"])


def test_a_file_truncated_inside_a_quoted_field_is_an_error() -> None:
    data = (TENDER / "bids.csv").read_bytes()
    cut = data[: data.index(b'"12 Mill Lane') + 8]
    refused(bounded(load_tender_folder, tender_files(**{"bids.csv": cut}), False), "bids.csv, row 2",
            "not valid CSV")


def test_one_windows_1252_byte_in_a_utf8_file_is_refused_with_its_line() -> None:
    data = "bidder,lot,price\nCafé Ltd,1,2.00\n".encode() + b"Caf\xe9 Two,1,3.00\n"
    refused(bounded(parse_table, "bids.csv", data, ["bidder", "lot", "price"]), "bids.csv, row 3",
            "byte 0xe9 on line 3")


def test_a_whole_windows_1252_file_is_read_as_windows_1252() -> None:
    table = parse_table("bids.csv", "bidder,lot,price\nCafé Ltd,1,2.00\n".encode("cp1252"), ["bidder"])
    assert table.rows[0].get("bidder") == "Café Ltd"


def test_duplicate_columns_are_refused() -> None:
    with pytest.raises(InputError, match="appears twice in the header"):
        parse_table("bids.csv", b"bidder,lot,price,price\nA,1,2.00,3.00\n", ["bidder", "lot", "price"])


# --- XLSX: not a workbook, zip bombs, huge sheets, capped errors -----------------------------------------------


@pytest.mark.parametrize("content", [b"bidder,lot,price\nA,1,2\n", b"PK\x03\x04truncated", b""])
def test_a_file_that_is_not_a_workbook_is_a_clear_error(content: bytes, tmp_path: Path) -> None:
    files = {k: v for k, v in tender_files().files.items() if k != "bids.csv"}
    refused(bounded(load_tender_folder, Folder(label="u", files={**files, "bids.xlsx": content}), False),
            "bids.xlsx", "not a valid .xlsx workbook")
    (tmp_path / "accounts.xlsx").write_bytes(content)
    refused(bounded(read_accounts, tmp_path / "accounts.xlsx"), "accounts.xlsx", "not a valid .xlsx")


def test_a_truncated_workbook_is_a_clear_error(tmp_path: Path) -> None:
    good = xlsx([["bidder", "lot", "price"], ["A", "1", "2.00"]])
    for cut in (len(good) // 2, len(good) - 30):
        refused(bounded(parse_table, "bids.xlsx", good[:cut], ["bidder"]), "bids.xlsx", "not a valid .xlsx")


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + b"0" * 50_000_000 + b"</row>")
    data = buffer.getvalue()
    assert len(data) < 200_000
    refused(bounded(parse_table, "bids.xlsx", data, ["bidder"]), "compressed", "to 1")


def edited_sheet(rows: list[list[object]], old: bytes, new: bytes) -> bytes:
    """A workbook of `rows` whose sheet XML has `old` replaced by `new`, as a hostile tool might write it."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            archive.writestr(item, content)
    return buffer.getvalue()


BIDS = [["bidder", "lot", "price"], ["A", "1", "2.00"]]


def test_a_sheet_declaring_a_million_rows_or_columns_is_refused() -> None:
    data = edited_sheet(BIDS, b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD1048576"/>')
    refused(bounded(parse_table, "bids.xlsx", data, ["bidder"]), "declares 16,384 columns")


def test_a_declared_size_smaller_than_the_data_hides_nothing() -> None:
    data = edited_sheet([*BIDS, ["B", "1", "3.00"]], b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:B2"/>')
    table = parse_table("bids.xlsx", data, ["bidder", "lot", "price"])
    assert [(r.get("bidder"), r.get("price")) for r in table] == [("A", "2.00"), ("B", "3.00")]


def test_a_cell_in_the_last_row_of_a_sheet_is_refused_within_the_bounds() -> None:
    far = b'</sheetData>'
    data = edited_sheet(BIDS, far, b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>' + far)
    refused(bounded(parse_table, "bids.xlsx", data, ["bidder"]), "more than 100,000 rows")


def test_thousands_of_bad_cells_give_a_short_error() -> None:
    rows = [["bidder", "lot", "price"]] + [["", "9", "lots"]] * 5_000  # 15,000 problems
    data = xlsx(rows)
    outcome = bounded(_bids_only, data)
    message = refused(outcome, "more problems")
    assert len(message) < 50_000


def _bids_only(data: bytes) -> object:
    files = {k: v for k, v in tender_files().files.items() if k != "bids.csv"}
    return load_tender_folder(Folder(label="u", files={**files, "bids.xlsx": data}), False)


def test_row_and_column_limits_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMONWEAL_INPUT_MAX_ROWS", "3")
    with pytest.raises(InputError, match="more than 3 rows"):
        parse_table("t.csv", b"a\n1\n2\n3\n", ["a"])
    assert Limits.from_env({"COMMONWEAL_INPUT_MAX_DEPTH": "8"}).max_depth == 8
    with pytest.raises(ValueError, match="COMMONWEAL_INPUT_MAX_DEPTH"):
        Limits.from_env({"COMMONWEAL_INPUT_MAX_DEPTH": "lots"})


# --- JSON --------------------------------------------------------------------------------------------------------


def test_json_is_bounded_and_exact() -> None:
    refused(bounded(load_json, "x.json", b"[" * 100_000), "nests arrays and objects 100000 deep")
    assert load_json("x.json", b'{"amount": 12345678901234567.89}') == {"amount": Decimal("12345678901234567.89")}
    for bad in (b'{"a": NaN}', b'{"a": 1, "a": 2}', b'{"a": 1', b"\xff\xfe\x00"):
        with pytest.raises(InputError):
            load_json("x.json", bad)
    with pytest.raises(InputError, match="larger than 10 bytes"):
        load_json("x.json", b"[1, 2, 3, 4, 5]", max_bytes=10)


# --- paths named inside inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("named", ["/dev/zero", "/etc/passwd", "../../x.csv", "../outside.csv"])
def test_a_library_outside_the_tender_folder_is_refused(named: str, tmp_path: Path) -> None:
    folder = copy_tree(TENDER, tmp_path / "tender")
    (tmp_path / "outside.csv").write_text("x\n", encoding="utf-8")
    (folder / "socialvalue.yaml").write_text(f"library:\n  file: {named}\n", encoding="utf-8")
    message = refused(bounded(read_settings, folder), "socialvalue.yaml", "library.file")
    assert "outside the input's folder" in message or "not a file" in message


def test_an_uploaded_tender_cannot_name_a_server_file() -> None:
    hostile = b"library:\n  file: /etc/passwd\n"
    refused(bounded(read_settings, tender_files(**{"socialvalue.yaml": hostile})), "cannot refer to files on the "
            "server")


@pytest.mark.parametrize("key", ["supplier_accounts:\n  file: /etc/passwd\n",
                                 "social_value:\n  commitments: /dev/zero\n"])
def test_a_contract_cannot_name_files_outside_its_folder(key: str, tmp_path: Path) -> None:
    folder = copy_tree(CONTRACT, tmp_path / "c")
    text = (folder / "contract.yaml").read_text(encoding="utf-8")
    text = text.split("\ncommitments:")[0] + "\n" + key
    (folder / "contract.yaml").write_text(text, encoding="utf-8")
    refused(bounded(load_contract_folder, folder, AS_OF), "outside the input's folder")


# --- social value and contract tables -----------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["nan", "1e309", "123456789012345678901234567890", "1234,5", "inf"])
def test_bad_quantities_in_commitments_and_delivery_are_refused(quantity: str, tmp_path: Path) -> None:
    from commonweal.io.socialvalue import open_library

    library = open_library()
    for name in ("awarded-commitments.csv", "delivery-returns.csv"):
        table = read_table(SOCIAL / name, ["quantity"])
        row = table.rows[0]
        lines = (SOCIAL / name).read_text(encoding="utf-8").splitlines()
        cells = lines[1].split(",")
        cells[table.columns.index("quantity")] = f'"{quantity}"'
        (tmp_path / name).write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
        reader = read_commitments if name.startswith("awarded") else read_delivery
        refused(bounded(reader, tmp_path / name, library), f"{name}, row {row.number}", "column 'quantity'")


@pytest.mark.parametrize("actual", ["nan", "1e309", "123456789012345678901234567890"])
def test_bad_kpi_returns_are_refused(actual: str, tmp_path: Path) -> None:
    folder = copy_tree(CONTRACT, tmp_path / "c")
    lines = (folder / "kpi_returns.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("actual")] = actual
    (folder / "kpi_returns.csv").write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    refused(bounded(load_contract_folder, folder, AS_OF), "kpi_returns.csv, row 2", "column 'actual'")


# --- accounts and iXBRL ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("revenue", ["nan", "1e309", "123456789012345678901234567890", "1234,5"])
def test_bad_accounts_figures_are_refused(revenue: str, tmp_path: Path) -> None:
    lines = (SUPPLIERS / "accounts.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    assert len(cells) == len(header)
    cells[header.index("revenue")] = f'"{revenue}"'
    (tmp_path / "accounts.csv").write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    refused(bounded(read_accounts, tmp_path / "accounts.csv"), "accounts.csv, row 2", "column 'revenue'")


def test_an_unknown_supplier_in_contracts_is_an_error_naming_the_row(tmp_path: Path) -> None:
    accounts = read_accounts(SUPPLIERS / "accounts.csv")
    text = (SUPPLIERS / "contracts.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    blank = ",".join("" for _ in header.split(","))
    row = "Nobody Ltd,100000" + blank[len(","):]  # supplier, annual_contract_value, the rest blank
    (tmp_path / "contracts.csv").write_text(text.rstrip("\n") + "\n" + row + "\n", encoding="utf-8")
    rows = len(text.rstrip("\n").splitlines()) + 1
    refused(bounded(read_contract_exposures, tmp_path / "contracts.csv", {a.supplier for a in accounts}),
            f"contracts.csv, row {rows}", "'Nobody Ltd', who is not in the accounts file")


def test_a_truncated_ixbrl_file_is_an_error_not_fewer_facts() -> None:
    data = IXBRL.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 20):
        refused(bounded(parse_ixbrl, "a.html", data[:cut]), "a.html", "not well-formed iXBRL")


def test_ixbrl_with_100000_nested_elements_is_refused_quickly() -> None:
    deep = b"<html>" + b"<div>" * 100_000 + b"</div>" * 100_000 + b"</html>"
    refused(bounded(parse_ixbrl, "a.html", deep), "a.html", "not well-formed")


def test_an_ixbrl_fact_with_an_unknown_context_is_an_error() -> None:
    data = IXBRL.read_bytes()
    marker = b'contextRef="'
    start = data.index(marker) + len(marker)
    end = data.index(b'"', start)
    hostile = data[:start] + b"nowhere" + data[end:]
    refused(bounded(parse_ixbrl, "a.html", hostile), "a.html", "context 'nowhere'")


def test_a_17_digit_ixbrl_value_is_exact() -> None:
    data = IXBRL.read_bytes().decode("utf-8")
    match = re.search(r'(name="[^"]*TurnoverRevenue"[^>]*>)([^<]+)<', data)
    assert match is not None
    scale = re.search(r'scale="(\d+)"', match.group(1))
    hostile = data.replace(match.group(0), f"{match.group(1)}12,345,678,901,234,567<", 1)
    years = parse_ixbrl("a.html", hostile.encode("utf-8"))
    revenues = {y.revenue for y in years}
    exponent = int(scale.group(1)) if scale else 0
    assert Decimal(12_345_678_901_234_567).scaleb(exponent) in revenues


@pytest.mark.parametrize("content", [b"measure_id,theme\nA,B\n", b"PK\x03\x04\x14\x00broken"])
@pytest.mark.parametrize("reader", ["library", "kpi returns", "commitments", "maturity"])
def test_every_xlsx_reader_refuses_a_broken_workbook(reader: str, content: bytes, tmp_path: Path) -> None:
    from commonweal.io.socialvalue import open_library, read_library, read_maturity_answers

    if reader == "kpi returns":
        folder = copy_tree(CONTRACT, tmp_path / "c")
        (folder / "kpi_returns.csv").unlink()
        (folder / "kpi_returns.xlsx").write_bytes(content)
        outcome = bounded(load_contract_folder, folder, AS_OF)
        name = "kpi_returns.xlsx"
    else:
        name = f"{reader}.xlsx"
        (tmp_path / name).write_bytes(content)
        call = {"library": read_library, "maturity": read_maturity_answers,
                "commitments": lambda p: read_commitments(p, open_library())}[reader]
        outcome = bounded(call, tmp_path / name)
    refused(outcome, name, "not a valid .xlsx workbook")


@pytest.mark.parametrize("text", ["nan", "1e309", "123456789012345678901234567890", "inf"])
def test_an_unreadable_ixbrl_value_is_an_error(text: str) -> None:
    data = IXBRL.read_bytes().decode("utf-8")
    match = re.search(r'(name="[^"]*TurnoverRevenue"[^>]*>)([^<]+)<', data)
    assert match is not None
    hostile = data.replace(match.group(0), f"{match.group(1)}{text}<", 1).encode("utf-8")
    refused(bounded(parse_ixbrl, "a.html", hostile), "a.html")


def test_a_file_of_millions_of_bad_cells_stops_at_the_problem_limit(tmp_path: Path) -> None:
    from commonweal.io.accounts import CANONICAL_COLUMNS

    bad_row = ",".join("x" for _ in CANONICAL_COLUMNS) + "\n"
    path = tmp_path / "accounts.csv"
    path.write_text(",".join(CANONICAL_COLUMNS) + "\n" + bad_row * 60_000, encoding="utf-8")  # 1.6 million bad cells
    refused(bounded(read_accounts, path), "accounts.csv, row 2", "more problems")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert len(caught.value.problems) == 101  # the first 100, then a count
    assert caught.value.problems[-1].message.startswith("... and at least 1 more problems")


def test_a_table_of_too_many_cells_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMONWEAL_INPUT_MAX_CELLS", "10")
    with pytest.raises(InputError, match="more than 10 cells"):
        parse_table("t.csv", b"a,b,c\n1,2,3\n4,5,6\n7,8,9\n10,11,12\n", ["a"])
