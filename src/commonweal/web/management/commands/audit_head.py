"""`commonweal audit head`: print where an organisation's audit chain ends now (sequence, hash, MAC), to record
on a statutory document or export, so a later `commonweal audit verify --head` detects entries cut from the end."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from commonweal.web import audit
from commonweal.web.management.commands.audit_verify import organisation_named


class Command(BaseCommand):
    help = "Print the current head of an organisation's audit chain as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True,
                            help="the organisation's slug ('deployment' for entries of no organisation)")

    def handle(self, *args: Any, **options: Any) -> None:
        found = audit.head(organisation_named(options["organisation"]))
        self.stdout.write(json.dumps({"chain": found.chain, "sequence": found.sequence, "hash": found.hash,
                                      "mac": found.mac}))
