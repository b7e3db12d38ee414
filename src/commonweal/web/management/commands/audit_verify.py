"""`commonweal audit verify`: check the whole audit hash chain; exit 1 on any edited or deleted entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.web import audit


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head", default=None,
            help="the head hash recorded earlier (for example in a signed report); a chain that no longer ends in it "
                 "has lost entries from its end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, head, problems = audit.verify()
        expected = options["head"]
        if expected and head != expected:
            problems += (f"the chain's head is {head}, not the expected {expected}: entries were removed or added",)
        if problems:
            for problem in problems:
                self.stderr.write(f"audit: {problem}")
            raise CommandError(f"the audit trail has been tampered with ({len(problems)} problems in {count} entries)")
        self.stdout.write(f"audit trail intact: {count} entries, head {head}")
