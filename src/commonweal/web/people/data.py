"""The one way to read and change people: every function takes the signed-in user and checks the organisation admin
role exactly as the rest of the workspace does (`commonweal.web.access.organisation_access(user, slug, Role.ADMIN)`),
and every change is audited in its own transaction.

Accounts are global, memberships are per organisation. An admin acts only within their own organisation:
- giving or removing an organisation role, and removing a membership, touch only that organisation;
- deactivating or reactivating an account, and issuing a password reset link, act on the whole account, so an
  admin may do them only to a person whose every membership is in an organisation they administer (a
  shared-service member who also works for another council can be removed from this council, never locked out of
  the other or have their password taken over);
- no change may leave an organisation without an active admin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonweal.domain.lifecycle import Role
from commonweal.web import audit
from commonweal.web.access import NotFound, Refused, Visitor, organisation_access
from commonweal.web.models import Invitation, Membership, Organisation, TenderRole

# The organisation-wide roles an admin gives (tender roles are given on each tender's team page).
ORGANISATION_ROLES = (Role.ADMIN, Role.COMMISSIONER, Role.VIEWER)


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    display_name: str
    active: bool
    roles: tuple[Role, ...]  # organisation roles in this organisation (none: a plain member)
    governed: bool  # every membership is in an organisation the viewing admin administers


@dataclass(frozen=True)
class IssuedLink:
    """A one-time link's token, shown once (only its digest is stored)."""

    token: str
    purpose: str
    username: str
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _admin(user: Visitor, slug: str) -> tuple[User, Organisation]:
    organisation = organisation_access(user, slug, Role.ADMIN)
    assert isinstance(user, User)
    return user, organisation


def _administered(admin: User) -> set[int]:
    return set(Membership.objects.filter(user=admin, role=Role.ADMIN.value).values_list("organisation", flat=True))


def _governs(admin: User, target: User) -> bool:
    return set(Membership.objects.filter(user=target).values_list("organisation", flat=True)) <= _administered(admin)


def _person(member: User, administered: set[int], memberships: dict[int, set[int]],
            roles: list[Role]) -> Person:
    return Person(member.pk, member.get_username(), member.first_name, member.is_active,
                  tuple(r for r in ORGANISATION_ROLES if r in roles), memberships.get(member.pk, set()) <= administered)


def people(user: Visitor, slug: str) -> tuple[Organisation, list[Person]]:
    admin, organisation = _admin(user, slug)
    rows = list(Membership.objects.filter(organisation=organisation).select_related("user"))
    ids = {m.user_id for m in rows}
    memberships: dict[int, set[int]] = {}
    for user_id, org_id in Membership.objects.filter(user__in=ids).values_list("user", "organisation"):
        memberships.setdefault(user_id, set()).add(org_id)
    by_user: dict[int, tuple[User, list[Role]]] = {}
    for m in rows:
        entry = by_user.setdefault(m.user_id, (m.user, []))
        if m.role:
            entry[1].append(Role(m.role))
    administered = _administered(admin)
    found = [_person(u, administered, memberships, roles) for u, roles in by_user.values()]
    return organisation, sorted(found, key=lambda p: p.username)


def person(user: Visitor, slug: str, user_id: int) -> tuple[Organisation, Person]:
    organisation, found = people(user, slug)
    for p in found:
        if p.id == user_id:
            return organisation, p
    raise NotFound("no such member")


def pending_invitations(user: Visitor, slug: str) -> list[Invitation]:
    _, organisation = _admin(user, slug)
    return list(Invitation.objects.filter(organisation=organisation, purpose=Invitation.JOIN, used_at__isnull=True,
                                          expires_at__gt=timezone.now()).order_by("username"))


def tender_roles(user: Visitor, slug: str, user_id: int) -> list[tuple[str, str, str]]:
    """(tender reference, title, role) for each role the person holds on this organisation's tenders."""
    _, organisation = _admin(user, slug)
    target = _member(organisation, user_id)
    return list(TenderRole.objects.filter(user=target, tender__organisation=organisation)
                .order_by("tender__reference", "role").values_list("tender__reference", "tender__title", "role"))


def cancel_invitation(user: Visitor, slug: str, invitation_id: int) -> Invitation:
    """Withdraw an invitation not yet accepted: its link stops working."""
    admin, organisation = _admin(user, slug)
    found = Invitation.objects.filter(pk=invitation_id, organisation=organisation, purpose=Invitation.JOIN,
                                      used_at__isnull=True).first()
    if found is None:
        raise NotFound("no such invitation")
    with transaction.atomic():
        found.delete()
        audit.record(admin.get_username(), "invitation_cancelled", {"username": found.username},
                     organisation=organisation)
    return found


# -- invitations and reset links -----------------------------------------------------------------------------------


def _issue(purpose: str, organisation: Organisation, username: str, created_by: User | None, *,
           display_name: str = "", role: str = "", target: User | None = None) -> IssuedLink:
    """A new one-time link; an earlier unused link of this organisation for the same person and purpose stops
    working (another organisation's links are left alone)."""
    lifetime = (dt.timedelta(days=settings.COMMONWEAL_INVITATION_DAYS) if purpose == Invitation.JOIN
                else dt.timedelta(hours=settings.COMMONWEAL_RESET_LINK_HOURS))
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + lifetime
    Invitation.objects.filter(purpose=purpose, organisation=organisation, username=username,
                              used_at__isnull=True).delete()
    Invitation.objects.create(purpose=purpose, digest=_digest(token), organisation=organisation, username=username,
                              display_name=display_name, role=role, user=target, created_by=created_by,
                              expires_at=expires)
    return IssuedLink(token, purpose, username, expires)


def _invite(actor: str, created_by: User | None, organisation: Organisation, username: str, display_name: str,
            role: Role | None) -> IssuedLink:
    if User.objects.filter(username__iexact=username).exists():
        raise Refused([f"The user name {username} is taken: choose another"], ["username"])
    if role is not None and role not in ORGANISATION_ROLES:
        raise Refused([f"{role.value} is not an organisation role"], ["role"])
    with transaction.atomic():
        issued = _issue(Invitation.JOIN, organisation, username, created_by, display_name=display_name,
                        role=role.value if role else "")
        audit.record(actor, "person_invited", {"username": username, "role": role.value if role else "member",
                                               "expires": issued.expires_at.isoformat(timespec="seconds")},
                     organisation=organisation)
    return issued


def invite(user: Visitor, slug: str, username: str, display_name: str, role: Role | None) -> IssuedLink:
    admin, organisation = _admin(user, slug)
    return _invite(admin.get_username(), admin, organisation, username, display_name, role)


def invite_cleared(actor: User, organisation: Organisation, username: str,
                   display_name: str) -> tuple[IssuedLink, Invitation]:
    """An invitation to join `organisation` as a plain member, for a caller whose own access check has cleared it
    (providers area: a council's commissioner inviting a provider's contact to a tender); with its row, so the
    caller can attach what the invitation brings."""
    issued = _invite(actor.get_username(), actor, organisation, username, display_name, None)
    return issued, Invitation.objects.get(digest=_digest(issued.token))


def invite_from_command_line(slug: str, username: str, display_name: str, role: Role | None) -> IssuedLink:
    """`commonweal web invite`: whoever runs the command already holds the database, so no admin check."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise NotFound(f"no organisation {slug!r}")
    return _invite("command line", None, organisation, username, display_name, role)


def open_link(token: str, purpose: str) -> Invitation:
    """The unused, unexpired link for this token, or NotFound (a wrong, used or expired link look the same, as
    does a reset link for an account deactivated since)."""
    found = (Invitation.objects.filter(digest=_digest(token), purpose=purpose)
             .select_related("organisation", "user").first())
    if (found is None or found.used_at is not None or found.expires_at <= timezone.now()
            or (purpose == Invitation.RESET and (found.user is None or not found.user.is_active))):
        raise NotFound("This link is not valid: it may have expired or been used. Ask your organisation's admin for "
                       "a new one.")
    return found


def use_link(token: str, purpose: str, password: str) -> User:
    """Set the password through a one-time link: an invitation creates the account and its membership; a reset
    link sets a new password. The link is spent in the same transaction, so it works once."""
    with transaction.atomic():
        return _use_link(token, purpose, password)


def _use_link(token: str, purpose: str, password: str) -> User:
    link = open_link(token, purpose)
    # lock the link: of two requests using it at once, the second finds it spent
    if Invitation.objects.select_for_update().filter(pk=link.pk, used_at__isnull=True).first() is None:
        raise NotFound("This link has already been used")
    if purpose == Invitation.JOIN:
        taken = Refused([f"The user name {link.username} has been taken since you were invited: ask your "
                         "organisation's admin for a new invitation"], ["password1"])
        if User.objects.filter(username__iexact=link.username).exists():
            raise taken
        member = User(username=link.username, first_name=link.display_name)
        member.set_password(password)
        try:
            with transaction.atomic():  # a savepoint: another request may take the user name at the same moment
                member.save()
        except IntegrityError as exc:
            raise taken from exc
        Membership.objects.create(user=member, organisation=link.organisation, role=link.role)
        audit.record(member.get_username(), "invitation_accepted", {"username": member.get_username()},
                     organisation=link.organisation)
    else:
        assert link.user is not None
        member = link.user
        member.set_password(password)
        member.save()
        audit.record(member.get_username(), "password_reset", {"username": member.get_username()},
                     organisation=link.organisation)
    Invitation.objects.filter(pk=link.pk).update(used_at=timezone.now(), user=member)
    return member


def reset_link(user: Visitor, slug: str, user_id: int) -> IssuedLink:
    admin, organisation = _admin(user, slug)
    target = _member(organisation, user_id)
    if target == admin:
        raise Refused(["Change your own password on the 'Change your password' page"], ["reset"])
    if not target.is_active:
        raise Refused([f"{target.get_username()}'s account is deactivated: reactivate it first"], ["reset"])
    if not _governs(admin, target):
        raise Refused([f"{target.get_username()} also works for an organisation you do not administer: their "
                       "admin there, or an admin of every organisation they belong to, can reset their password"],
                      ["reset"])
    with transaction.atomic():
        issued = _issue(Invitation.RESET, organisation, target.get_username(), admin, target=target)
        audit.record(admin.get_username(), "password_reset_link_issued", {"username": target.get_username()},
                     organisation=organisation)
    return issued


def change_password(user: User, password: str) -> None:
    """The signed-in person's new password (the form has checked the old one and the validators)."""
    with transaction.atomic():
        user.set_password(password)
        user.save()
        audit.record(user.get_username(), "password_changed", {"username": user.get_username()})


# -- roles, memberships and accounts -------------------------------------------------------------------------------


def _member(organisation: Organisation, user_id: int) -> User:
    found = User.objects.filter(pk=user_id, memberships__organisation=organisation).distinct().first()
    if found is None:
        raise NotFound("no such member")
    return found


def _lock(organisation: Organisation) -> None:
    """Serialise changes to an organisation's people, so two admins cannot each remove the other as the last."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _without_admin(organisations: set[int]) -> list[str]:
    """The organisations (of those given) that have no active admin: checked after a change, before commit."""
    staffed = set(Membership.objects.filter(organisation__in=organisations, role=Role.ADMIN.value,
                                            user__is_active=True).values_list("organisation", flat=True))
    return sorted(Organisation.objects.filter(pk__in=organisations - staffed).values_list("name", flat=True))


def _keep_an_admin(organisations: set[int], field: str) -> None:
    if orphaned := _without_admin(organisations):
        raise Refused([f"{name} would have no admin left: make someone else an admin first" for name in orphaned],
                      [field] * len(orphaned))


def give_role(user: Visitor, slug: str, user_id: int, role: Role) -> None:
    admin, organisation = _admin(user, slug)
    target = _member(organisation, user_id)
    if role not in ORGANISATION_ROLES:
        raise Refused([f"{role.value} is not an organisation role"], ["role"])
    if Membership.objects.filter(user=target, organisation=organisation, role=role.value).exists():
        raise Refused([f"{target.get_username()} is already {role.value} in {organisation.name}"], ["role"])
    with transaction.atomic():
        _lock(organisation)
        Membership.objects.create(user=target, organisation=organisation, role=role.value)
        # the plain membership row is no longer needed once the person holds a role here
        Membership.objects.filter(user=target, organisation=organisation, role="").delete()
        audit.record(admin.get_username(), "organisation_role_given",
                     {"username": target.get_username(), "role": role.value}, organisation=organisation)


def remove_role(user: Visitor, slug: str, user_id: int, role: Role) -> None:
    admin, organisation = _admin(user, slug)
    target = _member(organisation, user_id)
    held = Membership.objects.filter(user=target, organisation=organisation, role=role.value).first()
    if held is None:
        raise Refused([f"{target.get_username()} is not {role.value} in {organisation.name}"], ["role"])
    with transaction.atomic():
        _lock(organisation)
        if Membership.objects.filter(user=target, organisation=organisation).count() == 1:
            held.role = ""  # their only membership: they stay a plain member
            held.save()
        else:
            held.delete()
        _keep_an_admin({organisation.pk}, "role")
        audit.record(admin.get_username(), "organisation_role_removed",
                     {"username": target.get_username(), "role": role.value}, organisation=organisation)


def remove_member(user: Visitor, slug: str, user_id: int) -> None:
    """Take a person out of this organisation: their memberships and their roles on its tenders go; their past
    records (scores, declarations, audit entries) stay. Their account and other organisations are untouched."""
    admin, organisation = _admin(user, slug)
    target = _member(organisation, user_id)
    with transaction.atomic():
        _lock(organisation)
        tender_roles = TenderRole.objects.filter(user=target, tender__organisation=organisation)
        dropped = sorted(f"{reference}: {role}" for reference, role in
                         tender_roles.values_list("tender__reference", "role"))
        tender_roles.delete()
        Membership.objects.filter(user=target, organisation=organisation).delete()
        # a reset link this organisation's admin issued is no longer theirs to give
        Invitation.objects.filter(organisation=organisation, user=target, used_at__isnull=True).delete()
        _keep_an_admin({organisation.pk}, "remove")
        audit.record(admin.get_username(), "member_removed",
                     {"username": target.get_username(), "tender_roles_removed": dropped}, organisation=organisation)


def set_active(user: Visitor, slug: str, user_id: int, active: bool) -> None:
    """Deactivate (no sign-in, no session, no API token) or reactivate an account; records stay."""
    admin, organisation = _admin(user, slug)
    target = _member(organisation, user_id)
    problems = []
    if target == admin:
        problems.append("You cannot deactivate or reactivate your own account")
    elif not _governs(admin, target):
        problems.append(f"{target.get_username()} also works for an organisation you do not administer: remove "
                        f"them from {organisation.name} instead, or ask an admin of every organisation they belong "
                        "to")
    elif target.is_active == active:
        problems.append(f"{target.get_username()} is already {'active' if active else 'deactivated'}")
    if problems:
        raise Refused(problems, ["active"])
    with transaction.atomic():
        organisations = set(Membership.objects.filter(user=target).values_list("organisation", flat=True))
        for each in Organisation.objects.filter(pk__in=organisations).order_by("pk"):
            _lock(each)
        User.objects.filter(pk=target.pk).update(is_active=active)
        _keep_an_admin(organisations, "active")
        if active:
            audit.record(admin.get_username(), "account_reactivated", {"username": target.get_username()},
                         organisation=organisation)
        else:
            audit.record(admin.get_username(), "account_deactivated", {"username": target.get_username()},
                         organisation=organisation)
