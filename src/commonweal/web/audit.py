"""Writing and checking the audit chain in the database."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from commonweal.domain.audit import GENESIS, ChainedEntry, entry_hash, verify_chain
from commonweal.web.models import AuditEntry, Organisation, Tender


def record(
    actor: str,
    action: str,
    detail: Mapping[str, object],
    organisation: Organisation | None = None,
    tender: Tender | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Call it inside the transaction that makes the change, so the change and its
    record are saved together or not at all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction that makes the change")
    # Lock the chain's head so two writers cannot both link to it (PostgreSQL; SQLite serialises writers).
    last = AuditEntry.objects.select_for_update().order_by("-sequence").first()
    entry = AuditEntry(
        sequence=(last.sequence + 1) if last else 1,
        at=timezone.now().isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        organisation=organisation if organisation is not None else (tender.organisation if tender else None),
        tender=tender,
        detail=dict(detail),
        previous_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry.previous_hash, entry.record())
    entry.save()
    return entry


def verify() -> tuple[int, str, tuple[str, ...]]:
    """(entries checked, head hash, problems) for the whole chain."""
    entries = list(AuditEntry.objects.order_by("sequence"))
    problems = verify_chain(
        ChainedEntry(sequence=e.sequence, record=e.record(), previous_hash=e.previous_hash, hash=e.hash)
        for e in entries
    )
    return len(entries), entries[-1].hash if entries else GENESIS, problems
