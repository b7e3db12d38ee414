"""A notice as a readable page: every value of its release, labelled by where it sits, in the release's order."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def label(key: str) -> str:
    """`assessmentSummariesDateSent` -> `Assessment summaries date sent`."""
    words = _CAMEL.sub(" ", key).lower()
    return words[:1].upper() + words[1:]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, str) and len(value) == 20 and value.endswith("T00:00:00Z"):
        return value[:10]
    return str(value)


def readable(release: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(where, value) for every value of the release, e.g. ("Awards 1 › Standstill period › End date",
    "2026-06-25"); an amount with its currency on one line."""
    rows: list[tuple[str, str]] = []

    def walk(node: Any, path: list[str]) -> None:
        if isinstance(node, Mapping):
            if set(node) == {"amount", "currency"}:
                rows.append((" › ".join(path), f"{_text(node['amount'])} {node['currency']}"))
                return
            for key, value in node.items():
                walk(value, [*path, label(key)])
        elif isinstance(node, list):
            if all(not isinstance(item, (Mapping, list)) for item in node):
                rows.append((" › ".join(path), ", ".join(_text(item) for item in node)))
                return
            for index, item in enumerate(node, start=1):
                walk(item, [*path[:-1], f"{path[-1]} {index}"] if path else [str(index)])
        else:
            rows.append((" › ".join(path), _text(node)))

    if release is not None:
        walk(release, [])
    return rows
