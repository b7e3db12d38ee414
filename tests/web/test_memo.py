"""The process memo the workspace keeps derived results in (`commonweal.web.memo.Versioned`): asked by the version
just read, a new version misses; keeping a version drops the owner's older one; the least recently used owner goes
first; a size of 0 keeps nothing."""

from __future__ import annotations

from commonweal.web.memo import Versioned


def test_a_new_version_misses_and_replaces_the_owners_older_one() -> None:
    memo: Versioned[str] = Versioned(lambda: 4)
    made: list[str] = []

    def make(value: str):
        return lambda: made.append(value) or value

    assert memo.get("tender 1", "v1", make("first")) == "first"
    assert memo.get("tender 1", "v1", make("again")) == "first" and made == ["first"]
    assert memo.get("tender 1", "v2", make("second")) == "second"
    assert memo.recall("tender 1", "v1") is None  # the older version is gone, not kept beside the newer
    assert memo.recall("tender 1", "v2") == "second"


def test_the_least_recently_used_owner_goes_first_and_size_0_keeps_nothing() -> None:
    size = [2]
    memo: Versioned[int] = Versioned(lambda: size[0])
    memo.keep("a", 1, 10)
    memo.keep("b", 1, 20)
    assert memo.recall("a", 1) == 10  # "a" is now the most recently used
    memo.keep("c", 1, 30)
    assert memo.recall("b", 1) is None and memo.recall("a", 1) == 10 and memo.recall("c", 1) == 30
    size[0] = 0
    memo.keep("d", 1, 40)
    assert memo.recall("d", 1) is None
    memo.clear()
    assert memo.recall("a", 1) is None
