"""Read supplier accounts (one row per supplier per financial year) and contract exposures from CSV or XLSX.

Accounts layout: the canonical columns below must all be present in the header (any cell may be blank: blank
means unknown, never zero); extra columns are allowed. Optional columns: `amounts_owed_by_group` (for the group
exposure ratio), the sharper method's disclosures (`trade_receivables`, `accrued_income`, `supply_chain_finance`,
`average_net_debt`, `peak_net_debt`, `pension_contributions`) and `unit`.

Units: amounts are in **pounds (£) unless stated**. A `unit` column, when present and filled in on a row, says
that row's unit (`£`/`GBP` or `£m`/`GBPm`) and wins over the `unit` argument, which sets the unit for rows that
do not say. Values in £m are multiplied by 1,000,000 exactly (Decimal), so 12.345 £m is £12,345,000.
Negative amounts may be written `-1,234` or `(1,234)`; a `£` sign and thousands commas are allowed.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal
from pathlib import Path

from commonweal.domain.numbers import money
from commonweal.domain.resilience import MONEY_FIELDS, Accounts, ContractExposure, ContractTier
from commonweal.io.errors import ProblemCollector
from commonweal.io.tabular import Row, Table, parse_iso_date, parse_pounds, parse_table, read_table

CANONICAL_COLUMNS: tuple[str, ...] = (
    "supplier", "company_number", "year_end", "revenue", "cost_of_sales", "operating_profit",
    "depreciation_amortisation", "interest_expense", "profit_before_tax", "net_income", "total_assets",
    "current_assets", "inventories", "cash", "current_liabilities", "total_liabilities", "equity",
    "retained_earnings", "goodwill_intangibles", "gross_debt", "net_debt", "pension_deficit",
    "operating_cash_flow", "capex", "dividends_paid", "trade_payables", "market_cap",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "amounts_owed_by_group", "trade_receivables", "accrued_income", "supply_chain_finance", "average_net_debt",
    "peak_net_debt", "pension_contributions", "unit",
)

UNITS: dict[str, Decimal] = {"£": Decimal(1), "gbp": Decimal(1), "£m": Decimal(1_000_000), "gbpm": Decimal(1_000_000)}

# Commonweal default: no company's accounts approach £1 quadrillion; the bound keeps every ratio of two figures
# within exact 28-digit decimal arithmetic (a figure of 10^20 over one of 10^-6 would not be).
MAX_AMOUNT = Decimal(10) ** 15
_PARENS = re.compile(r"^\((?P<inner>.*)\)$")


def parse_amount(text: str) -> Decimal | None:
    """`'£1,234.5'` -> 1234.5; `'(1,234)'` -> -1234; None when it is not a number."""
    cleaned = text.strip().replace(" ", "")
    match = _PARENS.match(cleaned)
    if match:
        inner = parse_pounds(match["inner"])
        return -inner if inner is not None else None
    return parse_pounds(cleaned)


def unit_multiplier(unit: str) -> Decimal | None:
    """`'£m'` -> 1,000,000; None for a unit Commonweal does not know."""
    return UNITS.get(unit.strip().lower().replace(" ", ""))


def read_accounts(path: Path, unit: str = "£") -> list[Accounts]:
    """All rows of an accounts file; see `parse_accounts`."""
    return _accounts_from_table(read_table(path, CANONICAL_COLUMNS), unit)


def parse_accounts(name: str, data: bytes, unit: str = "£") -> list[Accounts]:
    """All rows of an accounts table given as bytes (an upload: CSV, or XLSX by the suffix of `name`), or
    InputError naming every bad cell (file, row, column, what was expected).

    Either every row loads or none does: a file with one bad cell raises and returns nothing."""
    return _accounts_from_table(parse_table(name, data, CANONICAL_COLUMNS), unit)


def _accounts_from_table(table: Table, unit: str) -> list[Accounts]:
    default_multiplier = unit_multiplier(unit)
    if default_multiplier is None:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    problems = ProblemCollector()
    accounts: list[Accounts] = []
    seen: dict[tuple[str, str], int] = {}
    for row in table:
        item = _accounts_from_row(row, default_multiplier, problems)
        if item is None:
            continue
        key = (item.supplier, item.year_end.isoformat())
        if key in seen:
            problems.add(row.file, f"repeats the accounts of {item.supplier} for the year ending "
                                   f"{item.year_end} already given on row {seen[key]}", row.number, "year_end")
            continue
        seen[key] = row.number
        accounts.append(item)
    problems.raise_if_any()
    return accounts


def _accounts_from_row(row: Row, default_multiplier: Decimal, problems: ProblemCollector) -> Accounts | None:
    before = len(problems.problems)
    supplier = row.get("supplier")
    if not supplier:
        problems.add(row.file, "is blank; expected the supplier's name", row.number, "supplier")
    year_end = parse_iso_date(row.get("year_end"))
    if year_end is None:
        problems.add(row.file, f"is {row.get('year_end')!r}; expected the financial year end as YYYY-MM-DD",
                     row.number, "year_end")
    multiplier = default_multiplier
    if row.get("unit"):
        found = unit_multiplier(row.get("unit"))
        if found is None:
            problems.add(row.file, f"is {row.get('unit')!r}; expected one of {', '.join(UNITS)}", row.number, "unit")
        else:
            multiplier = found
    figures: dict[str, Decimal | None] = {}
    for name in MONEY_FIELDS:
        text = row.get(name)
        if not text:
            figures[name] = None
            continue
        amount = parse_amount(text)
        if amount is None or abs(amount * multiplier) >= MAX_AMOUNT:
            problems.add(row.file, f"is {text!r}; expected an amount such as 1234.56, -1234 or (1,234) below "
                                   f"{money(MAX_AMOUNT, None)} (Commonweal default), or blank when unknown",
                                   row.number, name)
            continue
        figures[name] = amount * multiplier
    if len(problems.problems) > before or year_end is None:
        return None
    return Accounts(supplier=supplier, year_end=year_end, company_number=row.get("company_number") or None,
                    **figures)


EXPOSURE_COLUMNS: tuple[str, ...] = ("supplier", "annual_contract_value")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0", ""}


def read_contract_exposures(
    path: Path, suppliers: Collection[str] | None = None
) -> tuple[dict[str, ContractExposure], dict[str, ContractTier]]:
    """Contract exposures and tiers per supplier, amounts in £.

    Columns: `supplier`, `annual_contract_value`; optional `tier` (high/medium/low), `critical` (yes/no),
    `council_spend_with_supplier`, `council_spend_in_service_area`. With `suppliers` (those in the accounts), a
    supplier not among them is an error naming the row, never silently left out of the assessment."""
    table = read_table(path, EXPOSURE_COLUMNS)
    problems = ProblemCollector()
    exposures: dict[str, ContractExposure] = {}
    tiers: dict[str, ContractTier] = {}
    for row in table:
        supplier = row.get("supplier")
        if not supplier:
            problems.add(row.file, "is blank; expected the supplier's name", row.number, "supplier")
            continue
        if supplier in exposures:
            problems.add(row.file, f"repeats supplier {supplier!r}; give one row per supplier", row.number,
                         "supplier")
            continue
        if suppliers is not None and supplier not in suppliers:
            problems.add(row.file, f"names {supplier!r}, who is not in the accounts file; the supplier's name must "
                                   "match its accounts exactly", row.number, "supplier")
            continue
        amounts: dict[str, Decimal | None] = {}
        for name in ("annual_contract_value", "council_spend_with_supplier", "council_spend_in_service_area"):
            text = row.get(name)
            amount = parse_amount(text) if text else None
            amounts[name] = amount if amount is None or abs(amount) < MAX_AMOUNT else None
            if text and amounts[name] is None:
                problems.add(row.file, f"is {text!r}; expected an amount in £ below "
                                       f"{money(MAX_AMOUNT, None)} (Commonweal default)", row.number, name)
        critical_text = row.get("critical").lower()
        if critical_text not in _TRUE | _FALSE:
            problems.add(row.file, f"is {row.get('critical')!r}; expected yes or no", row.number, "critical")
        tier_text = row.get("tier").lower()
        if tier_text:
            try:
                tiers[supplier] = ContractTier(tier_text)
            except ValueError:
                problems.add(row.file, f"is {row.get('tier')!r}; expected high, medium or low", row.number, "tier")
        stated = [name for name in ("council_spend_with_supplier", "council_spend_in_service_area")
                  if amounts[name] is not None]
        exposures[supplier] = ContractExposure(
            supplier=supplier, critical=critical_text in _TRUE, **amounts,
            council_spend_source=f"{row.file} row {row.number}: {', '.join(stated)}" if stated else "")
    problems.raise_if_any()
    return exposures, tiers
