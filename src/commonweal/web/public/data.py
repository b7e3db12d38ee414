"""The public pages' reads (no sign-in: only what a council has published) and the council's side of its pipeline
(commissioners, through `web.access.organisation_access`).

Every public read filters on `PUBLISHED` in its query, so a draft or closed opportunity, and anything of a tender
(bids, prices, scores, bidders), cannot reach a public page or download: the public data functions read only the
`public` app's own tables and the council's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonweal.domain.lifecycle import Role
from commonweal.domain.ocds.mapping import Party, Process, PublishedTender, release_from_process
from commonweal.io.ocds.write import release_package
from commonweal.services.ocds import ocid_prefix
from commonweal.web import audit
from commonweal.web.access import NotFound, Refused, Visitor, organisation_access
from commonweal.web.models import Organisation
from commonweal.web.public.models import PUBLISHED, Interest, Opportunity, OpportunityLot, Status


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


# -- the council's side ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pipeline:
    council: Organisation
    opportunities: list[Opportunity]
    interests: dict[int, int]  # registrations per opportunity


def pipeline(user: Visitor, slug: str) -> Pipeline:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    opportunities = list(Opportunity.objects.filter(council=council))
    counts: dict[int, int] = {}
    for opportunity_id in Interest.objects.filter(opportunity__council=council).values_list(
        "opportunity_id", flat=True
    ):
        counts[opportunity_id] = counts.get(opportunity_id, 0) + 1
    return Pipeline(council, opportunities, counts)


@dataclass(frozen=True)
class OpportunityDetail:
    council: Organisation
    opportunity: Opportunity
    lots: list[OpportunityLot]
    interests: list[Interest]


def opportunity_detail(user: Visitor, slug: str, opportunity_id: int) -> OpportunityDetail:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    found = Opportunity.objects.filter(pk=opportunity_id, council=council).first()
    if found is None:
        raise NotFound("no such opportunity")
    return OpportunityDetail(council, found, list(found.lots.all()), list(found.interests.all()))


def _stamp(opportunity: Opportunity) -> None:
    if opportunity.status in PUBLISHED and opportunity.published_at is None:
        opportunity.published_at = timezone.now()


@audit.retrying
def create_opportunity(
    user: Visitor, slug: str, title: str, summary: str, closes_on: dt.date | None, status: str
) -> Opportunity:
    council = organisation_access(user, slug, Role.COMMISSIONER)
    with transaction.atomic():
        created = Opportunity(council=council, title=title, summary=summary, closes_on=closes_on, status=status)
        _stamp(created)
        created.save()
        audit.record(
            user.get_username(),
            "opportunity_created",
            {"opportunity": created.pk, "title": title, "status": status},
            organisation=council,
        )
    return created


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
