"""The spend queue survives its worker: a worker killed mid-import (SIGKILL, as the OOM killer or a power cut does)
leaves its job running with a heartbeat that stops; once the lease has passed the next worker queues it again and
imports it, with the right rows and total, recorded once. A job whose worker is lost too often is failed with its
reason, shown on the import's page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from commonweal.domain.lifecycle import Role
from commonweal.io.spend.store import SpendStore
from commonweal.web.models import AuditEntry, Membership, Organisation
from commonweal.web.spend import data, worker
from commonweal.web.spend.models import SpendFigures, SpendImport

pytestmark = [pytest.mark.db, pytest.mark.django_db(transaction=True)]

COMMONWEAL = str(Path(sys.executable).parent / "commonweal")
ROWS = 150_000  # enough for the row-level reader to be seconds into the file when the worker is killed
LEASE = 2.0


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "COMMONWEAL_SPEND_DIR": settings.COMMONWEAL_SPEND_DIR,
           "COMMONWEAL_SPEND_LEASE_SECONDS": str(LEASE)}
    return subprocess.Popen([COMMONWEAL, "web", "worker", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _spend_file() -> tuple[bytes, Decimal]:
    amounts = [Decimal(f"{(i * 7919) % 100_000}.{i % 100:02d}") + 1 for i in range(ROWS)]
    lines = ["Payment Date,Supplier Name,Amount,Service Area"]
    lines += [f"{1 + i % 28:02d}/{1 + i % 12:02d}/2025,Supplier {i % 5000} Ltd,{a},Service {i % 9}"
              for i, a in enumerate(amounts)]
    return ("\r\n".join(lines) + "\r\n").encode(), sum(amounts, Decimal(0))


def test_a_job_whose_worker_is_killed_mid_import_is_completed_once_by_the_next_worker() -> None:
    county = Organisation.objects.create(name="A County Council", slug="county")
    person = User.objects.create_user("commissioner")
    Membership.objects.create(user=person, organisation=county, role=Role.COMMISSIONER.value)
    content, total = _spend_file()
    job = data.upload(person, "county", "county_2025-26.csv", content)

    first = _worker()
    try:
        deadline = time.monotonic() + 180
        while SpendImport.objects.get(pk=job.pk).rows_done == 0:  # progress written: the worker is in the file
            assert first.poll() is None and time.monotonic() < deadline, "the worker never got into the file"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (SpendImport.RUNNING, 1)  # killed mid-import, not finished
    assert SpendStore(data.store_folder(county)).reports() == []  # nothing partial visible
    assert not SpendFigures.objects.filter(organisation=county).exists()

    time.sleep(LEASE + 0.5)  # the killed worker's lease runs out
    second = _worker("--until-empty")
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (SpendImport.DONE, 2)
    assert job.report is not None
    assert (job.report["rows_read"], job.report["rows_loaded"]) == (ROWS, ROWS)
    assert Decimal(job.report["total_amount"]) == total
    # in the store once: one import report, the report's total not doubled
    assert [r["rows_loaded"] for r in SpendStore(data.store_folder(county)).reports()] == [ROWS]
    figures = SpendFigures.objects.get(organisation=county)
    assert sum(Decimal(c["total"]) for c in figures.cells) == total
    actions = list(AuditEntry.objects.filter(organisation=county).values_list("action", flat=True))
    assert actions.count("spend_imported") == 1 and actions.count("spend_import_requeued") == 1


def test_a_job_whose_worker_is_lost_too_often_fails_with_its_reason_on_its_page(world, client_for) -> None:
    northfield = world["seeded"].northfield
    job = SpendImport.objects.filter(organisation=northfield).first()
    assert job is not None
    stale = timezone.now() - timedelta(seconds=settings.COMMONWEAL_SPEND_LEASE_SECONDS + 1)
    SpendImport.objects.filter(pk=job.pk).update(status=SpendImport.RUNNING, heartbeat_at=stale, claimed_by="gone",
                                                 attempts=settings.COMMONWEAL_SPEND_MAX_ATTEMPTS - 1)
    worker.requeue_lost()
    job.refresh_from_db()
    assert job.status == SpendImport.PENDING  # one attempt left: queued again
    SpendImport.objects.filter(pk=job.pk).update(status=SpendImport.RUNNING, heartbeat_at=stale, claimed_by="gone",
                                                 attempts=settings.COMMONWEAL_SPEND_MAX_ATTEMPTS)
    worker.requeue_lost()
    job.refresh_from_db()
    assert job.status == SpendImport.FAILED
    page = client_for("shared.commissioner").get(f"/organisations/northfield/spend/imports/{job.pk}/")
    assert "each time its worker stopped before it finished" in page.content.decode()
    assert AuditEntry.objects.filter(action="spend_import_failed", detail__file=job.file_name).exists()


def test_a_worker_whose_lease_was_lost_does_not_record_the_job_as_its_own(world) -> None:
    job = worker.claim()
    assert job is not None
    # meanwhile its lease ran out and another worker claimed the job again
    SpendImport.objects.filter(pk=job.pk).update(claimed_by="another worker", attempts=2)
    worker.run(job)
    job.refresh_from_db()
    assert (job.status, job.claimed_by) == (SpendImport.RUNNING, "another worker")
    assert not AuditEntry.objects.filter(action="spend_imported", detail__file=job.file_name).exists()


def test_a_live_worker_keeps_its_job(world) -> None:
    job = worker.claim()
    assert job is not None
    assert worker.requeue_lost() == 0  # its heartbeat is fresh
    job.refresh_from_db()
    assert job.status == SpendImport.RUNNING and job.attempts == 1
