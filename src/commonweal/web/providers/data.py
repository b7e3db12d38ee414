"""The providers area's reads and writes. The council's side (a tender's bidders and its clarification questions)
starts from `web.access.tender_access` with the commissioner role; the provider's side from
`web.access.bidder_access`, which finds only the tenders the person's provider is invited to.

What a provider reads of a tender is what every bidder may read: the tender's lots and award criteria with their
weights (the relative importance the Procurement Act 2023 s.23(3)(b) has the council indicate) and the answers the
council has published. It never reads `web.Bid` (another bidder's identity, prices), scores or the audit trail;
its own questions are the only ones it sees unanswered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify

from commonweal.domain.lifecycle import Role, Stage
from commonweal.web import audit
from commonweal.web.access import (
    BIDDER_ACTOR,
    Access,
    BidderAccess,
    Forbidden,
    NotFound,
    ProviderContractAccess,
    Refused,
    Visitor,
    bidder_tenders,
    provider_contracts,
)
from commonweal.web.contracts.data import ContractAccess
from commonweal.web.contracts.models import Contract, Evidence, Kpi, Return, Review
from commonweal.web.models import Criterion, Invitation, Lot, Membership, Organisation, Tender
from commonweal.web.people import data as people
from commonweal.web.providers.models import (
    Bidder,
    BidderUploads,
    Clarification,
    Concern,
    ConcernKind,
    ContractProvider,
    PendingProviderRole,
    Provider,
    ProviderKind,
    ProviderMember,
    ProviderRole,
    RatingComment,
)
from commonweal.web.tenders.data import bids_close

# Commonweal default: bidders ask questions only while the tender is open for bids.
ASKING_STAGE = Stage.OPEN


@dataclass(frozen=True)
class Invited:
    bidder: Bidder
    # the one-time link for a new contact (None: the contact already had an account at the provider)
    link: people.IssuedLink | None


@dataclass(frozen=True)
class BidderRow:
    provider: str
    kind: str
    bid_managers: int
    invited_at: object


def _commissioner(access: Access) -> None:
    access.require(Role.COMMISSIONER)


def bidders(access: Access) -> list[BidderRow]:
    _commissioner(access)
    rows = (
        Bidder.objects.filter(tender=access.tender)
        .annotate(managers=Count("provider__members", filter=Q(provider__members__role=ProviderRole.BID_MANAGER)))
        .select_related("provider__organisation")
        .order_by("provider__organisation__name")
    )
    return [
        BidderRow(b.provider.organisation.name, b.provider.get_kind_display(), b.managers, b.invited_at) for b in rows
    ]


def _provider(name: str, kind: str) -> Provider:
    """The provider called `name`, created if new; a council of that name is refused (it is no provider)."""
    organisation = Organisation.objects.filter(name__iexact=name).first()
    if organisation is not None:
        provider = Provider.objects.filter(organisation=organisation).first()
        if provider is None:
            raise Refused([f"{organisation.name} is a council or shared service, not a provider"], ["provider"])
        return provider
    base = slugify(name)[:40] or "provider"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organisation = Organisation.objects.create(name=name, slug=slug)
    return Provider.objects.create(organisation=organisation, kind=ProviderKind(kind))


@audit.retrying
def invite_bidder(access: Access, provider_name: str, kind: str, username: str, display_name: str) -> Invited:
    """Invite a provider to bid for the tender through its contact. A contact new to Commonweal gets the people
    area's one-time invitation to join the provider (as its bid manager once accepted); a contact who has an account
    must already be one of the provider's bid managers (a council never changes a provider's own roles). Either way
    the provider becomes a bidder on the tender."""
    _commissioner(access)
    with transaction.atomic():
        Tender.objects.select_for_update().filter(pk=access.tender.pk).first()  # serialise the tender's invitations
        provider = _provider(provider_name, kind)
        link = None
        existing = User.objects.filter(username__iexact=username).first()
        if existing is not None:
            manager = (
                ProviderMember.objects.filter(provider=provider, user=existing, role=ProviderRole.BID_MANAGER).exists()
                and Membership.objects.filter(user=existing, organisation=provider.organisation).exists()
            )
            if not manager:
                raise Refused(
                    [
                        f"The user name {username} is taken by someone who is not one of "
                        f"{provider.organisation.name}'s bid managers: choose another"
                    ],
                    ["username"],
                )
        else:
            link, invitation = people.invite_cleared(access.user, provider.organisation, username, display_name)
            PendingProviderRole.objects.create(invitation=invitation, role=ProviderRole.BID_MANAGER)
        bidder, created = Bidder.objects.get_or_create(
            tender=access.tender, provider=provider, defaults={"invited_by": access.user}
        )
        audit.record(
            access.actor,
            "bidder_invited",
            {
                "provider": provider.organisation.name,
                "contact": username,
                "new_contact": link is not None,
                "already_a_bidder": not created,
            },
            tender=access.tender,
        )
    return Invited(bidder, link)


def _joined(sender: type, instance: Membership, created: bool, **kwargs: object) -> None:
    """An accepted invitation to a provider makes the new member the provider role it was issued for, in the same
    transaction as the membership the people area creates (`people.data.use_link`)."""
    if not created:
        return
    pending = (
        PendingProviderRole.objects.filter(
            invitation__organisation=instance.organisation_id,
            invitation__purpose=Invitation.JOIN,
            invitation__username=instance.user.get_username(),
            invitation__used_at__isnull=True,
        )
        .select_related("invitation__organisation__provider")
        .first()
    )
    if pending is not None:
        ProviderMember.objects.get_or_create(
            provider=pending.invitation.organisation.provider, user=instance.user, role=pending.role
        )


post_save.connect(_joined, sender=Membership, dispatch_uid="providers_joined")


# -- the provider's side --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilTenders:
    council: str
    tenders: tuple[BidderAccess, ...]


def portal(user: Visitor) -> list[CouncilTenders]:
    """The user's invited tenders, council by council."""
    grouped: dict[str, list[BidderAccess]] = {}
    for found in bidder_tenders(user):
        grouped.setdefault(found.tender.organisation.name, []).append(found)
    return [CouncilTenders(council, tuple(tenders)) for council, tenders in grouped.items()]


@dataclass(frozen=True)
class Documents:
    lots: list[Lot]
    criteria: dict[int, list[Criterion]]  # by lot id


def documents(access: BidderAccess) -> Documents:
    """The tender's lots and published award criteria with their weights and guidance (never a budget or a bid)."""
    lots = list(Lot.objects.filter(tender=access.tender).only("id", "reference", "title").order_by("reference"))
    criteria: dict[int, list[Criterion]] = {}
    for c in Criterion.objects.filter(lot__tender=access.tender).only(
        "lot_id", "reference", "title", "group", "weight", "guidance", "position"
    ):
        criteria.setdefault(c.lot_id, []).append(c)
    return Documents(lots, criteria)


@dataclass(frozen=True)
class PublishedAnswer:
    question: str
    answer: str
    answered_at: object


def published_answers(tender: Tender) -> list[PublishedAnswer]:
    """Every answer the council has published on the tender, worded as the council published it: never who asked."""
    rows = (
        Clarification.objects.filter(tender=tender, answered_at__isnull=False)
        .order_by("answered_at", "id")
        .values_list("published_question", "answer", "answered_at")
    )
    return [PublishedAnswer(q, a, at) for q, a, at in rows]


def own_questions(access: BidderAccess) -> list[Clarification]:
    """The provider's own questions on the tender, answered or not."""
    return list(
        Clarification.objects.filter(tender=access.tender, provider=access.provider).only(
            "question", "asked_at", "answered_at"
        )
    )


@audit.retrying
def ask(access: BidderAccess, question: str) -> Clarification:
    if access.stage != ASKING_STAGE:
        raise Refused(
            [
                f"Questions can be asked only while the tender is {ASKING_STAGE.label.lower()}; it is now "
                f"{access.stage.label.lower()}"
            ],
            ["question"],
        )
    with transaction.atomic():
        asked = Clarification.objects.create(
            tender=access.tender, provider=access.provider, asked_by=access.user, question=question
        )
        record_asked(asked)
    return asked




def record_asked(asked: Clarification) -> None:
    """The audit entry for a question asked (inside the transaction that saved it)."""
    audit.record(
        BIDDER_ACTOR,
        "clarification_asked",
        {
            "clarification": asked.pk,
            "provider": asked.provider.organisation.name,
            "asked_by": asked.asked_by.get_username(),
        },
        tender=asked.tender,
    )


# -- bidders' own uploads: the council chooses, per tender ------------------------------------------------------------


@dataclass(frozen=True)
class UploadSetting:
    allowed: bool
    # the end of the last day for tenders (None: the tender notice states no last day yet)
    closes: dt.datetime | None


def bidder_uploads(access: Access) -> UploadSetting:
    _commissioner(access)
    allowed = BidderUploads.objects.filter(tender=access.tender, allowed=True).exists()
    return UploadSetting(allowed, bids_close(access.tender))


@audit.retrying
def set_bidder_uploads(access: Access, allowed: bool) -> None:
    """Let the tender's bidders upload their own documents and price schedule from the portal (or stop them). They
    need a deadline: the last day for tenders recorded for the tender's notice (the publishing area)."""
    _commissioner(access)
    with transaction.atomic():
        Tender.objects.select_for_update().filter(pk=access.tender.pk).first()
        if allowed and bidder_uploads(access).closes is None:
            raise Refused(["Record the last day for tenders in the tender's notice first: it is the bidders' "
                           "deadline"], ["allowed"])
        BidderUploads.objects.update_or_create(
            tender=access.tender, defaults={"allowed": allowed, "changed_by": access.user})
        audit.record(access.actor, "bidder_uploads_set", {"allowed": allowed}, tender=access.tender)


# -- the council's side of clarifications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: int
    provider: str
    asked_by: str
    question: str
    asked_at: object
    published_question: str
    answer: str
    answered_at: object


def questions(access: Access) -> list[Question]:
    _commissioner(access)
    rows = Clarification.objects.filter(tender=access.tender).select_related("provider__organisation", "asked_by")
    return [
        Question(
            c.pk,
            c.provider.organisation.name,
            c.asked_by.get_username(),
            c.question,
            c.asked_at,
            c.published_question,
            c.answer,
            c.answered_at,
        )
        for c in rows
    ]


@audit.retrying
def answer(access: Access, clarification_id: int, published_question: str, text: str) -> None:
    """Publish the answer, with the question as the council words it (the asker's identity removed), to every
    bidder. A published answer stands: a correction is published as a further clarification."""
    _commissioner(access)
    with transaction.atomic():
        found = Clarification.objects.select_for_update().filter(pk=clarification_id, tender=access.tender).first()
        if found is None:
            raise NotFound("no such question")
        if found.answered_at is not None:
            raise Refused(["This question's answer is already published"], ["answer"])
        found.published_question, found.answer = published_question, text
        found.answered_by, found.answered_at = access.user, timezone.now()
        found.save()
        audit.record(access.actor, "clarification_answered", {"clarification": found.pk}, tender=access.tender)


# -- contracts: the council links a contract to its provider; the provider sees its own ------------------------------


def contract_provider(access: ContractAccess) -> ContractProvider | None:
    return ContractProvider.objects.filter(contract=access.contract).select_related("provider__organisation").first()


@audit.retrying
def link_contract(access: ContractAccess, provider_name: str) -> ContractProvider:
    """Link the contract to the provider it is let to, so the provider's contract leads and returns contributors see
    it in their portal. The provider must already be known to Commonweal (invited to a tender, or joined): a council
    never creates a provider's people or roles here. Relinking replaces the provider (a novation, say)."""
    if not access.may_change:
        raise Forbidden("needs the commissioner role or to be this contract's manager")
    provider = (
        Provider.objects.filter(organisation__name__iexact=provider_name.strip()).select_related("organisation").first()
    )
    if provider is None:
        raise Refused([f"No provider is called {provider_name}: check the name as the provider gives it"], ["provider"])
    with transaction.atomic():
        c = Contract.objects.select_for_update().get(pk=access.contract.pk)
        link, _ = ContractProvider.objects.update_or_create(
            contract=c, defaults={"provider": provider, "linked_by": access.user}
        )
        audit.record(
            access.actor,
            "contract_provider_linked",
            {"contract": c.reference, "provider": provider.organisation.name},
            organisation=c.organisation,
        )
    return link


def returns(access: ContractAccess) -> list[Return]:
    """The contract's returns with their status, for the council to check the provider's."""
    return list(Return.objects.filter(contract=access.contract).order_by("-period_start"))


@dataclass(frozen=True)
class CouncilContracts:
    council: str
    contracts: tuple[ProviderContractAccess, ...]


def portal_contracts(user: Visitor) -> list[CouncilContracts]:
    """The contracts let to the user's providers, council by council."""
    grouped: dict[str, list[ProviderContractAccess]] = {}
    for found in provider_contracts(user):
        grouped.setdefault(found.contract.organisation.name, []).append(found)
    return [CouncilContracts(council, tuple(contracts)) for council, contracts in grouped.items()]


@dataclass(frozen=True)
class ProviderContractView:
    """What the contractor reads of its own contract: the contract's terms, its KPIs and its returns with their
    status. Never the council's review workings, meeting notes, ratings reasons or audit trail."""

    contract: Contract
    kpis: list[Kpi]
    # the social value measures committed in the contract (the return's delivery fields)
    measures: list[str]
    returns: list[Return]
    concerns: list[Concern]


def provider_contract(access: ProviderContractAccess) -> ProviderContractView:
    c = access.contract
    return ProviderContractView(
        c,
        list(c.kpis.only("code", "title", "target", "direction", "unit").order_by("code")),
        sorted(set(c.commitments.values_list("measure", flat=True))),
        list(
            Return.objects.filter(contract=c)
            .only("period_start", "period_end", "status", "check_reason", "provider_response", "submitted_for")
            .prefetch_related(Prefetch("evidence", Evidence.objects.only("ret_id", "line", "name", "kind")))
            .order_by("period_start")
        ),
        list(Concern.objects.filter(contract=c, provider=access.provider).select_related("review")),
    )


@audit.retrying
def raise_concern(access: ProviderContractAccess, kind: str, description: str, today: dt.date) -> Concern:
    """The provider's "not working for us": it joins the contract's open review, or opens one with this as its
    provider-side trigger. The council runs the review (meeting, options for each side, decision)."""
    with transaction.atomic():
        c = Contract.objects.select_for_update().get(pk=access.contract.pk)
        review = Review.objects.filter(contract=c, status=Review.OPEN).order_by("-opened_on", "-pk").first()
        joined = review is not None
        if review is None:
            review = Review.objects.create(
                contract=c,
                reason=f"{access.provider.organisation.name}: {ConcernKind(kind).label}. {description}",
                trigger=kind,
                opened_on=today,
                opened_by=access.user,
            )
        concern = Concern.objects.create(
            contract=c, provider=access.provider, raised_by=access.user, kind=kind, description=description,
            raised_on=today, review=review,
        )
        audit.record(
            access.actor,
            "provider_concern_raised",
            {"contract": c.reference, "review": review.pk, "kind": kind, "joined": joined},
            organisation=c.organisation,
        )
    return concern


# -- the performance ratings the council is to publish (UK9): the provider sees them first and may comment ----------


@dataclass(frozen=True)
class RatingsToPublish:
    """The contract performance notice's ratings as the council's stored review states them (the KPIs' reg 39(5)
    ratings over the assessment period) and the provider's comments on them, oldest first."""

    period_start: dt.date
    period_end: dt.date
    ratings: list[dict[str, str]]  # kpi, title, rating
    comments: list[RatingComment]


def _notice_ratings(c: Contract) -> tuple[dt.date, dt.date, list[dict[str, str]]] | None:
    notice = (c.review or {}).get("performance_notice") or {}
    if not notice.get("ratings"):
        return None
    period = notice["period"]
    return dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"]), list(notice["ratings"])


def ratings_to_publish(access: ProviderContractAccess) -> RatingsToPublish | None:
    """What the provider sees before the council publishes its performance notice; None while there is nothing
    to rate."""
    found = _notice_ratings(access.contract)
    if found is None:
        return None
    comments = list(RatingComment.objects.filter(contract=access.contract, provider=access.provider)
                    .select_related("made_by"))
    return RatingsToPublish(*found, comments)


@audit.retrying
def comment_on_ratings(access: ProviderContractAccess, comment: str) -> RatingComment:
    """The contract lead's comment on the ratings to be published, kept with the contract (a further comment is
    added, never a replacement) and shown to the council on the notice's preview."""
    if not access.has(ProviderRole.CONTRACT_LEAD):
        raise Forbidden("needs the provider's contract lead role")
    with transaction.atomic():
        c = Contract.objects.select_for_update().get(pk=access.contract.pk)
        found = _notice_ratings(c)
        if found is None:
            raise Refused(["There are no performance ratings to comment on yet"], ["comment"])
        start, end, _ = found
        made = RatingComment.objects.create(contract=c, provider=access.provider, period_start=start,
                                            period_end=end, comment=comment, made_by=access.user)
        audit.record(access.actor, "rating_comment_made",
                     {"contract": c.reference, "period_start": start.isoformat(), "period_end": end.isoformat()},
                     organisation=c.organisation)
    return made


def rating_comments(access: ContractAccess) -> list[RatingComment]:
    """The provider's comments on the contract's ratings, for the council (the UK9 notice's preview)."""
    return list(RatingComment.objects.filter(contract=access.contract).select_related("provider__organisation",
                                                                                      "made_by"))
