"""Seed the demo world (once) and print the sign-ins."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser

from commonweal.web.demo import seed_demo
from commonweal.web.models import Organisation


class Command(BaseCommand):
    help = "Seed the demo: a shared service serving two councils, a user per role, the example tender."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where the server will listen.")

    def handle(self, *args: Any, **options: Any) -> None:
        if Organisation.objects.exists():
            # Already seeded: keep the data, issue fresh passwords so the printed sign-ins work.
            passwords = {}
            for user in User.objects.order_by("username"):
                passwords[user.username] = secrets.token_urlsafe(12)
                user.set_password(passwords[user.username])
                user.save()
            self.stdout.write("Demo data already present; fresh passwords issued.")
        else:
            passwords = seed_demo().passwords
        self.stdout.write(
            "\nCommonweal demo: Northfield and Southdale councils, served by one shared procurement service.\n"
            "Northfield's home care tender is in evaluation (evaluator1 and evaluator2 have scored; evaluator3 has\n"
            "not yet declared conflicts of interest); Southdale's copy has its prices opened.\n"
            f"Sign in at {options['url']} as:"
        )
        for username, password in passwords.items():
            self.stdout.write(f"  {username:<24} {password}")
