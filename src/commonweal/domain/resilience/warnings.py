"""Warning signs beyond the standing ratios, each with a plain-English reason a commissioner can act on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.numbers import money
from commonweal.domain.rag import Rag
from commonweal.domain.resilience.accounts import Accounts
from commonweal.domain.resilience.metrics import book_equity, require
from commonweal.domain.resilience.policy import PPN_PAYMENT_SOURCE, ResiliencePolicy
from commonweal.domain.resilience.values import DAYS_IN_YEAR, Missing, Value


@dataclass(frozen=True)
class WarningSign:
    """One warning: `code` is stable for software, `reason` is for people. `value` is the figure behind it."""

    code: str
    rating: Rag
    reason: str
    value: Value | None = None


def payment_days(accounts: Accounts) -> Value:
    """Days taken to pay suppliers = trade payables / cost of sales × 365."""
    got = require(accounts, "trade_payables", "cost_of_sales")
    if isinstance(got, Missing):
        return got
    payables, cost_of_sales = got
    if cost_of_sales <= 0:
        return Missing("cost of sales is zero or negative")
    return payables / cost_of_sales * DAYS_IN_YEAR


def warning_signs(accounts: Accounts, policy: ResiliencePolicy) -> list[WarningSign]:
    """Payment days beyond the PPN benchmark, goodwill above net assets, dividends above operating cash flow.

    A sign whose inputs are blank is not raised (its absence is not a clean bill of health: the metrics that
    share those inputs show as missing)."""
    signs: list[WarningSign] = []
    days = payment_days(accounts)
    if isinstance(days, Decimal) and days > policy.payment_days_benchmark:
        signs.append(WarningSign(
            "slow_payment",
            Rag.AMBER,
            f"pays its own suppliers in about {days:.0f} days (trade payables / cost of sales × 365), slower "
            f"than the {policy.payment_days_benchmark}-day average the government expects ({PPN_PAYMENT_SOURCE})",
            days,
        ))
    equity = book_equity(accounts)
    if accounts.goodwill_intangibles is not None and isinstance(equity, Decimal) \
            and accounts.goodwill_intangibles > equity:
        signs.append(WarningSign(
            "goodwill_exceeds_net_assets",
            Rag.AMBER,
            f"goodwill and intangibles ({money(accounts.goodwill_intangibles, 0)}) exceed net assets "
            f"({money(equity, 0)}): writing them off would leave the balance sheet negative",
            accounts.goodwill_intangibles - equity,
        ))
    if accounts.dividends_paid is not None and accounts.operating_cash_flow is not None \
            and accounts.dividends_paid > 0 and accounts.dividends_paid > accounts.operating_cash_flow:
        signs.append(WarningSign(
            "dividends_exceed_cash_flow",
            Rag.AMBER,
            f"paid dividends of {money(accounts.dividends_paid, 0)}, more than the "
            f"{money(accounts.operating_cash_flow, 0)} its operations generated in cash: the payout was funded from "
            "borrowing or reserves",
            accounts.dividends_paid - accounts.operating_cash_flow,
        ))
    return signs


def deteriorations(
    previous: Mapping[str, Value],
    current: Mapping[str, Value],
    higher_is_better: Mapping[str, bool],
    labels: Mapping[str, str],
    tolerance: Decimal,
) -> list[WarningSign]:
    """Metrics that moved the wrong way by more than `tolerance` × |last year's value| (any wrong-way move when
    last year's value was zero). A metric missing in either year cannot be compared and is not flagged."""
    signs: list[WarningSign] = []
    for key, before in previous.items():
        after = current.get(key)
        if not isinstance(before, Decimal) or not isinstance(after, Decimal):
            continue
        change = after - before
        worse = -change if higher_is_better[key] else change
        if worse > 0 and worse > tolerance * abs(before):
            signs.append(WarningSign(
                f"deteriorated:{key}",
                Rag.AMBER,
                f"{labels[key].lower()} worsened from {_figure(before)} to {_figure(after)} since the previous year",
                change,
            ))
    return signs


def _figure(value: Decimal) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.2f}"
