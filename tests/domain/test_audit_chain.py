"""The audit chain: hashes and keyed MACs, and which detail each viewer may see (pure)."""

from __future__ import annotations

import pytest

from commonweal.domain.audit import GENESIS, ChainedEntry, disclose, entry_hash, entry_mac, key_id, verify_chain
from commonweal.domain.lifecycle import Role, Stage


def _chain(n: int) -> list[ChainedEntry]:
    entries, previous = [], GENESIS
    for i in range(1, n + 1):
        record = {"sequence": i, "action": "score_recorded", "detail": {"score": str(i)}}
        digest = entry_hash(previous, record)
        entries.append(ChainedEntry(i, record, previous, digest))
        previous = digest
    return entries


def test_an_intact_chain_verifies() -> None:
    assert verify_chain(_chain(3)) == ()


def test_an_edited_entry_is_detected() -> None:
    entries = _chain(3)
    edited = entries[1]
    entries[1] = ChainedEntry(2, {**edited.record, "detail": {"score": "5"}}, edited.previous_hash, edited.hash)
    assert verify_chain(entries) == ("entry 2 has been altered (its hash does not match its content)",)


def test_a_deleted_entry_is_detected() -> None:
    entries = _chain(3)
    del entries[1]
    assert verify_chain(entries) == (
        "entry 2 is missing (next entry found is 3)",
        "entry 3 does not follow the entry before it (previous hash differs)",
    )


def test_key_order_does_not_change_the_hash() -> None:
    assert entry_hash(GENESIS, {"a": 1, "b": 2}) == entry_hash(GENESIS, {"b": 2, "a": 1})


# -- the keyed MAC -------------------------------------------------------------------------------------------------

KEY = b"a key kept outside the database"
KEYS = {key_id(KEY): KEY}


def _sealed(n: int) -> list[ChainedEntry]:
    return [ChainedEntry(e.sequence, e.record, e.previous_hash, e.hash, entry_mac(KEY, e.hash), key_id(KEY))
            for e in _chain(n)]


def _recomputed_from(entries: list[ChainedEntry], index: int, record: dict[str, object]) -> list[ChainedEntry]:
    """The attack: replace one record and recompute it and every later hash with `entry_hash`; MACs kept."""
    out = entries[:index]
    previous = entries[index - 1].hash if index else GENESIS
    for i, e in enumerate(entries[index:]):
        new_record = record if i == 0 else e.record
        digest = entry_hash(previous, new_record)
        out.append(ChainedEntry(e.sequence, new_record, previous, digest, e.mac, e.key_id))
        previous = digest
    return out


def test_a_sealed_chain_verifies_with_its_key() -> None:
    assert verify_chain(_sealed(3), KEYS) == ()


def test_a_rewritten_chain_with_recomputed_hashes_fails_only_on_the_macs() -> None:
    entries = _sealed(3)
    forged = _recomputed_from(entries, 1, {**entries[1].record, "detail": {"score": "5"}})
    assert verify_chain(forged) == ()  # hashes alone cannot see it
    problems = verify_chain(forged, KEYS)
    assert problems == tuple(
        f"entry {n} has been rewritten (its MAC does not match: the chain was recomputed without the audit key)"
        for n in (2, 3)
    )


def test_an_unknown_key_is_reported() -> None:
    problems = verify_chain(_sealed(1), {key_id(b"other"): b"other"})
    assert len(problems) == 1 and "does not hold" in problems[0]


# -- who sees which detail ---------------------------------------------------------------------------------------

SCORE_DETAIL = {"bid": 1, "bidder": "Acme Care", "criterion": "Q1", "score": "3", "rationale": "why",
                "replaced": False}


def _shown(stage: Stage, roles: set[Role], own: bool = False, action: str = "score_recorded",
           detail: dict[str, object] = SCORE_DETAIL) -> set[str]:
    return set(disclose(action, detail, stage, frozenset(roles), own).detail)


@pytest.mark.parametrize("stage", list(Stage))
def test_the_admin_sees_no_bid_content_score_or_price_at_any_stage(stage: Stage) -> None:
    assert _shown(stage, {Role.ADMIN}) == {"criterion", "replaced"}
    decision = {"bid": 1, "bidder": "Acme Care", "decision": "accepted", "reason": "price explained"}
    assert _shown(stage, {Role.ADMIN}, action="abnormally_low_decided", detail=decision) == set()


def test_scores_stay_independent_until_moderation() -> None:
    assert _shown(Stage.EVALUATION, {Role.COMMISSIONER}) == {"bid", "bidder", "criterion", "replaced"}
    assert _shown(Stage.EVALUATION, {Role.EVALUATOR}) == {"bid", "bidder", "criterion", "replaced"}
    assert _shown(Stage.EVALUATION, {Role.EVALUATOR}, own=True) == set(SCORE_DETAIL)
    assert _shown(Stage.MODERATION, {Role.COMMISSIONER}) == set(SCORE_DETAIL)
    assert _shown(Stage.AWARDED, {Role.VIEWER}) == {"bid", "bidder", "criterion", "replaced"}


def test_price_decisions_wait_for_the_prices_to_open() -> None:
    decision = {"bid": 1, "bidder": "Acme Care", "decision": "accepted", "reason": "price explained"}
    assert _shown(Stage.MODERATION, {Role.COMMISSIONER}, action="abnormally_low_decided", detail=decision) == {
        "bid", "bidder"}
    assert _shown(Stage.PRICES_OPENED, {Role.COMMISSIONER}, action="abnormally_low_decided",
                  detail=decision) == set(decision)


def test_unknown_actions_and_fields_are_withheld_and_named() -> None:
    disclosed = disclose("something_new", {"secret": 1}, Stage.AWARDED, frozenset({Role.COMMISSIONER}), True)
    assert disclosed.detail == {} and disclosed.withheld == ("secret",)
    extra = disclose("role_assigned", {"user": "a", "role": "viewer", "note": "x"}, Stage.DRAFT,
                     frozenset({Role.ADMIN}), False)
    assert extra.detail == {"user": "a", "role": "viewer"} and extra.withheld == ("note",)
