"""Upgrading a deployment's database: data written under an old schema survives the migrations that reshape it.

`0003_audit_chains` turns the single audit chain spanning every organisation into one sealed chain per
organisation. A deployment that ran 0002 has real entries; the upgrade must re-chain them in order and seal them
(so each council can verify its own trail), and must refuse to re-chain an old chain that was edited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonweal.domain.audit import GENESIS, entry_hash

pytestmark = [pytest.mark.db, pytest.mark.django_db(transaction=True)]

BEFORE = [("web", "0002_bid_offers")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # the applied set changed: the next state must be read afresh
    return executor


@pytest.fixture
def at_0002() -> Iterator[MigrationExecutor]:
    """The schema as 0002 left it; afterwards every app back at its latest migration for the other tests."""
    executor = _migrate(BEFORE)
    try:
        yield executor
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _old_single_chain(executor: MigrationExecutor) -> list[int]:
    """Write four entries under 0002: one chain across two organisations and the deployment, unsealed."""
    apps = executor.loader.project_state(BEFORE).apps
    organisation = apps.get_model("web", "Organisation")
    entry = apps.get_model("web", "AuditEntry")
    north = organisation.objects.create(name="Northfield", slug="northfield")
    south = organisation.objects.create(name="Southdale", slug="southdale")
    previous = GENESIS
    for sequence, (org, action) in enumerate(
        [(north, "tender created"), (None, "organisation created"), (south, "tender created"),
         (north, "stage changed")], start=1):
        record = {"sequence": sequence, "at": f"2025-01-0{sequence}T09:00:00+00:00", "actor": "admin",
                  "action": action, "organisation": org.pk if org else None, "tender": None,
                  "detail": {"n": sequence}}
        digest = entry_hash(previous, record)
        entry.objects.create(sequence=sequence, at=record["at"], actor="admin", action=action, organisation=org,
                             detail=record["detail"], previous_hash=previous, hash=digest)
        previous = digest
    return [north.pk, south.pk]


def test_an_intact_single_chain_is_rechained_per_organisation_and_sealed(at_0002) -> None:
    north_id, south_id = _old_single_chain(at_0002)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from commonweal.web.audit import verify_all
    from commonweal.web.models import AuditEntry, Organisation

    reports = {report.chain: report for report in verify_all()}
    assert all(report.problems == () for report in reports.values()), reports
    assert sorted(report.entries for report in reports.values()) == [1, 1, 2]
    north = AuditEntry.objects.filter(organisation_id=north_id).order_by("sequence")
    # Northfield's two entries, in their original order, now numbered 1 and 2 on its own chain, each sealed
    assert [(e.sequence, e.action, e.detail["n"]) for e in north] == [(1, "tender created", 1), (2, "stage changed", 4)]
    assert all(e.mac and e.key_id for e in north)
    assert north[0].previous_hash == GENESIS and north[1].previous_hash == north[0].hash
    assert AuditEntry.objects.get(organisation_id=south_id).sequence == 1
    assert Organisation.objects.get(pk=north_id).audit_head.sequence == 2


def test_an_edited_old_chain_stops_the_upgrade(at_0002) -> None:
    _old_single_chain(at_0002)
    entry = at_0002.loader.project_state(BEFORE).apps.get_model("web", "AuditEntry")
    entry.objects.filter(sequence=2).update(detail={"n": 99})  # history rewritten without recomputing hashes
    with pytest.raises(RuntimeError, match="the existing audit chain is broken"):
        _migrate([("web", "0003_audit_chains")])
    # nothing was re-chained: the schema is still 0002's, and the old entries are as they were
    recorder = MigrationExecutor(connection).loader.applied_migrations
    assert ("web", "0003_audit_chains") not in recorder
    assert entry.objects.count() == 4
    entry.objects.all().delete()  # so that the fixture can bring the schema back up to date
