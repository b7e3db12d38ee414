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
import io
import re
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ixbrlparse import IXBRL

from commonweal.domain.resilience import Accounts
from commonweal.io.errors import InputError, Problem, ProblemCollector
from commonweal.io.structured import Limits, exact_number, fail, limits, read_bytes

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
    """The accounts in one iXBRL file, oldest year first; see `parse_ixbrl`."""
    return parse_ixbrl(path.name, read_bytes(path), fallback_name=path.stem)


def _check_xhtml(name: str, data: bytes) -> None:
    """iXBRL is XHTML, so it must be well-formed XML: a truncated file, or one nesting elements past libxml2's
    default bound (256 deep), is refused here in milliseconds, before the tolerant HTML parser would read a
    truncated file as fewer facts or walk 100,000 nested elements. Entities are not expanded, and nothing is
    fetched."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise InputError([Problem(name, f"is not well-formed iXBRL (XHTML): {exc.msg}; is the file truncated or "
                                        "damaged?", row=line)]) from exc


def _exact_value(fact: Any) -> Decimal | None:
    """A numeric fact's value exactly, from its text, format, scale and sign (ixbrlparse gives a float, which
    loses digits past about 15)."""
    fmt = fact.format
    kind = str(getattr(fmt, "format", "") or "").lower()
    text = str(fact.text).strip().replace(" ", "").replace("\u00a0", "")
    if "zero" in kind or "dash" in kind or text in ("-", "\u2013", "\u2014"):
        value: Decimal | None = Decimal(0)
    elif "comma" in kind:  # ixt:numcommadecimal: 1.234,56
        value = exact_number(text.replace(".", "").replace(",", "."))
    else:  # ixt:numdotdecimal and plain numbers: 1,234.56
        value = exact_number(text.replace(",", ""))
    if value is None:
        return None
    value = value.scaleb(int(getattr(fmt, "scale", 0) or 0))
    return -value if str(getattr(fact, "sign", None) or getattr(fmt, "sign", "") or "") == "-" else value


def parse_ixbrl(name: str, data: bytes, fallback_name: str | None = None) -> list[Accounts]:
    """The accounts in one iXBRL file (its bytes), oldest year first; InputError naming the file and the tag when
    the file is truncated or not well-formed, a fact is unreadable, not in pounds, refers to a context the file
    does not define, or is contradicted by another fact for the same year."""
    problems = ProblemCollector()
    _check_xhtml(name, data)
    try:
        document = IXBRL(io.BytesIO(data), raise_on_error=False)
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
    for fact in (*document.nonnumeric, *document.numeric):
        if isinstance(fact.context, str) or fact.context is None:  # ixbrlparse leaves an unknown reference as text
            problems.add(name, f"refers to context {fact.context!r}, which the file does not define",
                         column=f"{fact.schema}:{fact.name}")
    for fact in document.numeric:
        if isinstance(fact.context, str) or fact.context is None:
            continue
        when = _date(fact.context)
        if when is None or fact.value is None:
            continue
        if fact.unit is not None and str(fact.unit).split(":")[-1].upper() != "GBP":
            problems.add(name, f"is in {fact.unit}; Commonweal reads accounts in pounds (iso4217:GBP)",
                         column=f"{fact.schema}:{fact.name}")
            continue
        value = _exact_value(fact)
        if value is None:
            problems.add(name, f"has the value {str(fact.text)[:40]!r}, which is not a number Commonweal can read "
                               "exactly", column=f"{fact.schema}:{fact.name}")
            continue
        key = (fact.name, _members(fact.context), when)
        if key in facts and facts[key] != value:
            problems.add(name, f"gives two different values for {when}: {facts[key]} and {value}",
                         column=f"{fact.schema}:{fact.name}")
        facts[key] = value
    problems.raise_if_any()

    supplier = _text(document, _NAME_CONCEPTS) or _entity_identifier(document) or fallback_name or name
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


# Companies House's free accounts bulk files (Accounts Data Product): a ZIP of one file per filing, named
# Prod{product}_{run}_{company number}_{YYYYMMDD}.html (iXBRL) or .xml (XBRL); see chguide.co.uk/bulk-data/accounts
# and Companies House's "Free Accounts Data Product FAQs".
BULK_MEMBER = re.compile(r"(?:^|/)Prod\d+_\d+_(?P<company>[A-Z0-9]{8})_(?P<date>\d{8})\.(?P<kind>html|xml)$", re.I)


def parse_bulk_accounts(name: str, data: bytes, company_number: str, bounds: Limits | None = None) -> list[Accounts]:
    """The accounts of one company (`company_number`, 8 characters as Companies House writes it) in a Companies
    House bulk accounts ZIP, as published: only that company's members are inflated, each within the structured
    layer's bounds (size, uncompressed size, compression ratio). XBRL (.xml) filings are refused by name, since
    Commonweal reads iXBRL only. Years found in several filings keep the latest filing's figures."""
    bounds = bounds or limits()
    if len(data) > bounds.max_bytes:
        raise fail(name, f"is larger than {bounds.max_bytes:,} bytes (Commonweal default limit "
                         f"COMMONWEAL_INPUT_MAX_BYTES)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise fail(name, "is not a ZIP file (Companies House bulk accounts files are ZIP files)") from exc
    mine = sorted(((m, match) for m in members if (match := BULK_MEMBER.search(m.filename))
                   and match["company"].upper() == company_number.upper()), key=lambda pair: pair[1]["date"])
    if not mine:
        raise fail(name, f"holds no accounts for company number {company_number}")
    by_year: dict[dt.date, Accounts] = {}
    for member, match in mine:
        label = f"{name}: {member.filename}"
        if match["kind"].lower() == "xml":
            raise fail(label, "is an XBRL (.xml) filing; Commonweal reads iXBRL (.html) accounts only")
        if member.file_size > bounds.max_member_bytes or (
                member.file_size > 1_000_000
                and member.file_size > bounds.max_compression_ratio * max(member.compress_size, 1)):
            raise fail(label, f"would unpack to {member.file_size:,} bytes, beyond the limits of "
                              f"{bounds.max_member_bytes:,} bytes and {bounds.max_compression_ratio} to 1 compression "
                              "(Commonweal defaults)")
        for accounts in parse_ixbrl(label, archive.read(member)):
            by_year[accounts.year_end] = accounts
    return [by_year[year] for year in sorted(by_year)]
