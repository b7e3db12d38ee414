"""Distress scores: Altman's Z (1968), Z' (private firms) and Z'' (non-manufacturers, book values), and
Taffler's UK z-score. Each is a published discriminant function: coefficients and zone cut-offs are the authors',
cited per function, and none is re-fitted here.

Shared ratios (Altman): X1 working capital / total assets, X2 retained earnings / total assets, X3 EBIT / total
assets (operating profit stands for EBIT), X5 sales / total assets; X4 differs per model.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.rag import Rag
from commonweal.domain.resilience.accounts import Accounts
from commonweal.domain.resilience.metrics import book_equity, require
from commonweal.domain.resilience.values import DAYS_IN_YEAR, Missing, Value


@dataclass(frozen=True)
class ScoreModel:
    """A distress model's name, citation and zones: `safe` above `safe_above`, `distress_zone` below
    `distress_below`, `grey` between (Taffler's model has one cut-off, so its grey zone is the single value 0)."""

    key: str
    label: str
    source: str
    citation: str
    safe_above: Decimal
    distress_below: Decimal
    distress_zone: str = "distress"

    def zone(self, score: Value) -> tuple[str, Rag]:
        if isinstance(score, Missing):
            return "missing", Rag.MISSING
        if score > self.safe_above:
            return "safe", Rag.GREEN
        if score < self.distress_below:
            return self.distress_zone, Rag.RED
        return "grey", Rag.AMBER

    def describe(self) -> str:
        """`safe > 2.60; distress < 1.10 (Altman 2000)`: the zones with the short source."""
        return f"safe > {self.safe_above}; {self.distress_zone} < {self.distress_below} ({self.source})"


ALTMAN_Z = ScoreModel(
    "altman_z",
    "Altman Z (market value of equity)",
    "Altman 1968",
    "Altman (1968), J. Finance 23(4): Z = 1.2X1 + 1.4X2 + 3.3X3 + 0.6X4 + 1.0X5, X4 = market value of equity / "
    "total liabilities; safe > 2.99, distress < 1.81",
    Decimal("2.99"),
    Decimal("1.81"),
)
ALTMAN_Z1 = ScoreModel(
    "altman_z1",
    "Altman Z' (private firms)",
    "Altman 1983",
    "Altman (1983), Corporate Financial Distress (Wiley): Z' = 0.717X1 + 0.847X2 + 3.107X3 + 0.420X4 + 0.998X5, "
    "X4 = book equity / total liabilities; safe > 2.90, distress < 1.23",
    Decimal("2.90"),
    Decimal("1.23"),
)
ALTMAN_Z2 = ScoreModel(
    "altman_z2",
    "Altman Z'' (non-manufacturers, book values)",
    "Altman 2000",
    "Altman (2000), 'Predicting financial distress of companies: revisiting the Z-score and ZETA models'; "
    "Altman & Hotchkiss (2006): Z'' = 6.56X1 + 3.26X2 + 6.72X3 + 1.05X4, X4 = book equity / total liabilities; "
    "safe > 2.60, distress < 1.10",
    Decimal("2.60"),
    Decimal("1.10"),
)
TAFFLER = ScoreModel(
    "taffler_z",
    "Taffler UK z-score",
    "Taffler 1983",
    "Taffler (1983), Accounting and Business Research 13(52); Agarwal & Taffler (2007), ABR 37(4): "
    "z = 3.20 + 12.18X1 + 2.50X2 − 10.68X3 + 0.029X4, X1 = profit before tax / current liabilities, X2 = current "
    "assets / total liabilities, X3 = current liabilities / total assets, X4 = no-credit interval in days; "
    "at risk below 0",
    Decimal(0),
    Decimal(0),
    distress_zone="at risk",
)
SCORE_MODELS: tuple[ScoreModel, ...] = (ALTMAN_Z2, ALTMAN_Z1, ALTMAN_Z, TAFFLER)


def _altman_ratios(accounts: Accounts, equity: Value) -> tuple[Decimal, Decimal, Decimal, Decimal] | Missing:
    """X1, X2, X3 and X4 = `equity` (book or market value) / total liabilities, shared by the Altman models."""
    got = require(accounts, "current_assets", "current_liabilities", "retained_earnings", "operating_profit",
                  "total_assets", "total_liabilities")
    if isinstance(got, Missing):
        return got
    if isinstance(equity, Missing):
        return equity
    current_assets, current_liabilities, retained, operating_profit, total_assets, total_liabilities = got
    if total_assets <= 0:
        return Missing("total assets are zero or negative")
    if total_liabilities <= 0:
        return Missing("total liabilities are zero or negative")
    return ((current_assets - current_liabilities) / total_assets, retained / total_assets,
            operating_profit / total_assets, equity / total_liabilities)


def _with_asset_turnover(
    accounts: Accounts, equity: Value
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal] | Missing:
    """X1 to X4 as `_altman_ratios`, plus X5 = revenue / total assets."""
    ratios = _altman_ratios(accounts, equity)
    if isinstance(ratios, Missing):
        return ratios
    if accounts.revenue is None or accounts.total_assets is None:
        return Missing("the accounts do not give revenue")
    return (*ratios, accounts.revenue / accounts.total_assets)


def _market_value(accounts: Accounts) -> Value:
    if accounts.market_cap is None:
        return Missing("no market capitalisation was given (the original Z is for listed companies)")
    return accounts.market_cap


def altman_z2(accounts: Accounts) -> Value:
    """Altman Z'' for non-manufacturers on book values: 6.56X1 + 3.26X2 + 6.72X3 + 1.05X4 (see ALTMAN_Z2)."""
    ratios = _altman_ratios(accounts, book_equity(accounts))
    if isinstance(ratios, Missing):
        return ratios
    x1, x2, x3, x4 = ratios
    return Decimal("6.56") * x1 + Decimal("3.26") * x2 + Decimal("6.72") * x3 + Decimal("1.05") * x4


def altman_z1(accounts: Accounts) -> Value:
    """Altman Z' for private firms: 0.717X1 + 0.847X2 + 3.107X3 + 0.420X4 + 0.998X5 (see ALTMAN_Z1)."""
    ratios = _with_asset_turnover(accounts, book_equity(accounts))
    if isinstance(ratios, Missing):
        return ratios
    x1, x2, x3, x4, x5 = ratios
    return (Decimal("0.717") * x1 + Decimal("0.847") * x2 + Decimal("3.107") * x3 + Decimal("0.420") * x4
            + Decimal("0.998") * x5)


def altman_z(accounts: Accounts) -> Value:
    """Altman's original Z with market value of equity: 1.2X1 + 1.4X2 + 3.3X3 + 0.6X4 + 1.0X5 (see ALTMAN_Z).
    Only for suppliers with a market capitalisation (listed companies)."""
    ratios = _with_asset_turnover(accounts, _market_value(accounts))
    if isinstance(ratios, Missing):
        return ratios
    x1, x2, x3, x4, x5 = ratios
    return Decimal("1.2") * x1 + Decimal("1.4") * x2 + Decimal("3.3") * x3 + Decimal("0.6") * x4 + x5


def taffler_z(accounts: Accounts) -> Value:
    """Taffler's UK z-score: 3.20 + 12.18X1 + 2.50X2 − 10.68X3 + 0.029X4 (see TAFFLER).

    X4, the no-credit interval, is (quick assets − current liabilities) / daily operating costs, with quick
    assets = current assets − inventories and daily operating costs = (sales − profit before tax −
    depreciation) / 365, following Agarwal & Taffler (2007).
    """
    got = require(accounts, "profit_before_tax", "current_liabilities", "current_assets", "total_liabilities",
                  "total_assets", "inventories", "revenue", "depreciation_amortisation")
    if isinstance(got, Missing):
        return got
    pbt, cl, ca, tl, ta, inv, sales, dep = got
    if cl <= 0 or tl <= 0 or ta <= 0:
        return Missing("current liabilities, total liabilities or total assets are zero or negative")
    daily_costs = (sales - pbt - dep) / DAYS_IN_YEAR
    if daily_costs <= 0:
        return Missing("operating costs are zero or negative, so the no-credit interval has no meaning")
    x1 = pbt / cl
    x2 = ca / tl
    x3 = cl / ta
    x4 = (ca - inv - cl) / daily_costs
    return (Decimal("3.20") + Decimal("12.18") * x1 + Decimal("2.50") * x2 - Decimal("10.68") * x3
            + Decimal("0.029") * x4)


SCORE_FUNCTIONS = {
    ALTMAN_Z2.key: altman_z2,
    ALTMAN_Z1.key: altman_z1,
    ALTMAN_Z.key: altman_z,
    TAFFLER.key: taffler_z,
}
