"""Companies House basic company data, in its published layout (a header whose columns after the first carry a
leading space; every company here is invented), joined to a council's suppliers for their size."""

from pathlib import Path

import pytest

from commonweal.domain.market.classification import Label, SupplierEvidence, classify, size_from_accounts
from commonweal.io.companies_house import read_basic_company_data
from commonweal.io.errors import InputError
from commonweal.io.spend.reader import SpendRecord
from commonweal.services.spend import classification_accuracy

HEADER = ("CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, "
          "RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,"
          "CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,"
          "Accounts.AccountRefMonth,Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,"
          "Returns.NextDueDate,Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
          "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,"
          "SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,"
          "LimitedPartnerships.NumLimPartners,URI")


def company(name: str, number: str, category: str) -> str:
    cells = [name, number, "", "", "1 High Street", "", "Anytown", "", "", "AN1 1AA", "Private Limited Company",
             "Active", "United Kingdom", "", "01/01/2010", "31", "3", "31/12/2026", "31/03/2025", category, "", "",
             "0", "0", "0", "0", "81210 - General cleaning of buildings", "", "", "", "0", "0",
             f"http://business.data.gov.uk/id/company/{number}"]
    return ",".join(f'"{c}"' for c in cells)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "BasicCompanyData-2026-12-01-part1_7.csv"
    rows = [company("ANYTOWN CLEANERS LIMITED", "01234567", "MICRO ENTITY"),
            company("MEGA SERVICES PLC", "SC123456", "FULL"),
            company("TWIN NAME LTD", "07654321", "SMALL"), company("TWIN NAME LIMITED", "07654322", "GROUP"),
            company("SLEEPY HOLDINGS LTD", "09999999", "DORMANT"),
            company("NORTHERN LOGISTICS LIMITED", "05555555", "GROUP")]
    path.write_text(HEADER + "\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


def test_sizes_from_the_accounts_category_cite_their_rule() -> None:
    micro = size_from_accounts("Micro Entity")
    assert micro is not None and micro.label == Label.SME and "384A" in micro.reason
    full = size_from_accounts("FULL")
    assert full is not None and full.label == Label.LARGE and full.confidence < micro.confidence
    assert size_from_accounts("DORMANT") is None and size_from_accounts("") is None
    # what an organisation is comes before its size: a charity filing small accounts stays VCSE
    assert classify(SupplierEvidence("Anytown Community Trust", accounts_category="SMALL")).label == Label.VCSE
    assert classify(SupplierEvidence("Mega Services plc", accounts_category="MICRO ENTITY")).label == Label.SME


def test_suppliers_are_found_by_number_or_by_a_name_only_one_company_has(register: Path) -> None:
    by_number, by_name = read_basic_company_data([register], ["SC 123456", "1234567"],
                                                 ["ANYTOWN CLEANERS", "TWIN NAME", "NOBODY"])
    assert {n: c.accounts_category for n, c in by_number.items()} == {"SC123456": "FULL", "01234567": "MICRO ENTITY"}
    assert {n: c.accounts_category for n, c in by_name.items()} == {"ANYTOWN CLEANERS": "MICRO ENTITY"}


def test_a_file_that_is_not_the_product_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("Supplier,Amount\nAcme,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no column CompanyName, CompanyNumber"):
        read_basic_company_data([path], ["01234567"])


def test_accuracy_against_a_councils_sme_flags_rises_with_the_accounts(register: Path) -> None:
    def record(name: str, flag: str) -> SpendRecord:
        return SpendRecord(source_file="salford_contracts.csv", source_row=2, council="Salford", kind="contract",
                           date=None, period=None, amount=None, supplier_name=name, supplier_redacted=False,
                           council_sme_flag=flag)

    # a large company whose name (`Limited`) the name rule reads as an SME: its group accounts say otherwise
    records = {"salford_contracts.csv": [record("Anytown Cleaners Limited", "Yes"), record("Mega Services plc", "No"),
                                         record("Northern Logistics Limited", "No")]}
    without = classification_accuracy(records)["salford_contracts.csv"]
    assert without["correct"] == 2
    _, by_name = read_basic_company_data([register], [], ["ANYTOWN CLEANERS", "MEGA SERVICES", "NORTHERN LOGISTICS"])
    accounts = {key: c.accounts_category for key, c in by_name.items()}
    with_accounts = classification_accuracy(records, accounts)["salford_contracts.csv"]
    assert with_accounts["correct"] == 3
