"""Red/amber/green: the one vocabulary for every RAG rating Commonweal shows (#21 item 8).

Supplier resilience rates financial standing with it, a contract records its supplier's financial standing with
it, and social value delivery is rated with it. MISSING is resilience's "could not be rated": a figure the
rating needs could not be computed. It is never shown as green, and places that only ever hold a colour (a
contract's entered rating, a delivery rating) accept `COLOURS` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    MISSING = "missing"
    GREEN = "green"

    @property
    def severity(self) -> int:
        """Higher is worse: red 3, amber 2, missing 1, green 0. Registers sort on this, most severe first."""
        return _SEVERITY[self]


_SEVERITY = {Rag.RED: 3, Rag.AMBER: 2, Rag.MISSING: 1, Rag.GREEN: 0}

COLOURS = (Rag.RED, Rag.AMBER, Rag.GREEN)


def worst(ratings: Iterable[Rag]) -> Rag:
    """The most severe of red/amber/green; MISSING only when nothing could be rated at all."""
    rated = [r for r in ratings if r is not Rag.MISSING]
    if not rated:
        return Rag.MISSING
    return max(rated, key=lambda r: r.severity)
