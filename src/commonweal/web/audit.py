"""Writing and checking the audit chains in the database: one chain per organisation, plus the deployment's chain
for entries that belong to no organisation (an API token issued to a user, who may work for several councils).

Each entry is hash-chained and sealed with an HMAC under the audit key, which lives outside the database
(`COMMONWEAL_AUDIT_KEY`, else generated once into `var/audit_key`), so rewriting the table and recomputing every
hash is detected by `verify`. Writers lock their chain's head row, so concurrent writes serialise on PostgreSQL and
SQLite alike; `retrying` re-runs a whole transaction when the database asks for it.
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from commonweal.domain.audit import GENESIS, ChainedEntry, entry_hash, entry_mac, key_id, verify_chain
from commonweal.web.models import AuditEntry, AuditHead, Organisation, Tender

P = ParamSpec("P")
R = TypeVar("R")

# Commonweal defaults: how often and how patiently a transaction the database refused is re-run.
RETRY_ATTEMPTS = 5
RETRY_FIRST_PAUSE_SECONDS = 0.05

# PostgreSQL's "serialization_failure" and "deadlock_detected": the transaction was rolled back and may be re-run.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


# -- the key ---------------------------------------------------------------------------------------------------------


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / "audit_key"


@functools.cache
def _generated_key(path: Path) -> bytes:
    """The key in `path`, created once (mode 0600) if absent. Written to a private temporary file and then linked
    into place, so two processes starting together cannot end up with different keys."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            temporary.unlink()
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def current_key() -> bytes:
    """The key new entries are sealed with: `COMMONWEAL_AUDIT_KEY`, else `var/audit_key`."""
    if value := os.environ.get("COMMONWEAL_AUDIT_KEY"):
        return value.encode("utf-8")
    return _generated_key(_key_file())


def keyring() -> dict[str, bytes]:
    """Every key verification accepts, by key id: the current key and the retired ones still needed for older
    entries (`COMMONWEAL_AUDIT_PREVIOUS_KEYS`, comma-separated)."""
    retired = [k for k in os.environ.get("COMMONWEAL_AUDIT_PREVIOUS_KEYS", "").split(",") if k]
    keys = [current_key(), *(k.encode("utf-8") for k in retired)]
    return {key_id(k): k for k in keys}


# -- writing ---------------------------------------------------------------------------------------------------------


def _locked_head(organisation_id: int | None) -> AuditHead:
    """The chain's head row, locked until the transaction ends. The first writer creates it; a writer racing it
    waits on the unique scope and then finds it (`get_or_create` retries the read after the IntegrityError)."""
    scope = AuditHead.scope_for(organisation_id)
    head = AuditHead.objects.select_for_update().filter(scope=scope).first()
    if head is None:
        AuditHead.objects.get_or_create(scope=scope, defaults={"organisation_id": organisation_id, "hash": GENESIS})
        head = AuditHead.objects.select_for_update().get(scope=scope)
    return head


def record(
    actor: str,
    action: str,
    detail: Mapping[str, object],
    organisation: Organisation | None = None,
    tender: Tender | None = None,
) -> AuditEntry:
    """Append one entry to its organisation's chain. Call it inside the transaction that makes the change, so the
    change and its record are saved together or not at all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction that makes the change")
    organisation_id = organisation.pk if organisation is not None else (tender.organisation_id if tender else None)
    head = _locked_head(organisation_id)
    key = current_key()
    entry = AuditEntry(
        chain=head,
        sequence=head.sequence + 1,
        at=timezone.now().isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        organisation_id=organisation_id,
        tender=tender,
        detail=dict(detail),
        previous_hash=head.hash,
        key_id=key_id(key),
    )
    entry.hash = entry_hash(entry.previous_hash, entry.record())
    entry.mac = entry_mac(key, entry.hash)
    entry.save()
    head.sequence, head.hash, head.mac = entry.sequence, entry.hash, entry.mac
    head.save(update_fields=["sequence", "hash", "mac"])
    return entry


def _retryable(exc: OperationalError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    # SQLite: another writer held the database for longer than the busy timeout
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def retrying(func: Callable[P, R]) -> Callable[P, R]:
    """Re-run an audited write (its whole transaction) when the database refuses it for a reason that a retry can
    cure: a PostgreSQL deadlock or serialization failure, or SQLite's busy timeout. Only the outermost call
    retries; inside someone else's transaction the error goes up to them, since their work was rolled back too."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        attempt = 1
        while True:
            if transaction.get_connection().in_atomic_block:
                return func(*args, **kwargs)
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if attempt >= RETRY_ATTEMPTS or not _retryable(exc):
                    raise
            # exponential back-off with jitter, so the writers that collided do not collide again
            time.sleep(RETRY_FIRST_PAUSE_SECONDS * 2 ** (attempt - 1) * (1 + secrets.randbelow(1000) / 1000))
            attempt += 1

    return run


# -- reading and checking --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """Where a chain ends now: print it on a statutory document or export it, so a later `verify --head` detects
    entries removed from the end (which no chain can show by itself)."""

    chain: str
    sequence: int
    hash: str
    mac: str


def head(organisation: Organisation | None) -> Head:
    """The current head of the organisation's chain (None: the deployment's chain)."""
    found = AuditHead.objects.filter(scope=AuditHead.scope_for(organisation.pk if organisation else None)).first()
    name = organisation.slug if organisation is not None else AuditHead.DEPLOYMENT
    if found is None:
        return Head(name, 0, GENESIS, "")
    return Head(name, found.sequence, found.hash, found.mac)


@dataclass(frozen=True)
class ChainReport:
    chain: str
    entries: int
    head: Head
    problems: tuple[str, ...]


def _check(chain: AuditHead, keys: Mapping[str, bytes]) -> ChainReport:
    """Stream the chain's entries once (a council's chain grows for years), checking links, hashes and MACs."""
    count, last, strays = 0, None, []

    def entries() -> Iterator[ChainedEntry]:
        nonlocal count, last
        for e in chain.entries.order_by("sequence").iterator(chunk_size=2000):
            count, last = count + 1, e
            if e.organisation_id != chain.organisation_id:
                strays.append(f"entry {e.sequence} belongs to another organisation's chain")
            yield ChainedEntry(e.sequence, e.record(), e.previous_hash, e.hash, e.mac, e.key_id)

    problems = [*verify_chain(entries(), keys), *strays]
    end = Head(chain.name, last.sequence, last.hash, last.mac) if last else Head(chain.name, 0, GENESIS, "")
    if (chain.sequence, chain.hash) != (end.sequence, end.hash):
        problems.append(f"the chain's head row says entry {chain.sequence} but the last entry is {end.sequence}: "
                        "entries were removed from the end or the head was edited")
    return ChainReport(chain.name, count, end, tuple(problems))


def verify_all() -> list[ChainReport]:
    """Check every chain (each organisation's and the deployment's), recomputing every hash and MAC."""
    keys = keyring()
    reports = [_check(chain, keys) for chain in AuditHead.objects.select_related("organisation")]
    return sorted(reports, key=lambda report: report.chain)


def verify_one(organisation: Organisation | None) -> ChainReport:
    """Check one organisation's chain (None: the deployment's); a chain never written to is empty and intact."""
    found = AuditHead.objects.select_related("organisation").filter(
        scope=AuditHead.scope_for(organisation.pk if organisation else None)
    ).first()
    if found is None:
        empty = head(organisation)
        return ChainReport(empty.chain, 0, empty, ())
    return _check(found, keyring())
