"""Trends across a supplier's years and the accumulation rule: the sharper method of #21 item 6.

A single year's ratios can look sound while the trend says otherwise. Carillion's last accounts showed
dividends rising while it pleaded constraints in cash flow to its pension trustees, and profits booked on work
not yet paid for (House of Commons Business, Energy and Industrial Strategy and Work and Pensions Committees,
*Carillion*, Second Joint report, HC 769, 16 May 2018). Each trend below is amber with a reason; the windows
and drifts are Commonweal defaults, parameters of `ResiliencePolicy`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.numbers import money
from commonweal.domain.rag import Rag
from commonweal.domain.resilience.accounts import Accounts
from commonweal.domain.resilience.policy import ResiliencePolicy
from commonweal.domain.resilience.warnings import WarningSign

_ZERO = Decimal(0)


def _window(history: Sequence[Accounts], policy: ResiliencePolicy) -> Sequence[Accounts]:
    return history[-policy.trend_years:]


def _with(years: Iterable[Accounts], *names: str) -> list[Accounts]:
    return [a for a in years if all(getattr(a, n) is not None for n in names)]


def _span(years: Sequence[Accounts]) -> str:
    return f"{years[0].year_end.year} to {years[-1].year_end.year}"


def _total(years: Iterable[Accounts], figure: Callable[[Accounts], Decimal]) -> Decimal:
    return sum((figure(a) for a in years), _ZERO)


def _decimal(value: Decimal | None) -> Decimal:
    assert value is not None  # callers pass years filtered by `_with`
    return value


def receivables_outpacing_revenue(history: Sequence[Accounts], policy: ResiliencePolicy) -> WarningSign | None:
    """Trade receivables plus accrued income (where disclosed) as a share of revenue, first to last year of the
    window: a rise above `receivables_drift` means revenue is being booked faster than it is collected."""
    years = [a for a in _with(_window(history, policy), "trade_receivables", "revenue") if _decimal(a.revenue) > 0]
    if len(years) < 2:
        return None

    def share(a: Accounts) -> Decimal:
        return (_decimal(a.trade_receivables) + (a.accrued_income or _ZERO)) / _decimal(a.revenue)

    first, last = share(years[0]), share(years[-1])
    if last - first <= policy.receivables_drift:
        return None
    return WarningSign(
        "receivables_outpace_revenue", Rag.AMBER,
        f"receivables and accrued income rose from {first:.1%} to {last:.1%} of revenue ({_span(years)}), more "
        f"than the {policy.receivables_drift:.0%} drift allowed (Commonweal default): revenue is being booked "
        "faster than it is collected", last - first)


def dividends_over_free_cash_flow(history: Sequence[Accounts], policy: ResiliencePolicy) -> WarningSign | None:
    """Dividends paid over the window above the free cash flow (operating cash flow − capex) it generated."""
    years = _with(_window(history, policy), "dividends_paid", "operating_cash_flow", "capex")
    if len(years) < 2:
        return None
    dividends = _total(years, lambda a: _decimal(a.dividends_paid))
    free_cash = _total(years, lambda a: _decimal(a.operating_cash_flow) - _decimal(a.capex))
    if dividends <= 0 or dividends <= free_cash:
        return None
    return WarningSign(
        "dividends_exceed_free_cash_flow", Rag.AMBER,
        f"paid {money(dividends, 0)} in dividends over {_span(years)}, more than the {money(free_cash, 0)} of "
        "free cash flow (operating cash flow − capital expenditure) it generated", dividends - free_cash)


def dividends_over_pension_contributions(
    history: Sequence[Accounts], policy: ResiliencePolicy
) -> WarningSign | None:
    """With a pension deficit in the latest year, dividends over the window above the deficit-repair
    contributions paid into the schemes (the pattern the Carillion report, HC 769, describes)."""
    latest = history[-1] if history else None
    if latest is None or latest.pension_deficit is None or latest.pension_deficit <= 0:
        return None
    years = _with(_window(history, policy), "dividends_paid", "pension_contributions")
    if not years:
        return None
    dividends = _total(years, lambda a: _decimal(a.dividends_paid))
    contributions = _total(years, lambda a: _decimal(a.pension_contributions))
    if dividends <= contributions:
        return None
    return WarningSign(
        "dividends_exceed_pension_contributions", Rag.AMBER,
        f"paid {money(dividends, 0)} in dividends over {_span(years)} against {money(contributions, 0)} of "
        f"pension deficit contributions, with a deficit of {money(latest.pension_deficit, 0)} outstanding",
        dividends - contributions)


def margin_drifting(history: Sequence[Accounts], policy: ResiliencePolicy) -> WarningSign | None:
    """Operating margin falling in every year of the window (at least three years), by more than
    `margin_drift` in all."""
    years = [a for a in _with(_window(history, policy), "operating_profit", "revenue") if _decimal(a.revenue) > 0]
    if len(years) < 3 or len(years) < len(_window(history, policy)):
        return None
    margins = [_decimal(a.operating_profit) / _decimal(a.revenue) for a in years]
    falling = all(later < earlier for earlier, later in itertools.pairwise(margins))
    if not falling or margins[0] - margins[-1] <= policy.margin_drift:
        return None
    return WarningSign(
        "margin_drift", Rag.AMBER,
        f"operating margin fell every year, from {margins[0]:.1%} to {margins[-1]:.1%} ({_span(years)})",
        margins[-1] - margins[0])


TRENDS = (receivables_outpacing_revenue, dividends_over_free_cash_flow, dividends_over_pension_contributions,
          margin_drifting)


def trend_signs(history: Sequence[Accounts], policy: ResiliencePolicy) -> list[WarningSign]:
    """Every trend sign raised by `history` (one supplier's accounts, oldest first, up to the year assessed)."""
    return [sign for trend in TRENDS if (sign := trend(history, policy)) is not None]


# Which dimension of financial health each metric, score and warning speaks to (Commonweal's grouping, so that
# three ambers about the same thing count once). Deteriorations count in their metric's dimension.
DIMENSIONS: dict[str, str] = {
    "turnover_ratio": "scale",
    "operating_margin": "profitability",
    "interest_cover": "profitability",
    "margin_drift": "profitability",
    "free_cash_flow_to_net_debt": "leverage",
    "net_debt_to_ebitda": "leverage",
    "net_debt_and_pension_deficit_to_ebitda": "leverage",
    "adjusted_leverage": "leverage",
    "acid_ratio": "liquidity",
    "slow_payment": "liquidity",
    "receivables_outpace_revenue": "liquidity",
    "net_assets": "balance sheet",
    "tangible_net_assets": "balance sheet",
    "group_exposure": "balance sheet",
    "goodwill_exceeds_net_assets": "balance sheet",
    "altman_z2": "balance sheet",
    "dividends_exceed_cash_flow": "cash and payouts",
    "dividends_exceed_free_cash_flow": "cash and payouts",
    "dividends_exceed_pension_contributions": "cash and payouts",
}


def dimension(code: str) -> str:
    """The dimension of a metric key, score key or warning code (`deteriorated:<metric>` counts as its metric)."""
    return DIMENSIONS.get(code.removeprefix("deteriorated:"), "other")


@dataclass(frozen=True)
class Escalation:
    rating: Rag
    reason: str


def accumulate(ambers: Iterable[str], policy: ResiliencePolicy) -> Escalation | None:
    """Amber signs (metric keys, score keys or warning codes) in at least `accumulation_dimensions` distinct
    dimensions escalate the year to red: several moderate weaknesses together leave a supplier little room."""
    found = sorted({dimension(code) for code in ambers})
    if len(found) < policy.accumulation_dimensions:
        return None
    return Escalation(Rag.RED, f"amber signs in {len(found)} distinct dimensions ({', '.join(found)}) escalate the "
                               f"rating to red (accumulation rule: {policy.accumulation_dimensions} or more, "
                               "Commonweal default `accumulation_dimensions`)")
