from commonweal.domain.audit import GENESIS, ChainedEntry, entry_hash, verify_chain


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
