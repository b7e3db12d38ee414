"""Builders for hand-worked contract cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from commonweal.domain.contracts.model import (
    Contract,
    ContractKind,
    Direction,
    Frequency,
    Kpi,
    KpiMeasurement,
    Period,
    ProviderReport,
    Return,
    period_starting,
)

D = Decimal


def on_time_kpi() -> Kpi:
    """95% target, approaching within 2 points, inadequate beyond 5 points short."""
    return Kpi("on_time", "Visits on time", D(95), Direction.HIGHER_IS_BETTER, D(2), D(5), "%")


def missed_kpi() -> Kpi:
    """At most 5 missed visits, approaching up to 8, inadequate above 15."""
    return Kpi("missed", "Missed visits", D(5), Direction.LOWER_IS_BETTER, D(3), D(10), "visits")


def make_contract(**overrides: Any) -> Contract:
    """A £1,000,000 services contract, 1 Jan 2025 to 31 Dec 2027 (36 months), monthly returns, two KPIs."""
    values: dict[str, Any] = {
        "id": "C1", "title": "Home care", "buyer": "Council", "supplier": "Provider",
        "value": D(1_000_000), "start": dt.date(2025, 1, 1), "end": dt.date(2027, 12, 31),
        "kind": ContractKind.SERVICES, "frequency": Frequency.MONTHLY, "kpis": (on_time_kpi(), missed_kpi()),
    }
    values.update(overrides)
    return Contract(**values)


def month(year: int, number: int) -> Period:
    return period_starting(dt.date(year, number, 1), Frequency.MONTHLY)


def kpi_return(period: Period, **figures: str) -> Return:
    return Return(period, tuple(KpiMeasurement(k, D(v)) for k, v in figures.items()))


def provider_return(period: Period, **fields: str) -> Return:
    return Return(period, provider=ProviderReport(**{k: D(v) for k, v in fields.items()}))
