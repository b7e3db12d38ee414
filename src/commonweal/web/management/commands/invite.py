"""Invite a person to an organisation and print their one-time link (there is no mail server)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from commonweal.domain.lifecycle import Role
from commonweal.web.access import NotFound, Refused
from commonweal.web.people.data import ORGANISATION_ROLES, invite_from_command_line


class Command(BaseCommand):
    help = "Invite USERNAME to the organisation ORGANISATION_SLUG and print the one-time link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation")
        parser.add_argument("username")
        parser.add_argument("--role", default="member", choices=["member", *(r.value for r in ORGANISATION_ROLES)])
        parser.add_argument("--name", default="", help="The person's full name.")
        parser.add_argument("--base-url", default=settings.COMMONWEAL_BASE_URL,
                            help="The service's address, put in front of the link's path.")

    def handle(self, *args: Any, **options: Any) -> None:
        role = None if options["role"] == "member" else Role(options["role"])
        try:
            issued = invite_from_command_line(options["organisation"], options["username"], options["name"], role)
        except NotFound as exc:
            raise CommandError(str(exc)) from exc
        except Refused as refused:
            raise CommandError("; ".join(refused.problems)) from refused
        link = options["base_url"].rstrip("/") + reverse("join", args=[issued.token])
        self.stdout.write(f"One-time link for {issued.username} (works once, until "
                          f"{issued.expires_at.isoformat(timespec='minutes')}):")
        self.stdout.write(link)
