"""Red/amber/green thresholds per contract tier, and the other figures an assessment depends on.

The Cabinet Office guidance "Assessing and monitoring the economic and financial standing of suppliers" says
the buyer sets the pass marks, proportionate to the contract, using the Contract Tiering Tool "to determine the
stringency to which bidders are tested, with higher thresholds for more critical contracts". It does not fix
the figures, so every numeric threshold below is a **Commonweal default** (configurable: build a
`ResiliencePolicy` with your own `Threshold`s). Where a default leans on a published figure, `source` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from commonweal.domain.rag import Rag
from commonweal.domain.resilience.values import shown

COMMONWEAL_DEFAULT = "Commonweal default"
PCR_REG_58 = (
    "Commonweal default; 2× echoes Public Contracts Regulations 2015 reg. 58, which capped a minimum yearly "
    "turnover requirement at twice the estimated contract value"
)
BALANCE_SHEET_TEST = (
    "Commonweal default; negative net assets is the balance-sheet test of inability to pay debts in the "
    "Insolvency Act 1986 s.123(2)"
)
INTEREST_BREAKEVEN = "Commonweal default; below 1× operating profit does not cover the interest bill"
ADJUSTED_DEBT = (
    "Commonweal default; the debt adjustments follow rating agencies' practice (Moody's, Financial Statement "
    "Adjustments in the Analysis of Non-Financial Corporations: defined-benefit pension deficits and factoring "
    "arrangements treated as debt)"
)


class ContractTier(Enum):
    """How critical the contract is, set by the buyer (the Cabinet Office Contract Tiering Tool)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Threshold:
    """Green at or beyond `green`; red strictly beyond `red` (None: this metric is never red); amber between."""

    higher_is_better: bool
    green: Decimal
    red: Decimal | None
    source: str = COMMONWEAL_DEFAULT

    def rate(self, value: Decimal) -> Rag:
        if self.higher_is_better:
            if value >= self.green:
                return Rag.GREEN
            return Rag.RED if self.red is not None and value < self.red else Rag.AMBER
        if value <= self.green:
            return Rag.GREEN
        return Rag.RED if self.red is not None and value > self.red else Rag.AMBER

    def describe(self, unit: str = "ratio") -> str:
        """`green ≥ 2.00; red < 1.00 (source)`: the rule as a commissioner reads it, in the metric's `unit`."""
        good, bad = ("≥", "<") if self.higher_is_better else ("≤", ">")
        text = f"green {good} {shown(self.green, unit)}"
        text += f"; red {bad} {shown(self.red, unit)}" if self.red is not None else "; never red"
        return f"{text} ({self.source})"


def _t(higher: bool, green: str, red: str | None, source: str = COMMONWEAL_DEFAULT) -> Threshold:
    return Threshold(higher, Decimal(green), Decimal(red) if red is not None else None, source)


# Stricter for more critical contracts, as the guidance asks. All Commonweal defaults (see module docstring).
DEFAULT_THRESHOLDS: dict[ContractTier, dict[str, Threshold]] = {
    ContractTier.HIGH: {
        "turnover_ratio": _t(True, "4", "2", PCR_REG_58),
        "operating_margin": _t(True, "0.05", "0"),
        "free_cash_flow_to_net_debt": _t(True, "0.15", "0.05"),
        "net_debt_to_ebitda": _t(False, "2.5", "3.5"),
        "net_debt_and_pension_deficit_to_ebitda": _t(False, "3.5", "5"),
        "adjusted_leverage": _t(False, "3.5", "5", ADJUSTED_DEBT),
        "acid_ratio": _t(True, "1", "0.8"),
        "net_assets": _t(True, "0", "0", BALANCE_SHEET_TEST),
        "tangible_net_assets": _t(True, "0", None),
        "interest_cover": _t(True, "4", "2", INTEREST_BREAKEVEN),
        "group_exposure": _t(False, "0.25", "0.5"),
    },
    ContractTier.MEDIUM: {
        "turnover_ratio": _t(True, "2", "1", PCR_REG_58),
        "operating_margin": _t(True, "0.02", "0"),
        "free_cash_flow_to_net_debt": _t(True, "0.1", "0"),
        "net_debt_to_ebitda": _t(False, "3", "4"),
        "net_debt_and_pension_deficit_to_ebitda": _t(False, "4", "5.5"),
        "adjusted_leverage": _t(False, "4", "5.5", ADJUSTED_DEBT),
        "acid_ratio": _t(True, "0.8", "0.6"),
        "net_assets": _t(True, "0", "0", BALANCE_SHEET_TEST),
        "tangible_net_assets": _t(True, "0", None),
        "interest_cover": _t(True, "3", "1.5", INTEREST_BREAKEVEN),
        "group_exposure": _t(False, "0.33", "0.66"),
    },
    ContractTier.LOW: {
        "turnover_ratio": _t(True, "2", "0.5", PCR_REG_58),
        "operating_margin": _t(True, "0", "-0.05"),
        "free_cash_flow_to_net_debt": _t(True, "0.05", "0"),
        "net_debt_to_ebitda": _t(False, "3.5", "5"),
        "net_debt_and_pension_deficit_to_ebitda": _t(False, "4.5", "6"),
        "adjusted_leverage": _t(False, "4.5", "6", ADJUSTED_DEBT),
        "acid_ratio": _t(True, "0.7", "0.5"),
        "net_assets": _t(True, "0", "0", BALANCE_SHEET_TEST),
        "tangible_net_assets": _t(True, "0", None),
        "interest_cover": _t(True, "2", "1", INTEREST_BREAKEVEN),
        "group_exposure": _t(False, "0.5", "0.75"),
    },
}

# PPN 015 "Taking account of a supplier's approach to payment in the procurement of major contracts"
# (Cabinet Office, 3 December 2024; replaced PPN 10/23, which replaced PPN 08/21): suppliers must pay all
# invoices within an average of 55 days (and at least 95% within 60 days).
PPN_AVERAGE_PAYMENT_DAYS = Decimal(55)
PPN_PAYMENT_SOURCE = "PPN 015 (Cabinet Office, December 2024): invoices paid within an average of 55 days"


@dataclass(frozen=True)
class ResiliencePolicy:
    """Everything an assessment is measured against. Defaults are Commonweal's except where a source is named.

    - `thresholds`: RAG thresholds per contract tier and metric (Commonweal defaults).
    - `payment_days_benchmark`: PPN 015's 55-day average.
    - `deterioration_tolerance`: a metric that worsens year on year by more than this fraction of its previous
      size is flagged amber (Commonweal default 10%).
    - `supplier_dependence_amber/red`: contract value as a share of supplier turnover (Commonweal defaults).
    - `council_dependence_amber/red`: council spend with the supplier as a share of its spend in the service
      area (Commonweal defaults).
    - `ebitda_fallback`: when depreciation and amortisation are not disclosed, leverage is computed on operating
      profit instead of EBITDA, labelled as a conservative fallback (operating profit is never above EBITDA, so
      the ratio can only look worse), instead of being left missing (Commonweal default: on).
    - `trend_years`: how many years of accounts (the latest and those before it) the trends read (Commonweal
      default 3).
    - `receivables_drift`: receivables and accrued income as a share of revenue rising by more than this (a
      fraction of revenue) over the trend years is amber (Commonweal default 0.05, five percentage points).
    - `margin_drift`: operating margin falling in each year of the trend years, by more than this in all (a
      fraction of revenue), is amber (Commonweal default 0.01, one percentage point).
    - `accumulation_dimensions`: amber signs in at least this many distinct dimensions (profitability, leverage,
      liquidity, balance sheet, cash and payouts, scale) escalate the year to red (Commonweal default 3).
    """

    thresholds: Mapping[ContractTier, Mapping[str, Threshold]] = field(default_factory=lambda: DEFAULT_THRESHOLDS)
    payment_days_benchmark: Decimal = PPN_AVERAGE_PAYMENT_DAYS
    deterioration_tolerance: Decimal = Decimal("0.10")
    supplier_dependence_amber: Decimal = Decimal("0.25")
    supplier_dependence_red: Decimal = Decimal("0.5")
    council_dependence_amber: Decimal = Decimal("0.33")
    council_dependence_red: Decimal = Decimal("0.5")
    ebitda_fallback: bool = True
    trend_years: int = 3
    receivables_drift: Decimal = Decimal("0.05")
    margin_drift: Decimal = Decimal("0.01")
    accumulation_dimensions: int = 3

    def threshold(self, tier: ContractTier, metric: str) -> Threshold | None:
        return self.thresholds.get(tier, {}).get(metric)


DEFAULT_POLICY = ResiliencePolicy()
