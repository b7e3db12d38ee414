"""OCDS use cases: compile, import, red flags and export. Each loads through `commonweal.io.ocds`, runs the pure
core in `commonweal.domain.ocds` and returns plain data (bytes, dicts) for the CLI and the web app."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from commonweal.domain.ocds.merge import MergeConflict, MergeRules, compile_release, versioned_release
from commonweal.io.errors import InputError, Problem
from commonweal.io.ocds.read import Entry, load_group, release_schema, releases_by_ocid

# ---- compile -----------------------------------------------------------------------------------------------


@cache
def merge_rules() -> MergeRules:
    """Merge rules derived once from the shipped OCDS 1.1.5 release schema."""
    return MergeRules.from_schema(release_schema())


# A batch's result: the JSON lines, or the problems that stop the compile.
_Batch = tuple[list[bytes], list[Problem]]


def _compile_batch(file: str, batch: Sequence[tuple[str, list[Entry]]], versioned: bool) -> _Batch:
    merge = versioned_release if versioned else compile_release
    rules = merge_rules()
    lines = []
    for ocid, entries in batch:
        try:
            lines.append(orjson.dumps(merge(load_group(file, ocid, entries), rules)))
        except InputError as error:  # problems travel back from a worker as data, not as an exception
            return [], error.problems
        except MergeConflict as error:
            return [], [Problem(file=file, message=f"cannot merge: {error}")]
    return lines, []


def compile_file(path: Path, *, versioned: bool = False, jobs: int = 1) -> list[bytes]:
    """Compiled (or versioned) releases, one JSON line per ocid in ocid order, as `ocdskit compile` prints them.

    The whole file is read and merged before anything is returned, so a bad release stops the compile with
    nothing written. `jobs` > 1 merges batches of ocids in that many worker processes.
    """
    file = str(path)
    groups = releases_by_ocid(path)
    ocids = sorted(groups)
    if jobs <= 1 or len(ocids) < 1000:
        lines, problems = _compile_batch(file, [(ocid, groups[ocid]) for ocid in ocids], versioned)
    else:
        size = max(200, len(ocids) // (jobs * 8))
        batches = [[(ocid, groups[ocid]) for ocid in ocids[i : i + size]] for i in range(0, len(ocids), size)]
        del groups
        lines, problems = [], []
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_compile_batch, file, batch, versioned) for batch in batches]
            del batches
            for future in futures:
                batch_lines, batch_problems = future.result()
                if batch_problems and not problems:
                    problems = batch_problems
                lines.extend(batch_lines)
    if problems:
        raise InputError(problems)
    return lines


def default_jobs() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class CompileSummary:
    ocids: int
    releases: int


def iter_compiled(path: Path, *, versioned: bool = False) -> Iterator[dict[str, Any]]:
    """Compiled (or versioned) releases as dicts, in ocid order (for red flags and import)."""
    file = str(path)
    groups = releases_by_ocid(path)
    merge = versioned_release if versioned else compile_release
    for ocid in sorted(groups):
        try:
            yield merge(load_group(file, ocid, groups[ocid]), merge_rules())
        except MergeConflict as error:
            raise InputError([Problem(file=file, message=f"cannot merge: {error}")]) from None
