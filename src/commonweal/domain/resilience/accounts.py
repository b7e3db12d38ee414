"""One supplier's accounts for one financial year, in pounds.

Every figure is optional: a blank in a spreadsheet or a tag absent from a Companies House filing is *unknown*,
never zero, so a metric that needs it is reported as missing instead of being computed from a made-up nought.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# Figures that are amounts paid out (capital expenditure, dividends) are stored as positive amounts.
MONEY_FIELDS: tuple[str, ...] = (
    "revenue",
    "cost_of_sales",
    "operating_profit",
    "depreciation_amortisation",
    "interest_expense",
    "profit_before_tax",
    "net_income",
    "total_assets",
    "current_assets",
    "inventories",
    "cash",
    "current_liabilities",
    "total_liabilities",
    "equity",
    "retained_earnings",
    "goodwill_intangibles",
    "gross_debt",
    "net_debt",
    "pension_deficit",
    "operating_cash_flow",
    "capex",
    "dividends_paid",
    "trade_payables",
    "market_cap",
    "amounts_owed_by_group",
    # optional disclosures the sharper method uses where a company gives them (#21 item 6)
    "trade_receivables",
    "accrued_income",
    "supply_chain_finance",
    "average_net_debt",
    "peak_net_debt",
    "pension_contributions",
)


@dataclass(frozen=True)
class Accounts:
    """A supplier's accounts for the financial year ending `year_end`; money in £ (Decimal), None when unknown.

    `amounts_owed_by_group` (balances owed to the supplier by other group companies) feeds the group exposure
    ratio of the Cabinet Office economic and financial standing guidance; it is optional, like every figure.

    Disclosed by some companies only, and used where given (docs/resilience.md, "The sharper method"):
    `trade_receivables` and `accrued_income` (accrued income or contract assets: work done, not yet billed);
    `supply_chain_finance` (amounts owed under supply-chain finance or reverse factoring arrangements);
    `average_net_debt` and `peak_net_debt` (the year's average or highest month-end net debt);
    `pension_contributions` (the employer's deficit-repair contributions to defined-benefit schemes in the year).
    """

    supplier: str
    year_end: dt.date
    company_number: str | None = None
    revenue: Decimal | None = None
    cost_of_sales: Decimal | None = None
    operating_profit: Decimal | None = None
    depreciation_amortisation: Decimal | None = None
    interest_expense: Decimal | None = None
    profit_before_tax: Decimal | None = None
    net_income: Decimal | None = None
    total_assets: Decimal | None = None
    current_assets: Decimal | None = None
    inventories: Decimal | None = None
    cash: Decimal | None = None
    current_liabilities: Decimal | None = None
    total_liabilities: Decimal | None = None
    equity: Decimal | None = None
    retained_earnings: Decimal | None = None
    goodwill_intangibles: Decimal | None = None
    gross_debt: Decimal | None = None
    net_debt: Decimal | None = None
    pension_deficit: Decimal | None = None
    operating_cash_flow: Decimal | None = None
    capex: Decimal | None = None
    dividends_paid: Decimal | None = None
    trade_payables: Decimal | None = None
    market_cap: Decimal | None = None
    amounts_owed_by_group: Decimal | None = None
    trade_receivables: Decimal | None = None
    accrued_income: Decimal | None = None
    supply_chain_finance: Decimal | None = None
    average_net_debt: Decimal | None = None
    peak_net_debt: Decimal | None = None
    pension_contributions: Decimal | None = None
