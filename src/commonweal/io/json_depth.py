"""A bound on how deeply a JSON document nests, checked while streaming it, before anything builds it.

A parser that builds nested values (ijson's item builder, whose paths grow with the depth, or any recursive
walk) can take gigabytes and minutes over a small file of 100,000 nested `[`; real documents nest a few levels
(an OCDS release about ten, a 360Giving grant about five). Streaming events (`ijson.basic_parse`) keeps no path, so
the check costs one pass in flat memory and stops at the first level past the bound.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import ijson

from commonweal.io.errors import InputError, Problem

# Commonweal default: well above any OCDS (release ~10 levels, in a record package ~13) or 360Giving document.
DEFAULT_MAX_DEPTH = 64
MAX_DEPTH_ENV = "COMMONWEAL_JSON_MAX_DEPTH"


def max_depth() -> int:
    return int(os.environ.get(MAX_DEPTH_ENV, DEFAULT_MAX_DEPTH))


def check_json_depth(handle: BinaryIO, file: str, limit: int | None = None) -> None:
    """Raise InputError when the JSON document in `handle` nests arrays and objects deeper than `limit`
    (default: `max_depth()`); rewind `handle` either way. Malformed JSON is left to the reader that follows,
    which says where: the check stops there, and the reader never reaches past it."""
    limit = max_depth() if limit is None else limit
    depth = 0
    try:
        for event, _ in ijson.basic_parse(handle, multiple_values=True):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > limit:
                    raise InputError([Problem(file, f"nests arrays and objects more than {limit} deep; no OCDS "
                                                    f"or 360Giving document does (limit: {MAX_DEPTH_ENV})")])
            elif event in ("end_map", "end_array"):
                depth -= 1
    except ijson.JSONError:
        pass
    finally:
        handle.seek(0)
