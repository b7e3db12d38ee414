"""Generated hostile input over every reader the structured-input layer serves: whatever the bytes, a reader
loads or raises InputError (never another exception), within hypothesis's deadline; and what loads means what it
said (round trips), while what should be refused is refused.

CI runs a few dozen examples per property (< 60 s for the whole folder); `COMMONWEAL_FUZZ_EXAMPLES=2000` runs a
long, randomised session (docs/input-limits.md)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from commonweal.io.accounts import read_accounts, read_contract_exposures
from commonweal.io.contracts import load_contract_folder
from commonweal.io.errors import InputError
from commonweal.io.ixbrl import parse_ixbrl
from commonweal.io.socialvalue import (
    open_library,
    parse_ppn002,
    read_commitments,
    read_delivery,
    read_impact_map,
    read_library,
    read_maturity_answers,
    read_settings,
)
from commonweal.io.structured import Folder, exact_number, load_json, load_yaml
from commonweal.io.tabular import parse_table
from commonweal.io.tender_folder import load_tender_folder, parse_tender_yaml
from tests.fuzz.support import AS_OF, CONTRACT, FUZZ, IXBRL, ROOT, SOCIAL, SUPPLIERS, TENDER, never_crashes

# fragments that have broken readers before: quotes, separators, encodings, YAML syntax, odd numbers
HOSTILE = [b",", b'"', b"\n", b"\r", b"\x00", b"\xe9", b"\xff\xfe", b"[", b"{", b"&a ", b"*a", b": ", b"- ",
           b"!!python/object ", b".nan", b"1e309", b"-", b"9" * 30, b"1234,5", b"\xd9\xa1", b"\t", b"<", b"</",
           b"2020-13-01", b"%", b"\xef\xbb\xbf", b"PK\x03\x04"]


def mutate(data: bytes) -> st.SearchStrategy[bytes]:
    """`data` with a few spans cut, replaced or duplicated by hostile fragments."""
    edit = st.tuples(st.integers(0, len(data)), st.integers(0, 40),
                     st.one_of(st.sampled_from(HOSTILE), st.binary(max_size=8)))

    def apply(edits: list[tuple[int, int, bytes]]) -> bytes:
        out = data
        for position, cut, insert in edits:
            at = min(position, len(out))
            out = out[:at] + insert + out[at + cut:]
        return out

    return st.lists(edit, min_size=1, max_size=4).map(apply)


def on_disk(name: str, data: bytes, read: Callable[[Path], Any]) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return read(path)


TENDER_FILES = {p.name: p.read_bytes() for p in TENDER.iterdir() if p.is_file()}


@FUZZ
@given(mutate(TENDER_FILES["tender.yaml"]))
def test_tender_yaml(data: bytes) -> None:
    never_crashes(parse_tender_yaml, data)


@FUZZ
@given(st.sampled_from(["bids.csv", "gates.csv", "commitments.csv", "socialvalue.yaml", "scores.csv"]), st.data())
def test_uploaded_tender_folder(name: str, data: st.DataObject) -> None:
    """The web's tender upload reads an in-memory Folder through the same reader."""
    files = dict(TENDER_FILES)
    files[name] = data.draw(mutate(files[name]))
    never_crashes(load_tender_folder, Folder(label="upload", files=files), False)


@FUZZ
@given(mutate(TENDER_FILES["scores.csv"]))
def test_scores_upload_table(data: bytes) -> None:
    never_crashes(parse_table, "scores.csv", data, ["bidder", "lot", "criterion", "score", "rationale"])


@FUZZ
@given(st.sampled_from(sorted(p.name for p in CONTRACT.iterdir())), st.data())
def test_contract_folder(name: str, data: st.DataObject) -> None:
    content = data.draw(mutate((CONTRACT / name).read_bytes()))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "c"
        folder.mkdir()
        for item in CONTRACT.iterdir():
            (folder / item.name).write_bytes(content if item.name == name else item.read_bytes())
        never_crashes(load_contract_folder, folder, AS_OF)


LIBRARY = open_library()
SOCIAL_READERS: dict[str, Callable[[Path], Any]] = {
    "awarded-commitments.csv": lambda p: read_commitments(p, LIBRARY),
    "delivery-returns.csv": lambda p: read_delivery(p, LIBRARY),
    "impact-map.yaml": lambda p: read_impact_map(p, LIBRARY),
    "maturity-answers.csv": read_maturity_answers,
}


@FUZZ
@given(st.sampled_from(sorted(SOCIAL_READERS)), st.data())
def test_social_value_files(name: str, data: st.DataObject) -> None:
    content = data.draw(mutate((SOCIAL / name).read_bytes()))
    never_crashes(on_disk, name, content, SOCIAL_READERS[name])


@FUZZ
@given(mutate((ROOT / "src" / "commonweal" / "data" / "socialvalue" / "open_library.csv").read_bytes()[:6000]))
def test_measures_library(data: bytes) -> None:
    never_crashes(on_disk, "library.csv", data, read_library)


@FUZZ
@given(mutate((ROOT / "src" / "commonweal" / "data" / "socialvalue" / "ppn002.csv").read_bytes()))
def test_social_value_model(data: bytes) -> None:
    """The workspace's import of the full PPN 002 model reads uploaded bytes through the structured layer."""
    never_crashes(parse_ppn002, "ppn002.csv", data)


@FUZZ
@given(mutate(TENDER_FILES["socialvalue.yaml"]))
def test_social_value_settings(data: bytes) -> None:
    never_crashes(read_settings, Folder(label="upload", files={**TENDER_FILES, "socialvalue.yaml": data}))


@FUZZ
@given(st.sampled_from(["accounts.csv", "contracts.csv"]), st.data())
def test_accounts_and_exposures(name: str, data: st.DataObject) -> None:
    content = data.draw(mutate((SUPPLIERS / name).read_bytes()))
    never_crashes(on_disk, name, content, read_accounts if name == "accounts.csv" else read_contract_exposures)


@FUZZ
@given(mutate(IXBRL.read_bytes()))
def test_ixbrl(data: bytes) -> None:
    never_crashes(parse_ixbrl, "accounts.html", data)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_as_every_format(data: bytes) -> None:
    for reader in (lambda: load_yaml("x.yaml", data), lambda: load_json("x.json", data),
                   lambda: parse_table("x.csv", data, ["a"]), lambda: parse_table("x.xlsx", data, ["a"])):
        never_crashes(reader)


# --- no silent change of meaning ---------------------------------------------------------------------------------

CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=20)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=20))
def test_a_csv_reads_back_cell_for_cell(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    table = parse_table("t.csv", buffer.getvalue().encode("utf-8"), ["a", "b", "c"])
    kept = [r for r in rows if any(c.strip() for c in r)]  # blank rows are skipped, by design
    assert [[row.values[c] for c in ("a", "b", "c")] for row in table] == kept


@FUZZ
@given(st.lists(st.lists(CELL.filter(lambda c: "," not in c and '"' not in c and "\n" not in c), min_size=3,
                         max_size=3), min_size=1, max_size=10), st.integers(0, 9), st.integers(0, 2))
def test_a_stray_comma_is_refused_never_shifted(rows: list[list[str]], which: int, cell: int) -> None:
    lines = ["a,b,c"] + [",".join(r) for r in rows]
    target = 1 + which % len(rows)
    row = rows[which % len(rows)]
    row_text = ",".join([*row[:cell], row[cell] + ",x", *row[cell + 1:]])
    lines[target] = row_text
    try:
        parse_table("t.csv", ("\n".join(lines) + "\n").encode(), ["a", "b", "c"])
    except InputError as exc:
        assert f"row {target + 1}" in str(exc)
        return
    raise AssertionError("a row with a fourth field was accepted")


@FUZZ
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**12, max_value=10**12))
def test_numbers_read_exactly(value: Decimal) -> None:
    assert exact_number(f"{value:f}") == value
    grouped = f"{value:,f}"
    assert exact_number(grouped, thousands=True) == value
    document = load_yaml("x.yaml", f"v: {value:f}\n".encode())
    assert document.data["v"] == value and not isinstance(document.data["v"], float)


@FUZZ
@given(st.integers(0, 999_999), st.integers(1, 99))
def test_a_decimal_comma_is_refused(whole: int, fraction: int) -> None:
    assert exact_number(f"{whole},{fraction}", thousands=True) is None  # never 12345 for 1234,5


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                max_size=4), max_leaves=30))
def test_generated_yaml_structures_round_trip(value: Any) -> None:
    text = yaml.safe_dump({"v": value}, allow_unicode=True)
    assert load_yaml("x.yaml", text.encode()).data == yaml.safe_load(text)


# --- every YAML value replaced by a value of the wrong shape -----------------------------------------------------

SHAPES = ["[1, 2]", "{a: 1}", "~", "true", "-5", "0", "''", "2020-01-01", "[[]]", "{}", "[{}]", "99999999999999999999"]


def reshaped(text: str) -> list[str]:
    """`text` with one `key: value` at a time given each wrong-shaped value."""
    return [text[: m.end(1)] + " " + shape + text[m.end():]
            for m in re.finditer(r"(?m)^(\s*(?:- )?[A-Za-z_]+:)[ ]*(.*)$", text) for shape in SHAPES]


@FUZZ
@given(st.sampled_from(reshaped(TENDER_FILES["tender.yaml"].decode("utf-8"))))
def test_tender_yaml_values_of_the_wrong_shape(text: str) -> None:
    never_crashes(parse_tender_yaml, text.encode("utf-8"))


@FUZZ
@given(st.sampled_from(reshaped(TENDER_FILES["socialvalue.yaml"].decode("utf-8"))))
def test_social_value_settings_of_the_wrong_shape(text: str) -> None:
    never_crashes(read_settings, Folder(label="upload", files={**TENDER_FILES, "socialvalue.yaml": text.encode()}))


@FUZZ
@given(st.sampled_from(reshaped((SOCIAL / "impact-map.yaml").read_text(encoding="utf-8"))))
def test_impact_map_values_of_the_wrong_shape(text: str) -> None:
    never_crashes(on_disk, "map.yaml", text.encode("utf-8"), lambda p: read_impact_map(p, LIBRARY))


@FUZZ
@given(st.sampled_from(reshaped((CONTRACT / "contract.yaml").read_text(encoding="utf-8"))))
def test_contract_yaml_values_of_the_wrong_shape(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "c"
        shutil.copytree(CONTRACT, folder)
        (folder / "contract.yaml").write_text(text, encoding="utf-8")
        never_crashes(load_contract_folder, folder, AS_OF)
