"""The one way to read and change the suppliers area: every function takes the signed-in user and starts from the
access layer (`organisation_access`): the organisation's commissioners and viewers read its watchlist, its
commissioners change it. Every change is audited in its transaction, and the supplier's assessment is recomputed
and stored in that same transaction (`refresh`), so the pages and the home page alert only read it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from commonweal.domain.lifecycle import Role
from commonweal.domain.market.identifiers import company_number as normal_company_number
from commonweal.domain.resilience import MONEY_FIELDS, Accounts, ContractTier, risk_register
from commonweal.domain.resilience.metrics import METRICS_BY_KEY
from commonweal.domain.resilience.values import shown
from commonweal.io.accounts import parse_accounts
from commonweal.io.errors import InputError
from commonweal.io.ixbrl import parse_bulk_accounts, parse_ixbrl
from commonweal.services.suppliers import IXBRL_SUFFIXES, register_as_dict
from commonweal.web import audit
from commonweal.web.access import NotFound, Refused, Visitor, organisation_access, organisations_for, signed_in
from commonweal.web.contracts.models import Contract
from commonweal.web.models import Membership, Organisation
from commonweal.web.suppliers.models import SupplierAccounts, SupplierAssessment, WatchedSupplier
from commonweal.web.suppliers.sources import Suggestion, exposure_for, suggestions, watched_for
from commonweal.web.views import today

READERS = (Role.COMMISSIONER, Role.VIEWER)
WRITERS = (Role.COMMISSIONER,)


@dataclass(frozen=True)
class Watchlist:
    organisation: Organisation
    suppliers: tuple[WatchedSupplier, ...]  # each with its `assessment` (or none yet) loaded
    may_change: bool


def _watchlist(organisation: Organisation, may_change: bool) -> Watchlist:
    found = WatchedSupplier.objects.filter(organisation=organisation).select_related("assessment")
    return Watchlist(organisation, tuple(found), may_change)


def watchlists(user: Visitor) -> list[Watchlist]:
    """The watchlist of every organisation where the user is a commissioner or viewer."""
    member = signed_in(user)
    roles: dict[int, set[str]] = {}
    for organisation_id, role in Membership.objects.filter(user=member).values_list("organisation_id", "role"):
        roles.setdefault(organisation_id, set()).add(role)
    readable = [o for o in organisations_for(member) if roles.get(o.pk, set()) & {r.value for r in READERS}]
    suppliers = WatchedSupplier.objects.filter(organisation__in=readable).select_related("assessment")
    by_organisation: dict[int, list[WatchedSupplier]] = {}
    for supplier in suppliers:
        by_organisation.setdefault(supplier.organisation_id, []).append(supplier)
    return [Watchlist(o, tuple(by_organisation.get(o.pk, [])), Role.COMMISSIONER.value in roles[o.pk])
            for o in readable]


def _is_commissioner(user: Visitor, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=signed_in(user), organisation=organisation,
                                     role=Role.COMMISSIONER.value).exists()


def watchlist(user: Visitor, slug: str) -> Watchlist:
    organisation = organisation_access(user, slug, *READERS)
    return _watchlist(organisation, _is_commissioner(user, organisation))


def may_change(user: Visitor, slug: str) -> Organisation:
    return organisation_access(user, slug, *WRITERS)


@dataclass(frozen=True)
class Measure:
    """One measure of the latest accounts as the supplier page shows it."""

    label: str
    shown: str
    rating: str
    threshold: str


def _shown(value: object, unit: str) -> str:
    return "missing" if value == "missing" else shown(Decimal(str(value)), unit)


def measures(result: dict[str, Any]) -> list[Measure]:
    """The latest year's measures from a stored assessment, labelled and shown in their units."""
    latest = result["assessments"][-1]
    found = []
    for key, entry in latest["metrics"].items():
        definition = METRICS_BY_KEY[key]
        text = _shown(entry["value"], definition.unit)
        if "missing_because" in entry:
            text += f": {entry['missing_because']}"
        if "basis" in entry:
            text += f" ({entry['basis']})"
        found.append(Measure(definition.label, text, entry["rating"], entry["threshold"] or "–"))
    return found


def dependence(value: object) -> str:
    """A dependency share from a stored assessment (a fraction, or "missing") as a percentage."""
    return _shown(value, "percent")


@dataclass(frozen=True)
class SupplierPage:
    organisation: Organisation
    supplier: WatchedSupplier
    result: dict[str, Any] | None  # the stored assessment's plain data (`services.suppliers.register_as_dict`)
    years: tuple[SupplierAccounts, ...]
    may_change: bool

    @property
    def measures(self) -> list[Measure]:
        return measures(self.result) if self.result else []


def supplier(user: Visitor, slug: str, supplier_id: int) -> SupplierPage:
    organisation = organisation_access(user, slug, *READERS)
    found = WatchedSupplier.objects.filter(organisation=organisation, pk=supplier_id).select_related(
        "assessment").first()
    if found is None:
        raise NotFound("no such supplier on this watchlist")
    assessment = getattr(found, "assessment", None)
    return SupplierPage(organisation, found, assessment.result if assessment else None, tuple(found.accounts.all()),
                        _is_commissioner(user, organisation))


@audit.retrying
def add(user: Visitor, slug: str, fields: dict[str, Any]) -> WatchedSupplier:
    """Add a supplier to the organisation's watchlist; its name is unique there."""
    organisation = may_change(user, slug)
    member = signed_in(user)
    try:
        with transaction.atomic():
            watched = WatchedSupplier.objects.create(organisation=organisation, added_on=today(), **fields)
            audit.record(member.get_username(), "supplier_watched", {
                "supplier": watched.name, "company_number": watched.company_number, "tier": watched.tier,
                "critical": watched.critical,
            }, organisation=organisation)
    except IntegrityError as exc:
        raise Refused([f"{fields['name']} is already on the watchlist"], ["name"]) from exc
    return watched


DEPENDENCY_FIELDS = ("tier", "critical", "annual_contract_value", "council_spend_with_supplier",
                     "council_spend_in_service_area", "service_area")


@audit.retrying
def change_dependency(user: Visitor, slug: str, supplier_id: int, fields: dict[str, Any]) -> WatchedSupplier:
    """Record what the organisation knows of the dependency, and reassess in the same transaction."""
    organisation = may_change(user, slug)
    member = signed_in(user)
    with transaction.atomic():
        watched = WatchedSupplier.objects.select_for_update().filter(organisation=organisation, pk=supplier_id).first()
        if watched is None:
            raise NotFound("no such supplier on this watchlist")
        changed = sorted(k for k in DEPENDENCY_FIELDS if getattr(watched, k) != fields[k])
        for key in DEPENDENCY_FIELDS:
            setattr(watched, key, fields[key])
        watched.save(update_fields=list(DEPENDENCY_FIELDS))
        audit.record(member.get_username(), "supplier_dependency_changed",
                     {"supplier": watched.name, "changed": changed}, organisation=organisation)
        refresh(watched)
    return watched


def _figures(accounts: Accounts) -> dict[str, str]:
    return {name: str(value) for name in MONEY_FIELDS if (value := getattr(accounts, name)) is not None}


def as_accounts(watched: WatchedSupplier, row: SupplierAccounts) -> Accounts:
    figures = {name: Decimal(text) for name, text in row.figures.items()}
    return Accounts(supplier=watched.name, year_end=row.year_end, company_number=watched.company_number or None,
                    **figures)


def _read(watched: WatchedSupplier, name: str, data: bytes, unit: str) -> list[Accounts]:
    if name.lower().endswith(".zip"):
        if not watched.company_number:
            raise Refused([f"{name} is a bulk file of many companies: give {watched.name}'s company number first "
                           "(add it again with its number)"], ["accounts"])
        return parse_bulk_accounts(name, data, watched.company_number)
    if name.lower().endswith(IXBRL_SUFFIXES):
        return parse_ixbrl(name, data)
    return parse_accounts(name, data, unit)


def _this_supplier(watched: WatchedSupplier, found: list[Accounts], name: str) -> list[Accounts]:
    """The years of `found` that are the watched supplier's: by company number when both have one, else by name.
    Anything else in the file is refused, not silently dropped."""
    wanted = normal_company_number(watched.company_number) if watched.company_number else None
    mine: list[Accounts] = []
    others: list[Accounts] = []
    for item in found:
        number = normal_company_number(item.company_number) if item.company_number else None
        same = number == wanted if wanted and number else item.supplier.strip().casefold() == watched.name.casefold()
        (mine if same else others).append(item)
    if others:
        named = sorted({f"{o.supplier} ({o.company_number})" if o.company_number else o.supplier for o in others})
        raise Refused([f"{name} holds accounts of {', '.join(named)}, not of {watched.name}"
                       + (f" (company number {watched.company_number})" if watched.company_number else "")],
                      ["accounts"])
    if not mine:
        raise Refused([f"{name} holds no accounts"], ["accounts"])
    return mine


def store_years(watched: WatchedSupplier, years: list[Accounts], source: str) -> None:
    """Store each year of accounts for `watched` (a year given again replaces the stored one), in the caller's
    transaction; the caller reassesses with `refresh`."""
    for item in years:
        SupplierAccounts.objects.update_or_create(supplier=watched, year_end=item.year_end,
                                                  defaults={"figures": _figures(item), "source": source})


@audit.retrying
def upload_accounts(user: Visitor, slug: str, supplier_id: int, name: str, data: bytes, unit: str) -> list[str]:
    """Read an accounts file (CSV or XLSX in Commonweal's layout, a Companies House iXBRL filing, or a Companies
    House bulk accounts ZIP, from which only the supplier's own filings are read) through the structured input
    layer, store each year in it for the supplier (a year given again replaces the stored one), then reassess.
    Nothing is saved if any part of the file is bad. Returns the year ends stored."""
    organisation = may_change(user, slug)
    member = signed_in(user)
    listed = WatchedSupplier.objects.filter(organisation=organisation, pk=supplier_id).first()
    if listed is None:
        raise NotFound("no such supplier on this watchlist")
    try:
        found = _read(listed, name, data, unit)
    except InputError as error:
        raise Refused([str(p) for p in error.problems], ["accounts"] * len(error.problems)) from error
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        # one upload at a time per supplier: the stored years and their assessment change together
        watched = WatchedSupplier.objects.select_for_update().get(pk=listed.pk)
        mine = _this_supplier(watched, found, name)
        store_years(watched, mine, f"{name[:200]} sha256:{digest}")
        if not watched.company_number and (numbers := [i.company_number for i in mine if i.company_number]):
            watched.company_number = normal_company_number(numbers[-1]) or ""
            watched.save(update_fields=["company_number"])
        years = sorted(i.year_end.isoformat() for i in mine)
        audit.record(member.get_username(), "supplier_accounts_uploaded", {
            "supplier": watched.name, "file": name[:200], "sha256": digest, "years": years,
        }, organisation=organisation)
        refresh(watched)
    return years


def refresh(watched: WatchedSupplier) -> SupplierAssessment | None:
    """Reassess `watched` from its stored accounts and dependency figures and store the result, inside the
    caller's transaction. Alerts: the rating is worse than the year before's, or a warning sign is new this year."""
    accounts = [as_accounts(watched, row) for row in SupplierAccounts.objects.filter(supplier=watched)]
    if not accounts:
        SupplierAssessment.objects.filter(supplier=watched).delete()
        return None
    exposure = exposure_for(watched, accounts)
    (risk,) = risk_register(accounts, {watched.name: exposure}, {watched.name: ContractTier(watched.tier)})
    result = register_as_dict([risk])
    before = risk.years[-2] if len(risk.years) > 1 else None
    previous = before.rating if before else None
    codes_before = {w.code for w in (*before.warnings, *before.trends)} if before else set()
    latest = risk.latest
    new = [w.code for w in (*latest.warnings, *latest.trends) if w.code not in codes_before] if before else []
    inputs = json.dumps({"accounts": [_figures(a) | {"year_end": a.year_end.isoformat()} for a in accounts],
                         "exposure": [str(v) for v in (exposure.annual_contract_value,
                                                       exposure.council_spend_with_supplier,
                                                       exposure.council_spend_in_service_area, exposure.critical)],
                         "tier": watched.tier}, sort_keys=True)
    assessment, _ = SupplierAssessment.objects.update_or_create(supplier=watched, defaults={
        "rating": risk.rating.value,
        "previous_rating": previous.value if previous else "",
        "worsened": previous is not None and risk.latest.rating.severity > previous.severity,
        "new_warnings": new,
        "result": result,
        "inputs_sha256": hashlib.sha256(inputs.encode("utf-8")).hexdigest(),
    })
    return assessment


def alerts(organisations: list[Organisation]) -> list[SupplierAssessment]:
    """Stored assessments that need attention in these organisations: a rating worse than the year before's, or
    a warning sign new this year (one query)."""
    return list(SupplierAssessment.objects.filter(supplier__organisation__in=organisations)
                .filter(Q(worsened=True) | ~Q(new_warnings=[])).select_related("supplier__organisation")
                .order_by("supplier__name"))


def contract_changed(contract: Contract) -> None:
    """Reassess the watched suppliers a contract names, inside the contracts area's write that changed it (its
    annual value feeds their dependency measure, `sources.from_contracts`)."""
    for watched in watched_for(contract):
        refresh(watched)


def suggested(watchlist: Watchlist) -> tuple[Suggestion, ...]:
    """Suppliers of the organisation's live contracts that are not on its watchlist (`sources.suggestions`)."""
    return suggestions(watchlist.organisation)
