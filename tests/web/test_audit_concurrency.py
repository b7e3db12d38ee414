"""Concurrent audited writes on the real database (SQLite here; PostgreSQL when scripts/test.sh re-runs `-m db`):
each thread has its own connection and saves scores through the data layer, as server workers do. Every write must
succeed, be stored, and be audited, and every chain must verify."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection, connections

from commonweal.web import audit, engine
from commonweal.web.access import tender_access
from commonweal.web.models import AuditEntry, Score
from commonweal.web.tenders import data

THREADS = 8
WRITES_PER_THREAD = 6


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_concurrent_score_writes_are_all_stored_audited_and_chained(world) -> None:
    tender = world["northfield"]
    southdale = world["southdale"]
    evaluator = tender_access(User.objects.get(username="evaluator1"), tender.pk)
    bids = [b for b in data.bids(evaluator) if b.lot_id == data.bids(evaluator)[0].lot_id]
    criteria = [c for c in data.criteria(evaluator) if c.lot_id == bids[0].lot_id]
    allowed = {c.pk: engine.criterion_scale(c).scores for c in criteria}
    before = Counter(AuditEntry.objects.filter(action="score_recorded").values_list("actor", flat=True))
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    done: list[tuple[str, int, int, Decimal]] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        # two evaluators share the threads, so some writes race on the same score row as well as on the chain head
        username = ("evaluator1", "evaluator2")[number % 2]
        try:
            access = tender_access(User.objects.get(username=username), tender.pk)
            other = tender_access(
                User.objects.get(username=("southdale.commissioner", "shared.commissioner")[number]), southdale.pk
            ) if number < 2 else None
            start.wait()
            for i in range(WRITES_PER_THREAD):
                bid = bids[(number + i) % len(bids)]
                criterion = criteria[i % len(criteria)]
                value = Decimal(allowed[criterion.pk][(number + i) % len(allowed[criterion.pk])])
                data.record_score(access, bid.id, criterion.pk, value, f"thread {number} write {i}")
                with lock:
                    done.append((username, bid.id, criterion.pk, value))
                if other is not None:  # another organisation's chain, written at the same time
                    data.record_download(other, "concurrency check", {"format": "csv", "rows": i})
        except BaseException as exc:  # every failure is a finding, reported below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    connections.close_all()

    assert errors == [], f"{len(errors)} writes failed, first: {errors[0]!r}"
    assert len(done) == THREADS * WRITES_PER_THREAD
    # every successful write is audited once, by its author
    after = Counter(AuditEntry.objects.filter(action="score_recorded").values_list("actor", flat=True))
    assert after - before == Counter(username for username, *_ in done)
    # and stored: each score row holds the value of its last audited write
    for username, bid_id, criterion_id, _value in done:
        last = (AuditEntry.objects.filter(action="score_recorded", actor=username, detail__bid=bid_id,
                                          detail__criterion=next(c.reference for c in criteria
                                                                 if c.pk == criterion_id))
                .order_by("-sequence").first())
        stored = Score.objects.get(bid_id=bid_id, criterion_id=criterion_id, evaluator__username=username)
        assert last is not None and Decimal(str(last.detail["score"])) == stored.score
    assert AuditEntry.objects.filter(tender=southdale, action="downloaded",
                                     detail__what="concurrency check").count() == 2 * WRITES_PER_THREAD
    # every chain intact: contiguous sequences, links, hashes and MACs
    reports = audit.verify_all()
    assert {r.chain for r in reports} >= {"northfield", "southdale"}
    assert [r.problems for r in reports] == [() for _ in reports]


def _flaky(failures: list[Exception]):
    """A write that fails with each of `failures` in turn, then succeeds; it counts its calls."""
    calls: list[int] = []

    @audit.retrying
    def write() -> str:
        calls.append(1)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "saved"

    return write, calls


def test_a_write_the_database_refused_for_a_transient_reason_is_re_run(monkeypatch) -> None:
    monkeypatch.setattr(audit, "RETRY_FIRST_PAUSE_SECONDS", 0)
    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = psycopg.errors.DeadlockDetected()  # what Django wraps on PostgreSQL: sqlstate 40P01
    write, calls = _flaky([OperationalError("database is locked"), deadlock])
    assert write() == "saved" and len(calls) == 3


def test_other_errors_and_too_many_refusals_are_not_hidden(monkeypatch) -> None:
    monkeypatch.setattr(audit, "RETRY_FIRST_PAUSE_SECONDS", 0)
    write, calls = _flaky([OperationalError("no such table: web_score")])
    with pytest.raises(OperationalError, match="no such table"):
        write()
    assert len(calls) == 1
    write, calls = _flaky([OperationalError("database is locked")] * audit.RETRY_ATTEMPTS)
    with pytest.raises(OperationalError, match="locked"):
        write()
    assert len(calls) == audit.RETRY_ATTEMPTS
