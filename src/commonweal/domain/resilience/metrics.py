"""Financial standing metrics, in the style of the Cabinet Office guidance note "Assessing and monitoring the
economic and financial standing of suppliers" (Sourcing Playbook; May 2021, HTML updated 23 April 2024) and the
assessment tool that accompanies it. Formulas are the standard definitions of the named metrics.

The guidance names the metrics (turnover against contract value, operating margin, free cash flow to net debt,
net debt to EBITDA, net debt plus net pension deficit to EBITDA, net assets, acid ratio, group exposure) and
leaves the pass marks to the buyer, tiered by how critical the contract is. Commonweal adds interest cover and
tangible net assets. Each function returns a Decimal or a `Missing` with its reason; none returns zero for an
unknown input and none raises on one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.rag import Rag
from commonweal.domain.resilience.accounts import Accounts
from commonweal.domain.resilience.values import Missing, Value

_ZERO = Decimal(0)


def require(accounts: Accounts, *names: str) -> list[Decimal] | Missing:
    """The named figures in order, or Missing naming every one that is blank."""
    values = [getattr(accounts, name) for name in names]
    absent = [name.replace("_", " ") for name, value in zip(names, values, strict=True) if value is None]
    if absent:
        return Missing(f"the accounts do not give {', '.join(absent)}")
    return [v for v in values if v is not None]


def ebitda(accounts: Accounts, fallback: bool = False) -> Value:
    """EBITDA = operating profit + depreciation and amortisation.

    With `fallback` (the policy's `ebitda_fallback`), accounts that do not disclose depreciation and amortisation
    give operating profit instead: a conservative stand-in, since depreciation and amortisation are never
    negative, so leverage on it can only look worse. `ebitda_basis` says when it was used."""
    if fallback and accounts.depreciation_amortisation is None and accounts.operating_profit is not None:
        return accounts.operating_profit
    got = require(accounts, "operating_profit", "depreciation_amortisation")
    if isinstance(got, Missing):
        return got
    operating_profit, depreciation = got
    return operating_profit + depreciation


EBITDA_FALLBACK_NOTE = (
    "on operating profit, because the accounts do not disclose depreciation and amortisation (a conservative "
    "fallback, Commonweal default `ebitda_fallback`)"
)


def ebitda_basis(accounts: Accounts, fallback: bool) -> str:
    """The note a leverage figure carries when it stands on operating profit instead of EBITDA, else ''."""
    used = fallback and accounts.depreciation_amortisation is None and accounts.operating_profit is not None
    return EBITDA_FALLBACK_NOTE if used else ""


def net_debt(accounts: Accounts) -> Value:
    """Net debt as reported, else gross debt (borrowings) less cash."""
    if accounts.net_debt is not None:
        return accounts.net_debt
    got = require(accounts, "gross_debt", "cash")
    if isinstance(got, Missing):
        return Missing("the accounts give neither net debt nor both gross debt and cash")
    gross, cash = got
    return gross - cash


def book_equity(accounts: Accounts) -> Value:
    """Net assets (shareholders' funds): equity as reported, else total assets less total liabilities."""
    if accounts.equity is not None:
        return accounts.equity
    got = require(accounts, "total_assets", "total_liabilities")
    if isinstance(got, Missing):
        return Missing("the accounts give neither equity nor both total assets and total liabilities")
    assets, liabilities = got
    return assets - liabilities


def turnover_ratio(accounts: Accounts, annual_contract_value: Decimal | None) -> Value:
    """Turnover ratio = annual turnover / annual contract value (EFS guidance: turnover against contract value)."""
    if annual_contract_value is None:
        return Missing("no annual contract value was given")
    if annual_contract_value <= _ZERO:
        return Missing("the annual contract value is not positive")
    if accounts.revenue is None:
        return Missing("the accounts do not give revenue")
    return accounts.revenue / annual_contract_value


def operating_margin(accounts: Accounts) -> Value:
    """Operating margin = operating profit / revenue (EFS guidance)."""
    got = require(accounts, "operating_profit", "revenue")
    if isinstance(got, Missing):
        return got
    profit, revenue = got
    if revenue <= _ZERO:
        return Missing("revenue is zero or negative, so there is no margin to measure")
    return profit / revenue


def free_cash_flow_to_net_debt(accounts: Accounts) -> Value:
    """Free cash flow to net debt = (operating cash flow − capital expenditure) / net debt (EFS guidance).

    A net cash position (net debt zero or below) leaves nothing to repay: Missing, implying green.
    """
    got = require(accounts, "operating_cash_flow", "capex")
    debt = net_debt(accounts)
    if isinstance(got, Missing):
        return got
    if isinstance(debt, Missing):
        return debt
    if debt <= _ZERO:
        return Missing("the supplier holds net cash, so there is no net debt to repay", implies=Rag.GREEN)
    cash_flow, capex = got
    return (cash_flow - capex) / debt


def _over_ebitda(numerator: Value, accounts: Accounts, what: str, fallback: bool) -> Value:
    if isinstance(numerator, Missing):
        return numerator
    earnings = ebitda(accounts, fallback)
    if isinstance(earnings, Missing):
        return earnings
    if earnings <= _ZERO:
        if numerator > _ZERO:
            return Missing(f"EBITDA is zero or negative, so nothing is earned to service {what}", implies=Rag.RED)
        return Missing("EBITDA is zero or negative, so the ratio has no meaning")
    return numerator / earnings


def net_debt_to_ebitda(accounts: Accounts, fallback: bool = False) -> Value:
    """Net debt / EBITDA (EFS guidance). Net debt with zero or negative EBITDA is Missing, implying red."""
    return _over_ebitda(net_debt(accounts), accounts, "the debt", fallback)


def net_debt_and_pension_deficit_to_ebitda(accounts: Accounts, fallback: bool = False) -> Value:
    """(Net debt + net pension deficit) / EBITDA (EFS guidance). A blank pension deficit is unknown, not nil:
    enter 0 for a supplier with no defined-benefit scheme."""
    debt = net_debt(accounts)
    if isinstance(debt, Missing):
        return debt
    if accounts.pension_deficit is None:
        return Missing("the accounts do not give pension deficit")
    return _over_ebitda(debt + accounts.pension_deficit, accounts, "the debt and pension deficit", fallback)


def adjusted_debt(accounts: Accounts) -> Value:
    """Debt as a rating agency adjusts it: the highest of year-end, average and peak net debt disclosed, plus the
    pension deficit, plus supply-chain finance (reverse factoring) where disclosed.

    Moody's, *Financial Statement Adjustments in the Analysis of Non-Financial Corporations* (cross-sector rating
    methodology), treats defined-benefit pension deficits and factoring arrangements as debt. A year-end figure
    can be flattered by the timing of receipts (Carillion's early payment facility, a reverse-factoring scheme,
    was reported at about £500m at its collapse: leasinglife.com, January 2018), so the average or peak net
    debt, where the accounts give one, replaces it when higher. A blank pension deficit is unknown, so the
    figure is missing; blank average, peak or supply-chain finance are simply not disclosed and add nothing.
    """
    debt = net_debt(accounts)
    if isinstance(debt, Missing):
        return debt
    if accounts.pension_deficit is None:
        return Missing("the accounts do not give pension deficit")
    disclosed = [d for d in (accounts.average_net_debt, accounts.peak_net_debt) if d is not None]
    return max([debt, *disclosed]) + accounts.pension_deficit + (accounts.supply_chain_finance or _ZERO)


def adjusted_leverage(accounts: Accounts, fallback: bool = False) -> Value:
    """Adjusted debt / EBITDA (see `adjusted_debt`)."""
    return _over_ebitda(adjusted_debt(accounts), accounts, "the adjusted debt", fallback)


def acid_ratio(accounts: Accounts) -> Value:
    """Acid ratio = (current assets − inventories) / current liabilities (EFS guidance)."""
    got = require(accounts, "current_assets", "inventories", "current_liabilities")
    if isinstance(got, Missing):
        return got
    current_assets, inventories, current_liabilities = got
    if current_liabilities <= _ZERO:
        return Missing("there are no current liabilities to cover", implies=Rag.GREEN)
    return (current_assets - inventories) / current_liabilities


def net_assets(accounts: Accounts) -> Value:
    """Net assets in £ (EFS guidance: net asset value)."""
    return book_equity(accounts)


def tangible_net_assets(accounts: Accounts) -> Value:
    """Tangible net assets in £ = net assets − goodwill and intangible assets."""
    assets = book_equity(accounts)
    if isinstance(assets, Missing):
        return assets
    if accounts.goodwill_intangibles is None:
        return Missing("the accounts do not give goodwill intangibles")
    return assets - accounts.goodwill_intangibles


def interest_cover(accounts: Accounts) -> Value:
    """Interest cover = operating profit / interest expense. No interest payable is Missing, implying green."""
    got = require(accounts, "operating_profit", "interest_expense")
    if isinstance(got, Missing):
        return got
    profit, interest = got
    if interest <= _ZERO:
        return Missing("no interest is payable", implies=Rag.GREEN)
    return profit / interest


def group_exposure(accounts: Accounts) -> Value:
    """Group exposure ratio = amounts owed by group undertakings / total assets (EFS guidance), where given."""
    got = require(accounts, "amounts_owed_by_group", "total_assets")
    if isinstance(got, Missing):
        return got
    owed, assets = got
    if assets <= _ZERO:
        return Missing("total assets are zero or negative")
    return owed / assets


@dataclass(frozen=True)
class MetricDefinition:
    """A metric's identity, how to read it and which way is good."""

    key: str
    label: str
    formula: str
    higher_is_better: bool
    unit: str  # "ratio", "percent" (stored as a fraction) or "£"
    compute: Callable[[Accounts, Decimal | None, bool], Value]  # (accounts, annual contract value, ebitda_fallback)
    uses_ebitda: bool = False


METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        "turnover_ratio", "Turnover to annual contract value", "revenue / annual contract value", True, "ratio",
        lambda a, v, _f: turnover_ratio(a, v),
    ),
    MetricDefinition(
        "operating_margin", "Operating margin", "operating profit / revenue", True, "percent",
        lambda a, _v, _f: operating_margin(a),
    ),
    MetricDefinition(
        "free_cash_flow_to_net_debt", "Free cash flow to net debt", "(operating cash flow − capex) / net debt",
        True, "ratio", lambda a, _v, _f: free_cash_flow_to_net_debt(a),
    ),
    MetricDefinition(
        "net_debt_to_ebitda", "Net debt to EBITDA", "net debt / (operating profit + depreciation and amortisation)",
        False, "ratio", lambda a, _v, f: net_debt_to_ebitda(a, f), uses_ebitda=True,
    ),
    MetricDefinition(
        "net_debt_and_pension_deficit_to_ebitda", "Net debt and pension deficit to EBITDA",
        "(net debt + pension deficit) / EBITDA", False, "ratio",
        lambda a, _v, f: net_debt_and_pension_deficit_to_ebitda(a, f), uses_ebitda=True,
    ),
    MetricDefinition(
        "adjusted_leverage", "Adjusted leverage",
        "(highest of year-end, average and peak net debt + pension deficit + supply-chain finance) / EBITDA",
        False, "ratio", lambda a, _v, f: adjusted_leverage(a, f), uses_ebitda=True,
    ),
    MetricDefinition(
        "acid_ratio", "Acid ratio", "(current assets − inventories) / current liabilities", True, "ratio",
        lambda a, _v, _f: acid_ratio(a),
    ),
    MetricDefinition(
        "net_assets", "Net assets", "equity, else total assets − total liabilities", True, "£",
        lambda a, _v, _f: net_assets(a),
    ),
    MetricDefinition(
        "tangible_net_assets", "Tangible net assets", "net assets − goodwill and intangibles", True, "£",
        lambda a, _v, _f: tangible_net_assets(a),
    ),
    MetricDefinition(
        "interest_cover", "Interest cover", "operating profit / interest expense", True, "ratio",
        lambda a, _v, _f: interest_cover(a),
    ),
    MetricDefinition(
        "group_exposure", "Group exposure", "amounts owed by group undertakings / total assets", False, "ratio",
        lambda a, _v, _f: group_exposure(a),
    ),
)

METRICS_BY_KEY = {m.key: m for m in METRICS}
