"""OCDS use cases: compile, import, red flags and export. Each loads through `commonweal.io.ocds`, runs the pure
core in `commonweal.domain.ocds` and returns plain data (bytes, dicts) for the CLI and the web app."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from commonweal.domain.ocds.merge import MergeRules, group_by_ocid
from commonweal.io.crash import crash_point
from commonweal.io.errors import InputError, Problem
from commonweal.io.ocds.compiled_merge import merge_module
from commonweal.io.ocds.read import Entry, Grouped, load_group, read_all, release_schema, releases_by_ocid

# Imported where used: `commonweal ocds compile` starts without the mapping and red flags modules (20 ms).
if TYPE_CHECKING:
    from commonweal.analytics.ocds import ImportCounts
    from commonweal.domain.ocds.mapping import Process
    from commonweal.domain.ocds.redflags import Flag, RedFlagReport, RedFlagSettings

# ---- compile -----------------------------------------------------------------------------------------------


@cache
def merge_rules() -> MergeRules:
    """Merge rules derived once from the shipped OCDS 1.1.5 release schema, for `merge_module()`'s functions."""
    rules: MergeRules = merge_module().MergeRules.from_schema(release_schema())
    return rules


def _compile(releases: Sequence[Mapping[str, Any]], file: str, *, versioned: bool = False) -> dict[str, Any]:
    """One ocid's compiled (or versioned) release, merged by the compiled merge when it is built; a merge conflict
    is a problem with the input file."""
    merge = merge_module()
    try:
        compiled: dict[str, Any] = (merge.versioned_release if versioned else merge.compile_release)(
            releases, merge_rules())
    except merge.MergeConflict as error:
        raise InputError([Problem(file=file, message=f"cannot merge: {error}")]) from None
    except RecursionError:
        raise _too_deep(file, releases[0].get("ocid")) from None
    return compiled


def _too_deep(file: str, ocid: object) -> InputError:
    """A JSON Lines release nested deeper than the merge (Python's recursion) or orjson's writer (255 levels)
    goes; a single JSON document is refused earlier, at the structured-input layer's `max_depth`."""
    return InputError([Problem(file=file, message=f"ocid {ocid!r}: a release nests objects and arrays too deeply "
                                                  "to be merged or written")])


# A batch's result: its JSON lines as one bytes object (one message back from a worker, not one per line), or the
# problems that stop the compile.
_Batch = tuple[bytes, list[Problem]]
# What forked workers read (copy-on-write) instead of receiving it pickled: the file's name, its releases, their
# ocids in order, and whether to make versioned releases.
_SHARED: tuple[str, Grouped, list[tuple[str, list[Entry]]], bool] | None = None


def _compile_batch(start: int, stop: int) -> _Batch:
    assert _SHARED is not None
    file, grouped, groups, versioned = _SHARED
    lines = []
    for ocid, entries in groups[start:stop]:
        try:
            compiled = _compile(load_group(grouped, file, ocid, entries), file, versioned=versioned)
            try:
                lines.append(orjson.dumps(compiled, option=orjson.OPT_APPEND_NEWLINE))
            except orjson.JSONEncodeError:
                raise _too_deep(file, ocid) from None
        except InputError as error:  # problems travel back from a worker as data, not as an exception
            return b"", error.problems
    return b"".join(lines), []


# Below this many ocids a compile stays in one process: forking and collecting cost what the second core saves
# (idle 2-core machine: 1,019 ocids in 7 MB, 0.35 s in one process, 0.36 in two; 2,898 in 20 MB, 0.50 and 0.41).
PARALLEL_FROM_OCIDS = 1000


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, as a container or `taskset` limits it), at least 1."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def compile_jsonl(path: Path, *, versioned: bool = False, jobs: int | None = None) -> Iterator[bytes]:
    """Compiled (or versioned) releases as JSON Lines, one line per ocid in ocid order, as `ocdskit compile`
    prints them. The text comes in pieces of whole lines, each piece as soon as it is merged; the first problem
    (malformed JSON, a merge conflict) raises `InputError`, as it would in one process.

    `jobs` > 1 merges contiguous batches of ocids in that many processes: this one and `jobs` - 1 forked workers.
    None means one per available CPU, once the file has `PARALLEL_FROM_OCIDS` ocids.
    """
    global _SHARED  # noqa: PLW0603 (handed to forked workers through memory, not pickling)
    grouped = releases_by_ocid(path)
    groups = grouped.groups
    _SHARED = (str(path), grouped, [(ocid, groups[ocid]) for ocid in sorted(groups)], versioned)
    try:
        count = len(_SHARED[2])
        workers = available_cpus() if jobs is None else jobs
        if workers <= 1 or count < PARALLEL_FROM_OCIDS:
            yield from _emit(_compile_batch(i, i + 500) for i in range(0, count, 500))
            return
        from concurrent.futures import ProcessPoolExecutor  # only a parallel compile pays for importing these
        from multiprocessing import get_context

        # 16 batches a process, so the last to finish is short and the text streams out in order. This process
        # merges every `workers`-th batch itself: its text need not cross a pipe, and one fewer process is forked.
        size = max(100, -(-count // (workers * 16)))
        starts = range(0, count, size)
        pool = ProcessPoolExecutor(max_workers=workers - 1, mp_context=get_context("fork"))
        try:
            futures = {n: pool.submit(_compile_batch, i, i + size) for n, i in enumerate(starts) if n % workers}
            yield from _emit(futures[n].result() if n % workers else _compile_batch(i, i + size)
                             for n, i in enumerate(starts))
        finally:  # after a problem, or when the caller stops reading, batches not started are dropped
            pool.shutdown(cancel_futures=True)
    finally:
        _SHARED = None


def _emit(batches: Iterable[_Batch]) -> Iterator[bytes]:
    for text, problems in batches:
        if problems:
            raise InputError(problems)
        yield text


def iter_compiled(path: Path) -> Iterator[dict[str, Any]]:
    """Compiled releases, in ocid order, for red flags."""
    grouped = releases_by_ocid(path)
    for ocid in sorted(grouped.groups):
        yield _compile(load_group(grouped, str(path), ocid, grouped.groups[ocid]), str(path))


# ---- red flags -----------------------------------------------------------------------------------------------


def _flag_json(flag: Flag) -> dict[str, Any]:
    from commonweal.domain.ocds.redflags import INDICATORS

    indicator = INDICATORS[flag.code]
    return {"code": flag.code, "title": indicator.title, "value": str(flag.value), "detail": flag.detail}


def report_json(report: RedFlagReport) -> dict[str, Any]:
    """The report as plain JSON-ready data (decimals as strings, so nothing is rounded on the way out)."""
    from commonweal.domain.ocds.redflags import INDICATORS

    return {
        "checked": report.checked,
        "processes": {ocid: [_flag_json(f) for f in flags] for ocid, flags in report.processes.items()},
        "organisations": [
            {"group": group, "id": key, "flags": [_flag_json(f) for f in flags]}
            for (group, key), flags in sorted(report.organisations.items())
        ],
        "fences": {
            code: {"q1": None if f.q1 is None else str(f.q1), "q3": None if f.q3 is None else str(f.q3),
                   "fence": str(f.fence)}
            for code, f in report.fences.items()
        },
        "indicators": {code: {"title": i.title, "method": i.method, "source": i.source}
                       for code, i in INDICATORS.items()},
    }


def flags_for_file(path: Path, settings: RedFlagSettings | None = None) -> RedFlagReport:
    """Red flags over every contracting process in an OCDS file (compiled from its releases)."""
    from commonweal.domain.ocds.redflags import red_flags

    return red_flags(iter_compiled(path), settings)


def flags_for_database(db: Path, settings: RedFlagSettings | None = None) -> RedFlagReport:
    """Red flags over the contracting processes imported into a DuckDB database by `import_file`."""
    from commonweal.analytics.ocds import compiled_releases
    from commonweal.domain.ocds.redflags import red_flags

    if not db.is_file():
        raise InputError([Problem(file=str(db), message="no such database (run `commonweal ocds import` first)")])
    return red_flags(compiled_releases(db), settings)


def flags_for_tender(tender_dir: Path, settings: RedFlagSettings | None = None) -> RedFlagReport:
    """Red flags over a Commonweal tender folder's own bids and recommended awards."""
    from commonweal.domain.ocds.mapping import release_from_process
    from commonweal.domain.ocds.redflags import red_flags

    processes = _tender_processes(tender_dir, contracts=(), ocid_prefix=ocid_prefix(), as_of=datetime.now(UTC).date())
    releases = [
        release_from_process(p, release_id=f"{p.ocid}-flags", date_time=_now(), tags=["tender"], include_bids=True)
        for p in processes
    ]
    return red_flags(releases, settings)


# ---- import --------------------------------------------------------------------------------------------------


def import_file(path: Path, db: Path) -> ImportCounts:
    """Validate every release in the file against OCDS 1.1.5, compile, map, and store in DuckDB at `db`, replacing
    what an earlier import of the same releases stored (see `store_import`).

    Any problem (malformed JSON, a schema error, a merge conflict) stops the import before anything is stored."""
    releases = read_all(path, validate=True)
    groups = group_by_ocid(releases)
    compiled = []
    problems = []
    for ocid in sorted(groups):
        try:
            compiled.append(_compile(groups[ocid], str(path)))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    from commonweal.analytics.ocds import store_import  # DuckDB: import only
    from commonweal.domain.ocds.mapping import process_from_release

    try:
        return store_import(db, str(path), releases, compiled, (process_from_release(c) for c in compiled),
                            before_commit=lambda: crash_point("ocds-import:before-commit"))
    except orjson.JSONEncodeError:
        raise _too_deep(str(path), "(one of the file's)") from None


# ---- export --------------------------------------------------------------------------------------------------

DEFAULT_OCID_PREFIX = "ocds-unregistered"  # Commonweal default: publishers must register their own prefix with OCP


def ocid_prefix() -> str:
    return os.environ.get("COMMONWEAL_OCID_PREFIX", DEFAULT_OCID_PREFIX)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _tender_processes(
    tender_dir: Path, *, contracts: Sequence[Path], ocid_prefix: str, as_of: date
) -> list[Process]:
    # imported here: the evaluation engine (NumPy) and contract folders are not needed to compile or import OCDS
    from commonweal.domain.ocds.mapping import tender_processes
    from commonweal.domain.socialvalue.commitments import value_bids
    from commonweal.io.contracts import load_contract_folder
    from commonweal.io.socialvalue import read_folder_commitments, read_settings
    from commonweal.services.evaluation import evaluate_folder

    evaluation = evaluate_folder(tender_dir)
    settings = read_settings(tender_dir)
    bids = {(r.bid.bidder, r.bid.lot) for lot in evaluation.lots for r in lot.result.ranking}
    commitments = read_folder_commitments(tender_dir, settings, bids) or ()
    social_value = {(b.bidder, b.lot): b for b in value_bids(commitments, settings.library, {}, {})}
    lots = {lot.id for lot in evaluation.tender.lots}
    let = {}
    problems = []
    for folder in contracts:
        loaded = load_contract_folder(folder, as_of)
        lot = loaded.contract.lot
        if lot not in lots:
            problems.append(Problem(file=str(folder / "contract.yaml"), column="lot",
                                    message=f"expected one of the tender's lots ({', '.join(sorted(lots))}), "
                                            f"found {lot!r}"))
        elif lot in let:
            problems.append(Problem(file=str(folder / "contract.yaml"), column="lot",
                                    message=f"lot {lot!r} already has a contract"))
        else:
            let[lot] = (loaded.contract, loaded.returns)
    if problems:
        raise InputError(problems)
    results = {lot.result.lot.id: lot.result for lot in evaluation.lots}
    try:
        return tender_processes(evaluation.tender, results, let, ocid_prefix=ocid_prefix, social_value=social_value)
    except ValueError as error:
        raise InputError([Problem(file=str(tender_dir), message=str(error))]) from None


@dataclass(frozen=True)
class Export:
    package: dict[str, Any]
    validation: dict[str, Any]


def export_tender(
    tender_dir: Path, *, contracts: Sequence[Path] = (), published: str | None = None, prefix: str | None = None
) -> Export:
    """A Commonweal tender (its evaluation model, award, and the contracts let from it with their KPIs and social
    value, from contract folders) as an OCDS 1.1.5 release package, checked by libcoveocds offline. Raises if
    libcoveocds finds any validation error."""
    from commonweal.domain.ocds.mapping import release_from_process
    from commonweal.io.ocds.write import release_package, validate_package  # requests and libcoveocds: export only

    published = published or _now()
    processes = _tender_processes(tender_dir, contracts=contracts, ocid_prefix=prefix or ocid_prefix(),
                                  as_of=date.fromisoformat(published[:10]))
    releases = []
    for process in processes:
        tags = ["tender"] + (["award"] if process.awards else []) + (["contract"] if process.contracts else [])
        releases.append(release_from_process(process, release_id=f"{process.ocid}-{published}", date_time=published,
                                             tags=tags))
    buyer = processes[0].parties[0].name if processes else ""
    package = release_package(releases, publisher=buyer, published=published)
    validation = validate_package(package)
    if validation["validation_errors"] or validation["invalid_extensions"]:
        problems = [Problem(file=str(tender_dir), message=f"libcoveocds: {error}")
                    for error in validation["validation_errors"]]
        problems += [Problem(file=str(tender_dir), message=f"libcoveocds could not load extension {url}: {why}")
                     for url, why in validation["invalid_extensions"].items()]
        raise InputError(problems)
    return Export(package=package, validation=validation)
