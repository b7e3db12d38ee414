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


# Each area's source of attention items; an area adds one line here.
SOURCES: tuple[Callable[[User, list[Organisation]], list[Attention]], ...] = (_tenders,)


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

