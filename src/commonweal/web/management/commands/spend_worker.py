"""Run the spend import worker: `commonweal web worker` (see commonweal.web.spend.worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from commonweal.web.spend import worker


class Command(BaseCommand):
    help = "Import uploaded spend files in the background (a queue kept in the database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until-empty", action="store_true", help="Stop when no import waits.")
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds between looks for new imports.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker.serve(poll_seconds=options["poll"], until_empty=options["until_empty"])
