"""Differential tests: our compile prints exactly what `ocdskit compile --schema <local schema>` prints."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import orjson
import pytest

from commonweal.domain.ocds import merge
from commonweal.io.errors import InputError
from commonweal.io.ocds.read import RELEASE_SCHEMA, read_all
from commonweal.io.ocds.write import dumps
from commonweal.services import ocds
from commonweal.services.ocds import available_cpus, compile_jsonl

REPO = Path(__file__).resolve().parents[2]


def ocdskit_compile(jsonl: bytes, *, versioned: bool = False) -> bytes:
    """ocdskit, given the shipped schema as a local path, so it fetches nothing."""
    command = [sys.executable, "-m", "ocdskit", "compile", "--schema", str(RELEASE_SCHEMA)]
    if versioned:
        command.append("--versioned")
    return subprocess.run(command, input=jsonl, capture_output=True, check=True).stdout


def ours(path: Path, **kwargs: object) -> bytes:
    return b"".join(compile_jsonl(path, **kwargs))  # type: ignore[arg-type]


class CountingPool(concurrent.futures.ProcessPoolExecutor):
    """The process pool, recording how many workers each compile asked for."""

    workers: ClassVar[list[int | None]] = []

    def __init__(self, max_workers: int | None = None, **kwargs: object) -> None:
        CountingPool.workers.append(max_workers)
        super().__init__(max_workers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """Forked workers of each process pool started (a parallel compile merges in its own process too); any file of
    more than one ocid goes parallel."""
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(ocds, "PARALLEL_FROM_OCIDS", 2)
    CountingPool.workers = []
    return CountingPool.workers


@pytest.fixture(params=["compiled", "plain"])
def implementation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The merge compiled by set-up (what users run), or the plain Python module it is compiled from."""
    if request.param == "plain":
        monkeypatch.setattr(ocds, "merge_module", lambda: merge)
    else:
        assert ocds.merge_module() is not merge, "run scripts/setup.sh: it compiles the merge"
    ocds.merge_rules.cache_clear()  # the rules are the chosen module's own class
    yield request.param
    ocds.merge_rules.cache_clear()


@pytest.mark.parametrize("versioned", [False, True])
def test_generated_contracts_finder_file_compiles_exactly_as_ocdskit(
    tmp_path: Path, versioned: bool, pools: list[int | None], implementation: str, ocds_generator: ModuleType
) -> None:
    path = tmp_path / "generated.jsonl"
    ocds_generator.generate(path, 3, seed=7)  # ~1,000 releases over ~330 ocids, with amendments, awards and contracts
    expected = ocdskit_compile(path.read_bytes(), versioned=versioned)
    assert expected.count(b"\n") > 300
    assert ours(path, versioned=versioned, jobs=1) == expected
    assert pools == []
    # batches of 100 ocids: 2 or 3 processes merge 4 batches at once, and the text still comes out in order
    assert ours(path, versioned=versioned, jobs=2) == expected
    assert ours(path, versioned=versioned, jobs=3) == expected
    assert pools == [1, 2]


def test_jobs_default_to_one_worker_per_cpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            pools: list[int | None], ocds_generator: ModuleType) -> None:
    path = tmp_path / "generated.jsonl"
    ocds_generator.generate(path, 1, seed=7)
    monkeypatch.setattr(ocds, "available_cpus", lambda: 3)
    expected = ours(path, jobs=1)
    assert ours(path) == expected
    assert pools == [2]
    # one CPU, or a file too small to pay for forking: no workers
    monkeypatch.setattr(ocds, "available_cpus", lambda: 1)
    assert ours(path) == expected
    monkeypatch.setattr(ocds, "available_cpus", lambda: 3)
    monkeypatch.setattr(ocds, "PARALLEL_FROM_OCIDS", 1000)
    assert ours(path) == expected
    assert pools == [2]


def test_available_cpus_is_the_affinity_of_this_process() -> None:
    assert available_cpus() == len(os.sched_getaffinity(0)) >= 1


@pytest.mark.corpus
def test_real_contracts_finder_releases_compile_exactly_as_ocdskit(shared_data: Path, tmp_path: Path) -> None:
    # ocdskit needs the mixed 1.0/1.1 files upgraded first (README: ocdskit upgrade 1.0:1.1 | ocdskit compile)
    folder = shared_data / "ocds" / "uk-contracts-finder-2017" / "releases"
    raw = b"".join(f.read_bytes() for f in sorted(folder.glob("*.json")))
    upgraded = subprocess.run([sys.executable, "-m", "ocdskit", "upgrade", "1.0:1.1"], input=raw,
                              capture_output=True, check=True).stdout
    # our reader upgrades as it reads: feed it the raw files, one JSON line each
    ours_input = tmp_path / "cf.jsonl"
    ours_input.write_bytes(b"".join(dumps(r) + b"\n" for f in sorted(folder.glob("*.json")) for r in read_all(f)))
    for versioned in (False, True):
        expected = ocdskit_compile(upgraded, versioned=versioned)
        assert expected.count(b"\n") == 11  # 11 ocids
        assert ours(ours_input, versioned=versioned) == expected


@pytest.mark.corpus
def test_real_prozorro_records_compile_exactly_as_ocdskit(shared_data: Path, tmp_path: Path) -> None:
    records = sorted((shared_data / "ocds" / "ukraine-prozorro-2017-bids" / "records").glob("*.json"))
    # one record per line, so one ocdskit run (it reads concatenated JSON) covers all 11 files
    lines = b"".join(dumps(orjson.loads(record.read_bytes())) + b"\n" for record in records)
    (tmp_path / "prozorro.jsonl").write_bytes(lines)
    expected = ocdskit_compile(lines)
    assert expected.count(b"\n") == 11
    assert ours(tmp_path / "prozorro.jsonl") == expected


def test_a_merge_conflict_stops_the_compile(tmp_path: Path) -> None:
    path = tmp_path / "conflict.jsonl"
    path.write_text('{"ocid":"o","id":"1","date":"2024-01-01","tender":{"value":5}}\n'
                    '{"ocid":"o","id":"2","date":"2024-01-02","tender":{"value":{"amount":5}}}\n')
    with pytest.raises(InputError, match="/tender/value"):
        ours(path)


@pytest.mark.parametrize("bad", [
    # a merge conflict in the last batch (of 4: the forked worker merges the second and the fourth)
    ('{"ocid":"p-999","id":"1","date":"2024-01-01","tender":{"value":5}}',
     '{"ocid":"p-999","id":"2","date":"2024-01-02","tender":{"value":{"amount":5}}}'),
    # malformed JSON on a line the reader only skimmed for its ocid, in the second batch
    ('{"ocid":"p-150","id":"1","date":}',),
])
def test_a_problem_in_a_worker_is_reported_as_in_one_process(
    tmp_path: Path, bad: tuple[str, ...], pools: list[int | None], implementation: str
) -> None:
    path = tmp_path / "releases.jsonl"
    good = [f'{{"ocid":"p-{n:03}","id":"1","date":"2024-01-01","tender":{{"id":"t"}}}}' for n in range(300)]
    path.write_text("\n".join([*good, *bad]) + "\n")
    problems = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as caught:
            ours(path, jobs=jobs)
        problems.append(caught.value.problems)
    assert pools == [1]
    assert problems[0] == problems[1]
    (problem,) = problems[1]
    assert problem.file == str(path)
    if len(bad) == 2:
        assert "ocid 'p-999', /tender/value" in problem.message
    else:
        assert (problem.row, problem.column) == (301, "33")
        assert "malformed JSON" in problem.message


def test_json_lines_mixing_skimmed_lines_packages_and_other_key_orders(tmp_path: Path) -> None:
    # lines starting `{"ocid": "...` are grouped unparsed; a package, or a release whose `ocid` is not its first key,
    # is read whole and kept serialised apart: each ocid's releases still merge in date order
    def release(ocid: str, n: int, **fields: object) -> dict[str, object]:
        return {"ocid": ocid, "id": str(n), "date": f"2024-01-0{n}", "parties": [], **fields}

    package = {"uri": "u", "version": "1.1", "releases": [release("b", 1), release("a", 3, tender={"title": "y"})]}
    reordered = {"id": "2", "ocid": "a", "date": "2024-01-02", "parties": [], "tender": {"status": "active"}}
    lines = [release("a", 1, tender={"title": "x"}), package, reordered, release("b", 5, title="t")]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n\n")  # and a blank line
    flat = [lines[0], *package["releases"], reordered, lines[3]]  # type: ignore[list-item]
    expected = ocdskit_compile(b"".join(orjson.dumps(r) + b"\n" for r in flat))
    assert ours(path) == expected
    assert expected.startswith(b'{"tag":["compiled"],"id":"a-2024-01-03","date":"2024-01-03","ocid":"a",'
                               b'"tender":{"title":"y","status":"active"}}\n')
