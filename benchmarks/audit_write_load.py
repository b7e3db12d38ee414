"""Concurrent score writes through the JSON API under a production server: every write is audited, so this is the
load that gave 66% HTTP 500 on main (duplicate audit sequence numbers).

Seeds the demo into a scratch database (an empty PostgreSQL database named by --database-url, else SQLite in a
temporary folder), serves it with gunicorn on 127.0.0.1, and runs --clients threads re-scoring the demo evaluators'
scores (PUT /api/tenders/N/scores) for --seconds. Prints requests, statuses, latency percentiles and throughput, then
checks that every 200 was audited exactly once and that `commonweal audit verify` passes.

    .venv/bin/python benchmarks/audit_write_load.py --database-url postgres://postgres@127.0.0.1:5432/scratch
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

BIN = Path(sys.executable).parent


def _commonweal(*args: str) -> str:
    return subprocess.run([str(BIN / "commonweal"), *args], check=True, capture_output=True, text=True).stdout


def _request(base: str, token: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def _audited_scores() -> int:
    code = ("import django; django.setup(); from commonweal.web.models import AuditEntry; "
            "print(AuditEntry.objects.filter(action='score_recorded').count())")
    return int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="an EMPTY scratch database (default: SQLite in a "
                                                              "temporary folder)")
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8110)
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="commonweal-write-load-")
    os.environ["COMMONWEAL_VAR"] = var  # the SQLite file, the secret and the audit key, shared by every worker
    os.environ["DJANGO_SETTINGS_MODULE"] = "commonweal.web.settings"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    _commonweal("web", "migrate")
    _commonweal("web", "demo", "--no-serve")
    tokens = [_commonweal("web", "token", name, "--label", "write load").strip()
              for name in ("evaluator1", "evaluator2")]
    before = _audited_scores()

    base = f"http://127.0.0.1:{args.port}/api"
    server = subprocess.Popen([str(BIN / "gunicorn"), "commonweal.web.wsgi:application", "--bind",
                               f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--log-level", "warning"])
    try:
        for _ in range(100):
            try:
                _, tenders = _request(base, tokens[0], "GET", "/tenders")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        tender = next(t for t in tenders if t["stage"] == "evaluation")["id"]  # type: ignore[union-attr]
        work = {token: _request(base, token, "GET", f"/tenders/{tender}/scores/mine")[1] for token in tokens}

        statuses: Counter[int] = Counter()
        latencies: list[float] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def client(number: int) -> None:
            token = tokens[number % len(tokens)]
            mine = work[token]
            i = number
            while time.monotonic() < stop:
                score = mine[i % len(mine)]  # type: ignore[index]
                started = time.perf_counter()
                try:
                    status, _ = _request(base, token, "PUT", f"/tenders/{tender}/scores",
                                         {"bid": score["bid"], "criterion": score["criterion"],
                                          "score": score["score"], "rationale": f"load client {number} write {i}"})
                except OSError:
                    status = 0  # connection refused or reset
                with lock:
                    statuses[status] += 1
                    latencies.append(time.perf_counter() - started)
                i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(statuses.values())
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    audited = _audited_scores() - before
    verify = subprocess.run([str(BIN / "commonweal"), "audit", "verify"], check=False, capture_output=True, text=True)
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{engine}, gunicorn {args.workers} workers, {args.clients} clients, {elapsed:.1f} s")
    print(f"requests {total}, {total / elapsed:.1f}/s; statuses {dict(sorted(statuses.items()))}; "
          f"errors {total - statuses[200]} ({(total - statuses[200]) / max(total, 1):.1%})")
    print(f"latency p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms")
    print(f"score writes answered 200: {statuses[200]}; audited: {audited}"
          f" ({'equal' if audited == statuses[200] else 'DIFFERENT'})")
    print(f"audit verify (exit {verify.returncode}):\n{verify.stdout}{verify.stderr}", end="")
    shutil.rmtree(var)
    return 0 if total == statuses[200] == audited and verify.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
