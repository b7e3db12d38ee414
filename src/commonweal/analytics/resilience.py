"""Supplier resilience for many supplier-years at once: the metrics, distress scores, warning signs and overall
rating of `commonweal.domain.resilience`, as Ibis expressions (DuckDB by default, PySpark when a council
outgrows one machine).

The formulas mirror the domain functions one for one (tests/analytics/test_resilience_agreement.py checks they
agree); thresholds come from the same `ResiliencePolicy`. The `rating` here is the domain's *standing* rating
(each year's own figures); the trends across years and the accumulation rule of
`commonweal.domain.resilience.trends` are not yet expressed in Ibis. Missing stays NULL, never zero. Arithmetic
is float64, so this is for screening whole markets; the domain core (exact Decimal) is the record for a decision.

Rag codes: 3 red, 2 amber, 1 missing, 0 green (as `Rag.severity`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis

from commonweal.domain.resilience import DEFAULT_POLICY, MONEY_FIELDS, ContractTier, Rag, ResiliencePolicy
from commonweal.domain.resilience.distress import ALTMAN_Z, ALTMAN_Z1, ALTMAN_Z2, TAFFLER, ScoreModel
from commonweal.domain.resilience.metrics import METRICS

RED, AMBER, MISSING, GREEN = (r.severity for r in (Rag.RED, Rag.AMBER, Rag.MISSING, Rag.GREEN))
METRIC_KEYS = tuple(m.key for m in METRICS)
SCORE_KEYS = (ALTMAN_Z2.key, ALTMAN_Z1.key, ALTMAN_Z.key, TAFFLER.key)

INPUT_COLUMNS = ("supplier", "year_end", *MONEY_FIELDS, "annual_contract_value")
OUTPUT_COLUMNS = (*METRIC_KEYS, "payment_days", *SCORE_KEYS, "rating")

_NULL = ibis.null().cast("float64")


def _div(numerator: Any, denominator: Any, guard: Any = None) -> Any:
    """numerator / denominator, NULL when either is NULL or `guard` (default: denominator <= 0) holds."""
    bad = denominator <= 0 if guard is None else guard
    return ibis.ifelse(bad, _NULL, numerator / denominator)


def _metrics(t: ibis.Table, policy: ResiliencePolicy) -> ibis.Table:
    net_debt = ibis.coalesce(t.net_debt, t.gross_debt - t.cash)
    equity = ibis.coalesce(t.equity, t.total_assets - t.total_liabilities)
    ebitda = t.operating_profit + t.depreciation_amortisation
    if policy.ebitda_fallback:  # operating profit when D&A is not disclosed (domain `ebitda`)
        ebitda = ibis.coalesce(ebitda, ibis.ifelse(t.depreciation_amortisation.isnull(), t.operating_profit, _NULL))
    t = t.mutate(_net_debt=net_debt, _equity=equity, _ebitda=ebitda)
    highest = ibis.greatest(t._net_debt, ibis.coalesce(t.average_net_debt, t._net_debt),
                            ibis.coalesce(t.peak_net_debt, t._net_debt))
    t = t.mutate(_adjusted_debt=highest + t.pension_deficit + t.supply_chain_finance.fill_null(0))
    return t.mutate(
        turnover_ratio=_div(t.revenue, t.annual_contract_value),
        operating_margin=_div(t.operating_profit, t.revenue),
        free_cash_flow_to_net_debt=_div(t.operating_cash_flow - t.capex, t._net_debt),
        net_debt_to_ebitda=_div(t._net_debt, t._ebitda),
        net_debt_and_pension_deficit_to_ebitda=_div(t._net_debt + t.pension_deficit, t._ebitda),
        adjusted_leverage=_div(t._adjusted_debt, t._ebitda),
        acid_ratio=_div(t.current_assets - t.inventories, t.current_liabilities),
        net_assets=t._equity,
        tangible_net_assets=t._equity - t.goodwill_intangibles,
        interest_cover=_div(t.operating_profit, t.interest_expense),
        group_exposure=_div(t.amounts_owed_by_group, t.total_assets),
        payment_days=_div(t.trade_payables, t.cost_of_sales) * 365,
    )


def _scores(t: ibis.Table) -> ibis.Table:
    ok = (t.total_assets > 0) & (t.total_liabilities > 0)
    x1 = (t.current_assets - t.current_liabilities) / t.total_assets
    x2 = t.retained_earnings / t.total_assets
    x3 = t.operating_profit / t.total_assets
    book = t._equity / t.total_liabilities
    x5 = t.revenue / t.total_assets
    daily_costs = (t.revenue - t.profit_before_tax - t.depreciation_amortisation) / 365
    taffler_ok = (t.current_liabilities > 0) & ok & (daily_costs > 0)
    return t.mutate(
        altman_z2=ibis.ifelse(ok, 6.56 * x1 + 3.26 * x2 + 6.72 * x3 + 1.05 * book, _NULL),
        altman_z1=ibis.ifelse(ok, 0.717 * x1 + 0.847 * x2 + 3.107 * x3 + 0.420 * book + 0.998 * x5, _NULL),
        altman_z=ibis.ifelse(ok, 1.2 * x1 + 1.4 * x2 + 3.3 * x3 + 0.6 * (t.market_cap / t.total_liabilities) + x5,
                             _NULL),
        taffler_z=ibis.ifelse(
            taffler_ok,
            3.20 + 12.18 * (t.profit_before_tax / t.current_liabilities)
            + 2.50 * (t.current_assets / t.total_liabilities)
            - 10.68 * (t.current_liabilities / t.total_assets)
            + 0.029 * ((t.current_assets - t.inventories - t.current_liabilities) / daily_costs),
            _NULL,
        ),
    )


def _rate(value: Any, higher_is_better: bool, green: Decimal, red: Decimal | None) -> Any:
    g, r = float(green), (float(red) if red is not None else None)
    if higher_is_better:
        is_green, is_red = value >= g, (value < r if r is not None else ibis.literal(False))
    else:
        is_green, is_red = value <= g, (value > r if r is not None else ibis.literal(False))
    return ibis.cases((value.isnull(), MISSING), (is_green, GREEN), (is_red, RED), else_=AMBER)


def _implied(t: ibis.Table, key: str) -> Any:
    """The rating a Missing value implies (see the domain metric functions), else NULL."""
    if key == "free_cash_flow_to_net_debt":
        return ibis.ifelse(t.operating_cash_flow.notnull() & t.capex.notnull() & (t._net_debt <= 0), GREEN, None)
    if key in ("net_debt_to_ebitda", "net_debt_and_pension_deficit_to_ebitda", "adjusted_leverage"):
        numerator = {"net_debt_to_ebitda": t._net_debt, "adjusted_leverage": t._adjusted_debt}.get(
            key, t._net_debt + t.pension_deficit)
        return ibis.ifelse((t._ebitda <= 0) & (numerator > 0), RED, None)
    if key == "acid_ratio":
        return ibis.ifelse(t.current_assets.notnull() & t.inventories.notnull() & (t.current_liabilities <= 0),
                           GREEN, None)
    if key == "interest_cover":
        return ibis.ifelse(t.operating_profit.notnull() & (t.interest_expense <= 0), GREEN, None)
    return ibis.null().cast("int8")


def _zone(value: Any, model: ScoreModel) -> Any:
    return ibis.cases((value.isnull(), MISSING), (value > float(model.safe_above), GREEN),
                      (value < float(model.distress_below), RED), else_=AMBER)


def assess(table: ibis.Table, tier: ContractTier = ContractTier.MEDIUM,
           policy: ResiliencePolicy = DEFAULT_POLICY) -> ibis.Table:
    """Assess a table of accounts (one row per supplier-year: `INPUT_COLUMNS`, money in £ as float64).

    Returns supplier, year_end, the metric and score values (NULL when missing), `<metric>_rating` and
    `altman_z2_rating` codes, `warn_*` flags and the standing `rating` code."""
    t = _scores(_metrics(table, policy))
    ratings = {}
    for metric in METRICS:
        threshold = policy.threshold(tier, metric.key)
        value = t[metric.key]
        rated = (_rate(value, threshold.higher_is_better, threshold.green, threshold.red) if threshold
                 else ibis.literal(MISSING))
        ratings[f"{metric.key}_rating"] = ibis.coalesce(_implied(t, metric.key).cast("int8"), rated.cast("int8"))
    ratings["altman_z2_rating"] = _zone(t.altman_z2, ALTMAN_Z2).cast("int8")
    t = t.mutate(**ratings)

    tolerance = float(policy.deterioration_tolerance)
    window = ibis.window(group_by=t.supplier, order_by=t.year_end)
    warnings = {
        "warn_slow_payment": t.payment_days > float(policy.payment_days_benchmark),
        "warn_goodwill_exceeds_net_assets": t.goodwill_intangibles > t._equity,
        "warn_dividends_exceed_cash_flow": (t.dividends_paid > 0) & (t.dividends_paid > t.operating_cash_flow),
    }
    directions = {m.key: m.higher_is_better for m in METRICS} | {ALTMAN_Z2.key: True}
    # last year's values as columns first: inlined, each lag would be computed once per use
    t = t.mutate(**{f"_before_{key}": t[key].lag().over(window) for key in directions})
    for key, higher in directions.items():
        before = t[f"_before_{key}"]
        worse = before - t[key] if higher else t[key] - before
        warnings[f"warn_deteriorated_{key}"] = (worse > 0) & (worse > tolerance * before.abs())
    t = t.mutate(**{k: v.fill_null(False) for k, v in warnings.items()})

    any_warning = ibis.or_(*[t[k] for k in warnings])
    # the worst rated part; MISSING only when nothing could be rated (MISSING sits between green and amber,
    # and only ratings, never warnings, can be green)
    greatest = ibis.greatest(*[t[k] for k in ratings], ibis.ifelse(any_warning, AMBER, MISSING))
    any_green = ibis.least(*[t[k] for k in ratings]) == GREEN
    overall = ibis.ifelse((greatest == MISSING) & any_green, GREEN, greatest)
    t = t.mutate(rating=overall.cast("int8"))
    # keys and results only: handing the inputs back would double the data materialised
    return t.select("supplier", "year_end", *OUTPUT_COLUMNS, *ratings, *warnings)


