"""Two-way dependency: how much the supplier leans on the contract, and how much the council leans on the
supplier; plus the contingency and resolution checklist for critical services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from commonweal.domain.rag import Rag, worst
from commonweal.domain.resilience.policy import ResiliencePolicy
from commonweal.domain.resilience.values import Missing, Value


@dataclass(frozen=True)
class ContractExposure:
    """What the council buys from one supplier. Spend figures are plain inputs in £ (from the council's spend
    data when available). `critical` marks a service whose failure would harm residents."""

    supplier: str
    annual_contract_value: Decimal | None = None
    council_spend_with_supplier: Decimal | None = None
    council_spend_in_service_area: Decimal | None = None
    critical: bool = False
    council_spend_source: str = ""  # where the two council spend figures came from, for whoever checks them


@dataclass(frozen=True)
class Dependency:
    supplier_dependence: Value  # annual contract value / supplier turnover
    council_dependence: Value  # council spend with supplier / council spend in the service area
    rating: Rag
    reasons: tuple[tuple[Rag, str], ...]
    council_spend_source: str = ""


def _share(part: Decimal | None, whole: Decimal | None, part_name: str, whole_name: str) -> Value:
    if part is None or whole is None:
        absent = [n for n, v in ((part_name, part), (whole_name, whole)) if v is None]
        return Missing(f"no {' or '.join(absent)} was given")
    if whole <= 0:
        return Missing(f"{whole_name} is zero or negative")
    return part / whole


def _rate_share(share: Value, amber: Decimal, red: Decimal) -> Rag:
    if isinstance(share, Missing):
        return Rag.MISSING
    if share > red:
        return Rag.RED
    return Rag.AMBER if share > amber else Rag.GREEN


def assess_dependency(exposure: ContractExposure, turnover: Decimal | None, policy: ResiliencePolicy) -> Dependency:
    """Both directions of dependency, rated against the policy's Commonweal-default shares."""
    supplier_share = _share(exposure.annual_contract_value, turnover, "annual contract value", "supplier turnover")
    council_share = _share(exposure.council_spend_with_supplier, exposure.council_spend_in_service_area,
                           "council spend with the supplier", "council spend in the service area")
    supplier_rating = _rate_share(supplier_share, policy.supplier_dependence_amber, policy.supplier_dependence_red)
    council_rating = _rate_share(council_share, policy.council_dependence_amber, policy.council_dependence_red)
    reasons: list[tuple[Rag, str]] = []
    if isinstance(supplier_share, Decimal) and supplier_rating is not Rag.GREEN:
        reasons.append((supplier_rating,
                        f"the contract is {supplier_share:.0%} of the supplier's turnover: losing or shrinking it "
                        "could itself destabilise the supplier"))
    if isinstance(council_share, Decimal) and council_rating is not Rag.GREEN:
        reasons.append((council_rating,
                        f"the supplier takes {council_share:.0%} of the council's spend in this service area: "
                        "few alternatives could step in if it failed"))
    rating = worst([supplier_rating, council_rating])
    return Dependency(supplier_share, council_share, rating, tuple(sorted(reasons, key=lambda r: -r[0].severity)),
                      exposure.council_spend_source)


@dataclass(frozen=True)
class ChecklistItem:
    action: str
    source: str


_PLAYBOOK = "Cabinet Office, The Sourcing Playbook (resolution planning and contingency planning for critical services)"
_CONTINGENCY = "Cabinet Office, Supplier Failure Contingency Planning template (February 2019)"
_EFS = "Cabinet Office, Assessing and monitoring the economic and financial standing of suppliers, guidance note"
_MSC = "Cabinet Office, Model Services Contract, Schedule 7.4 (Financial Distress)"

CRITICAL_SERVICE_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("Write and test a supplier-failure contingency plan: the service, who would suffer if it stopped, "
                  "governance if the plan is enacted, keeping the workforce and paying staff", _CONTINGENCY),
    ChecklistItem("List other credible providers and the market's capacity to take the service on at short notice",
                  _CONTINGENCY),
    ChecklistItem("Ask the supplier for resolution planning information: group structure, critical contracts and "
                  "how the service would be kept running through an insolvency", _PLAYBOOK),
    ChecklistItem("Include financial distress provisions (warning events, notification duties, a remediation plan) "
                  "in the contract", _MSC),
    ChecklistItem("Re-assess the supplier's economic and financial standing at least yearly and when a warning "
                  "sign appears, not only at award", _EFS),
    ChecklistItem("Consider mitigations the guidance lists for a weak result: parent company guarantee, performance "
                  "bond, step-in rights, escrow of data and assets needed to carry on the service", _EFS),
)


def checklist_for(exposure: ContractExposure) -> tuple[ChecklistItem, ...]:
    """The contingency and resolution checklist, for critical services only (empty otherwise)."""
    return CRITICAL_SERVICE_CHECKLIST if exposure.critical else ()
