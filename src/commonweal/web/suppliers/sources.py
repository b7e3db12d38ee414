"""Where a watched supplier's dependency figures come from besides what the organisation entered: the spend
store (when the deployment has one, `COMMONWEAL_SPEND_DB`, and the supplier names its service area) and, when
the contracts area merges, its contracts. An area adds one function to `EXPOSURE_SOURCES`: it receives the
watched supplier and the exposure so far, and returns it with any figure it knows filled in (figures already
entered are kept: the organisation's own statement wins, as in `commonweal.services.suppliers`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from commonweal.domain.resilience import Accounts, ContractExposure
from commonweal.services.suppliers import add_spend_from_store
from commonweal.web.suppliers.models import WatchedSupplier

ExposureSource = Callable[[WatchedSupplier, list[Accounts], ContractExposure], ContractExposure]


def from_spend_store(
    watched: WatchedSupplier, accounts: list[Accounts], exposure: ContractExposure
) -> ContractExposure:
    store = getattr(settings, "COMMONWEAL_SPEND_DB", "")
    if not store or not watched.service_area or not accounts:
        return exposure
    exposures = {watched.name: exposure}
    add_spend_from_store(accounts, exposures, Path(store), watched.service_area)
    return exposures[watched.name]


EXPOSURE_SOURCES: tuple[ExposureSource, ...] = (from_spend_store,)


def exposure_for(watched: WatchedSupplier, accounts: list[Accounts]) -> ContractExposure:
    exposure = ContractExposure(
        watched.name, watched.annual_contract_value, watched.council_spend_with_supplier,
        watched.council_spend_in_service_area, watched.critical,
        "entered by the organisation" if watched.council_spend_with_supplier is not None else "")
    for source in EXPOSURE_SOURCES:
        exposure = source(watched, accounts, exposure)
    return exposure
