"""The tender folder reader: everything valid loads; every problem names file, row and column."""

import csv
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from commonweal.io.errors import InputError
from commonweal.io.tender_folder import load_tender_folder

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "tender"
    shutil.copytree(EXAMPLE, target)
    return target


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set `column` on spreadsheet row `row` (header = 1)."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[row - 2][column] = value
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _problems(folder: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        load_tender_folder(folder)
    return [(p.file, p.row, p.column, p.message) for p in caught.value.problems]


def test_the_example_loads_whole() -> None:
    loaded = load_tender_folder(EXAMPLE)
    assert [lot.id for lot in loaded.tender.lots] == ["1", "2"]
    assert len(loaded.bids) == 10 and len({b.bidder for b in loaded.bids}) == 6
    assert len({s.evaluator for s in loaded.scores}) == 3
    assert len(loaded.scores) == 3 * len(loaded.moderation)


def test_a_bad_price_names_file_row_and_column(folder: Path) -> None:
    _edit_csv(folder / "bids.csv", 3, "price", "three million")
    assert (
        "bids.csv",
        3,
        "price",
        "expected an amount in pounds such as 1234567.89, got 'three million'",
    ) in _problems(folder)


def test_a_score_off_the_scale_names_file_row_and_column(folder: Path) -> None:
    _edit_csv(folder / "scores.csv", 5, "score", "6")
    problems = _problems(folder)
    assert ("scores.csv", 5, "score", "score 6 is not on scale 0-5; expected one of 0, 1, 2, 3, 4, 5") in problems


def test_unknown_lot(folder: Path) -> None:
    _edit_csv(folder / "moderation.csv", 2, "lot", "9")
    _edit_csv(folder / "moderation.csv", 3, "lot", "")
    problems = _problems(folder)
    assert ("moderation.csv", 2, "lot", "unknown lot '9'; tender.yaml defines 1, 2") in problems
    assert ("moderation.csv", 3, "lot", "is empty; a value is required") in problems


def test_missing_rationale_and_unmoderated_score(folder: Path) -> None:
    _edit_csv(folder / "moderation.csv", 4, "rationale", "  ")
    lines = (folder / "moderation.csv").read_text().splitlines()
    (folder / "moderation.csv").write_text("\n".join(lines[:-1]) + "\n")  # drop the last consensus row
    problems = _problems(folder)
    assert ("moderation.csv", 4, "rationale", "a rationale is required for every score") in problems
    assert ("scores.csv", None, "score", "Meadowside Care Services Ltd on SV3 has not been moderated") in problems


def test_missing_column_and_missing_file(folder: Path) -> None:
    (folder / "moderation.csv").unlink()
    text = (folder / "bids.csv").read_text().replace("price", "cost", 1)
    (folder / "bids.csv").write_text(text)
    problems = _problems(folder)
    assert ("bids.csv", 1, "price", "missing column; expected columns bidder, lot, price") in problems
    assert any(p[0] == "moderation.csv" and "is missing" in p[3] for p in problems)


def test_tender_yaml_errors_give_the_line_and_path(folder: Path) -> None:
    text = (folder / "tender.yaml").read_text()
    text = text.replace("weight: 40\n    formula", "weight: 45\n    formula").replace(
        "title: Quality, weight: 45", "title: Quality, wieght: 45"
    )
    (folder / "tender.yaml").write_text(text)
    problems = _problems(folder)
    assert (
        "tender.yaml",
        16,
        "evaluation_model.groups[0].wieght",
        "unknown key; expected one of category, criteria_weights, id, threshold, title, weight",
    ) in problems
    assert any(p[2] == "evaluation_model.groups[0].weight" and p[3] == "is required: expected a number"
               for p in problems)


def test_weights_that_do_not_sum_are_refused(folder: Path) -> None:
    text = (folder / "tender.yaml").read_text().replace("weight: 40\n    formula", "weight: 45\n    formula")
    (folder / "tender.yaml").write_text(text)
    problems = _problems(folder)
    assert any(
        p[0] == "tender.yaml" and p[2] == "evaluation_model" and "must sum to 100, not 105" in p[3] for p in problems
    )


def test_xlsx_files_are_read_like_csv(folder: Path) -> None:
    with (folder / "bids.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append([float(v) if i == 2 and row is not rows[0] else v for i, v in enumerate(row)])
    workbook.save(folder / "bids.xlsx")
    (folder / "bids.csv").unlink()
    loaded = load_tender_folder(folder)
    assert sorted(b.price for b in loaded.bids) == sorted(b.price for b in load_tender_folder(EXAMPLE).bids)


def test_both_csv_and_xlsx_is_ambiguous(folder: Path) -> None:
    Workbook().save(folder / "bids.xlsx")
    assert any("both bids.csv and bids.xlsx exist" in p[3] for p in _problems(folder))


def test_an_explicit_zero_is_kept_where_it_means_something(folder: Path) -> None:
    # every setting written as 0: none may turn silently into its default (20, 15, 10, 5 or 0.9)
    text = (folder / "tender.yaml").read_text()
    text = text.replace("below_mean_of_others_percent: 20", "below_mean_of_others_percent: 0")
    text = text.replace("below_next_lowest_percent: 15", "below_next_lowest_percent: 0")
    text = text.replace("  spread_threshold_percent: 40\n",
                        "  spread_threshold_percent: 40\n  social_value_minimum: 0\n")
    text = text.replace("    weight_band: 5\n", "    weight_band: 0\n    fragile_below: 0\n")
    (folder / "tender.yaml").write_text(text)
    model = load_tender_folder(folder).tender.lots[0].model
    assert model.abnormally_low.below_mean_of_others_percent == 0
    assert model.abnormally_low.below_next_lowest_percent == 0
    assert model.social_value_minimum == 0
    assert model.sensitivity.weight_band == 0 and model.sensitivity.fragile_below == 0


def test_a_zero_where_it_means_nothing_is_an_error_never_the_default(folder: Path) -> None:
    # a spread threshold of 0 would flag every criterion, the agreed ones too
    text = (folder / "tender.yaml").read_text().replace("spread_threshold_percent: 40", "spread_threshold_percent: 0")
    text = text.replace("below_next_lowest_percent: 15", "below_next_lowest_percent: 150")
    (folder / "tender.yaml").write_text(text)
    problems = _problems(folder)
    assert any(p[2] == "evaluation_model.spread_threshold_percent"
               and p[3] == "expected a number above 0 and at most 100, got 0" for p in problems), problems
    assert any(p[2] == "evaluation_model.abnormally_low.below_next_lowest_percent"
               and p[3] == "expected a number from 0 to 100, got 150" for p in problems), problems


def _priced_by_elements(folder: Path) -> None:
    """The example with its price as a block price (15) and an hourly rate against 100,000 hours (25)."""
    text = (folder / "tender.yaml").read_text().replace(
        "    weight: 40\n    formula: relative_to_lowest\n",
        "    weight: 40\n    formula: relative_to_lowest\n    elements:\n"
        "      - {id: block, title: Block price, weight: 15}\n"
        "      - {id: hourly, title: Hourly rate, weight: 25, volume: 100000, unit: hour}\n", 1)
    (folder / "tender.yaml").write_text(text)
    with (folder / "bids.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        # each bid's price split into a block price and an hourly rate; the stated total left out
        row["price_block"] = f"{1000000 + 10000 * i}.00"
        row["price_hourly"] = f"{24 + (i % 5) / 2:.2f}"
        row["price"] = ""
    with (folder / "bids.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_price_elements_are_read_and_scored_each_on_its_own(folder: Path) -> None:
    from commonweal.services.evaluation import evaluate_folder, tender_json

    _priced_by_elements(folder)
    loaded = load_tender_folder(folder)
    first = loaded.bids[0]
    assert dict(first.element_prices) == {"block": Decimal("1000000.00"), "hourly": Decimal("24.00")}
    assert first.price == Decimal("3400000.00")  # 1,000,000 + 24 × 100,000
    ranking = tender_json(evaluate_folder(folder))["lots"][0]["ranking"]
    admissible = [r for r in ranking if not r["excluded"]]
    assert all(set(r["price_elements"]) == {"block", "hourly"} for r in admissible)
    assert max(Decimal(r["price_elements"]["block"]["points"]) for r in admissible) == Decimal("15.00")


def test_a_missing_element_price_or_an_unused_column_is_named(folder: Path) -> None:
    _priced_by_elements(folder)
    text = (folder / "bids.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] = lines[0].replace("email", "colour")  # a column the model does not use
    lines[1] = lines[1].rsplit(",", 1)[0] + ","  # the first bid's hourly rate blank
    (folder / "bids.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = _problems(folder)
    assert any(p[0] == "bids.csv" and p[1] == 1 and p[2] == "colour" and "does not use" in p[3] for p in problems)
    assert any(p[0] == "bids.csv" and p[1] == 2 and p[2] == "price_hourly" and "never read as £0" in p[3]
               for p in problems), problems


def test_a_price_cell_holding_excels_float_noise_reads_as_excel_shows_it(folder: Path) -> None:
    # a formula's result stored as 18412.370000000003 (the double next above 18412.37), which Excel displays as
    # £18,412.37
    workbook = Workbook()
    sheet = workbook.active
    with (folder / "bids.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([float(v) if i == 2 else v for i, v in enumerate(row)])
    sheet.cell(row=2, column=3, value=18412.37)
    workbook.save(folder / "bids.xlsx")
    # openpyxl writes the short form; Excel stores the double's full digits, as here
    with zipfile.ZipFile(folder / "bids.xlsx") as original:
        members = {name: original.read(name) for name in original.namelist()}
    sheet_xml = "xl/worksheets/sheet1.xml"
    assert b"<v>18412.37</v>" in members[sheet_xml]
    members[sheet_xml] = members[sheet_xml].replace(b"<v>18412.37</v>", b"<v>18412.370000000003</v>")
    with zipfile.ZipFile(folder / "bids.xlsx", "w") as rewritten:
        for name, content in members.items():
            rewritten.writestr(name, content)
    (folder / "bids.csv").unlink()
    loaded = load_tender_folder(folder)
    assert any(b.price == Decimal("18412.37") for b in loaded.bids)


@pytest.mark.parametrize("section", ["abnormally_low", "sensitivity"])
@pytest.mark.parametrize("written", ["0", "false", "''", "[]"])
def test_a_falsy_section_is_an_error_never_the_defaults(folder: Path, section: str, written: str) -> None:
    # `sensitivity: 0` once read as "no sensitivity section", so every default applied without a word
    text = (folder / "tender.yaml").read_text()
    replaced = re.sub(rf"  {section}:\n(    .*\n)+", f"  {section}: {written}\n", text)
    assert replaced != text
    (folder / "tender.yaml").write_text(replaced)
    problems = _problems(folder)
    assert any(p[2] == f"evaluation_model.{section}" and p[3].startswith("expected a mapping of keys to values, found ")
               for p in problems), problems
