"""Building many small records at once (a tender folder's tens of thousands of scores, an evaluation's score per
bid per criterion) without paying for Python's cycle collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T", bound=tuple[Any, ...])


@contextmanager
def many_records() -> Iterator[None]:
    """Pause the cycle collector while a function builds many records that hold no reference cycles: reference
    counting frees them all the same, and the collector's repeated passes over every new object were a quarter of
    a tender folder's read and a tenth of a scoring pass (benchmarks/evaluation.py). Its previous state is
    restored, even on error; usable as a decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def new_record(kind: type[T], fields: tuple[Any, ...]) -> T:
    """A NamedTuple `kind` from the tuple of all its fields, in order. `tuple.__new__` skips the Python call of the
    NamedTuple's generated `__new__`: half the cost, for the records built one per bid per criterion (a scoring
    pass builds 12,000). Every field must be given, defaults included."""
    return tuple.__new__(kind, fields)
