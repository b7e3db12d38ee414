"""Supplier resilience (issue 3) joined to the spend store (issue 4): the council's spend with each supplier and in
the service area, matched by company number first, then normalised name."""

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commonweal.cli.main import app
from commonweal.domain.market.resolution import SpendWithSupplier, spend_with
from commonweal.io.errors import InputError
from commonweal.services.spend import import_files
from commonweal.services.suppliers import AssessmentRequest, assess_suppliers

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ROOT / "examples" / "suppliers" / "accounts.csv"  # Greenway (11223344), Keystone (05566778)

SPEND = (
    "Body Name,Service Area,Payment Date,Supplier Name,Net Amount,Company Number\n"
    "Anytown Council,Adult Social Care - Home Care,2024-05-03,GREENWAY COMMUNITY CARE LIMITED,30000,11223344\n"
    "Anytown Council,Adult Social Care - Home Care,2024-05-04,Greenway Homecare (trading name),10000,11223344\n"
    "Anytown Council,Adult Social Care - Home Care,2024-05-05,Keystone Outsourcing PLC,50000,\n"
    "Anytown Council,Adult Social Care - Home Care,2024-05-06,Another Provider Ltd,15000,\n"
    "Anytown Council,Adult Social Care - Home Care,2024-05-07,REDACTED PERSONAL DATA,5000,\n"
    "Anytown Council,Highways,2024-05-08,Keystone Outsourcing plc,999000,\n"
)


@pytest.fixture
def spend_db(tmp_path: Path) -> Path:
    source = tmp_path / "anytown_2024.csv"
    source.write_text(SPEND, encoding="utf-8")
    db = tmp_path / "db"
    [report] = import_files([source], db)
    assert (report["rows_read"], report["rows_loaded"]) == (6, 6)
    return db


def dependencies(register: list) -> dict[str, D]:
    return {r.supplier: r.dependency.council_dependence for r in register}


def test_spend_figures_come_from_the_store(spend_db: Path) -> None:
    register = assess_suppliers(AssessmentRequest(ACCOUNTS, spend_db=spend_db, service="home care"))
    share = dependencies(register)
    # Home care total: 30,000 + 10,000 + 50,000 + 15,000 + 5,000 (redacted counts in the area) = £110,000; the
    # £999,000 in Highways is another service area.
    # Greenway by company number 11223344, both spellings: 40,000 / 110,000
    assert share["Greenway Community Care Ltd"] == D(40000) / D(110000)
    # Keystone has no company number in the payments: by normalised name, 50,000 / 110,000
    assert share["Keystone Outsourcing plc"] == D(50000) / D(110000)


def test_the_cli_takes_the_spend_store(spend_db: Path) -> None:
    result = CliRunner().invoke(app, ["suppliers", "assess", str(ACCOUNTS), "--spend-db", str(spend_db),
                                      "--service", "HOME CARE", "--format", "json"])
    assert result.exit_code == 0, result.output
    register = {r["supplier"]: r for r in json.loads(result.stdout)["register"]}
    # 50,000 / 110,000 = 0.4545 (4 dp); 40,000 / 110,000 = 0.3636
    assert register["Keystone Outsourcing plc"]["dependency"]["council_dependence"] == 0.4545
    assert register["Greenway Community Care Ltd"]["dependency"]["council_dependence"] == 0.3636
    # where each figure came from is kept, so a reader can check it
    assert register["Greenway Community Care Ltd"]["dependency"]["council_spend_source"] == (
        f"spend store {spend_db}: spend with the supplier matched by company number; "
        "spend in service areas containing 'HOME CARE'")
    assert "matched by name" in register["Keystone Outsourcing plc"]["dependency"]["council_spend_source"]


def test_figures_the_contracts_file_states_are_kept(spend_db: Path) -> None:
    contracts = ROOT / "examples" / "suppliers" / "contracts.csv"  # Greenway: 1,200,000 of 6,000,000
    register = assess_suppliers(AssessmentRequest(ACCOUNTS, contracts=contracts, spend_db=spend_db,
                                                  service="home care"))
    assert dependencies(register)["Greenway Community Care Ltd"] == D("0.2")
    greenway = next(r for r in register if r.supplier == "Greenway Community Care Ltd")
    assert greenway.dependency.council_spend_source.startswith("contracts.csv row ")  # the store added nothing
    assert "spend store" not in greenway.dependency.council_spend_source


def test_an_unknown_service_area_is_refused_naming_the_areas(spend_db: Path) -> None:
    with pytest.raises(InputError) as caught:
        assess_suppliers(AssessmentRequest(ACCOUNTS, spend_db=spend_db, service="libraries"))
    [problem] = caught.value.problems
    assert problem.column == "service_area" and "'Highways'" in problem.message


def test_matching_prefers_the_company_number_and_never_reads_unknown_as_zero() -> None:
    spend = [SpendWithSupplier("ACME CARE", "01234567", D("10.00")),
             SpendWithSupplier("ACME CARE SERVICES", "1234567", D("5.00")),
             SpendWithSupplier("OTHER", None, D("7.00"))]
    # '1234567' is the same company as '01234567' once normalised: 10 + 5
    assert spend_with("Acme Care Ltd", "1234567", spend) == (D("15.00"), "company number")
    assert spend_with("Acme Care Ltd", None, spend) == (D("10.00"), "name")
    assert spend_with("Nobody Ltd", "09999999", spend) is None
