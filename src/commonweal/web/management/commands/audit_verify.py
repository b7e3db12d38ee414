"""`commonweal audit verify`: check the audit chains (one per organisation, and the deployment's); one line per
chain; exit 1 on any edited, rewritten or deleted entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.web import audit
from commonweal.web.models import AuditHead, Organisation


def organisation_named(slug: str | None) -> Organisation | None:
    """The organisation with this slug; None for the deployment's chain ("deployment")."""
    if slug is None or slug == AuditHead.DEPLOYMENT:
        return None
    found = Organisation.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"there is no organisation with the slug {slug!r}")
    return found


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains and their MACs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", default=None,
            help="check only this organisation's chain (its slug; 'deployment' for entries of no organisation)",
        )
        parser.add_argument(
            "--head", default=None,
            help="the head hash recorded earlier (for example on a statutory report); with --organisation, a chain "
                 "that no longer ends in it, or no longer contains it, has lost entries from its end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug, expected = options["organisation"], options["head"]
        if expected and slug is None:
            raise CommandError("--head needs --organisation: each organisation's chain has its own head")
        reports = [audit.verify_one(organisation_named(slug))] if slug else audit.verify_all()
        if not reports:
            self.stdout.write("no audit entries yet: nothing to verify")
        failed = 0
        for report in reports:
            problems = list(report.problems)
            if expected and report.head.hash != expected:
                problems.append(f"the chain's head is {report.head.hash}, not the expected {expected}: "
                                "entries were removed or added")
            if problems:
                failed += 1
                self.stdout.write(f"{report.chain}: TAMPERED: {len(problems)} problems in {report.entries} entries")
                for problem in problems:
                    self.stderr.write(f"audit: {report.chain}: {problem}")
            else:
                self.stdout.write(f"{report.chain}: intact: {report.entries} entries, head {report.head.sequence} "
                                  f"{report.head.hash}")
        if failed:
            raise CommandError(f"the audit trail has been tampered with ({failed} of {len(reports)} chains)")
