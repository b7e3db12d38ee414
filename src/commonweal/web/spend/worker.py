"""The spend import worker: a small queue kept in the database (the `SpendImport` rows waiting), so a self-hosted
service needs nothing beyond its database (SQLite or PostgreSQL) to import in the background; the import survives
the request that uploaded it. Start it beside the server with `commonweal web worker` (the `spend_worker`
management command); `commonweal web demo` starts one itself. See docs/spend-workspace.md.

A job is claimed by one conditional UPDATE (status pending -> running), which exactly one worker wins on either
database; the spend store takes imports into one organisation's store in turn (its own file lock).

The claim is a lease: it carries a token of its own and a heartbeat the running import refreshes (from its progress,
at least every quarter of `COMMONWEAL_SPEND_LEASE_SECONDS`). A running job whose heartbeat is older than the lease
lost its worker (killed, out of memory, the machine restarted): the next claim queues it again, or, once it has been
started `COMMONWEAL_SPEND_MAX_ATTEMPTS` times, fails it with that reason. The import stays all-or-nothing (the
store's version swap), and re-importing the same file replaces rather than doubles it; only the claim whose token
still holds the job marks it done, so a job is reported and audited as imported once.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from commonweal.io.errors import InputError
from commonweal.io.spend.layout import ColumnMap, stated_period
from commonweal.web import audit
from commonweal.web.spend.data import refresh_figures, store_folder, upload_path
from commonweal.web.spend.models import SpendImport

# Problems that a person can resolve by stating the layout on the mapping screen (the reader's own words).
_ASK = ("no header row found", "could each hold", "no column for", "holds no date", "reads both as day/month",
        "the column map names header")
# Rows shown on the mapping screen, from the top of the file (Commonweal default).
SAMPLE_ROWS = 15
# How often a running import writes its progress, in rows (Commonweal default).
PROGRESS_EVERY = 20_000


def _stated(job: SpendImport) -> ColumnMap | None:
    stated = job.column_map or {}
    if not stated:
        return None
    return ColumnMap(columns=dict(stated.get("columns") or {}), header_row=stated.get("header_row"),
                     date_order=stated.get("date_order"),
                     period=stated_period(stated["period"]) if stated.get("period") else None)


def sample(path: Path) -> list[list[str]]:
    """The first rows of the file's first table, as the reader sees them, for the mapping screen."""
    from commonweal.io.spend.reader import read_tables

    try:
        sheets, _ = read_tables(path, path.read_bytes())
    except (OSError, ValueError, InputError):
        return []
    return [list(r) for r in sheets[0][1][:SAMPLE_ROWS]] if sheets else []


def claim() -> SpendImport | None:
    """The oldest waiting job, claimed by this worker (None when none waits or another worker won it); jobs whose
    worker was lost are queued again (or failed) first."""
    requeue_lost()
    for pk in SpendImport.objects.filter(status=SpendImport.PENDING).order_by("pk").values_list("pk", flat=True)[:5]:
        now = timezone.now()
        if SpendImport.objects.filter(pk=pk, status=SpendImport.PENDING).update(
                status=SpendImport.RUNNING, started_at=now, heartbeat_at=now, rows_done=0,
                claimed_by=uuid.uuid4().hex, attempts=F("attempts") + 1):
            return SpendImport.objects.select_related("organisation", "uploaded_by").get(pk=pk)
    return None


def requeue_lost() -> int:
    """Queue again each running job whose worker stopped telling the database it is alive for the whole lease; fail
    it, with that reason, once it has been started the maximum number of times. How many were found."""
    limit = timezone.now() - timedelta(seconds=settings.COMMONWEAL_SPEND_LEASE_SECONDS)
    lost = SpendImport.objects.filter(Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True),
                                      status=SpendImport.RUNNING).select_related("organisation")
    for job in lost:
        gave_up = job.attempts >= settings.COMMONWEAL_SPEND_MAX_ATTEMPTS
        change: dict[str, object] = {"status": SpendImport.PENDING, "claimed_by": ""}
        if gave_up:
            change = {"status": SpendImport.FAILED, "finished_at": timezone.now(), "problems": [
                {"row": None, "column": None,
                 "message": f"the import was started {job.attempts} times and each time its worker stopped before it "
                            f"finished (the process was killed, ran out of memory or the machine restarted); "
                            f"nothing from it was saved. Upload the file again to retry, or ask your administrator "
                            f"to check the spend worker's memory and logs"}]}
        with transaction.atomic():
            # conditional on the claim: a worker that came back and finished meanwhile keeps its result
            if SpendImport.objects.filter(pk=job.pk, status=SpendImport.RUNNING,
                                          claimed_by=job.claimed_by).update(**change):
                if gave_up:
                    audit.record("spend worker", "spend_import_failed",
                                 {"file": job.file_name, "attempts": job.attempts}, organisation=job.organisation)
                else:
                    audit.record("spend worker", "spend_import_requeued",
                                 {"file": job.file_name, "attempts": job.attempts}, organisation=job.organisation)
    return len(lost)


def _heartbeat(job: SpendImport) -> bool:
    """Tell the database this claim's import is alive; False when the claim was lost (the job queued again)."""
    return bool(SpendImport.objects.filter(pk=job.pk, status=SpendImport.RUNNING, claimed_by=job.claimed_by)
                .update(heartbeat_at=timezone.now()))


def run(job: SpendImport) -> SpendImport:
    """Import one claimed job into its organisation's spend store, then store the refreshed report."""
    from commonweal.services import spend as service

    organisation = job.organisation
    done = 0
    beat = time.monotonic()
    every = settings.COMMONWEAL_SPEND_LEASE_SECONDS / 4

    def progress(rows: int) -> None:
        nonlocal done, beat
        before, done = done, done + rows
        if done // PROGRESS_EVERY != before // PROGRESS_EVERY:
            SpendImport.objects.filter(pk=job.pk, claimed_by=job.claimed_by).update(rows_done=done)
        if time.monotonic() - beat >= every:
            beat = time.monotonic()
            _heartbeat(job)

    started = time.perf_counter()
    path = upload_path(job)
    try:
        reports = service.import_files([path], store_folder(organisation), column_map=_stated(job),
                                       progress=progress)
    except (InputError, ValueError) as exc:
        problems = ([{"row": p.row, "column": p.column, "message": p.message} for p in exc.problems]
                    if isinstance(exc, InputError) else [{"row": None, "column": None, "message": str(exc)}])
        ask = any(m in str(p["message"]) for p in problems for m in _ASK)
        with transaction.atomic():
            if _claimed(job).update(
                    status=SpendImport.NEEDS_MAPPING if ask else SpendImport.FAILED, problems=problems,
                    finished_at=timezone.now(), processing_seconds=time.perf_counter() - started,
                    sample=sample(path) if ask else []):
                audit.record("spend worker", "spend_import_stopped",
                             {"file": job.file_name, "problems": len(problems), "asks_for_mapping": ask},
                             organisation=organisation)
        job.refresh_from_db()
        return job
    report = reports[0]
    report["file"] = job.file_name  # the name as uploaded, not the stored copy's
    _heartbeat(job)
    with transaction.atomic():
        refresh_figures(organisation)
        seconds = time.perf_counter() - started  # the import and the report's figures: all the worker does
        # only while this claim holds the job: had its lease run out, the job was queued again and its result
        # (the same file into the same store: the same rows) is the other worker's to record, so never twice
        if _claimed(job).update(
                status=SpendImport.DONE, report=report, rows_done=report["rows_read"], finished_at=timezone.now(),
                processing_seconds=seconds):
            audit.record("spend worker", "spend_imported",
                         {"file": job.file_name, "rows_read": report["rows_read"],
                          "rows_loaded": report["rows_loaded"], "rows_rejected": report["rows_rejected"],
                          "total_amount": report["total_amount"]}, organisation=organisation)
    job.refresh_from_db()
    return job


def _claimed(job: SpendImport) -> QuerySet[SpendImport]:
    return SpendImport.objects.filter(pk=job.pk, status=SpendImport.RUNNING, claimed_by=job.claimed_by)


def run_pending() -> int:
    """Run every waiting job now, one after another; how many ran (the demo's seeding and the tests use it)."""
    ran = 0
    while (job := claim()) is not None:
        run(job)
        ran += 1
    return ran


def warm() -> None:
    """Load the import's and the report's libraries (Ibis, DuckDB, pandas, polars) once, when the worker starts, so
    no import pays for loading them."""
    from commonweal.analytics import spend as analytics
    from commonweal.services import spend as service  # noqa: F401  (loaded for its imports)

    analytics.connect().raw_sql("SELECT 1")
    import pandas  # noqa: F401  (Ibis loads it for results)


def serve(poll_seconds: float = 1.0, until_empty: bool = False, stop: threading.Event | None = None) -> None:
    """Run jobs as they arrive (or, with `until_empty`, until none waits; or until `stop` is set)."""
    warm()
    stop = stop or threading.Event()
    while not stop.is_set():
        if not run_pending() and until_empty:
            return
        stop.wait(poll_seconds)
