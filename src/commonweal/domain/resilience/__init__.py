"""Supplier resilience: financial standing, distress scores, warning signs, two-way dependency and the risk
register. Pure domain code: no files, no databases. See docs/resilience.md for every formula and its source."""

from commonweal.domain.rag import Rag
from commonweal.domain.resilience.accounts import MONEY_FIELDS, Accounts
from commonweal.domain.resilience.assessment import (
    MetricResult,
    Reason,
    ScoreResult,
    SupplierRisk,
    SupplierYearAssessment,
    assess_supplier,
    metric_values,
    risk_register,
)
from commonweal.domain.resilience.dependency import ContractExposure, Dependency, assess_dependency
from commonweal.domain.resilience.policy import DEFAULT_POLICY, ContractTier, ResiliencePolicy, Threshold
from commonweal.domain.resilience.values import Missing, Value

__all__ = [
    "DEFAULT_POLICY",
    "MONEY_FIELDS",
    "Accounts",
    "ContractExposure",
    "ContractTier",
    "Dependency",
    "MetricResult",
    "Missing",
    "Rag",
    "Reason",
    "ResiliencePolicy",
    "ScoreResult",
    "SupplierRisk",
    "SupplierYearAssessment",
    "Threshold",
    "Value",
    "assess_dependency",
    "assess_supplier",
    "metric_values",
    "risk_register",
]
