"""Social value readers: the open library, council libraries, deflators, commitments, settings, impact maps."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook

from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.socialvalue.rebase import rebase
from commonweal.io.errors import InputError
from commonweal.io.socialvalue import (
    open_library,
    read_commitments,
    read_deflators,
    read_impact_map,
    read_library,
    read_maturity_answers,
    read_settings,
)
from commonweal.io.tender_folder import load_tender_folder

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "home-care-tender"
HEADER = ["measure_id", "theme", "outcome", "measure", "unit", "proxy_gbp", "price_year", "source_title", "licence"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def where(error: InputError) -> set[tuple[str, int | None, str | None]]:
    return {(p.file, p.row, p.column) for p in error.problems}


def test_the_open_library_ships_only_verified_values() -> None:
    library = open_library()
    assert len(library.measures) == 27
    record_only = {m.id for m in library.measures if m.record_only}
    assert record_only == {"EMP-UC-FISCAL", "TRAIN-WEEK", "VOL-HOUR-ONS-HHSA"}
    assert all(m.verified for m in library.measures if not m.record_only)
    assert library.measure("EMP-JSA-FISCAL").proxy == D("9800")
    assert library.measure("APP-L2-EXCH").price_year == "2010/11"
    assert library.markings == ()
    assert all(m.source_title and m.licence.text for m in library.measures)


@pytest.mark.corpus
def test_the_open_library_copies_the_reference_figures(shared_reference: Path) -> None:
    with (shared_reference / "open_proxy_values.csv").open(encoding="utf-8") as handle:
        reference = {row["measure_id"]: row for row in csv.DictReader(handle)}
    library = open_library()
    for measure in library.measures:
        row = reference[measure.id]
        expected = D(row["value_gbp"]) if row["verified"] == "yes" else None
        assert measure.proxy == expected, measure.id
        assert measure.source_title == row["source_title"]
        assert measure.price_base_note == row["price_year"]
    # every reference row is either a measure or an appraisal parameter used elsewhere (discount rates, deflator)
    assert set(reference) - {m.id for m in library.measures} == {"DISC-STPR-0-30", "DISC-STPR-31-75", "GDPDEF-2022"}
    assert read_deflators().value("2022") == D(reference["GDPDEF-2022"]["value_gbp"])


def test_a_bad_library_row_names_file_row_and_column_and_imports_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "council.csv", [
        ["OK-1", "Jobs", "Work", "Good row", "person_year", "100", "2022", "A source", "OGL"],
        ["BAD-UNIT", "Jobs", "Work", "Unknown unit", "per widget", "100", "2022", "A source", "OGL"],
        ["BAD-PROXY", "Jobs", "Work", "Negative proxy", "hour", "-5", "2022", "A source", "OGL"],
        ["BAD-SOURCE", "Jobs", "Work", "No source", "hour", "5", "2022", "", "OGL"],
    ])
    with pytest.raises(InputError) as caught:
        read_library(path)
    assert where(caught.value) == {("council.csv", 3, "unit"), ("council.csv", 4, "proxy_gbp"),
                                   ("council.csv", 5, "source_title")}
    assert "unknown unit 'per widget'" in str(caught.value)
    assert "negative proxy" in str(caught.value)


def test_an_unverified_row_may_not_carry_a_value(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lib.csv", [["X", "Jobs", "Work", "x", "hour", "5", "", "src", "OGL", "no"]],
                     [*HEADER, "verified"])
    with pytest.raises(InputError) as caught:
        read_library(path)
    assert where(caught.value) == {("lib.csv", 2, "proxy_gbp")}


def test_a_licensed_xlsx_library_keeps_its_licence_on_every_value(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["T-1", "Jobs", "Work", "Local FTE", "person_year", 30000.5, "2024", "Council TOMs 2024",
                  "CC BY-NC-ND 4.0"])
    sheet.append(["T-2", "Skills", "Training", "Training week", "week", None, "2024", "Council TOMs 2024",
                  "CC BY-NC-ND 4.0"])
    book.save(tmp_path / "toms.xlsx")
    library = read_library(tmp_path / "toms.xlsx", version="2024.1")
    assert library.measure("T-1").proxy == D("30000.5")
    assert library.measure("T-2").record_only
    assert all(m.licence.non_commercial and m.licence.no_derivatives for m in library.measures)
    assert len(library.markings) == 1 and "NON-COMMERCIAL" in library.markings[0]


def test_the_shipped_deflator_rebases_a_2022_value() -> None:
    series = read_deflators()
    assert "HM Treasury" in series.source and series.basis.startswith("calendar year")
    # CO2 268.97 (2022 prices) × 100 / 90.5005 = 297.20 (2024 prices)
    assert rebase(D("268.97"), "2022", "2024", series).value == D("297.20")


def test_a_deflator_row_without_its_source_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [["2022", "90", "GDP", "calendar", "", "OGL"]],
                     ["period", "index", "series", "basis", "source", "licence"])
    with pytest.raises(InputError) as caught:
        read_deflators(path)
    assert where(caught.value) == {("d.csv", 2, "source")}


def test_commitments_are_checked_against_the_library_and_the_bids(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "commitments.csv", [
        ["Acorn", "1", "EMP-JSA-FISCAL", "2", "1"],
        ["Acorn", "1", "NOPE", "2", "1"],
        ["Acorn", "1", "EMP-JSA-FISCAL", "two", "0"],
        ["Stranger", "1", "EMP-JSA-FISCAL", "1", "1"],
    ], ["bidder", "lot", "measure", "quantity", "year"])
    with pytest.raises(InputError) as caught:
        read_commitments(path, open_library(), {("Acorn", "1")})
    assert where(caught.value) == {("commitments.csv", 3, "measure"), ("commitments.csv", 4, "quantity"),
                                   ("commitments.csv", 4, "year"), ("commitments.csv", 5, "bidder")}


def test_the_example_settings_pin_the_open_library() -> None:
    settings = read_settings(EXAMPLE)
    assert settings.library.pin() == open_library().pin()
    assert settings.core_values is not None and len(settings.core_values.values) == 3
    assert settings.contexts["1"].workforce == 60


def test_a_changed_library_fails_the_pin(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "socialvalue.yaml", tmp_path / "socialvalue.yaml")
    rows = list(csv.reader((REPO / "src/commonweal/data/socialvalue/open_library.csv").open(encoding="utf-8")))
    rows[1][6] = "9801"  # EMP-JSA-FISCAL's proxy
    write_csv(tmp_path / "changed.csv", rows[1:], rows[0])
    with pytest.raises(InputError) as caught:
        read_settings(tmp_path, tmp_path / "changed.csv", "2026.1")
    assert where(caught.value) == {("socialvalue.yaml", None, "library.content_hash")}


def test_selections_outside_core_values_are_refused(tmp_path: Path) -> None:
    (tmp_path / "socialvalue.yaml").write_text(
        "core_values:\n  - {id: jobs, title: Jobs, outcomes: [], measures: [EMP-JSA-FISCAL]}\n"
        "selections:\n  - {measure: CO2-DESNZ-2024, core_value: jobs, relevance: x, proportionality: ''}\n",
        encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_settings(tmp_path)
    messages = str(caught.value)
    assert "not mapped to core value 'jobs'" in messages and "s.23(2)(d)" in messages


def test_an_impact_map_states_every_assumption(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("investment: '1000'\noutcomes:\n"
                    "  - {outcome: Jobs, measure: EMP-JSA-FISCAL, quantity: 1, duration: 1, deadweight: 20%,\n"
                    "     displacement: 0, attribution: 0.1}\n"
                    "  - {outcome: Hours, proxy: '-2', quantity: 1, duration: 0, deadweight: 2,\n"
                    "     displacement: 0, attribution: 0, drop_off: 0}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_impact_map(path, open_library())
    # each problem at the line of the outcome it is in, with the key's path
    assert where(caught.value) == {("map.yaml", 3, "outcomes[0].drop_off"), ("map.yaml", 5, "outcomes[1].proxy"),
                                   ("map.yaml", 5, "outcomes[1].duration"), ("map.yaml", 5, "outcomes[1].deadweight")}
    path.write_text("investment: '1000'\noutcomes:\n"
                    "  - {outcome: Jobs, measure: EMP-JSA-FISCAL, quantity: 1, duration: 1, deadweight: 20%,\n"
                    "     displacement: 0, attribution: 0.1, drop_off: 0}\n", encoding="utf-8")
    (line,) = read_impact_map(path, open_library()).lines
    assert (line.proxy, line.deadweight, line.attribution) == (D("9800"), D("0.2"), D("0.1"))


def test_maturity_answers_must_use_the_four_levels(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "answers.csv", [["strategy", "a lot"]], ["question", "answer"])
    with pytest.raises(InputError) as caught:
        read_maturity_answers(path)
    assert where(caught.value) == {("answers.csv", 2, "answer")}
    assert len(read_maturity_answers(REPO / "examples/socialvalue/maturity-answers.csv")) == 12


def test_committed_pounds_are_scored_by_a_quantitative_criterion(tmp_path: Path) -> None:
    folder = tmp_path / "tender"
    shutil.copytree(EXAMPLE, folder)
    yaml_text = (folder / "tender.yaml").read_text(encoding="utf-8")
    assert "cap: 39200}" in yaml_text  # the example's SV4, worth 20% of the 15-point social value group
    (folder / "tender.yaml").write_text(yaml_text.replace("cap: 39200}", "cap: 100000}"), encoding="utf-8")
    loaded = load_tender_folder(folder)
    lot = loaded.tender.lots[0]
    result = evaluate_lot(lot, **loaded.for_lot("1"))
    sv4 = {r.bidder: next(c for c in r.criteria if c.criterion.id == "SV4") for r in result.ranking}
    # Harbour offers £2,120,250.00, capped at £100,000, so the best offer counts as £100,000
    assert sv4["Harbour Healthcare Group plc"].score == D("2120250.00")
    assert sv4["Harbour Healthcare Group plc"].fraction == 1
    # Brightwater: 8 × £9,800 + 400 × £18.64 + 12 × £268.97 = 78,400 + 7,456 + 3,227.64 = £89,083.64 → 0.8908364
    assert sv4["Brightwater Home Care Ltd"].score == D("89083.64")
    assert sv4["Brightwater Home Care Ltd"].fraction == D("0.8908364")
    # SV4 is 20% of the 15-point social value group: 3 points; 0.8908364 × 3 = 2.6725092
    assert sv4["Brightwater Home Care Ltd"].weight == 3
    assert sv4["Brightwater Home Care Ltd"].points == D("2.6725092")
    # a bidder with no commitments would offer £0: every lot-1 bidder here has some
    assert set(sv4) == {b.bidder for b in loaded.bids if b.lot == "1"}


def test_the_example_caps_washing_so_it_does_not_win_the_criterion_outright() -> None:
    loaded = load_tender_folder(EXAMPLE)
    lot = loaded.tender.lots[0]
    result = evaluate_lot(lot, **loaded.for_lot("1"))
    sv4 = {r.bidder: next(c for c in r.criteria if c.criterion.id == "SV4") for r in result.ranking}
    # The cap is £39,200 (4 jobseekers into work x £9,800). Harbour's £2,120,250.00 scores full marks, but so do
    # Calder (£62,655.30), Ridgeway (£47,750.20) and Brightwater (£89,083.64): no outright win for the washing.
    full = {bidder for bidder, c in sv4.items() if c.fraction == 1}
    assert full == {"Harbour Healthcare Group plc", "Calder Community Care CIC", "Ridgeway Support Trust",
                    "Brightwater Home Care Ltd"}
    # Meadowside: 2 x £9,800 + 8 x £268.97 = £21,751.76 (training weeks are record only); 21,751.76 / 39,200
    # = 0.55489..., x 3 points = 1.6647
    assert sv4["Meadowside Care Services Ltd"].score == D("21751.76")
    assert sv4["Meadowside Care Services Ltd"].points.quantize(D("0.0001")) == D("1.6647")


def test_settings_configure_the_anti_washing_checks(tmp_path: Path) -> None:
    (tmp_path / "socialvalue.yaml").write_text(
        "lots:\n  - {lot: '1', workforce: 12, service_measures: [VOL-HOUR-ASHE2024]}\n"
        "anti_washing: {max_share_of_contract_value: 25%}\ncriterion: SV4\n", encoding="utf-8")
    settings = read_settings(tmp_path)
    assert settings.policy.max_share_of_contract_value == D("0.25")
    assert settings.contexts["1"].service_measures == frozenset({"VOL-HOUR-ASHE2024"})
    assert settings.criterion == "SV4"
    (tmp_path / "socialvalue.yaml").write_text(
        "lots:\n  - {workforce: many, service_measures: [NOPE]}\nanti_washing: {max_share_of_contract_value: 2}\n"
        "extra: 1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_settings(tmp_path)
    # each problem at its line, with the key's path
    assert where(caught.value) == {
        ("socialvalue.yaml", 4, "extra"), ("socialvalue.yaml", 2, "lots[0].lot"),
        ("socialvalue.yaml", 2, "lots[0].workforce"), ("socialvalue.yaml", 2, "lots[0].service_measures"),
        ("socialvalue.yaml", 3, "anti_washing.max_share_of_contract_value"),
    }
