"""The publishing area's reads and writes, each starting from the one access layer (`commonweal.web.access`).

Who: a tender's commissioners and viewers (on the tender, or across its organisation) see its notices on the duty
calendar and preview them; its commissioners record its notice facts and publications; the organisation's
commissioners set its OCID prefix. Every change is audited in its own
transaction, and recording a publication locks the tender (or organisation) row, so two people recording the same
notice at once cannot both succeed.

Notices come from sources (`sources.SOURCES`): tenders, contracts (read through the contracts area's access,
`commonweal.web.contracts.data`: a contract's notice facts and performance failures are its organisation's
commissioners' to record) and the organisation's pipeline (its pipeline record per financial year, the
commissioners'). The transparency files of a period are read here too, from the organisation's own spend store and
contracts, for its commissioners and viewers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from commonweal.domain.lifecycle import Role
from commonweal.domain.notices.build import Notice, Organisation
from commonweal.domain.notices.duties import Duty
from commonweal.domain.notices.kinds import NoticeType
from commonweal.web import audit
from commonweal.web.access import (
    Access,
    Forbidden,
    NotFound,
    Refused,
    Visitor,
    organisation_access,
    signed_in,
    tender_access,
    tenders_for,
)
from commonweal.web.contracts import data as contracts
from commonweal.web.contracts.models import Contract
from commonweal.web.forms import ID_MAX
from commonweal.web.models import Organisation as OrganisationRow
from commonweal.web.models import Tender
from commonweal.web.publishing.models import (
    ContractNoticeFacts,
    PerformanceFailure,
    PipelineYear,
    Publication,
    PublishingSettings,
    TenderNoticeFacts,
)

#: Shown (and published) until the organisation sets its own prefix: it is not a registered prefix, and every
#: preview says so. The Open Contracting Partnership registers prefixes; Commonweal never invents one.
PLACEHOLDER_PREFIX = "ocds-placeholder"
#: Find a Tender's notice identifiers: "Notice IDs are in the form nnnnnn-yyyy" (its API documentation).
NOTICE_IDENTIFIER = re.compile(r"[0-9]{6}-[0-9]{4}")
READ = (Role.COMMISSIONER, Role.VIEWER)


@dataclass(frozen=True)
class Row:
    """One duty on the calendar, with where to preview its notice."""

    source: str
    key: str
    duty: Duty
    preview: str
    missing: tuple[str, ...] = ()  # what the notice still needs from the record, named on the calendar


@dataclass(frozen=True)
class Built:
    """A notice built for preview: the release (None when it cannot be built yet), what stops it, the
    validation check's errors, and whether the OCID prefix is the placeholder."""

    code: NoticeType
    organisation_id: int
    release: dict[str, Any] | None
    problems: tuple[str, ...]
    errors: tuple[str, ...]
    placeholder: bool
    package: dict[str, Any] | None = None
    # every release of the notice, where it has several (a pipeline notice: one per contract it lists)
    releases: tuple[dict[str, Any], ...] = ()


def publishing_settings(organisation: OrganisationRow) -> PublishingSettings | None:
    return PublishingSettings.objects.filter(organisation=organisation).first()


def notice_context(organisation: OrganisationRow, now: dt.datetime) -> tuple[Notice, bool]:
    """The publisher, OCID prefix and date of a notice built now; whether the prefix is the placeholder."""
    found = publishing_settings(organisation)
    prefix = found.ocid_prefix if found else PLACEHOLDER_PREFIX
    identifier = found.buyer_identifier if found else ""
    return Notice(Organisation(organisation.name, identifier), prefix, now), found is None


def organisations(user: Visitor) -> list[OrganisationRow]:
    """The organisations where this person reads some notice: commissioner or viewer of one of its tenders, or a
    reader of its contracts (an organisation role the contracts area reads with, or a contract's manager)."""
    found = {a.tender.organisation_id: a.tender.organisation for a in tenders_for(user) if a.has(*READ)}
    member = signed_in(user)
    for organisation in OrganisationRow.objects.filter(
            Q(memberships__user=member, memberships__role__in=contracts.READERS)
            | Q(contracts__roles__user=member)).distinct():
        found.setdefault(organisation.pk, organisation)
    return sorted(found.values(), key=lambda o: o.name)


def calendar(user: Visitor, slug: str, today: dt.date) -> tuple[OrganisationRow, list[Row]]:
    """Every notice due for the organisation that this person may read, from every source, overdue first, then
    by date."""
    from commonweal.web.publishing.sources import SOURCES

    organisation = organisation_access(user, slug)
    rows = [row for source in SOURCES for row in source.duties(user, organisation, today)]
    rows.sort(key=lambda r: (not r.duty.overdue, r.duty.published_on is not None, r.duty.due or dt.date.max,
                             r.duty.subject, r.duty.notice.value))
    return organisation, rows


def overdue(user: Visitor, among: list[OrganisationRow], today: dt.date) -> list[tuple[OrganisationRow, Row]]:
    """The overdue notices this person may read in each of `among`, for the home page."""
    from commonweal.web.publishing.sources import SOURCES

    return [(organisation, row) for organisation in among
            for source in SOURCES for row in source.duties(user, organisation, today) if row.duty.overdue]


def source_for(name: str) -> Any:
    from commonweal.web.publishing.sources import SOURCES

    for source in SOURCES:
        if source.name == name:
            return source
    raise NotFound("no such kind of notice subject")


def notice_code(code: str, allowed: tuple[NoticeType, ...]) -> NoticeType:
    try:
        found = NoticeType(code)
    except ValueError:
        raise NotFound("no such notice") from None
    if found not in allowed:
        raise NotFound("no such notice for this subject")
    return found


@audit.retrying
def save_settings(user: Visitor, slug: str, ocid_prefix: str, buyer_identifier: str) -> PublishingSettings:
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    member = signed_in(user)
    with transaction.atomic():
        OrganisationRow.objects.select_for_update().get(pk=organisation.pk)
        found, _ = PublishingSettings.objects.update_or_create(
            organisation=organisation, defaults={"ocid_prefix": ocid_prefix, "buyer_identifier": buyer_identifier})
        audit.record(member.get_username(), "publishing_settings_changed",
                     {"ocid_prefix": ocid_prefix, "buyer_identifier": buyer_identifier}, organisation=organisation)
    return found


@audit.retrying
def record_publication(user: Visitor, organisation: OrganisationRow, source: str, key: str, code: NoticeType,
                       published_on: dt.date, identifier: str, today: dt.date, sequence: str = "") -> Publication:
    """Record that a notice was published on Find a Tender (the caller has checked the person may: a source's
    `record` does). Refused when it is already recorded or dated in the future."""
    if published_on > today:
        raise Refused(["The publication date cannot be in the future"], ["published_on"])
    if not NOTICE_IDENTIFIER.fullmatch(identifier):
        raise Refused(["Enter Find a Tender's notice identifier, in the form 012345-2026"], ["notice_identifier"])
    member = signed_in(user)
    try:
        with transaction.atomic():
            OrganisationRow.objects.select_for_update().get(pk=organisation.pk)
            if Publication.objects.filter(organisation=organisation, source=source, key=key, notice=code.value,
                                          sequence=sequence).exists():
                raise Refused([f"The {code.kind.name.lower()} is already recorded as published"], ["published_on"])
            publication = Publication.objects.create(
                organisation=organisation, source=source, key=key, notice=code.value, sequence=sequence,
                published_on=published_on, notice_identifier=identifier, recorded_by=member)
            audit.record(member.get_username(), "notice_publication_recorded",
                         {"source": source, "key": key, "notice": code.value, "sequence": sequence,
                          "published_on": published_on.isoformat(), "notice_identifier": identifier},
                         organisation=organisation)
    except IntegrityError:  # the unique constraint, if the lock was not enough (a first row for the pair)
        raise Refused([f"The {code.kind.name.lower()} is already recorded as published"], ["published_on"]) from None
    return publication


def published(organisation: OrganisationRow, source: str, keys: list[str]) -> dict[tuple[str, str, str], dt.date]:
    """(key, notice, sequence) -> the day it was published, for the given subjects, in one query."""
    rows = Publication.objects.filter(organisation=organisation, source=source, key__in=keys)
    return {(r.key, r.notice, r.sequence): r.published_on for r in rows}


def tender_facts(user: Visitor, slug: str, tender_id: int) -> tuple[Access, TenderNoticeFacts | None]:
    """A tender's notice facts, for its commissioners (the tender must be the organisation's)."""
    access = tender_access(user, tender_id, Role.COMMISSIONER)
    if access.tender.organisation.slug != slug:
        raise NotFound("no such tender in this organisation")
    return access, TenderNoticeFacts.objects.filter(tender=access.tender).first()


FACT_FIELDS = ("above_threshold", "category", "procedure", "tender_period_end", "engagement_description",
               "engagement_closes_on", "no_engagement_reason", "assessment_summaries_sent", "terminated_on",
               "termination_reason", "expected_notice_on")


@audit.retrying
def save_tender_facts(user: Visitor, slug: str, tender_id: int, values: dict[str, Any]) -> TenderNoticeFacts:
    """Record what the tender's notices say; audited with every value (none is bid content or a price)."""
    access, _ = tender_facts(user, slug, tender_id)
    fields = {name: values[name] for name in FACT_FIELDS}
    with transaction.atomic():
        Tender.objects.select_for_update().get(pk=access.tender.pk)
        found, _ = TenderNoticeFacts.objects.update_or_create(tender=access.tender, defaults=fields)
        audit.record(access.actor, "notice_facts_recorded",
                     {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()},
                     tender=access.tender)
    return found


def contract_facts(user: Visitor, slug: str, contract_id: int) -> tuple[contracts.ContractAccess,
                                                                     ContractNoticeFacts | None]:
    """A contract's notice facts, for its organisation's commissioners (the contract must be the organisation's)."""
    if contract_id > ID_MAX:  # beyond any key: none such (and no database error)
        raise NotFound("no such contract")
    access = contracts.contract_access(user, contract_id)
    if access.contract.organisation.slug != slug:
        raise NotFound("no such contract in this organisation")
    if Role.COMMISSIONER.value not in access.roles:
        raise Forbidden("needs the commissioner role in the contract's organisation")
    return access, ContractNoticeFacts.objects.filter(contract=access.contract).first()


CONTRACT_FACT_FIELDS = ("signed_on", "above_threshold", "public_service_mutual", "supported_employment_provider",
                        "ended_on", "end_reason", "final_value")


@audit.retrying
def save_contract_facts(user: Visitor, slug: str, contract_id: int, values: dict[str, Any]) -> ContractNoticeFacts:
    """Record what the contract's notices say beyond its record; audited with every value (the contract's own
    figures, which its notices publish: no bid content)."""
    access, _ = contract_facts(user, slug, contract_id)
    fields = {name: values[name] for name in CONTRACT_FACT_FIELDS}
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=access.contract.pk)
        found, _ = ContractNoticeFacts.objects.update_or_create(contract=access.contract, defaults=fields)
        audit.record(access.actor, "contract_notice_facts_recorded",
                     {"contract": access.contract.reference,
                      **{k: (v.isoformat() if isinstance(v, dt.date) else None if v is None
                             else v if isinstance(v, bool) else str(v)) for k, v in fields.items()}},
                     organisation=access.contract.organisation)
    return found


@audit.retrying
def record_download(user: Visitor, organisation: OrganisationRow, source: str, key: str, code: NoticeType) -> None:
    """A notice's release package taken away is audited: who took which notice, when."""
    member = signed_in(user)
    with transaction.atomic():
        audit.record(member.get_username(), "notice_downloaded", {"source": source, "key": key,
                                                                  "notice": code.value}, organisation=organisation)


def failures(user: Visitor, slug: str, contract_id: int) -> tuple[contracts.ContractAccess, list[PerformanceFailure]]:
    """A contract's recorded performance failures (s.71(4)-(5)), for its organisation's commissioners."""
    access, _ = contract_facts(user, slug, contract_id)
    return access, list(PerformanceFailure.objects.filter(contract=access.contract).order_by("recorded_on", "pk"))


FAILURE_FIELDS = ("requirement", "description", "decided_on", "penalty_on", "penalty_type", "penalty_value",
                  "partial_termination")


@audit.retrying
def record_failure(user: Visitor, slug: str, contract_id: int, values: dict[str, Any],
                   today: dt.date) -> PerformanceFailure:
    """Record a performance failure for the contract's next performance notice (and its termination notice);
    audited with every value (each is published in those notices)."""
    access, _ = contract_facts(user, slug, contract_id)
    fields = {name: values[name] for name in FAILURE_FIELDS}
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=access.contract.pk)
        found = PerformanceFailure.objects.create(contract=access.contract, recorded_by=access.user,
                                                  recorded_on=today, **fields)
        audit.record(access.actor, "performance_failure_recorded",
                     {"contract": access.contract.reference, "failure": found.pk,
                      **{k: (v.isoformat() if isinstance(v, dt.date) else None if v is None else str(v))
                         for k, v in fields.items()}},
                     organisation=access.contract.organisation)
    return found


#: The financial years whose pipeline record may be kept: the Act's, from its commencement (24 February 2025),
#: to a bound beyond any plan (and any database's small integer).
PIPELINE_YEARS = range(2025, 2100)


def pipeline_year(user: Visitor, slug: str, year: int) -> tuple[OrganisationRow, PipelineYear | None]:
    """The organisation's pipeline record for the financial year beginning 1 April `year`, for its commissioners."""
    if year not in PIPELINE_YEARS:
        raise NotFound("no pipeline notice for that year")
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    return organisation, PipelineYear.objects.filter(organisation=organisation, financial_year=year).first()


@audit.retrying
def save_pipeline_year(user: Visitor, slug: str, year: int, pays_over_threshold: bool,
                       lead_months: int | None) -> PipelineYear:
    """Record whether s.93 applies to the council in the year and its re-procurement lead time; audited."""
    organisation, _ = pipeline_year(user, slug, year)
    member = signed_in(user)
    with transaction.atomic():
        OrganisationRow.objects.select_for_update().get(pk=organisation.pk)
        found, _ = PipelineYear.objects.update_or_create(
            organisation=organisation, financial_year=year,
            defaults={"pays_over_threshold": pays_over_threshold, "lead_months": lead_months})
        audit.record(member.get_username(), "pipeline_year_recorded",
                     {"financial_year": year, "pays_over_threshold": pays_over_threshold,
                      "lead_months": lead_months}, organisation=organisation)
    return found


#: Who sees the transparency files: the organisation's commissioners and viewers, the roles that read both its
#: spend (`web.spend.data.READERS`) and its contracts register (`web.contracts.data.READERS`).
TRANSPARENCY_READERS = (Role.COMMISSIONER, Role.VIEWER)


@dataclass(frozen=True)
class Transparency:
    organisation: OrganisationRow
    tables: Any  # commonweal.services.notices.TransparencyTables
    no_spend: str  # why the spend files are empty, when no spend is imported


def transparency(user: Visitor, slug: str, start: dt.date, end: dt.date) -> Transparency:
    """The Transparency Code files and the ss.69-70 payments data of one organisation for the period: payments from
    its own spend store (`web.spend`), contracts from its own register (`web.contracts`) with their notice facts.
    Computed for the period asked: it is a period's report, not a figure a page shows every time."""
    from commonweal.io.errors import InputError
    from commonweal.services.notices import store_payments, transparency_tables
    from commonweal.web.publishing.sources import let_contract, notice_facts
    from commonweal.web.spend.data import store_folder

    organisation = organisation_access(user, slug, *TRANSPARENCY_READERS)
    no_spend = ""
    try:
        payments = store_payments(store_folder(organisation), start, end)
    except InputError:  # no import yet: the contracts file stands on its own
        payments = []
        no_spend = "No spend is imported for this organisation yet: the spend and payments files are empty"
    rows = (Contract.objects.filter(organisation=organisation).select_related("organisation", "tender", "notice_facts")
            .prefetch_related("kpis", "commitments"))
    lets = [let_contract(c, notice_facts(c)) for c in rows]
    return Transparency(organisation, transparency_tables(payments, lets, start, end), no_spend)


@audit.retrying
def record_transparency_download(user: Visitor, organisation: OrganisationRow, name: str, fmt: str, start: dt.date,
                                 end: dt.date) -> None:
    """A transparency file taken away is audited: who took which file of which period."""
    member = signed_in(user)
    with transaction.atomic():
        audit.record(member.get_username(), "transparency_downloaded",
                     {"file": name, "format": fmt, "start": start.isoformat(), "end": end.isoformat()},
                     organisation=organisation)
