"""What needs the signed-in person's attention, per organisation: the home page's list.

Part of the access layer: every query is scoped to the organisations the user belongs to and the roles they hold
(through `commonweal.web.access`), and counts come from aggregate queries, so the home page costs the same number of
queries however many bids, criteria or scores a tender has. Each area adds its own source to `SOURCES` (tenders
now; contracts, publishing and the others as they arrive): one function from (user, organisations) to items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count
from django.urls import reverse

from commonweal.domain.lifecycle import Role, Stage, next_transition
from commonweal.web.access import NotFound, Visitor, organisations_for, tenders_for
from commonweal.web.models import (
    Bid,
    ConflictDeclaration,
    Criterion,
    Membership,
    ModeratedScore,
    Organisation,
    Score,
)
from commonweal.web.suppliers import data as suppliers


@dataclass(frozen=True)
class Attention:
    """One thing for this person to do or know, with where to go to act on it."""

    organisation_id: int
    subject: str  # what it is about: a tender's reference and title
    text: str
    href: str


def _pairs(tender_ids: Iterable[int]) -> dict[int, int]:
    """Scored pairs (bid × criterion of the same lot) per tender: bids per lot times criteria per lot, summed."""
    bids = Bid.objects.filter(lot__tender__in=tender_ids).values("lot_id", "lot__tender_id").annotate(n=Count("id"))
    criteria = dict(
        Criterion.objects.filter(lot__tender__in=tender_ids).values("lot_id").annotate(n=Count("id"))
        .values_list("lot_id", "n")
    )
    pairs: dict[int, int] = defaultdict(int)
    for row in bids:
        pairs[row["lot__tender_id"]] += row["n"] * criteria.get(row["lot_id"], 0)
    return pairs


def _tenders(user: User, organisations: list[Organisation]) -> list[Attention]:
    accesses = [a for a in tenders_for(user) if a.tender.organisation_id in {o.pk for o in organisations}]
    items: list[Attention] = []
    evaluating = [a for a in accesses if a.stage == Stage.EVALUATION and a.has(Role.EVALUATOR)]
    moderating = [a for a in accesses if a.stage == Stage.MODERATION and a.has(Role.MODERATOR)]
    pairs = _pairs([a.tender.pk for a in evaluating + moderating])
    declared = dict(
        ConflictDeclaration.objects.filter(user=user, tender__in=[a.tender for a in evaluating])
        .values_list("tender_id", "has_conflict")
    )
    mine = dict(
        Score.objects.filter(evaluator=user, bid__lot__tender__in=[a.tender for a in evaluating])
        .values("bid__lot__tender_id").annotate(n=Count("id")).values_list("bid__lot__tender_id", "n")
    )
    moderated = dict(
        ModeratedScore.objects.filter(bid__lot__tender__in=[a.tender for a in moderating])
        .values("bid__lot__tender_id").annotate(n=Count("id")).values_list("bid__lot__tender_id", "n")
    )
    # a declared conflict waits on the commissioner's decision (replace, or continue with mitigation) at any stage
    commissioned = [a.tender for a in accesses if a.has(Role.COMMISSIONER)]
    conflicts = (
        ConflictDeclaration.objects.filter(tender__in=commissioned, has_conflict=True, decision__isnull=True)
        .select_related("user").order_by("declared_at")
    )
    by_tender = {a.tender.pk: a for a in accesses}
    for declaration in conflicts:
        tender = by_tender[declaration.tender_id].tender
        items.append(Attention(tender.organisation_id, str(tender),
                               f"{declaration.user.get_username()} declared a conflict of interest: decide whether "
                               "they are replaced or continue", reverse("conflict", args=[tender.pk, declaration.pk])))
    for access in accesses:
        tender = access.tender
        subject = str(tender)
        if access in evaluating:
            if tender.pk not in declared:
                items.append(Attention(tender.organisation_id, subject, "Declare any conflict of interest",
                                       reverse("declare", args=[tender.pk])))
            elif not declared[tender.pk] and (left := pairs[tender.pk] - mine.get(tender.pk, 0)) > 0:
                items.append(Attention(tender.organisation_id, subject,
                                       f"{left} of {pairs[tender.pk]} scores to enter",
                                       reverse("evaluate", args=[tender.pk])))
        if access in moderating and (left := pairs[tender.pk] - moderated.get(tender.pk, 0)) > 0:
            items.append(Attention(tender.organisation_id, subject, f"{left} consensus scores to record",
                                   reverse("moderation", args=[tender.pk])))
        transition = next_transition(access.stage)
        if transition is not None and access.has(*transition.roles) and access.stage != Stage.EVALUATION:
            items.append(Attention(tender.organisation_id, subject, f"Next step is yours: {transition.action}",
                                   reverse("tender", args=[tender.pk])))
    return items


def _suppliers(user: User, organisations: list[Organisation]) -> list[Attention]:
    """Watched suppliers whose stored rating worsened on the year before, or with a warning sign new this year,
    for the organisations where the person reads the watchlist (one query each)."""
    readers = {r.value for r in suppliers.READERS}
    mine = set(Membership.objects.filter(user=user, organisation__in=organisations, role__in=readers)
               .values_list("organisation_id", flat=True))
    items = []
    for assessment in suppliers.alerts([o for o in organisations if o.pk in mine]):
        watched = assessment.supplier
        if assessment.worsened:
            text = f"Rating worsened from {assessment.previous_rating} to {assessment.rating}"
        else:
            text = f"{len(assessment.new_warnings)} new warning sign{'s' if len(assessment.new_warnings) > 1 else ''}"
        items.append(Attention(watched.organisation_id, f"Supplier: {watched.name}", text,
                               reverse("supplier", args=[watched.organisation.slug, watched.pk])))
    return items


def _contracts(user: User, organisations: list[Organisation]) -> list[Attention]:
    """Review actions the person owns that are due, and late returns on the contracts they manage."""
    from commonweal.web.contracts import data as contracts
    from commonweal.web.views import today

    ids = [o.pk for o in organisations]
    items = [Attention(a.review.contract.organisation_id, str(a.review.contract),
                       f"Action due {a.due_on.isoformat()}: {a.description}",
                       reverse("contract_review", args=[a.review.contract_id, a.review_id]))
             for a in contracts.due_actions(user, ids, today())]
    items += [Attention(c.organisation_id, str(c), f"Return for {period.label} is late",
                        reverse("contract_return", args=[c.pk]))
              for c, period in contracts.late_returns(user, ids, today())]
    return items



def _notices(user: User, organisations: list[Organisation]) -> list[Attention]:
    """Overdue Procurement Act 2023 notices (the publishing area's duty calendar)."""
    from commonweal.web.publishing.data import overdue
    from commonweal.web.views import today

    return [Attention(organisation.pk, f"{row.duty.subject} {row.duty.title}",
                      f"{row.duty.notice.value} {row.duty.notice.kind.name} is overdue: {row.duty.when}", row.preview)
            for organisation, row in overdue(user, organisations, today())]



def _providers(user: User, organisations: list[Organisation]) -> list[Attention]:
    from commonweal.web.providers.attention import items  # providers area (it imports Attention from here)

    return items(user, organisations)


def _social_value(user: User, organisations: list[Organisation]) -> list[Attention]:
    from commonweal.web.socialvalue.attention import items  # social value area (it imports Attention from here)

    return items(user, organisations)


# Each area's source of attention items; an area adds one line here.
SOURCES: tuple[Callable[[User, list[Organisation]], list[Attention]], ...] = (
    _tenders, _suppliers, _contracts, _notices, _providers, _social_value)


@dataclass(frozen=True)
class OrganisationHome:
    organisation: Organisation
    items: tuple[Attention, ...]
    # the organisation's pages this person's organisation roles open: (text, address)
    links: tuple[tuple[str, str], ...] = ()


def _links(organisation: Organisation, roles: set[str]) -> tuple[tuple[str, str], ...]:
    found = []
    if Role.ADMIN.value in roles:
        found.append(("Members and invitations", reverse("members", args=[organisation.slug])))
    if Role.COMMISSIONER.value in roles:
        found.append(("Create a tender", reverse("upload", args=[organisation.slug])))
        # providers area: the pipeline on the public pages, and who registered interest
        found.append(("Opportunities and registered interest", reverse("opportunities", args=[organisation.slug])))
    return tuple(found)


def homes(user: Visitor, slug: str | None = None) -> list[OrganisationHome]:
    """Each of the user's organisations (or the one named by `slug`) with what needs their attention there."""
    organisations = organisations_for(user)
    if slug is not None:
        organisations = [o for o in organisations if o.slug == slug]
        if not organisations:
            raise NotFound("no such organisation")
    member = user
    assert isinstance(member, User)
    found: dict[int, list[Attention]] = defaultdict(list)
    for source in SOURCES:
        for item in source(member, organisations):
            found[item.organisation_id].append(item)
    roles: dict[int, set[str]] = defaultdict(set)
    for organisation_id, role in Membership.objects.filter(user=member).values_list("organisation_id", "role"):
        roles[organisation_id].add(role)
    return [OrganisationHome(o, tuple(found[o.pk]), _links(o, roles[o.pk])) for o in organisations]

