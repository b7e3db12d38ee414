"""The demo world: one shared service serving two councils, a user per role, and the example tender part-way
through evaluation. Used by `commonweal web demo` and by the tests, so the demo is what the tests exercise."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from commonweal.domain.lifecycle import Role
from commonweal.web.models import Membership, Organisation, Tender, TenderRole

SHARED_SERVICE = "Northfield and Southdale Shared Procurement Service"
COUNCILS = ("Northfield Borough Council", "Southdale District Council")

# One user per role on Northfield's example tender; `shared.commissioner` works for both councils through the
# shared service, and `southdale.commissioner` belongs to Southdale only (to show the isolation).
ROLE_USERS = {
    "commissioner": Role.COMMISSIONER,
    "evaluator1": Role.EVALUATOR,
    "evaluator2": Role.EVALUATOR,
    "moderator": Role.MODERATOR,
    "finance": Role.FINANCE,
    "viewer": Role.VIEWER,
    "admin": Role.ADMIN,
}


@dataclass(frozen=True)
class DemoWorld:
    shared_service: Organisation
    northfield: Organisation
    southdale: Organisation
    passwords: dict[str, str]


def _user(username: str, passwords: dict[str, str], password: str | None) -> User:
    chosen = password or secrets.token_urlsafe(12)
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(chosen)
    user.save()
    passwords[username] = chosen
    return user


@transaction.atomic
def seed_people(password: str | None = None) -> DemoWorld:
    """Organisations, users and organisation roles. Passwords are random per seed unless `password` is given."""
    shared, _ = Organisation.objects.get_or_create(slug="shared-service", defaults={"name": SHARED_SERVICE})
    northfield, _ = Organisation.objects.get_or_create(
        slug="northfield", defaults={"name": COUNCILS[0], "served_by": shared}
    )
    southdale, _ = Organisation.objects.get_or_create(
        slug="southdale", defaults={"name": COUNCILS[1], "served_by": shared}
    )
    passwords: dict[str, str] = {}
    for name in ROLE_USERS:
        user = _user(name, passwords, password)
        Membership.objects.get_or_create(
            user=user, organisation=northfield,
            role=ROLE_USERS[name].value if name in ("admin", "viewer") else "",
        )
    shared_commissioner = _user("shared.commissioner", passwords, password)
    for council in (northfield, southdale):
        Membership.objects.get_or_create(user=shared_commissioner, organisation=council, role=Role.COMMISSIONER.value)
    southdale_commissioner = _user("southdale.commissioner", passwords, password)
    Membership.objects.get_or_create(
        user=southdale_commissioner, organisation=southdale, role=Role.COMMISSIONER.value
    )
    return DemoWorld(shared, northfield, southdale, passwords)


def assign_tender_roles(tender: Tender) -> None:
    """Each named demo user takes its role on `tender` (organisation-wide roles are already memberships)."""
    for name, role in ROLE_USERS.items():
        if role in (Role.ADMIN, Role.VIEWER):
            continue
        TenderRole.objects.get_or_create(tender=tender, user=User.objects.get(username=name), role=role.value)
