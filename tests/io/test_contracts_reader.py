import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.domain.contracts.model import Verification
from commonweal.io.contracts import load_contract_folder, load_contract_folders
from commonweal.io.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "contracts"
AS_OF = dt.date(2026, 10, 31)


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    folder = tmp_path / "healthy"
    shutil.copytree(EXAMPLES / "healthy-home-care", folder)
    return folder


def append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))


def test_example_folder_loads_exactly(healthy: Path) -> None:
    folder = load_contract_folder(healthy, AS_OF)
    assert folder.contract.value == Decimal("4800000.00")  # YAML decimals stay exact
    assert folder.contract.kpis[0].tolerance == Decimal(2)
    assert len(folder.returns) == 13  # October 2025 to October 2026 (October 2026 has social value only)
    first = folder.returns[0]
    assert first.period.start == dt.date(2025, 10, 1) and first.period.end == dt.date(2025, 10, 31)
    assert {m.kpi for m in first.measurements} == {"on_time_visits", "missed_visits", "complaints_resolved"}
    assert first.deliveries[0].verification is Verification.VERIFIED
    assert folder.variations[0].value_change == Decimal("120000.00")


def test_a_return_with_bad_rows_is_rejected_whole_with_file_row_and_column(healthy: Path) -> None:
    returns = healthy / "kpi_returns.csv"
    rows_before = len(returns.read_text().splitlines())
    append(returns,
           "2026-09-01,visits_per_day,12,",  # unknown KPI
           "2026-09-01,missed_visits,-2,",  # negative count (a duplicate too, of the September figure)
           "2026-11-01,on_time_visits,96,")  # a period that ends after the review date
    with pytest.raises(InputError) as caught:
        load_contract_folder(healthy, AS_OF)
    problems = {(p.file, p.row, p.column): p.message for p in caught.value.problems}
    unknown = problems[("healthy/kpi_returns.csv", rows_before + 1, "kpi")]
    assert "unknown KPI 'visits_per_day'" in unknown
    assert "complaints_resolved, missed_visits, on_time_visits" in unknown
    negative = problems[("healthy/kpi_returns.csv", rows_before + 2, "actual")]
    assert negative == "expected a number of 0 or more, found -2"
    assert "is in the future" in problems[("healthy/kpi_returns.csv", rows_before + 3, "period_start")]
    assert "2026-11-30" in problems[("healthy/kpi_returns.csv", rows_before + 3, "period_start")]


def test_problems_in_every_file_are_reported_together(healthy: Path) -> None:
    append(healthy / "social_value_returns.csv", "2026-09-01,tree_planting,5,photos,verified",
           "2026-09-01,local_care_jobs,1,,verified")
    append(healthy / "provider_returns.csv", "2026-09-15,3,4100,118,4,4.0,")
    append(healthy / "variations.csv", "V2,2026-13-01,Bad,12k,1.5,maybe,,perhaps,no,no,V9,no")
    with pytest.raises(InputError) as caught:
        load_contract_folder(healthy, AS_OF)
    where = {(p.file.split("/")[-1], p.column) for p in caught.value.problems}
    assert ("social_value_returns.csv", "measure") in where  # not a committed measure
    assert ("social_value_returns.csv", "evidence") in where  # verified without evidence
    assert ("provider_returns.csv", "period_start") in where  # not the first of a month
    assert {("variations.csv", c) for c in ("agreed_on", "value_change", "term_change_months", "ground",
                                            "changes_scope")} <= where


def test_contract_yaml_problems_name_the_key(tmp_path: Path, healthy: Path) -> None:
    text = (healthy / "contract.yaml").read_text()
    text = text.replace("kind: services", "kind: consultancy").replace("    tolerance: 2\n", "    tolerance: -2\n")
    (healthy / "contract.yaml").write_text(text + "policy:\n  consecutive_mises: 2\n")
    with pytest.raises(InputError) as caught:
        load_contract_folder(healthy, AS_OF)
    columns = {p.column: p.message for p in caught.value.problems}
    assert columns["kind"] == "expected one of goods, services, works, found 'consultancy'"
    assert columns["kpis[0].tolerance"].startswith("expected a number of at least 0")
    assert "is not a policy setting" in columns["policy.consecutive_mises"]
    assert all(p.file == "healthy/contract.yaml" for p in caught.value.problems)


def test_policy_overrides_replace_commonweal_defaults(healthy: Path) -> None:
    with (healthy / "contract.yaml").open("a") as handle:
        handle.write("policy:\n  consecutive_misses: 2\n  social_value_share: 0.9\n  window_months: 6\n")
    folder = load_contract_folder(healthy, AS_OF)
    assert folder.triggers.consecutive_misses == 2
    assert folder.triggers.social_value_share == Decimal("0.9")
    assert folder.window_months == 6


def test_policy_margin_level_may_be_negative_but_shares_may_not(healthy: Path) -> None:
    with (healthy / "contract.yaml").open("a") as handle:
        handle.write("policy:\n  loss_making_margin_pct: -2.5\n  volume_deviation_share: -0.1\n")
    with pytest.raises(InputError) as caught:
        load_contract_folder(healthy, AS_OF)
    [problem] = caught.value.problems
    assert problem.column == "policy.volume_deviation_share"


def test_xlsx_returns_are_read_like_csv(healthy: Path) -> None:
    from openpyxl import Workbook

    csv_path = healthy / "provider_returns.csv"
    rows = [line.split(",") for line in csv_path.read_text().splitlines()]
    csv_path.unlink()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(healthy / "provider_returns.xlsx")
    folder = load_contract_folder(healthy, AS_OF)
    assert folder.returns[0].provider.volume == Decimal(4150)


def test_a_folder_of_folders_and_a_missing_contract(tmp_path: Path) -> None:
    assert [f.contract.id for f in load_contract_folders(EXAMPLES, AS_OF)] == [
        "EBC-2025-017", "EBC-2024-088", "EBC-2025-041"]  # folders in name order
    with pytest.raises(InputError, match=r"no contract\.yaml here"):
        load_contract_folders(tmp_path, AS_OF)


def test_quarterly_returns_run_three_months_from_their_start(healthy: Path) -> None:
    text = (healthy / "contract.yaml").read_text().replace("frequency: monthly", "frequency: quarterly")
    (healthy / "contract.yaml").write_text(text)
    for stem in ("kpi_returns", "social_value_returns", "provider_returns", "variations"):
        (healthy / f"{stem}.csv").unlink()
    (healthy / "kpi_returns.csv").write_text(
        "period_start,kpi,actual\n2026-04-01,on_time_visits,96\n2026-08-01,on_time_visits,95\n")
    # as at 31 October 2026 the quarter from 1 August ends on 31 October: complete, so accepted
    folder = load_contract_folder(healthy, AS_OF)
    assert [(r.period.start, r.period.end) for r in folder.returns] == [
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)), (dt.date(2026, 8, 1), dt.date(2026, 10, 31))]
    # a day earlier that quarter is not over yet, and the whole return is refused
    with pytest.raises(InputError) as caught:
        load_contract_folder(healthy, dt.date(2026, 10, 30))
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("healthy/kpi_returns.csv", 3, "period_start")


def test_uploaded_return_tables_attach_each_evidence_file_or_refuse_a_guess(healthy: Path) -> None:
    from commonweal.io.contracts import NamedEvidence, parse_returns

    contract = load_contract_folder(healthy, AS_OF).contract
    kpis = ("period_start,kpi,actual,evidence_file\n2026-09-01,on_time_visits,97,rota.pdf\n"
            "2026-09-01,missed_visits,1,\n")
    one = parse_returns({"kpi_returns": ("k.csv", kpis.encode())}, contract, AS_OF, ["rota.pdf", "letter.pdf"])
    assert one.evidence == (NamedEvidence(dt.date(2026, 9, 1), "on_time_visits", "rota.pdf"),
                            NamedEvidence(dt.date(2026, 9, 1), "", "letter.pdf"))
    # without evidence files the column must stay empty; with two periods a file no row names is refused
    two = kpis + "2026-08-01,on_time_visits,96,\n"
    with pytest.raises(InputError) as refused:
        parse_returns({"kpi_returns": ("k.csv", two.encode())}, contract, AS_OF, ["letter.pdf"])
    found = {(p.file, p.row, p.column) for p in refused.value.problems}
    assert found == {("k.csv", 2, "evidence_file"), ("letter.pdf", None, None)}
