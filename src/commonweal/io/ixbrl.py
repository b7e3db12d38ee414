"""Read Companies House accounts in iXBRL (inline XBRL, the format Companies House publishes) into `Accounts`,
with the pinned `ixbrlparse`.

Tags are matched by local name, so the FRC taxonomies' prefixes (`core:`, `uk-core:`, `uk-gaap:`, ...) all work.
Mapped concepts (first one found wins, in the order listed):

| Accounts field | FRS 102 / uk-core (FRC taxonomy) | old UK GAAP (uk-gaap) |
| --- | --- | --- |
| revenue | TurnoverRevenue | TurnoverGrossOperatingRevenue |
| cost_of_sales | CostSales | |
| operating_profit | OperatingProfitLoss | OperatingProfitLoss |
| depreciation_amortisation | DepreciationAmortisationImpairmentExpense | (note 1) |
| interest_expense | InterestPayableSimilarChargesFinanceCosts | InterestPayableSimilarCharges |
| profit_before_tax | ProfitLossOnOrdinaryActivitiesBeforeTax | ProfitLossOnOrdinaryActivitiesBeforeTax |
| net_income | ProfitLoss | ProfitLossForPeriod |
| current_assets | CurrentAssets | CurrentAssets |
| inventories | Stocks, Inventories | Stocks |
| cash | CashBankOnHand | CashBankInHand |
| current_liabilities | Creditors, maturity member WithinOneYear | CreditorsDueWithinOneYear |
| equity | Equity (no dimension) | ShareholderFunds |
| retained_earnings | Equity, equity-class member RetainedEarningsAccumulatedLosses | ProfitLossAccountReserve |
| goodwill_intangibles | IntangibleAssets | |
| trade_payables | TradeCreditorsTradePayables, maturity member WithinOneYear | |
| operating_cash_flow | NetCashFlowsFromUsedInOperatingActivities | |
| capex | PurchasePropertyPlantEquipment | |
| dividends_paid | DividendsPaid | |

(1) DepreciationOtherAmountsWrittenOffTangibleIntangibleFixedAssets.
A blank cell means we found no evidence of the old-taxonomy name and map none rather than guess one.

Total assets are fixed assets + current assets (small-company balance sheets rarely tag a total), and total
liabilities are total assets − equity. A concept that is absent stays blank (unknown), never zero.

One `Accounts` is returned per financial year in the file: each date on which a duration context (a reporting
period) ends, so a filing's comparative year is read too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ixbrlparse import IXBRL

from commonweal.domain.resilience import Accounts
from commonweal.io.errors import InputError, Problem, ProblemCollector

# (accounts field, local concept names, required dimension member or None for "no dimension")
_CONCEPTS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("revenue", ("TurnoverRevenue", "TurnoverGrossOperatingRevenue"), None),
    ("cost_of_sales", ("CostSales",), None),
    ("operating_profit", ("OperatingProfitLoss",), None),
    ("depreciation_amortisation",
     ("DepreciationAmortisationImpairmentExpense", "DepreciationOtherAmountsWrittenOffTangibleIntangibleFixedAssets"),
     None),
    ("interest_expense", ("InterestPayableSimilarChargesFinanceCosts", "InterestPayableSimilarCharges"), None),
    ("profit_before_tax", ("ProfitLossOnOrdinaryActivitiesBeforeTax",), None),
    ("net_income", ("ProfitLoss", "ProfitLossForPeriod"), None),
    ("current_assets", ("CurrentAssets",), None),
    ("inventories", ("Stocks", "Inventories"), None),
    ("cash", ("CashBankOnHand", "CashBankInHand"), None),
    ("current_liabilities", ("Creditors",), "WithinOneYear"),
    ("current_liabilities", ("CreditorsDueWithinOneYear",), None),
    ("equity", ("Equity", "ShareholderFunds"), None),
    ("retained_earnings", ("Equity",), "RetainedEarningsAccumulatedLosses"),
    ("retained_earnings", ("ProfitLossAccountReserve",), None),
    ("goodwill_intangibles", ("IntangibleAssets",), None),
    ("trade_payables", ("TradeCreditorsTradePayables",), "WithinOneYear"),
    ("operating_cash_flow", ("NetCashFlowsFromUsedInOperatingActivities",), None),
    ("capex", ("PurchasePropertyPlantEquipment",), None),
    ("dividends_paid", ("DividendsPaid",), None),
)
_FIXED_ASSETS = "FixedAssets"
_NAME_CONCEPTS = ("EntityCurrentLegalOrRegisteredName",)
_NUMBER_CONCEPTS = ("UKCompaniesHouseRegisteredNumber",)


def _members(context: Any) -> tuple[str, ...]:
    """The dimension members of a context, by local name (`core:WithinOneYear` -> `WithinOneYear`)."""
    segments = getattr(context, "segments", None) or []
    return tuple(str(s.get("value", "")).split(":")[-1] for s in segments)


def _date(context: Any) -> dt.date | None:
    return getattr(context, "instant", None) or getattr(context, "enddate", None)


def read_ixbrl(path: Path) -> list[Accounts]:
    """The accounts in one iXBRL file, oldest year first; InputError naming the file and the tag when a fact is
    unreadable, not in pounds, or contradicted by another fact for the same year."""
    name = path.name
    problems = ProblemCollector()
    try:
        with path.open("rb") as handle:
            document = IXBRL(handle, raise_on_error=False)
    except Exception as exc:  # ixbrlparse raises its own and BeautifulSoup's errors; all mean "not iXBRL"
        raise InputError([Problem(name, f"cannot be read as iXBRL: {exc}")]) from exc
    for error in document.errors:
        element = getattr(error, "element", None)
        tag = element.get("name") if element is not None else None
        problems.add(name, f"has an unreadable fact: {getattr(error, 'error', error)}", column=tag)

    year_ends = sorted({c.enddate for c in document.contexts.values() if c.enddate is not None})
    if not year_ends:
        problems.add(name, "has no reporting period (no context with an end date); expected Companies House accounts")
    facts: dict[tuple[str, tuple[str, ...], dt.date], Decimal] = {}
    for fact in document.numeric:
        when = _date(fact.context)
        if when is None or fact.value is None:
            continue
        if fact.unit is not None and str(fact.unit).split(":")[-1].upper() != "GBP":
            problems.add(name, f"is in {fact.unit}; Commonweal reads accounts in pounds (iso4217:GBP)",
                         column=f"{fact.schema}:{fact.name}")
            continue
        # ixbrlparse gives a float; filed amounts are whole pounds or pence, which str() renders exactly
        value = Decimal(int(fact.value)) if float(fact.value).is_integer() else Decimal(str(fact.value))
        key = (fact.name, _members(fact.context), when)
        if key in facts and facts[key] != value:
            problems.add(name, f"gives two different values for {when}: {facts[key]} and {value}",
                         column=f"{fact.schema}:{fact.name}")
        facts[key] = value
    problems.raise_if_any()

    supplier = _text(document, _NAME_CONCEPTS) or _entity_identifier(document) or path.stem
    company_number = _text(document, _NUMBER_CONCEPTS) or _entity_identifier(document)
    results = []
    for year_end in year_ends:
        figures: dict[str, Decimal | None] = defaultdict(lambda: None)
        for field_name, concepts, member in _CONCEPTS:
            if figures[field_name] is not None:
                continue
            wanted = (member,) if member else ()
            for concept in concepts:
                if (concept, wanted, year_end) in facts:
                    figures[field_name] = facts[(concept, wanted, year_end)]
                    break
        fixed = facts.get((_FIXED_ASSETS, (), year_end))
        current = figures["current_assets"]
        total_assets = fixed + current if fixed is not None and current is not None else None
        equity = figures["equity"]
        total_liabilities = total_assets - equity if total_assets is not None and equity is not None else None
        if not any(v is not None for v in figures.values()):
            continue
        results.append(Accounts(
            supplier=supplier,
            year_end=year_end,
            company_number=company_number,
            total_assets=total_assets,
            total_liabilities=total_liabilities,
            **{k: v for k, v in figures.items()},
        ))
    if not results:
        problems.add(name, "has none of the tags Commonweal maps (turnover, operating profit, balance sheet "
                           "totals...); expected Companies House accounts")
        problems.raise_if_any()
    return results


def _text(document: Any, concepts: tuple[str, ...]) -> str | None:
    for fact in document.nonnumeric:
        if fact.name in concepts and str(fact.value).strip():
            return str(fact.value).strip()
    return None


def _entity_identifier(document: Any) -> str | None:
    for context in document.contexts.values():
        identifier = (context.entity or {}).get("identifier")
        if identifier:
            return str(identifier)
    return None
