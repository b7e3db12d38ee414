"""Differential tests: our compile prints exactly what `ocdskit compile --schema <local schema>` prints."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from commonweal.io.errors import InputError
from commonweal.io.ocds.read import RELEASE_SCHEMA, read_all
from commonweal.io.ocds.write import dumps
from commonweal.services.ocds import compile_jsonl

REPO = Path(__file__).resolve().parents[2]


def ocdskit_compile(jsonl: bytes, *, versioned: bool = False) -> bytes:
    """ocdskit, given the shipped schema as a local path, so it fetches nothing."""
    command = [sys.executable, "-m", "ocdskit", "compile", "--schema", str(RELEASE_SCHEMA)]
    if versioned:
        command.append("--versioned")
    return subprocess.run(command, input=jsonl, capture_output=True, check=True).stdout


def ours(path: Path, **kwargs: object) -> bytes:
    return b"".join(compile_jsonl(path, **kwargs))  # type: ignore[arg-type]


def _generate(path: Path, megabytes: float) -> None:
    spec = importlib.util.spec_from_file_location("ocds_generate", REPO / "benchmarks" / "ocds_generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(path, megabytes, seed=7)


@pytest.mark.parametrize("versioned", [False, True])
def test_generated_contracts_finder_file_compiles_exactly_as_ocdskit(tmp_path: Path, versioned: bool) -> None:
    path = tmp_path / "generated.jsonl"
    _generate(path, 3)  # ~1,000 releases over ~330 ocids, with amendments, awards and contracts
    expected = ocdskit_compile(path.read_bytes(), versioned=versioned)
    assert expected.count(b"\n") > 300
    assert ours(path, versioned=versioned) == expected
    # and with forked workers
    assert ours(path, versioned=versioned, jobs=2) == expected


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
