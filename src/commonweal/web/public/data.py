"""The public pages' reads (no sign-in: only what a council has published) and the council's side of its pipeline
(commissioners, through `web.access.organisation_access`).

Every public read filters on `PUBLISHED` in its query, so a draft or closed opportunity, and anything of a tender
(bids, prices, scores, bidders), cannot reach a public page or download: the opportunities' data functions read only
the `public` app's own tables and the council's name (never the tender an opportunity leads to). The contracts
register reads a contract only once the council's publication record holds its contract details notice (below), and
of it only the Transparency Code's fields, the ratings a recorded performance notice covers and the stored roll-up's
verified social value. The council's commissioners read who registered for opportunities leading to a tender beside
its preliminary market engagement notice (`engagement_invitees`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from commonweal.domain.lifecycle import Role
from commonweal.domain.notices.kinds import NoticeType
from commonweal.domain.ocds.mapping import Party, Process, PublishedTender, release_from_process
from commonweal.domain.socialvalue.rollup import ZERO, Total
from commonweal.io.ocds.write import release_package
from commonweal.services.ocds import ocid_prefix
from commonweal.web import audit
from commonweal.web.access import NotFound, Refused, Visitor, organisation_access
from commonweal.web.contracts.data import Filters
from commonweal.web.contracts.models import RATING_CHOICES, Contract, PeriodRating
from commonweal.web.memo import Versioned
from commonweal.web.models import Organisation, Tender
from commonweal.web.public.models import (
    PUBLISHED,
    Interest,
    InterestKind,
    Opportunity,
    OpportunityLot,
    Purpose,
    Status,
)
from commonweal.web.publishing.models import Publication
from commonweal.web.publishing.sources import ContractSource
from commonweal.web.socialvalue.data import verified_totals
from commonweal.web.socialvalue.models import StoredRollUp
from commonweal.web.socialvalue.sources import financial_year, named


def tag_of(shown: object) -> str:
    """A validator for what a public page shows: the same published data gives the same tag."""
    return hashlib.sha256(repr(shown).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class PublicLot:
    title: str
    suited_to_smes: bool
    suited_to_vcses: bool


@dataclass(frozen=True)
class PublicOpportunity:
    id: int
    title: str
    summary: str
    status: str
    status_label: str
    closes_on: dt.date | None
    published_at: dt.datetime | None
    lots: tuple[PublicLot, ...] = field(default=())


@dataclass(frozen=True)
class CouncilPage:
    slug: str
    name: str
    opportunities: tuple[PublicOpportunity, ...]

    def etag(self) -> str:
        return tag_of(self)


def _council(slug: str) -> Organisation:
    """A council's public face: any organisation that is not a provider."""
    found = Organisation.objects.filter(slug=slug, provider__isnull=True).only("slug", "name").first()
    if found is None:
        raise NotFound("no such council")
    return found


def councils() -> list[Organisation]:
    """The councils with at least one published opportunity."""
    return list(
        Organisation.objects.filter(opportunities__status__in=PUBLISHED, provider__isnull=True)
        .distinct()
        .order_by("name")
        .only("slug", "name")
    )


def _published(council: Organisation, opportunity_id: int | None = None) -> list[PublicOpportunity]:
    rows = Opportunity.objects.filter(council=council, status__in=PUBLISHED)
    if opportunity_id is not None:
        rows = rows.filter(pk=opportunity_id)
    opportunities = list(rows.only("title", "summary", "status", "closes_on", "published_at"))
    lots: dict[int, list[PublicLot]] = {}
    for lot in OpportunityLot.objects.filter(opportunity__in=opportunities):
        lots.setdefault(lot.opportunity_id, []).append(PublicLot(lot.title, lot.suited_to_smes, lot.suited_to_vcses))
    return [
        PublicOpportunity(
            o.pk,
            o.title,
            o.summary,
            o.status,
            Status(o.status).label,
            o.closes_on,
            o.published_at,
            tuple(lots.get(o.pk, [])),
        )
        for o in opportunities
    ]


def council_page(slug: str) -> CouncilPage:
    council = _council(slug)
    return CouncilPage(council.slug, council.name, tuple(_published(council)))


def opportunity(slug: str, opportunity_id: int) -> CouncilPage:
    """One published opportunity, as a council page holding just it; NotFound for a draft, closed or other
    council's opportunity alike."""
    council = _council(slug)
    found = _published(council, opportunity_id)
    if not found:
        raise NotFound("no such opportunity")
    return CouncilPage(council.slug, council.name, tuple(found))


# -- downloads -------------------------------------------------------------------------------------------------------

CSV_HEADER = ("opportunity", "title", "status", "closes_on", "lot", "suited_to_smes", "suited_to_vcses", "summary")


def csv_rows(page: CouncilPage) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for o in page.opportunities:
        for lot in o.lots or (PublicLot("", False, False),):
            rows.append(
                (
                    o.id,
                    o.title,
                    o.status,
                    o.closes_on.isoformat() if o.closes_on else "",
                    lot.title,
                    "yes" if lot.suited_to_smes else "no",
                    "yes" if lot.suited_to_vcses else "no",
                    o.summary,
                )
            )
    return rows


# OCDS tender.status codes: "planned" (a pipeline entry), "active" (open for bids); releases tagged "planning" and
# "tender" (OCDS 1.1 codelists tenderStatus and releaseTag).
UK = ZoneInfo("Europe/London")
_OCDS = {Status.PLANNED: ("planned", "planning"), Status.OPEN: ("active", "tender")}


def ocds_package(page: CouncilPage) -> dict[str, Any]:
    """The published opportunities as an OCDS 1.1 release package, one release per opportunity, in core OCDS
    1.1.5 alone: lots and their suitability for SMEs and VCSEs are in the CSV only (core OCDS has neither; the lots
    and suitability extensions are not declared). A closing date is the end of that day in UK time."""
    buyer = Party(id=f"commonweal-{page.slug}", name=page.name, roles=("buyer",))
    releases = []
    for o in page.opportunities:
        status, tag = _OCDS[Status(o.status)]
        ocid = f"{ocid_prefix()}-{page.slug}-opportunity-{o.id}"
        process = Process(
            ocid=ocid,
            buyer=buyer.id,
            parties=(buyer,),
            tender=PublishedTender(
                id=f"{ocid}-tender",
                title=o.title,
                description=o.summary,
                status=status,
                tender_period_end=dt.datetime.combine(o.closes_on, dt.time(23, 59, 59), tzinfo=UK).isoformat()
                if o.closes_on
                else None,
            ),
        )
        published = (o.published_at or timezone.now()).isoformat(timespec="seconds")
        releases.append(
            release_from_process(process, release_id=f"{ocid}-{published}", date_time=published, tags=[tag])
        )
    latest = max((o.published_at for o in page.opportunities if o.published_at), default=None)
    stamp = (latest or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).isoformat(timespec="seconds")
    return release_package(releases, publisher=page.name, published=stamp)


# -- registering interest (no sign-in) -------------------------------------------------------------------------------


class Throttled(Refused):
    """Too many registrations from one address (answered 429)."""


def _throttled(address: str) -> bool:
    """Commonweal default: COMMONWEAL_INTEREST_PER_HOUR registrations from one address an hour (settings.py); the
    count lives in Django's cache (each worker's own with the default local-memory cache; one count with a shared
    cache such as Redis)."""
    key = "interest:" + hashlib.sha256(address.encode("utf-8")).hexdigest()
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        count = 1
    return count > settings.COMMONWEAL_INTEREST_PER_HOUR


@audit.retrying
def register_interest(
    slug: str,
    opportunity_id: int,
    address: str,
    *,
    organisation_name: str,
    kind: str,
    purpose: str,
    contact_name: str,
    email: str,
    message: str,
) -> None:
    """Record a local organisation's interest in a published opportunity. Registering twice with the same email
    and purpose records it once and answers the same, so the form tells nobody who else has registered."""
    page = opportunity(slug, opportunity_id)
    if _throttled(address):
        raise Throttled(["Too many registrations from your connection: try again in an hour"], ["organisation_name"])
    council = Organisation.objects.get(slug=page.slug)
    try:
        with transaction.atomic():
            registered = Interest.objects.create(
                opportunity_id=opportunity_id,
                organisation_name=organisation_name,
                kind=kind,
                purpose=purpose,
                contact_name=contact_name,
                email=email,
                message=message,
            )
            # the contact's name and email stay out of the audit chain, which can never be edited
            audit.record(
                "public",
                "interest_registered",
                {"opportunity": opportunity_id, "interest": registered.pk, "kind": kind, "purpose": purpose},
                organisation=council,
            )
    except IntegrityError:
        pass  # already registered


@dataclass(frozen=True)
class Candidate:
    """A local organisation that registered interest in the council's opportunities, as the community partner finder
    shows it: its name and the kind it stated (not checked by anyone), and what it registered for. Its contact's
    name and email stay on the opportunity's page, for the commissioners."""

    organisation_name: str
    kind: str
    interests: tuple[str, ...]  # "<opportunity>: <purpose>"


def registered_candidates(council: Organisation) -> list[Candidate]:
    """Every organisation that registered interest in any of the council's opportunities, one per name and stated
    kind, in one query (the caller has checked the person may read the council's partner finder)."""
    found: dict[tuple[str, str], list[str]] = {}
    for name, kind, title, purpose in (
        Interest.objects.filter(opportunity__council=council)
        .order_by("organisation_name", "registered_at", "id")
        .values_list("organisation_name", "kind", "opportunity__title", "purpose")
    ):
        found.setdefault((name, kind), []).append(f"{title}: {Purpose(purpose).label.lower()}")
    return [Candidate(name, InterestKind(kind).label, tuple(interests)) for (name, kind), interests in found.items()]


@dataclass(frozen=True)
class Invitee:
    """An organisation that registered interest in an opportunity leading to a tender: the preliminary market
    engagement's invitation list, for the council's commissioners (who see the same contact on the opportunity's
    page). It is not part of any notice: the UK2 notice has no field for the suppliers engaged."""

    organisation_name: str
    kind: str
    purpose: str
    opportunity: str
    registered_at: dt.datetime
    contact_name: str
    email: str


def engagement_invitees(user: Visitor, slug: str, tender_id: int) -> tuple[Tender, list[Invitee]]:
    """Who registered interest in the council's opportunities that lead to this tender, in the order they
    registered (two queries); NotFound for another council's tender, Forbidden for anyone but its commissioners."""
    council = organisation_access(user, slug, Role.COMMISSIONER)
    tender = Tender.objects.filter(pk=tender_id, organisation=council).only("reference", "title").first()
    if tender is None:
        raise NotFound("no such tender")
    rows = Interest.objects.filter(opportunity__council=council, opportunity__tender=tender).select_related(
        "opportunity").only("organisation_name", "kind", "purpose", "registered_at", "contact_name", "email",
                            "opportunity__title")
    return tender, [
        Invitee(i.organisation_name, InterestKind(i.kind).label, Purpose(i.purpose).label, i.opportunity.title,
                i.registered_at, i.contact_name, i.email)
        for i in rows
    ]


INVITEES_HEADER = ("organisation", "kind", "registered_for", "opportunity", "registered_at", "contact_name", "email")


def invitee_rows(invitees: list[Invitee]) -> list[tuple[str, ...]]:
    return [(i.organisation_name, i.kind, i.purpose, i.opportunity, i.registered_at.isoformat(timespec="seconds"),
             i.contact_name, i.email) for i in invitees]


@audit.retrying
def record_invitees_download(user: Visitor, tender: Tender, count: int) -> None:
    """The download is audited by count: the contacts themselves stay out of the chain, which can never be edited."""
    with transaction.atomic():
        audit.record(user.get_username(), "engagement_invitees_downloaded", {"tender": tender.pk, "count": count},
                     tender=tender)


# -- the council's side ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pipeline:
    council: Organisation
    opportunities: list[Opportunity]
    interests: dict[int, int]  # registrations per opportunity
    tenders: list[Tender]  # the council's tenders, one of which an opportunity may lead to


def pipeline(user: Visitor, slug: str) -> Pipeline:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    opportunities = list(Opportunity.objects.filter(council=council))
    counts: dict[int, int] = {}
    for opportunity_id in Interest.objects.filter(opportunity__council=council).values_list(
        "opportunity_id", flat=True
    ):
        counts[opportunity_id] = counts.get(opportunity_id, 0) + 1
    return Pipeline(council, opportunities, counts, _tenders(council))


def _tenders(council: Organisation) -> list[Tender]:
    return list(Tender.objects.filter(organisation=council).order_by("reference").only("reference", "title"))


def _tender_of(council: Organisation, tender_id: int | None) -> Tender | None:
    """The council's own tender chosen on a form (None for none); another council's or an unknown one is refused."""
    if tender_id is None:
        return None
    found = Tender.objects.filter(pk=tender_id, organisation=council).only("reference", "title").first()
    if found is None:
        raise Refused(["Select one of the council's tenders, or none"], ["tender"])
    return found


@dataclass(frozen=True)
class OpportunityDetail:
    council: Organisation
    opportunity: Opportunity
    lots: list[OpportunityLot]
    interests: list[Interest]
    tenders: list[Tender]


def opportunity_detail(user: Visitor, slug: str, opportunity_id: int) -> OpportunityDetail:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    found = Opportunity.objects.filter(pk=opportunity_id, council=council).select_related("tender").first()
    if found is None:
        raise NotFound("no such opportunity")
    return OpportunityDetail(council, found, list(found.lots.all()), list(found.interests.all()), _tenders(council))


def _stamp(opportunity: Opportunity) -> None:
    if opportunity.status in PUBLISHED and opportunity.published_at is None:
        opportunity.published_at = timezone.now()


@audit.retrying
def create_opportunity(
    user: Visitor, slug: str, title: str, summary: str, closes_on: dt.date | None, status: str,
    tender_id: int | None = None,
) -> Opportunity:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    tender = _tender_of(council, tender_id)
    with transaction.atomic():
        created = Opportunity(council=council, title=title, summary=summary, closes_on=closes_on, status=status,
                              tender=tender)
        _stamp(created)
        created.save()
        audit.record(
            user.get_username(),
            "opportunity_created",
            {"opportunity": created.pk, "title": title, "status": status, "tender": tender_id},
            organisation=council,
        )
    return created


@audit.retrying
def link_tender(user: Visitor, slug: str, opportunity_id: int, tender_id: int | None) -> Tender | None:
    """Say which of the council's tenders an opportunity leads to (None: none), so its registrations are offered
    beside that tender's preliminary market engagement notice."""
    council = organisation_access(user, slug, Role.COMMISSIONER)
    tender = _tender_of(council, tender_id)
    with transaction.atomic():
        found = Opportunity.objects.select_for_update().filter(pk=opportunity_id, council=council).first()
        if found is None:
            raise NotFound("no such opportunity")
        if found.tender_id == tender_id:
            raise Refused(["The opportunity already leads to " + (str(tender) if tender else "no tender")],
                          ["tender"])
        previous, found.tender = found.tender_id, tender
        found.save(update_fields=["tender"])
        audit.record(
            user.get_username(),
            "opportunity_tender_linked",
            {"opportunity": found.pk, "from": previous, "to": tender_id},
            organisation=council,
        )
    return tender


@audit.retrying
def set_status(user: Visitor, slug: str, opportunity_id: int, status: str) -> None:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    with transaction.atomic():
        found = Opportunity.objects.select_for_update().filter(pk=opportunity_id, council=council).first()
        if found is None:
            raise NotFound("no such opportunity")
        if found.status == status:
            raise Refused([f"The opportunity is already {Status(status).label.lower()}"], ["status"])
        previous, found.status = found.status, status
        _stamp(found)
        found.save()
        audit.record(
            user.get_username(),
            "opportunity_status_changed",
            {"opportunity": found.pk, "from": previous, "to": status},
            organisation=council,
        )


@audit.retrying
def add_lot(user: Visitor, slug: str, opportunity_id: int, title: str, smes: bool, vcses: bool) -> None:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    with transaction.atomic():
        found = Opportunity.objects.select_for_update().filter(pk=opportunity_id, council=council).first()
        if found is None:
            raise NotFound("no such opportunity")
        lot = OpportunityLot.objects.create(opportunity=found, title=title, suited_to_smes=smes, suited_to_vcses=vcses)
        audit.record(
            user.get_username(),
            "opportunity_lot_added",
            {"opportunity": found.pk, "lot": lot.pk, "title": title, "suited_to_smes": smes, "suited_to_vcses": vcses},
            organisation=council,
        )


# -- the contracts register, social value and performance ratings ---------------------------------------------------
#
# What is public is decided by the council's publication record (`publishing.models.Publication`), never by a
# second flag: a contract is on the public register once its contract details notice (UK7, Procurement Act 2023
# s.53, reg 32) is recorded as published, so the register shows only what the council has already made public on
# Find a Tender; a performance rating (reg 39(5)) only for the periods its latest recorded contract performance
# notice (UK9, s.71, reg 39) covers.

CONTRACT_NOTICE, PERFORMANCE_NOTICE = NoticeType.UK7.value, NoticeType.UK9.value
RATING_WORDS = dict(RATING_CHOICES)


@dataclass(frozen=True)
class PublicRating:
    period_start: dt.date
    period_end: dt.date
    rating: str  # the reg 39(5) rating's words


@dataclass(frozen=True)
class PublicContract:
    id: int
    reference: str
    title: str
    description: str
    service: str
    supplier: str
    supplier_identifier: str
    sme: bool
    vcse: bool
    value: Decimal
    irrecoverable_vat: Decimal | None
    start: dt.date
    end: dt.date
    review_date: dt.date | None
    published_on: dt.date  # the contract details notice's day on Find a Tender
    notice_identifier: str
    # the latest contract performance notice recorded (day, identifier) and the ratings of the periods it covers
    performance_notice: tuple[dt.date, str] | None
    ratings: tuple[PublicRating, ...]
    # social value committed to date, due and verified as delivered (£), from the stored roll-up
    social_value: Total


@dataclass(frozen=True)
class ContractsPage:
    slug: str
    name: str
    as_at: str  # the roll-up's reporting quarter, as words
    contracts: tuple[PublicContract, ...]  # this page's (every one for a download)
    by_core_value: tuple[Total, ...]  # social value by the council's core values, of every contract the filters select
    services: tuple[str, ...]  # every published contract's service, for the filter (none on a contract's page)
    total: int  # the contracts the filters select, on every page
    page: int = 1
    pages: int = 1

    def etag(self) -> str:
        return tag_of(self)


PAGE_SIZE = 50  # Commonweal default: contracts per public register page, as the workspace's register
CONTRACT_FIELDS = ("pk", "reference", "title", "description", "service", "supplier", "supplier_identifier", "sme",
                   "vcse", "value", "irrecoverable_vat", "start", "end", "review_date")


def _notices(council: Organisation, *notices: str) -> QuerySet[Publication]:
    return Publication.objects.filter(organisation=council, source=ContractSource.name, notice__in=notices)


def _latest(council: Organisation, notice: str, field: str) -> Subquery:
    """A contract's latest recorded notice of a kind (one performance notice is due every 12 months; a contract
    details notice is recorded once): its day or its identifier, looked up per contract by the notices' unique index."""
    return Subquery(_notices(council, notice).filter(key=Cast(OuterRef("pk"), CharField()))
                    .order_by("-published_on", "-pk").values(field)[:1])


# A register page shows only what the council's contracts, their ratings, their social value and its recorded notices
# hold, so each process keeps the pages it built (`web.memo`) under the version of those inputs and builds a page once
# per change, not once per view. The version, read with the council in one query: the stored roll-up's `computed_at`
# (every write to a contract, its returns or its ratings stores the roll-up in its own transaction,
# `contracts.data.refresh`, as every social value write does), how many notices the council has recorded and the
# newest one's id (recording one locks the council, `publishing.data.record_publication`, so ids grow in the order
# they are committed: an added or a removed record moves one or the other), and the council's name.
_pages: Versioned[ContractsPage] = Versioned(lambda: settings.COMMONWEAL_PUBLIC_PAGES_KEPT)


def _register_council(slug: str) -> tuple[Organisation, tuple[Any, ...]]:
    found = (
        Organisation.objects.filter(slug=slug, provider__isnull=True)
        .annotate(
            rolled_up=Subquery(StoredRollUp.objects.filter(organisation=OuterRef("pk")).values("computed_at")[:1]),
            recorded=Count("publications"),
            newest=Max("publications"),
        )
        .only("slug", "name")
        .first()
    )
    if found is None:
        raise NotFound("no such council")
    return found, (found.rolled_up, found.recorded, found.newest, found.name)


def contracts_page(slug: str, filters: Filters, today: dt.date, page: int | None = 1,
                   contract_id: int | None = None) -> ContractsPage:
    """One page of the council's published contracts (`page` None: every one, for a download) with the register's
    filters, each with its social value and its published ratings: one query when this process has built the page
    since its inputs last changed (above), otherwise `_build`'s."""
    council, version = _register_council(slug)
    if page is None:  # a download, built for itself: kept, the whole register would crowd out the pages
        return _build(council, filters, today, None, contract_id)
    return _pages.get((council.pk, filters, today, page, contract_id), version,
                      lambda: _build(council, filters, today, page, contract_id))


def _build(council: Organisation, filters: Filters, today: dt.date, page: int | None,
           contract_id: int | None) -> ContractsPage:
    """Whether a contract is published is decided in the database (its contract details notice recorded), so a page
    reads its own contracts only: at most five queries, however many contracts the council has (one more when the
    stored roll-up has changed since this worker last read it)."""
    published = Contract.objects.filter(organisation=council).filter(
        Exists(_notices(council, CONTRACT_NOTICE).filter(key=Cast(OuterRef("pk"), CharField()))))
    shown = published.filter(filters.query(today))
    if contract_id is not None:
        shown = shown.filter(pk=contract_id)
    selected = list(shown.order_by("reference", "pk").values_list("pk", "reference", "title", "service"))
    # the filter's choices, every published contract's service: with no filter, those just read; none for one contract
    if contract_id is not None:
        services: tuple[str, ...] = ()
    elif filters == Filters():
        services = tuple(sorted({s for *_, s in selected if s}))
    else:
        services = tuple(published.exclude(service="").order_by("service").values_list("service", flat=True).distinct())
    total = len(selected)
    pages = max(1, -(-total // PAGE_SIZE))
    number = 1 if page is None else min(max(1, page), pages)
    chosen = selected if page is None else selected[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    ids = [pk for pk, *_ in chosen]
    by_id = {c["pk"]: c for c in Contract.objects.filter(pk__in=ids).annotate(
        details_on=_latest(council, CONTRACT_NOTICE, "published_on"),
        details_id=_latest(council, CONTRACT_NOTICE, "notice_identifier"),
        performance_on=_latest(council, PERFORMANCE_NOTICE, "published_on"),
        performance_id=_latest(council, PERFORMANCE_NOTICE, "notice_identifier"),
    ).values(*CONTRACT_FIELDS, "details_on", "details_id", "performance_on", "performance_id")}
    performance = {pk: (c["performance_on"], c["performance_id"]) for pk, c in by_id.items() if c["performance_on"]}
    ratings: dict[int, list[PublicRating]] = {}
    for r in PeriodRating.objects.filter(contract__in=list(performance)).order_by("period_start"):
        if r.period_end <= performance[r.contract_id][0]:
            ratings.setdefault(r.contract_id, []).append(
                PublicRating(r.period_start, r.period_end, RATING_WORDS[r.rating]))
    as_at = financial_year(today)
    social_value = verified_totals(council, as_at, frozenset(named(ref, title) for _, ref, title, _ in selected))
    nothing = Total("", ZERO, ZERO, ZERO, ZERO)
    return ContractsPage(
        council.slug,
        council.name,
        as_at.label,
        tuple(
            PublicContract(
                pk, c["reference"], c["title"], c["description"], c["service"], c["supplier"],
                c["supplier_identifier"], c["sme"], c["vcse"], c["value"], c["irrecoverable_vat"], c["start"],
                c["end"], c["review_date"], c["details_on"], c["details_id"], performance.get(pk),
                tuple(ratings.get(pk, ())),
                social_value.by_contract.get(named(reference, title), nothing),
            )
            for pk, reference, title, _ in chosen
            for c in (by_id[pk],)
        ),
        social_value.by_core_value,
        services,
        total,
        number,
        pages,
    )


def published_contract(slug: str, contract_id: int, today: dt.date) -> ContractsPage:
    """One published contract, as a register holding just it; NotFound for an unpublished or another council's
    contract alike."""
    found = contracts_page(slug, Filters(), today, contract_id=contract_id)
    if not found.contracts:
        raise NotFound("no such contract")
    return found


CONTRACTS_HEADER = (
    "reference", "title", "description", "service", "supplier", "supplier_identifier", "sme", "vcse", "value",
    "irrecoverable_vat", "start", "end", "review_date", "contract_details_notice", "published_on",
    "social_value_committed", "social_value_due", "social_value_verified", "performance_notice", "latest_rating",
)


def contract_records(page: ContractsPage) -> list[dict[str, Any]]:
    """Each published contract as the Local Government Transparency Code 2015's contract fields and what this
    register adds (social value, the latest published rating); money as exact decimal strings."""
    return [
        {
            "reference": c.reference, "title": c.title, "description": c.description, "service": c.service,
            "supplier": c.supplier, "supplier_identifier": c.supplier_identifier, "sme": c.sme, "vcse": c.vcse,
            "value": str(c.value),
            "irrecoverable_vat": None if c.irrecoverable_vat is None else str(c.irrecoverable_vat),
            "start": c.start.isoformat(), "end": c.end.isoformat(),
            "review_date": c.review_date.isoformat() if c.review_date else None,
            "contract_details_notice": c.notice_identifier, "published_on": c.published_on.isoformat(),
            "social_value_committed": str(c.social_value.committed), "social_value_due": str(c.social_value.due),
            "social_value_verified": str(c.social_value.verified),
            "performance_notice": c.performance_notice[1] if c.performance_notice else None,
            "latest_rating": c.ratings[-1].rating if c.ratings else None,
        }
        for c in page.contracts
    ]


def contract_rows(page: ContractsPage) -> list[tuple[Any, ...]]:
    def cell(value: Any) -> Any:
        return "" if value is None else "yes" if value is True else "no" if value is False else value

    return [tuple(cell(record[k]) for k in CONTRACTS_HEADER) for record in contract_records(page)]
