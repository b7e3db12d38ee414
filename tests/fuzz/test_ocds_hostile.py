"""Issue #15, OCDS and 360Giving: hostile JSON gets a clear error in bounded time and memory; a value replacing an
object is a merge conflict; dates are checked against the schema's `date-time` format; `ocds import` is idempotent
and atomic (one DuckDB transaction, checked by killing the process before it commits)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from commonweal.io.crash import CRASH_AT
from commonweal.io.ocds.read import is_date_time

COMMONWEAL = str(Path(sys.executable).parent / "commonweal")


PEAK = "peak resident kB: "
# runs the command as its only child and prints that child's peak resident size last on stderr
_MEASURE = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
            f"print({PEAK!r} + str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), file=sys.stderr); "
            "sys.exit(done.returncode)")


def run(*args: str, env: dict[str, str] | None = None, measured: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", _MEASURE, COMMONWEAL, *args] if measured else [COMMONWEAL, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False,
                          env=env or {k: v for k, v in os.environ.items() if k != CRASH_AT})


def release(ocid: str, rid: str, date: str, **fields: object) -> dict[str, object]:
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], "initiationType": "tender", **fields}


def jsonl(path: Path, *releases: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in releases), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "text", "commands"), [
    ("deep.json", '{"releases":[' + "[" * 100_000 + "]" * 100_000 + "]}", ["compile", "import", "flags"]),
    ("deep_grants.json", '{"grants":[' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "]}", ["spend"]),
])
def test_deep_json_is_refused_quickly_in_little_memory(tmp_path: Path, name: str, text: str,
                                                       commands: list[str]) -> None:
    path = tmp_path / name
    path.write_text(text)
    for command in commands:
        args = (["spend", "import", str(path), "--db", str(tmp_path / "s")] if command == "spend" else
                ["ocds", command, str(path), *(["--db", str(tmp_path / "o.duckdb")] if command == "import" else [])])
        started = time.monotonic()
        result = run(*args, measured=True)
        assert time.monotonic() - started < 30
        assert result.returncode == 2, result.stderr
        assert "nests arrays and objects more than 64 deep" in result.stderr and "Traceback" not in result.stderr
        # this command's own peak resident size (the CLI with polars and DuckDB loaded), well under 1 GB; measured
        # in a wrapper process whose only child it is, so no earlier test's browser or server counts
        peak_kb = int(result.stderr.rsplit(PEAK, 1)[1])
        assert peak_kb < 1_000_000, peak_kb


def test_deep_json_lines_are_refused_not_crashed(tmp_path: Path) -> None:
    deep: object = 1
    for _ in range(400):
        deep = {"a": deep}
    path = jsonl(tmp_path / "deep.jsonl", release("ocds-x-1", "r1", "2020-01-01T00:00:00Z", tender={"id": "t"}),
                 release("ocds-x-1", "r2", "2020-01-02T00:00:00Z", tender={"id": "t", "x": deep}))
    for args in (["compile", str(path)], ["import", str(path), "--db", str(tmp_path / "o.duckdb")]):
        result = run("ocds", *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "nests objects and arrays too deeply" in result.stderr or "recursion limit" in result.stderr


@pytest.mark.parametrize("form", ["jsonl", "json"])
def test_a_windows_1252_byte_is_named_by_line_and_column(tmp_path: Path, form: str) -> None:
    text = json.dumps(release("ocds-x-1", "r1", "2020-01-01T00:00:00Z", tender={"id": "t", "title": "Café"}),
                      ensure_ascii=False)
    if form == "json":
        text = '{"version": "1.1", "releases": [' + text + "]}"
    path = tmp_path / f"council.{form}"
    path.write_bytes((text + "\n").encode("cp1252"))
    column = text.index("é") + 1
    for args in (["compile", str(path)], ["import", str(path), "--db", str(tmp_path / "o.duckdb")],
                 ["flags", str(path)]):
        result = run("ocds", *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert f"row 1, column '{column}': byte 0xE9 is not UTF-8" in result.stderr


def test_a_value_replacing_an_object_is_a_merge_conflict(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "conflict.jsonl",
                 release("ocds-x-1", "r1", "2020-01-01T00:00:00Z", tender={"id": "t", "value": {"amount": 5}}),
                 release("ocds-x-1", "r2", "2020-02-01T00:00:00Z", tender={"id": "t", "value": 5}))
    result = run("ocds", "compile", str(path))
    assert result.returncode == 2
    assert "cannot merge: ocid 'ocds-x-1', /tender/value: a value replaces an object or array" in result.stderr


def test_dates_must_be_rfc_3339_date_times(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "dates.jsonl",
                 release("ocds-x-1", "r1", "2020-13-01T00:00:00Z", tender={"id": "t", "tenderPeriod": {
                     "endDate": "31/02/2020"}}),
                 release("ocds-x-2", "r1", "2020-12-01T00:00:00Z"))
    db = tmp_path / "o.duckdb"
    result = run("ocds", "import", str(path), "--db", str(db))
    assert result.returncode == 2
    assert "row 1, column '/date': does not match the OCDS 1.1.5 release schema: '2020-13-01T00:00:00Z' is not " \
           "a 'date-time'" in result.stderr
    assert "column '/tender/tenderPeriod/endDate'" in result.stderr and "'31/02/2020' is not a 'date-time'" in \
        result.stderr
    assert not db.exists()
    good = ["2020-01-31T00:00:00Z", "2020-02-29T23:59:60+01:00", "2020-01-01T00:00:00.123-05:30"]
    bad = ["2020-02-30T00:00:00Z", "2021-02-29T00:00:00Z", "2020-01-01", "2020-01-01T24:00:00Z",
           "2020-01-01T00:00:00", "2020-01-01T00:00:00+25:00", "٢٠٢٠-01-01T00:00:00Z"]
    assert [is_date_time(v) for v in good] == [True] * 3 and not any(is_date_time(v) for v in bad)


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in sorted(tables)}  # type: ignore[index]


def test_ocds_import_is_idempotent_and_atomic(tmp_path: Path) -> None:
    db = tmp_path / "o.duckdb"
    first = jsonl(tmp_path / "first.jsonl",
                  release("ocds-x-1", "r1", "2020-01-01T00:00:00Z", tender={"id": "t", "title": "Care"}),
                  release("ocds-x-2", "r1", "2020-01-01T00:00:00Z", buyer={"id": "b", "name": "Anytown"},
                          parties=[{"id": "b", "name": "Anytown", "roles": ["buyer"]}]))
    assert run("ocds", "import", str(first), "--db", str(db)).returncode == 0
    once = counts(db)
    assert once["ocds_releases"] == 2 and once["ocds_tenders"] == 1 and once["ocds_parties"] == 1
    assert run("ocds", "import", str(first), "--db", str(db)).returncode == 0
    assert counts(db) == once  # the natural recovery, importing again, never doubles a table
    # killed inside the transaction, just before it commits: the database is as it was
    second = jsonl(tmp_path / "second.jsonl",
                   release("ocds-x-1", "r2", "2020-02-01T00:00:00Z", tender={"id": "t", "title": "Care at home"}),
                   release("ocds-x-3", "r1", "2020-02-01T00:00:00Z"))
    killed = run("ocds", "import", str(second), "--db", str(db),
                 env={**os.environ, CRASH_AT: "ocds-import:before-commit"})
    assert killed.returncode == -9
    assert counts(db) == once
    assert run("ocds", "import", str(second), "--db", str(db)).returncode == 0
    after = counts(db)
    assert after["ocds_releases"] == 4 and after["ocds_compiled_releases"] == 3
    with duckdb.connect(str(db), read_only=True) as con:
        titles = con.execute("SELECT ocid, title FROM ocds_tenders ORDER BY ocid").fetchall()
    assert titles == [("ocds-x-1", "Care at home")]
