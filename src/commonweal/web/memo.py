"""Results kept in this server process under the version of their inputs: the one way the workspace avoids
recomputing, on every page view, what only a write changes.

A result is stored when its inputs change (a stored row with a version: an input hash, a `computed_at`); what the
pages build from it (a rich evaluation, a roll-up's rows and totals) is rebuilt once per process per version and
kept here. A reader asks by the version it has just read, so a new version simply misses, and keeping a newer one
drops the owner's older versions, which are never wanted again. The least recently used owners go first when the
memo is full. Thread-safe (gunicorn's threads, the concurrency tests)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Versioned(Generic[T]):
    def __init__(self, size: Callable[[], int]):
        self._size = size  # read at each store, so a setting changed by a test or a deployment applies
        self._kept: OrderedDict[Hashable, tuple[Hashable, T]] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, owner: Hashable, version: Hashable) -> T | None:
        with self._lock:
            found = self._kept.get(owner)
            if found is None or found[0] != version:
                return None
            self._kept.move_to_end(owner)
            return found[1]

    def keep(self, owner: Hashable, version: Hashable, value: T) -> None:
        size = self._size()
        with self._lock:
            self._kept.pop(owner, None)
            if size > 0:
                self._kept[owner] = (version, value)
                while len(self._kept) > size:
                    self._kept.popitem(last=False)

    def clear(self) -> None:
        """Forget everything, as a freshly started process has nothing kept (tests)."""
        with self._lock:
            self._kept.clear()

    def get(self, owner: Hashable, version: Hashable, make: Callable[[], T]) -> T:
        """The owner's result for `version`, made (outside the lock) and kept when missing."""
        found = self.recall(owner, version)
        if found is None:
            found = make()
            self.keep(owner, version, found)
        return found
