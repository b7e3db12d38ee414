"""Supplier resilience for many supplier-years at once: the metrics, distress scores, warning signs and overall
rating of `commonweal.domain.resilience`, as Ibis expressions (DuckDB by default, PySpark when a council
outgrows one machine).

The formulas mirror the domain functions one for one (tests/analytics/test_resilience_agreement.py checks they
agree); thresholds come from the same `ResiliencePolicy`. `standing` is the domain's standing rating (each year's
own figures); `rating` adds the trends across years and the accumulation rule of
`commonweal.domain.resilience.trends`, over the same window (each supplier's latest `trend_years` rows) and the
same `DIMENSIONS`. Missing stays NULL, never zero. Arithmetic is float64, so this is for screening whole markets;
the domain core (exact Decimal) is the record for a decision. The drift comparisons of the trends are
cross-multiplied (no division), so whole-pound figures compare exactly, ties included.

Rag codes: 3 red, 2 amber, 1 missing, 0 green (as `Rag.severity`).
"""

from __future__ import annotations

import functools
import operator
from decimal import Decimal
from typing import Any

import ibis

from commonweal.domain.resilience import DEFAULT_POLICY, MONEY_FIELDS, ContractTier, Rag, ResiliencePolicy
from commonweal.domain.resilience.distress import ALTMAN_Z, ALTMAN_Z1, ALTMAN_Z2, TAFFLER, ScoreModel
from commonweal.domain.resilience.metrics import METRICS
from commonweal.domain.resilience.trends import dimension

RED, AMBER, MISSING, GREEN = (r.severity for r in (Rag.RED, Rag.AMBER, Rag.MISSING, Rag.GREEN))
METRIC_KEYS = tuple(m.key for m in METRICS)
SCORE_KEYS = (ALTMAN_Z2.key, ALTMAN_Z1.key, ALTMAN_Z.key, TAFFLER.key)

INPUT_COLUMNS = ("supplier", "year_end", *MONEY_FIELDS, "annual_contract_value")
OUTPUT_COLUMNS = (*METRIC_KEYS, "payment_days", *SCORE_KEYS, "standing", "rating")
# the domain's trend sign codes (`trends.TRENDS`), each a `trend_<code>` flag of the result
TREND_CODES = ("receivables_outpace_revenue", "dividends_exceed_free_cash_flow",
               "dividends_exceed_pension_contributions", "margin_drift")

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


def _all(conditions: list[Any]) -> Any:
    return functools.reduce(operator.and_, conditions, ibis.literal(True))


def _any(conditions: list[Any]) -> Any:
    return functools.reduce(operator.or_, conditions, ibis.literal(False))


def _count(conditions: list[Any]) -> Any:
    return functools.reduce(operator.add, [c.cast("int32") for c in conditions], ibis.literal(0).cast("int32"))


def _sum(conditions: list[Any], values: list[Any]) -> Any:
    return functools.reduce(operator.add, [ibis.ifelse(c, v, 0.0) for c, v in zip(conditions, values, strict=True)],
                            ibis.literal(0.0))


def _pick(conditions: list[Any], values: list[Any]) -> Any:
    """The value of the first condition that holds, NULL when none does."""
    return ibis.cases(*zip(conditions, values, strict=True), else_=_NULL)


def _drifted(a_num: Any, a_den: Any, b_num: Any, b_den: Any, drift: Decimal) -> Any:
    """a_num / a_den − b_num / b_den > drift, for positive denominators, cross-multiplied (drift = p / q)."""
    p, q = drift.as_integer_ratio()
    return (a_num * b_den - b_num * a_den) * q > p * a_den * b_den


def _trends(t: ibis.Table, window: Any, policy: ResiliencePolicy) -> ibis.Table:
    """The domain's trend signs (`commonweal.domain.resilience.trends.TRENDS`) as `trend_<code>` flags. The window
    is the year and the `trend_years` − 1 rows before it; each figure the trends read is first laid out as one
    column per year back (`_t<i>_<figure>`, NULL before the first year), so each lag is computed once."""
    years = range(policy.trend_years)
    oldest_first = list(reversed(years))
    figures = {
        "owed": t.trade_receivables + t.accrued_income.fill_null(0),  # receivables and accrued income
        "revenue": t.revenue,
        "dividends": t.dividends_paid,
        "free_cash": t.operating_cash_flow - t.capex,
        "contributions": t.pension_contributions,
        "profit": t.operating_profit,
        "exists": t.year_end.notnull(),
    }
    t = t.mutate(**{f"_t{i}_{name}": value if i == 0 else value.lag(i).over(window)
                    for name, value in figures.items() for i in years})

    def back(name: str) -> list[Any]:
        return [t[f"_t{i}_{name}"] for i in years]

    def disclosed(*names: str) -> list[Any]:
        """Per year back: every named figure known (a sum or difference is NULL when any part is)."""
        return [_all([t[f"_t{i}_{n}"].notnull() for n in names]) for i in years]

    revenue, dividends, profit = back("revenue"), back("dividends"), back("profit")
    exists = [e.fill_null(False) for e in back("exists")]
    revenue_ok = [(r > 0).fill_null(False) for r in revenue]

    # receivables and accrued income as a share of revenue, oldest to latest year that discloses them
    owed = back("owed")
    receivables = [d & ok for d, ok in zip(disclosed("owed"), revenue_ok, strict=True)]
    first_owed, first_revenue = (_pick([receivables[i] for i in oldest_first], [v[i] for i in oldest_first])
                                 for v in (owed, revenue))
    last_owed, last_revenue = (_pick(receivables, v) for v in (owed, revenue))
    receivables_sign = (_count(receivables) >= 2) & _drifted(last_owed, last_revenue, first_owed, first_revenue,
                                                            policy.receivables_drift)

    # dividends against free cash flow, over the years that disclose all three figures
    cash = disclosed("dividends", "free_cash")
    paid = _sum(cash, dividends)
    free_cash_sign = (_count(cash) >= 2) & (paid > 0) & (paid > _sum(cash, back("free_cash")))

    # with a deficit outstanding this year, dividends against deficit contributions
    pension = disclosed("dividends", "contributions")
    pension_sign = ((t.pension_deficit > 0) & (_count(pension) >= 1)
                    & (_sum(pension, dividends) > _sum(pension, back("contributions"))))

    # operating margin falling every year of a full window (at least three years), by more than the drift in all
    margin = [d & ok for d, ok in zip(disclosed("profit"), revenue_ok, strict=True)]
    falling = _all([~exists[i + 1] | (profit[i + 1] * revenue[i] > profit[i] * revenue[i + 1])
                    for i in years[:-1]])
    first_profit, first_margin_revenue = (_pick([exists[i] for i in oldest_first], [v[i] for i in oldest_first])
                                          for v in (profit, revenue))
    margin_sign = ((_count(margin) >= 3) & (_count(margin) == _count(exists)) & falling
                   & _drifted(first_profit, first_margin_revenue, profit[0], revenue[0], policy.margin_drift))

    signs = {"receivables_outpace_revenue": receivables_sign, "dividends_exceed_free_cash_flow": free_cash_sign,
             "dividends_exceed_pension_contributions": pension_sign, "margin_drift": margin_sign}
    return t.mutate(**{f"trend_{code}": signs[code].fill_null(False) for code in TREND_CODES})


def assess(table: ibis.Table, tier: ContractTier = ContractTier.MEDIUM,
           policy: ResiliencePolicy = DEFAULT_POLICY) -> ibis.Table:
    """Assess a table of accounts (one row per supplier-year: `INPUT_COLUMNS`, money in £ as float64).

    Returns supplier, year_end, the metric and score values (NULL when missing), `<metric>_rating` and
    `altman_z2_rating` codes, `warn_*` flags, the `standing` code (the year's own figures), `trend_*` flags,
    `amber_dimensions` (distinct dimensions with an amber sign), `escalated` (the accumulation rule) and the
    `rating` code (standing, trends and accumulation: the domain's `rating`)."""
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
    t = _trends(t.mutate(standing=overall.cast("int8")), window, policy)
    trends = [f"trend_{code}" for code in TREND_CODES]

    # the accumulation rule: amber signs counted once per dimension (`trends.dimension`, the domain's grouping)
    ambers = {key.removesuffix("_rating"): t[key] == AMBER for key in ratings}
    ambers |= {column.removeprefix("warn_").replace("deteriorated_", "deteriorated:", 1): t[column]
               for column in warnings}
    ambers |= {column.removeprefix("trend_"): t[column] for column in trends}
    dimensions: dict[str, list[Any]] = {}
    for code, amber in ambers.items():
        dimensions.setdefault(dimension(code), []).append(amber)
    t = t.mutate(amber_dimensions=_count([_any(found) for found in dimensions.values()]))
    escalated = t.amber_dimensions >= policy.accumulation_dimensions
    rating = ibis.greatest(t.standing, ibis.ifelse(_any([t[c] for c in trends]), AMBER, GREEN),
                           ibis.ifelse(escalated, RED, GREEN))
    t = t.mutate(escalated=escalated, rating=rating.cast("int8"))
    # keys and results only: handing the inputs back would double the data materialised
    return t.select("supplier", "year_end", *OUTPUT_COLUMNS, *ratings, *warnings, *trends, "amber_dimensions",
                    "escalated")


