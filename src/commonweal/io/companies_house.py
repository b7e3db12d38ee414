"""Companies House's free "basic company data" product (`BasicCompanyDataAsOneFile-<date>.csv`, or its parts), as
published: one row per live company, headers such as `CompanyName`, ` CompanyNumber` (some with a leading space,
stripped here), `CompanyStatus`, `Accounts.AccountCategory`. Only the companies asked for are kept, read row by row
(the whole file is about 2.5 GB), so a council's suppliers are looked up without loading the register.

Format: Companies House, "Free Company Data Product" (download.companieshouse.gov.uk/en_output.html); the column
names and the accounts categories here are as documented by third parties describing that product (unverified
against the publisher's own specification, which this offline service cannot fetch).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from commonweal.domain.market.identifiers import company_number
from commonweal.domain.market.names import normalise_name
from commonweal.io.errors import InputError, Problem

REQUIRED = ("CompanyName", "CompanyNumber", "CompanyStatus", "Accounts.AccountCategory")
# A cell of this product is at most 160 characters (CompanyName); longer means the file is not this product.
MAX_CELL_CHARS = 1_000


@dataclass(frozen=True)
class Company:
    number: str
    name: str
    status: str
    accounts_category: str


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise InputError([Problem(path.name, f"is not Companies House basic company data: no column "
                                                 f"{', '.join(missing)}", row=1)])
        for number, row in enumerate(reader, start=2):
            if any(len(cell) > MAX_CELL_CHARS for cell in row):
                raise InputError([Problem(path.name, f"a cell is longer than {MAX_CELL_CHARS} characters",
                                          row=number)])
            yield number, dict(zip(header, row, strict=False))


def read_basic_company_data(paths: Iterable[Path], numbers: Iterable[str], names: Iterable[str] = ()
                            ) -> tuple[dict[str, Company], dict[str, Company]]:
    """The companies found in the files among `numbers` (company numbers, normalised by
    `identifiers.company_number`), by number; and among `names` (names normalised by `names.normalise_name`), by
    name, only where one company on the register has that name (two would be a guess)."""
    wanted = {n for n in (company_number(x) for x in numbers) if n}
    named = set(names)
    by_number: dict[str, Company] = {}
    by_name: dict[str, Company | None] = {}
    for path in paths:
        try:
            for _, row in _rows(path):
                number = company_number(row.get("CompanyNumber", "")) or ""
                key = normalise_name(row["CompanyName"]) if named else ""
                if number not in wanted and key not in named:
                    continue
                company = Company(number, row["CompanyName"].strip(), row["CompanyStatus"].strip(),
                                  row["Accounts.AccountCategory"].strip())
                if number in wanted:
                    by_number[number] = company
                if key in named:
                    by_name[key] = None if key in by_name else company
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise InputError([Problem(path.name, f"cannot be read as Companies House basic company data: {exc}")]) \
                from exc
    return by_number, {k: c for k, c in by_name.items() if c is not None}

