"""`commonweal market accuracy FILE --companies-house PART...` end to end on Salford's contracts register (its own SME
flags are the truth) and a small hand-made Companies House "basic company data" file in the published layout, split
in two parts as the product is. No copy of the real product is held here (see docs/market.md, "Accuracy with
Companies House data"): the companies below are invented, each given the accounts category the test needs, so what
this shows is that the join and the accounts rule reach the measured figure, not the figure itself.

Layout: the product's header as third parties document it (CompanyName, CompanyNumber, ..., Accounts.AccountCategory,
..., URI), columns after the first with a leading space as in the published file (unverified against Companies
House's own specification, which this offline service cannot fetch); accounts categories as they are written there
(`MICRO ENTITY`, `SMALL`, `FULL`, `GROUP`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from commonweal.cli.main import app

FIELDS = ["CompanyName", "CompanyNumber", "RegAddress.CareOf", "RegAddress.POBox", "RegAddress.AddressLine1",
          "RegAddress.AddressLine2", "RegAddress.PostTown", "RegAddress.County", "RegAddress.Country",
          "RegAddress.PostCode", "CompanyCategory", "CompanyStatus", "CountryOfOrigin", "DissolutionDate",
          "IncorporationDate", "Accounts.AccountRefDay", "Accounts.AccountRefMonth", "Accounts.NextDueDate",
          "Accounts.LastMadeUpDate", "Accounts.AccountCategory", "Returns.NextDueDate", "Returns.LastMadeUpDate",
          "Mortgages.NumMortCharges", "Mortgages.NumMortOutstanding", "Mortgages.NumMortPartSatisfied",
          "Mortgages.NumMortSatisfied", "SICCode.SicText_1", "SICCode.SicText_2", "SICCode.SicText_3",
          "SICCode.SicText_4", "LimitedPartnerships.NumGenPartners", "LimitedPartnerships.NumLimPartners", "URI"]


def _suppliers(register: Path) -> list[tuple[str, str, bool]]:
    """Salford's flagged suppliers as the file states them: name, company number, SME flag (read with the csv
    module, not the importer)."""
    with register.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(r["Supplier Company Name"], r["Company Number"].strip(), r["SME Supplier?"].strip().upper() == "YES")
                for r in csv.DictReader(handle) if r["SME Supplier?"].strip().upper() in ("YES", "NO")]
    return list({name: (name, number, sme) for name, number, sme in rows}.values())


def _companies_house(folder: Path, suppliers: list[tuple[str, str, bool]], truthful: bool) -> list[Path]:
    """The register in two parts: a supplier with a company number is listed by that number under another name (so
    only the number can find it), the others by their name under an invented number."""
    lines = []
    for i, (name, number, sme) in enumerate(suppliers):
        small = sme if truthful else not sme
        cells = dict.fromkeys(FIELDS, "")
        cells.update({"CompanyName": f"REGISTERED AS {i} LIMITED" if number else name.upper(),
                      "CompanyNumber": number.zfill(8) if number.isdigit() else number or f"9{i:07d}",
                      "CompanyCategory": "Private Limited Company", "CompanyStatus": "Active",
                      "CountryOfOrigin": "United Kingdom", "IncorporationDate": "01/01/2010",
                      "Accounts.AccountCategory": ("MICRO ENTITY" if i % 2 else "SMALL") if small
                      else ("FULL" if i % 2 else "GROUP")})
        lines.append(",".join(f'"{cells[f]}"' for f in FIELDS))
    header = ",".join([FIELDS[0], *(f" {f}" for f in FIELDS[1:])])
    parts = []
    for n, chunk in enumerate((lines[: len(lines) // 2], lines[len(lines) // 2:]), start=1):
        part = folder / f"BasicCompanyData-2026-12-01-part{n}_2.csv"
        part.write_text(header + "\r\n" + "\r\n".join(chunk) + "\r\n", encoding="utf-8")
        parts.append(part)
    return parts


def _accuracy(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["market", "accuracy", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["salford_contracts_2022-07.csv"]


def test_accuracy_on_salford_follows_the_companies_house_accounts(shared_data: Path, tmp_path: Path) -> None:
    register = shared_data / "spend" / "salford_contracts_2022-07.csv"
    suppliers = _suppliers(register)
    assert sum(1 for _, number, _ in suppliers if number) and sum(1 for _, number, _ in suppliers if not number)
    names_only = _accuracy(str(register))
    truthful = tmp_path / "truthful"
    lying = tmp_path / "lying"
    truthful.mkdir()
    lying.mkdir()
    with_accounts = _accuracy(str(register), *(a for p in _companies_house(truthful, suppliers, True)
                                               for a in ("--companies-house", str(p))))
    misled = _accuracy(str(register), *(a for p in _companies_house(lying, suppliers, False)
                                        for a in ("--companies-house", str(p))))
    assert names_only["suppliers"] == with_accounts["suppliers"] == misled["suppliers"]
    # accounts that agree with the council's flags lift the figure from a name's base rate; accounts that
    # contradict them sink it: the accounts, found by number and by name across both parts, decide the size
    # (measured on this invented register: 50.0% from names, 90.7% with agreeing accounts, 7.4% with contradicting
    # ones; the rest are suppliers the name rules call VCSE, public bodies or individuals before size is asked)
    assert with_accounts["accuracy"] > 0.85 > names_only["accuracy"] > 0.15 > misled["accuracy"]
