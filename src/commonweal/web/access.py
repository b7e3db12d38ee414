"""The one access layer: who sees what. Every area's data functions start here: `tender_access` and
`organisation_access` take the signed-in user and scope by organisation (a tender of an organisation the user is not
a member of does not exist for them: `NotFound`) and by the user's roles (`Forbidden`); `Refused` says what a
business rule stops now. What a role may see at a stage is decided by `commonweal.domain.lifecycle` and applied by
each area's data functions in their queries, so no template, export or API schema can leak sealed prices, other
evaluators' scores or another organisation's data. API tokens are issued here too (only their digest is kept).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q, QuerySet

from commonweal.domain.lifecycle import (
    ORDER,
    Role,
    Stage,
    reached,
)
from commonweal.web import audit
from commonweal.web.contracts.models import Contract
from commonweal.web.models import (
    ApiToken,
    Membership,
    Organisation,
    Tender,
    TenderRole,
)
from commonweal.web.providers.models import Bidder, ContractProvider, Provider, ProviderMember, ProviderRole

Visitor = AbstractBaseUser | AnonymousUser

# Roles held across a whole organisation apply to each of its tenders.
ORGANISATION_ROLES = frozenset({Role.ADMIN, Role.COMMISSIONER, Role.VIEWER})
READERS = frozenset({Role.COMMISSIONER, Role.MODERATOR, Role.FINANCE, Role.VIEWER})


class NotFound(Exception):
    """The object does not exist for this user (it may belong to another organisation)."""


class Forbidden(Exception):
    """The user's roles on this tender do not allow this."""


class Refused(Exception):
    """A business rule stops this now (wrong stage, missing precondition); `problems` says what is missing."""

    def __init__(self, problems: Iterable[str], fields: Iterable[str] = ()):
        self.problems = tuple(problems)
        # the form field each problem is about, in the same order, where a page should point to one
        self.fields = tuple(fields)
        super().__init__("; ".join(self.problems))

    def field(self, index: int, default: str) -> str:
        return self.fields[index] if index < len(self.fields) else default


@dataclass(frozen=True)
class Access:
    """A user's standing on one tender, established once per request by `tender_access`."""

    user: User
    tender: Tender
    roles: frozenset[Role]
    # the tender's bids and criteria, read once per request however many times a page asks (they change only when
    # a tender is imported)
    read: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def stage(self) -> Stage:
        return Stage(self.tender.stage)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            raise Forbidden(f"needs one of these roles on the tender: {', '.join(r.value for r in roles)}")

    @property
    def actor(self) -> str:
        return self.user.get_username()


def signed_in(user: Visitor) -> User:
    if not user.is_authenticated:
        raise Forbidden("sign in first")
    assert isinstance(user, User)
    return user


def organisations_for(user: Visitor) -> list[Organisation]:
    member = signed_in(user)
    return list(Organisation.objects.filter(memberships__user=member).distinct().order_by("name"))


def tender_roles(user: Visitor, tender: Tender) -> frozenset[Role]:
    member = signed_in(user)
    # one query for both: every page asks
    organisation_wide = Membership.objects.filter(
        user=member, organisation=tender.organisation_id, role__in=[r.value for r in ORGANISATION_ROLES]
    ).values_list("role", flat=True)
    own = TenderRole.objects.filter(user=member, tender=tender).values_list("role", flat=True)
    return frozenset(Role(r) for r in organisation_wide.union(own))


def tenders_for(user: Visitor) -> list[Access]:
    """The tenders the user holds a role on, in the organisations they belong to."""
    member = signed_in(user)
    tenders = list(
        Tender.objects.filter(organisation__memberships__user=member)
        .filter(Q(roles__user=member) | Q(organisation__memberships__role__in=[r.value for r in ORGANISATION_ROLES]))
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "reference")
    )
    # two queries for all the tenders' roles, not two per tender (the home page lists every tender)
    org_roles: dict[int, set[Role]] = {}
    for organisation_id, role in Membership.objects.filter(user=member).exclude(role="").values_list(
            "organisation_id", "role"):
        org_roles.setdefault(organisation_id, set()).add(Role(role))
    own: dict[int, set[Role]] = {}
    for tender_id, role in TenderRole.objects.filter(user=member, tender__in=tenders).values_list("tender_id", "role"):
        own.setdefault(tender_id, set()).add(Role(role))
    found = [Access(member, t, frozenset((org_roles.get(t.organisation_id, set()) & ORGANISATION_ROLES)
                                         | own.get(t.pk, set()))) for t in tenders]
    return [a for a in found if a.roles]


def tender_access(user: Visitor, tender_id: int, *roles: Role) -> Access:
    """The user's access to a tender of an organisation they belong to; with `roles`, one of them is required."""
    member = signed_in(user)
    tender = (
        Tender.objects.filter(pk=tender_id, organisation__memberships__user=member)
        .select_related("organisation")
        .first()
    )
    if tender is None:
        raise NotFound("no such tender")
    access = Access(member, tender, tender_roles(member, tender))
    if not access.roles:
        raise Forbidden("you hold no role on this tender")
    if roles:
        access.require(*roles)
    return access


def organisation_access(user: Visitor, slug: str, *roles: Role) -> Organisation:
    member = signed_in(user)
    organisation = Organisation.objects.filter(slug=slug, memberships__user=member).distinct().first()
    if organisation is None:
        raise NotFound("no such organisation")
    held = set(Membership.objects.filter(user=member, organisation=organisation).values_list("role", flat=True))
    if roles and not held & {r.value for r in roles}:
        raise Forbidden("needs one of these roles: " + ", ".join(r.value for r in roles))
    return organisation


# -- providers area: a provider's people see only the tenders their provider is invited to -------------------------

# Commonweal default: a bidder sees a tender from the day it opens for bids (a draft is the council's own), and
# bid managers are the provider role that bids.
BIDDER_STAGES = tuple(s.value for s in ORDER if reached(s, Stage.OPEN))
BIDDING_ROLES = frozenset({ProviderRole.BID_MANAGER})


# The audit entry's actor for what a bidder does: who the bidder is, and who asked, are bid content, which the
# council's admin alone never sees (`domain.audit.DETAIL_NEEDS` classifies them in the detail, withheld from them).
BIDDER_ACTOR = "bidder"


@dataclass(frozen=True)
class BidderAccess:
    """A provider person's standing on one tender their provider is invited to bid for. It carries nothing of the
    council's: no role on the tender, so no council page or query opens to it."""

    user: User
    tender: Tender
    provider: Provider

    @property
    def stage(self) -> Stage:
        return Stage(self.tender.stage)

    @property
    def actor(self) -> str:
        return self.user.get_username()


def _bidding(member: User) -> QuerySet[Bidder]:
    """The invitations of the providers in which `member` is a bid manager and still a member."""
    return Bidder.objects.filter(
        provider__members__user=member, provider__members__role__in=[r.value for r in BIDDING_ROLES],
        provider__organisation__memberships__user=member, tender__stage__in=BIDDER_STAGES,
    ).select_related("tender__organisation", "provider__organisation")


def bidder_tenders(user: Visitor) -> list[BidderAccess]:
    """Every tender the user's providers are invited to, by council: a provider serving several councils sees each
    council's own tenders and nothing else of theirs."""
    member = signed_in(user)
    found = {b.tender_id: BidderAccess(member, b.tender, b.provider) for b in
             _bidding(member).order_by("tender__organisation__name", "tender__reference")}
    return list(found.values())


def bidder_access(user: Visitor, tender_id: int) -> BidderAccess:
    """The user's access, as a bidder, to a tender their provider is invited to; any other tender does not exist
    for them (`NotFound`), whichever council it belongs to."""
    member = signed_in(user)
    found = _bidding(member).filter(tender_id=tender_id).first()
    if found is None:
        raise NotFound("no such tender")
    return BidderAccess(member, found.tender, found.provider)


# -- providers area: a provider's people see only the contracts their provider holds ---------------------------------

# the provider roles that work on a contract: its lead (the provider's side of it) and returns contributors
CONTRACTING_ROLES = frozenset({ProviderRole.CONTRACT_LEAD, ProviderRole.RETURNS_CONTRIBUTOR})


@dataclass(frozen=True)
class ProviderContractAccess:
    """A provider person's standing on one contract let to their provider, with their provider roles. Like
    `BidderAccess`, it carries no council role, so no council page or query opens to it."""

    user: User
    contract: Contract
    provider: Provider
    roles: frozenset[str]

    def has(self, *roles: ProviderRole) -> bool:
        return bool(self.roles & {r.value for r in roles})

    @property
    def actor(self) -> str:
        return self.user.get_username()


def _contracting(member: User) -> QuerySet[ContractProvider]:
    """The contracts let to the providers in which `member` holds a contract role and is still a member."""
    return ContractProvider.objects.filter(
        provider__members__user=member, provider__members__role__in=[r.value for r in CONTRACTING_ROLES],
        provider__organisation__memberships__user=member,
    ).select_related("contract__organisation", "provider__organisation").distinct()


def _provider_roles(member: User, provider_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    held: dict[int, set[str]] = {}
    for provider_id, role in ProviderMember.objects.filter(
            user=member, provider__in=list(provider_ids), role__in=[r.value for r in CONTRACTING_ROLES]
    ).values_list("provider_id", "role"):
        held.setdefault(provider_id, set()).add(role)
    return {k: frozenset(v) for k, v in held.items()}


def provider_contracts(user: Visitor) -> list[ProviderContractAccess]:
    """Every contract let to the user's providers, by council: each council's own contracts and nothing else."""
    member = signed_in(user)
    links = list(_contracting(member).order_by("contract__organisation__name", "contract__reference"))
    roles = _provider_roles(member, {link.provider_id for link in links})
    return [ProviderContractAccess(member, link.contract, link.provider, roles[link.provider_id]) for link in links]


def provider_contract_access(user: Visitor, contract_id: int, *roles: ProviderRole) -> ProviderContractAccess:
    """The user's access, as the contractor, to a contract let to their provider; any other contract does not exist
    for them (`NotFound`), whichever council it belongs to. With `roles`, one of them is required."""
    member = signed_in(user)
    link = _contracting(member).filter(contract_id=contract_id).first()
    if link is None:
        raise NotFound("no such contract")
    access = ProviderContractAccess(member, link.contract, link.provider,
                                    _provider_roles(member, [link.provider_id])[link.provider_id])
    if roles and not access.has(*roles):
        raise Forbidden("needs one of these provider roles: " + ", ".join(r.value for r in roles))
    return access


@audit.retrying
def issue_token(user: Visitor, label: str) -> str:
    """A new API bearer token for the user; only its SHA-256 digest is kept, so it is shown once."""
    member = signed_in(user)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=member, label=label, digest=hashlib.sha256(token.encode()).hexdigest())
        audit.record(member.get_username(), "api_token_issued", {"label": label})
    return token


