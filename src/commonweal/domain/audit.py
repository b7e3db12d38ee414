"""A tamper-evident audit chain: each entry's hash covers the previous entry's hash and the entry's canonical JSON,
so editing or deleting any entry breaks every later link; each entry also carries a keyed MAC (HMAC-SHA256 over its
hash) so that someone who can rewrite the table, but does not hold the key, cannot recompute a valid chain.

Also here: which audit detail fields carry bid content, scores or prices, and who may see them at which stage
(the lifecycle's rules, applied to the trail).

This is the pure part (hashing, checking, disclosure); storage and the key's location live in the web app.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from commonweal.domain.lifecycle import Role, Stage, other_scores_visible, prices_visible

GENESIS = "0" * 64


def canonical_json(record: Mapping[str, object]) -> str:
    """Sorted keys, no spaces, UTF-8 text: the same record always serialises to the same bytes."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, record: Mapping[str, object]) -> str:
    return hashlib.sha256((previous_hash + canonical_json(record)).encode("utf-8")).hexdigest()


def entry_mac(key: bytes, hash_: str) -> str:
    """HMAC-SHA256 of an entry's hash (which already covers the previous hash and the entry's content)."""
    return hmac.new(key, b"commonweal-audit-entry:" + hash_.encode("ascii"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short fingerprint naming a key, stored beside each entry so verification picks the right key after a
    rotation; it reveals nothing usable about the key (a truncated SHA-256 of a domain-separated input)."""
    return hashlib.sha256(b"commonweal-audit-key-id:" + key).hexdigest()[:16]


@dataclass(frozen=True)
class ChainedEntry:
    sequence: int
    record: Mapping[str, object]
    previous_hash: str
    hash: str
    mac: str = ""
    key_id: str = ""


def verify_chain(entries: Iterable[ChainedEntry], keys: Mapping[str, bytes] | None = None) -> tuple[str, ...]:
    """Every break in the chain, in words; empty when the chain is intact.

    `entries` must be in sequence order. A gap in sequence numbers or a wrong previous hash means an entry was
    deleted; a hash that does not match the record means an entry was edited. With `keys` (key id -> key), each
    entry's MAC is checked too: a chain rewritten with recomputed hashes fails here, since the MACs cannot be
    recomputed without the key.
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
        if keys is not None:
            key = keys.get(entry.key_id)
            if key is None:
                problems.append(
                    f"entry {entry.sequence} is sealed with key {entry.key_id or '(none)'}, which this installation "
                    "does not hold: it was rewritten, or a retired key is missing from the previous keys"
                )
            elif not hmac.compare_digest(entry_mac(key, entry.hash), entry.mac):
                problems.append(
                    f"entry {entry.sequence} has been rewritten (its MAC does not match: the chain was recomputed "
                    "without the audit key)"
                )
        previous = entry.hash
        expected_sequence = entry.sequence + 1
    return tuple(problems)


# -- who may see which detail ------------------------------------------------------------------------------------


class Need(StrEnum):
    """What a viewer must be allowed to see for one detail field of an audit entry."""

    ANYONE = "anyone"  # who did what when: anyone who may read the trail
    BID = "bid"  # which bid, which bidder: bid content, never shown to the admin
    SCORES = "scores"  # an evaluator's or the consensus score and rationale
    PRICES = "prices"  # prices, and decisions that discuss them


_PERSON = {"username": Need.ANYONE}
_SCORE = {"bid": Need.BID, "bidder": Need.BID, "criterion": Need.ANYONE, "score": Need.SCORES,
          "rationale": Need.SCORES, "replaced": Need.ANYONE}

# Every audited action's detail fields, classified once. A field or action not listed is withheld from everyone
# (fail closed): a new audited action must be added here (tests/web/test_audit_visibility.py checks the code).
DETAIL_NEEDS: Mapping[str, Mapping[str, Need]] = {
    "stage_changed": {"from": Need.ANYONE, "to": Need.ANYONE, "award_notice_published": Need.ANYONE,
                      "standstill_last_day": Need.ANYONE},
    "role_assigned": {"user": Need.ANYONE, "role": Need.ANYONE},
    # a conflict's description may name a bidder
    "conflict_declared": {"has_conflict": Need.ANYONE, "details": Need.BID},
    # the commissioner's decision on it (replaced by whom, or continues); the mitigation may name a bidder too
    "conflict_decided": {"user": Need.ANYONE, "outcome": Need.ANYONE, "replacement": Need.ANYONE,
                         "reason": Need.BID},
    "score_recorded": _SCORE,
    "scores_submitted": {"scores": Need.ANYONE},
    # a bid's document: which bid, and its name and digest, are bid content
    "bid_document_added": {"bid": Need.BID, "bidder": Need.BID, "purpose": Need.ANYONE, "criterion": Need.ANYONE,
                           "name": Need.BID, "sha256": Need.BID},
    "score_moderated": _SCORE,
    "abnormally_low_decided": {"bid": Need.BID, "bidder": Need.BID, "decision": Need.PRICES,
                               "reason": Need.PRICES},
    "downloaded": {"what": Need.ANYONE, "format": Need.ANYONE, "rows": Need.ANYONE, "lot": Need.ANYONE,
                   "bidder": Need.BID},
    "tender_created": {"reference": Need.ANYONE, "tender_yaml_sha256": Need.ANYONE, "lots": Need.ANYONE,
                       "bids": Need.ANYONE, "gate_results": Need.ANYONE, "scores_imported": Need.ANYONE,
                       "moderated_imported": Need.ANYONE, "decisions_imported": Need.ANYONE},
    "demo_seeded": {"stage": Need.ANYONE, "evaluators_scored": Need.ANYONE, "moderated": Need.ANYONE,
                    "decisions": Need.ANYONE},
    "api_token_issued": {"label": Need.ANYONE},
    "role_removed": {"user": Need.ANYONE, "role": Need.ANYONE},
    # people: who was given, changed or removed what; never a token or a password
    "person_invited": {"username": Need.ANYONE, "role": Need.ANYONE, "expires": Need.ANYONE},
    "invitation_cancelled": _PERSON,
    "invitation_accepted": _PERSON,
    "password_reset_link_issued": _PERSON,
    "password_reset": _PERSON,
    "password_changed": _PERSON,
    "organisation_role_given": {"username": Need.ANYONE, "role": Need.ANYONE},
    "organisation_role_removed": {"username": Need.ANYONE, "role": Need.ANYONE},
    "member_removed": {"username": Need.ANYONE, "tender_roles_removed": Need.ANYONE},
    "account_deactivated": _PERSON,
    "account_reactivated": _PERSON,
}


def may_see(need: Need, stage: Stage, roles: frozenset[Role], own: bool) -> bool:
    """Whether a viewer holding `roles` on a tender now at `stage` may see a field needing `need`; `own` is true for
    the viewer's own entries. The admin role alone sees no bid content, score or price at any stage."""
    on_the_tender = bool(roles - {Role.ADMIN})
    if need is Need.ANYONE:
        return True
    if need is Need.BID:
        return on_the_tender
    if need is Need.SCORES:
        # an evaluator or moderator sees what they wrote; others follow score independence
        return own or other_scores_visible(stage, roles)
    return on_the_tender and prices_visible(stage)


@dataclass(frozen=True)
class Disclosed:
    detail: dict[str, object]
    withheld: tuple[str, ...]


def disclose(
    action: str, detail: Mapping[str, object], stage: Stage, roles: frozenset[Role], own: bool
) -> Disclosed:
    """The detail fields this viewer may see, and the names of those withheld from them."""
    needs = DETAIL_NEEDS.get(action, {})
    shown: dict[str, object] = {}
    withheld: list[str] = []
    for field, value in detail.items():
        need = needs.get(field)
        if need is not None and may_see(need, stage, roles, own):
            shown[field] = value
        else:
            withheld.append(field)
    return Disclosed(shown, tuple(sorted(withheld)))
