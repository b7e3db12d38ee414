"""Use case: assess suppliers' financial standing from an accounts file (CSV, XLSX or Companies House iXBRL)
and return the risk register as plain data for the CLI and the web app."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from commonweal.domain.market.resolution import spend_with
from commonweal.domain.resilience import (
    DEFAULT_POLICY,
    ContractExposure,
    ContractTier,
    Missing,
    ResiliencePolicy,
    SupplierRisk,
    SupplierYearAssessment,
    Value,
    risk_register,
)
from commonweal.domain.resilience.accounts import Accounts
from commonweal.domain.resilience.metrics import METRICS_BY_KEY
from commonweal.io.accounts import read_accounts, read_contract_exposures
from commonweal.io.errors import InputError, Problem
from commonweal.io.ixbrl import read_ixbrl
from commonweal.services.spend import service_area_spend

IXBRL_SUFFIXES = (".html", ".xhtml", ".htm", ".xbrl", ".xml")


@dataclass(frozen=True)
class AssessmentRequest:
    """What to assess. `contract_value` and `tier` apply to suppliers the contracts file does not name.

    With `spend_db` and `service`, the council's spend with each supplier and in that service area come from the
    spend store (issue 4), for the suppliers the contracts file gives no spend figures for."""

    accounts: Path
    unit: str = "£"
    contracts: Path | None = None
    contract_value: Decimal | None = None
    tier: ContractTier = ContractTier.MEDIUM
    critical: bool = False
    spend_db: Path | None = None
    service: str | None = None


def add_spend_from_store(
    accounts: list[Accounts], exposures: dict[str, ContractExposure], db: Path, service: str
) -> None:
    """Fill each supplier's council spend with it and in the service area from the spend store, matched by company
    number, then normalised name (`domain.market.resolution.spend_with`). A supplier not found keeps its spend
    missing, so its council dependence is reported missing, never 0%. Figures the contracts file states are kept:
    the council's own statement wins over what payments files imply."""
    area_total, spend = service_area_spend(db, service)
    for supplier in dict.fromkeys(a.supplier for a in accounts):
        numbers = [a.company_number for a in accounts if a.supplier == supplier and a.company_number]
        found = spend_with(supplier, numbers[-1] if numbers else None, spend)
        exposure = exposures.get(supplier, ContractExposure(supplier))
        from_store = []
        if exposure.council_spend_with_supplier is None:
            from_store.append(f"spend with the supplier matched by {found[1]}" if found
                              else "spend with the supplier not found (no matching company number or name)")
        if exposure.council_spend_in_service_area is None:
            from_store.append(f"spend in service areas containing '{service}'")
        source = f"spend store {db}: {'; '.join(from_store)}" if from_store else ""
        exposures[supplier] = replace(
            exposure,
            council_spend_with_supplier=exposure.council_spend_with_supplier
            if exposure.council_spend_with_supplier is not None else (found[0] if found else None),
            council_spend_in_service_area=exposure.council_spend_in_service_area
            if exposure.council_spend_in_service_area is not None else area_total,
            council_spend_source="; ".join(s for s in (exposure.council_spend_source, source) if s),
        )


def assess_suppliers(request: AssessmentRequest, policy: ResiliencePolicy = DEFAULT_POLICY) -> list[SupplierRisk]:
    """Read the accounts (and contracts, if given), assess every supplier and return the register, most severe
    first. Raises commonweal.io.errors.InputError for bad input; nothing is saved either way."""
    if request.accounts.suffix.lower() in IXBRL_SUFFIXES:
        accounts = read_ixbrl(request.accounts)
    else:
        accounts = read_accounts(request.accounts, unit=request.unit)
    exposures, tiers = (read_contract_exposures(request.contracts, {a.supplier for a in accounts})
                        if request.contracts else ({}, {}))
    if (request.spend_db is None) != (request.service is None):
        raise InputError([Problem("--spend-db/--service", "give both the spend store and the service area")])
    if request.spend_db is not None and request.service is not None:
        add_spend_from_store(list(accounts), exposures, request.spend_db, request.service)
    if request.contract_value is not None or request.critical:
        for supplier in {a.supplier for a in accounts} - exposures.keys():
            exposures[supplier] = ContractExposure(supplier, request.contract_value, critical=request.critical)
    return risk_register(accounts, exposures, tiers, request.tier, policy)


def plain(value: Value, unit: str = "ratio") -> float | str:
    """A value for JSON: "missing", money as an exact string of pounds and pence, ratios as numbers (4 dp)."""
    if isinstance(value, Missing):
        return "missing"
    if unit == "£":
        return str(value.quantize(Decimal("0.01")))
    return float(value.quantize(Decimal("0.0001")))


def year_as_dict(risk: SupplierRisk, year: SupplierYearAssessment) -> dict[str, object]:
    """One supplier-year: supplier, year_end, rating, altman_z2, metrics (value, rating, threshold), reasons..."""
    metrics: dict[str, object] = {}
    for m in year.metrics:
        entry: dict[str, object] = {
            "value": plain(m.value, METRICS_BY_KEY[m.key].unit),
            "rating": m.rating.value,
            "threshold": m.threshold.describe(METRICS_BY_KEY[m.key].unit) if m.threshold else None,
        }
        if isinstance(m.value, Missing):
            entry["missing_because"] = m.value.reason
        if m.basis:
            entry["basis"] = m.basis
        metrics[m.key] = entry
    return {
        "supplier": risk.supplier,
        "company_number": year.accounts.company_number,
        "year_end": year.accounts.year_end.isoformat(),
        "tier": year.tier.value,
        "rating": year.rating.value,
        "standing": year.standing.value,
        "altman_z2": plain(year.score("altman_z2").value),
        "scores": {s.key: {"value": plain(s.value), "zone": s.zone, "rating": s.rating.value} for s in year.scores},
        "metrics": metrics,
        "payment_days": plain(year.payment_days),
        "warnings": [{"code": w.code, "rating": w.rating.value, "reason": w.reason}
                     for w in (*year.warnings, *year.trends)],
        "reasons": [{"rating": r.rating.value, "reason": r.text} for r in year.reasons],
    }


def register_as_dict(register: list[SupplierRisk]) -> dict[str, object]:
    """The whole result: `assessments` (one per supplier and year) and `register` (one per supplier)."""
    return {
        "assessments": [year_as_dict(risk, year) for risk in register for year in risk.years],
        "register": [
            {
                "supplier": risk.supplier,
                "latest_year_end": risk.latest.accounts.year_end.isoformat(),
                "rating": risk.rating.value,
                "critical": risk.critical,
                "reasons": [{"rating": r.rating.value, "reason": r.text} for r in risk.reasons],
                "dependency": None if risk.dependency is None else {
                    "supplier_dependence": plain(risk.dependency.supplier_dependence),
                    "council_dependence": plain(risk.dependency.council_dependence),
                    "rating": risk.dependency.rating.value,
                    "council_spend_source": risk.dependency.council_spend_source or None,
                },
                "checklist": [{"action": c.action, "source": c.source} for c in risk.checklist],
            }
            for risk in register
        ],
    }
