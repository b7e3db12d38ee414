"""A tamper-evident audit chain: each entry's hash covers the previous entry's hash and the entry's canonical JSON,
so editing or deleting any entry breaks every later link.

This is the pure part (hashing and checking); storage lives in the web app.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical_json(record: Mapping[str, object]) -> str:
    """Sorted keys, no spaces, UTF-8 text: the same record always serialises to the same bytes."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, record: Mapping[str, object]) -> str:
    return hashlib.sha256((previous_hash + canonical_json(record)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainedEntry:
    sequence: int
    record: Mapping[str, object]
    previous_hash: str
    hash: str


def verify_chain(entries: Iterable[ChainedEntry]) -> tuple[str, ...]:
    """Every break in the chain, in words; empty when the chain is intact.

    `entries` must be in sequence order. A gap in sequence numbers or a wrong previous hash means an entry was
    deleted; a hash that does not match the record means an entry was edited.
    """
    problems: list[str] = []
    expected_sequence = 1
    previous = GENESIS
    for entry in entries:
        if entry.sequence != expected_sequence:
            problems.append(f"entry {expected_sequence} is missing (next entry found is {entry.sequence})")
        if entry.previous_hash != previous:
            problems.append(f"entry {entry.sequence} does not follow the entry before it (previous hash differs)")
        if entry_hash(entry.previous_hash, entry.record) != entry.hash:
            problems.append(f"entry {entry.sequence} has been altered (its hash does not match its content)")
        previous = entry.hash
        expected_sequence = entry.sequence + 1
    return tuple(problems)
