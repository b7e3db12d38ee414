"""A brief run of each page benchmark (benchmarks/web_pages.py and the two built on its harness, contracts_register.py
and public_pages.py: gunicorn on PostgreSQL, a few clients for a few seconds), so the scripts cannot rot; the
benchmarks themselves are not run in CI. Skipped when PostgreSQL is not reachable at 127.0.0.1:5432."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.db

REPO = Path(__file__).resolve().parents[2]
# each script, the small run's options, its pages and the start of its verdict line
SCRIPTS = {
    "web_pages.py": (["--bids", "3", "--criteria", "5", "--evaluators", "2"],
                     ("tender", "results", "score", "moderation", "sign_in"), "targets (issue 14): p95 < 150 ms"),
    "contracts_register.py": (["--contracts", "120"],
                              ("register", "filtered", "page_40", "dashboard", "sign_in"),
                              "targets (issues 14 and 18): p95 < 150 ms"),
    "public_pages.py": (["--contracts", "120"],
                        ("council", "register", "filtered", "page_40", "contract", "sign_in"),
                        "targets (issues 14 and 20): p95 < 150 ms"),
}


def _postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def _free_port() -> int:
    # the project's shared machines give this work ports 8120-8129
    for port in range(8120, 8130):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8120-8129")


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_benchmark_prints_every_page_with_no_errors(script: str) -> None:
    if not _postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    options, pages, verdict = SCRIPTS[script]
    # a scratch database of this run's own, so two test runs on one machine never recreate each other's
    database = f"commonweal_bench_test_{script.removesuffix('.py')}_{os.getpid()}"
    try:
        run = subprocess.run(
            [sys.executable, str(REPO / "benchmarks" / script), "--seconds", "3", "--clients", "6", *options,
             "--database", database, "--port", str(_free_port())],
            check=False, capture_output=True, text=True, timeout=600, cwd=REPO,
        )
    finally:
        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("page"))
    assert lines[header].split()[:8] == ["page", "requests", "req/s", "p50", "ms", "p95", "ms", "p99"]
    rows = {line.split()[0]: line.split() for line in lines[header + 1: header + 1 + len(pages)]}
    assert set(rows) == set(pages), run.stdout
    for page, cells in rows.items():
        assert int(cells[1]) > 0, f"{page}: no requests answered\n{run.stdout}"
        assert cells[6] == "0", f"{page}: errors\n{run.stdout}"
    assert lines[-1].startswith(verdict), run.stdout
    if script == "public_pages.py":  # the write figures printed before the load
        assert any(line.startswith("a contract write (its refresh): ") for line in lines), run.stdout
