"""Where a watched supplier's dependency figures come from besides what the organisation entered: the spend
store (when the deployment has one, `COMMONWEAL_SPEND_DB`, and the supplier names its service area) and, when
the contracts area merges, its contracts. An area adds one function to `EXPOSURE_SOURCES`: it receives the
watched supplier and the exposure so far, and returns it with any figure it knows filled in (figures already
entered are kept: the organisation's own statement wins, as in `commonweal.services.suppliers`).

The contracts area knows the annual value of the organisation's live contracts with the supplier. It records no
"critical service" flag, so `critical` stays what the organisation entered (a contracts field for it would feed
it here). When a contract changes, `data.contract_changed` reassesses the watched suppliers it names."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from commonweal.domain.contracts.model import months_between
from commonweal.domain.market.identifiers import company_number
from commonweal.domain.resilience import Accounts, ContractExposure
from commonweal.services.suppliers import add_spend_from_store
from commonweal.web.contracts.models import Contract
from commonweal.web.models import Organisation
from commonweal.web.suppliers.models import WatchedSupplier
from commonweal.web.views import today

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


def annual_value(contract: Contract) -> Decimal:
    """A contract's value spread evenly over its term (start to end, in whole months, at least one): the
    annual contract value the dependency measure divides by the supplier's turnover. Commonweal's reading: the
    stored value is the whole-term value, as the contracts register records it."""
    months = max(months_between(contract.start, contract.end + dt.timedelta(days=1)), 1)
    value: Decimal = contract.value
    return (value * 12 / months).quantize(Decimal("0.01"))


def live_contracts(organisation: Organisation, day: dt.date) -> QuerySet[Contract]:
    return Contract.objects.filter(organisation=organisation, start__lte=day, end__gte=day)


def names(watched: WatchedSupplier, supplier: str, identifier: str) -> bool:
    """Whether a contract's supplier is the watched one: by company number when both have one, else by name (the
    rule `data._this_supplier` applies to accounts)."""
    wanted = company_number(watched.company_number) if watched.company_number else None
    number = company_number(identifier) if identifier else None
    return number == wanted if wanted and number else supplier.strip().casefold() == watched.name.casefold()


def from_contracts(watched: WatchedSupplier, accounts: list[Accounts], exposure: ContractExposure) -> ContractExposure:
    if exposure.annual_contract_value is not None:
        return exposure
    candidates = live_contracts(watched.organisation, today()).filter(
        Q(supplier__iexact=watched.name) | ~Q(supplier_identifier=""))
    found = [c for c in candidates if names(watched, c.supplier, c.supplier_identifier)]
    if not found:
        return exposure
    return dataclasses.replace(exposure, annual_contract_value=sum((annual_value(c) for c in found), Decimal(0)))


EXPOSURE_SOURCES: tuple[ExposureSource, ...] = (from_spend_store, from_contracts)


@dataclass(frozen=True)
class Suggestion:
    """A supplier of the organisation's live contracts that is not on its watchlist."""

    supplier: str
    contracts: int
    value: Decimal  # the contracts' whole-term value


def suggestions(organisation: Organisation, limit: int = 5) -> tuple[Suggestion, ...]:
    """The suppliers of the organisation's live contracts not yet watched (by name, or by company number as the
    contract records it), largest total value first: one aggregate query over the (organisation, supplier) index."""
    watched = WatchedSupplier.objects.filter(organisation=organisation)
    rows = (live_contracts(organisation, today())
            .exclude(supplier__in=watched.values("name"))
            .exclude(supplier_identifier__in=watched.exclude(company_number="").values("company_number"))
            .values("supplier").annotate(contracts=Count("pk"), value=Sum("value")).order_by("-value", "supplier"))
    return tuple(Suggestion(r["supplier"], r["contracts"], r["value"]) for r in rows[:limit])


def watched_for(contract: Contract) -> list[WatchedSupplier]:
    """The organisation's watched suppliers the contract names, locked, for the caller to reassess."""
    listed = WatchedSupplier.objects.filter(organisation_id=contract.organisation_id)
    named = [w.pk for w in listed if names(w, contract.supplier, contract.supplier_identifier)]
    return list(WatchedSupplier.objects.select_for_update().filter(pk__in=named).order_by("pk")) if named else []


def exposure_for(watched: WatchedSupplier, accounts: list[Accounts]) -> ContractExposure:
    exposure = ContractExposure(
        watched.name, watched.annual_contract_value, watched.council_spend_with_supplier,
        watched.council_spend_in_service_area, watched.critical,
        "entered by the organisation" if watched.council_spend_with_supplier is not None else "")
    for source in EXPOSURE_SOURCES:
        exposure = source(watched, accounts, exposure)
    return exposure
