"""The objects and arrays of a release being merged (`commonweal.domain.ocds.merge`).

They subclass dict and list, so a merged release is written as JSON as it is. They live apart from `merge` because
mypyc, which compiles `merge`, cannot compile subclasses of dict and list: here they stay plain Python classes.
"""

from __future__ import annotations

from typing import Any


class Node(dict[str, Any]):
    """An object being merged. `shadowed` marks an object that replaced a null leaf (see `merge._Merge.object`)."""

    __slots__ = ("shadowed",)
    shadowed: bool


class Items(list[Node]):
    """An array of objects being merged, in order, with `by_id` finding an item by its `id`."""

    __slots__ = ("by_id", "shadowed")
    shadowed: bool

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, Node] = {}
