"""Web pages under load: the workspace served by gunicorn on PostgreSQL, 20 signed-in clients for 60 seconds.

Target (issue #14, point 5), on the project's 2-core machines: p95 under 150 ms on every page, each page at least
half the sign-in page's throughput, and no errors. The sign-in page's GET (no password hashing) is the baseline.

What it does, all on 127.0.0.1 and stopping by itself:
1. (Re)creates the PostgreSQL database `--database` (default `commonweal_bench`), migrates it and seeds the demo's
   people and a synthetic tender of `--bids` x `--criteria` x `--evaluators` (default 20 x 30 x 5, every score
   entered) three times: in evaluation (the bid scoring page), in moderation (the moderation page) and with prices
   opened (the tender and results pages).
2. Collects the static files and starts `commonweal web serve` (gunicorn, its default workers or `--workers`) on
   `--port` (default 8120).
3. Runs `--clients` closed-loop clients (default 20) for `--seconds` (default 60). Client i signs in once (a real
   POST of the sign-in form) as a user who may see its page, then requests page i mod 5 (tender, results, bid
   scoring, moderation, sign-in) again and again; so each page has the same number of clients and its throughput
   is the inverse of its response time.
4. Prints p50/p95/p99, throughput and errors per page beside the targets, then stops gunicorn.

    .venv/bin/python benchmarks/web_pages.py [--seconds 60] [--clients 20] [--port 8120] [--database NAME]

Figures measured on a shared machine are disturbed by whatever else runs there: say so when quoting them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
POSTGRES = "postgres://postgres@127.0.0.1:5432"
PASSWORD = secrets.token_urlsafe(16)
PAGES = ("tender", "results", "score", "moderation", "sign_in")
TARGET_P95_MS = 150.0
TARGET_SHARE_OF_SIGN_IN = 0.5


def recreate_database(name: str) -> None:
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--database {name!r}: use lower-case letters, digits and underscores")
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def analyze(name: str) -> None:
    """Statistics for the freshly seeded tables, as autovacuum keeps them on a council's running database: without
    them PostgreSQL plans the first minutes' queries blind (a 5,000-row semi-join took seconds, not milliseconds)."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/{name}", autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM ANALYZE")


def seed(bids: int, criteria: int, evaluators: int) -> dict[str, list[str]]:
    """Migrate and seed the database named by DATABASE_URL; the URLs each page's clients request, by page."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.urls import reverse

    from commonweal.domain.lifecycle import Stage
    from commonweal.web.demo import seed_people, seed_scaled_tender, write_scaled_example
    from commonweal.web.models import Bid, Criterion

    call_command("migrate", verbosity=0)
    world = seed_people(password=PASSWORD)
    with tempfile.TemporaryDirectory(prefix="commonweal-bench-") as tmp:
        folder = write_scaled_example(Path(tmp) / "tender", bids, criteria, evaluators)
        tenders = {
            stage: seed_scaled_tender(world.northfield, f"BENCH-{stage.value}", stage, folder, evaluators,
                                      moderated=stage != Stage.EVALUATION)
            for stage in (Stage.EVALUATION, Stage.MODERATION, Stage.PRICES_OPENED)
        }
    for user in User.objects.filter(username__startswith="evaluator"):
        user.set_password(PASSWORD)  # evaluators beyond the demo's three were given random passwords
        user.save()
    evaluating = tenders[Stage.EVALUATION]
    return {
        "tender": [reverse("tender", args=[tenders[Stage.PRICES_OPENED].pk])],
        "results": [reverse("results", args=[tenders[Stage.PRICES_OPENED].pk])],
        # one criterion of one bid per page (the evaluator's page), every pair of the tender in turn
        "score": [reverse("score", args=[evaluating.pk, bid, criterion])
                  for bid, lot in Bid.objects.filter(lot__tender=evaluating).order_by("bidder").values_list("pk", "lot")
                  for criterion in Criterion.objects.filter(lot=lot).order_by("position").values_list("pk", flat=True)],
        "moderation": [reverse("moderation", args=[tenders[Stage.MODERATION].pk])],
        "sign_in": [reverse("login")],
    }


def user_for(page: str, client: int, evaluators: int) -> str | None:
    """Who client `client` signs in as to see `page` (None: the sign-in page is fetched signed out)."""
    return {"tender": "commissioner", "results": "viewer", "moderation": "moderator", "sign_in": None,
            "score": f"evaluator{client // len(PAGES) % evaluators + 1}"}[page]


@dataclass
class Client:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, content
        finally:
            conn.close()

    def sign_in(self, username: str) -> None:
        status, page = self.request("GET", "/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"the sign-in page answered {status} without a CSRF token")
        form = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "username": username,
                          "password": PASSWORD})
        status, _ = self.request("POST", "/sign-in/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {username} answered {status}")


def serve(port: int, env: dict[str, str], workers: int | None = None) -> subprocess.Popen[bytes]:
    # exactly as a council deploys it: static files collected, then `commonweal web serve` (gunicorn), with its
    # default number of workers unless `workers` is given
    commonweal = str(Path(sys.executable).parent / "commonweal")
    subprocess.run([commonweal, "web", "collectstatic"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    sizing = ["--workers", str(workers)] if workers else []
    server = subprocess.Popen([commonweal, "web", "serve", "--bind", f"127.0.0.1:{port}", *sizing], cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(port).request("GET", "/sign-in/")[0] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        time.sleep(0.25)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {port} within 60 s")


def load(port: int, urls: dict[str, list[str]], clients: int, seconds: float, evaluators: int
         ) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """Per page: each request's seconds, and the errors (any answer but 200, or no answer); and the elapsed time."""
    signed_in = []
    for i in range(clients):
        page = PAGES[i % len(PAGES)]
        client = Client(port)
        if (username := user_for(page, i, evaluators)) is not None:
            client.sign_in(username)
        signed_in.append((page, client))
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    errors = dict.fromkeys(PAGES, 0)
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def run(index: int, page: str, client: Client) -> None:
        mine, failed, n = [], 0, index
        while time.monotonic() < deadline:
            path = urls[page][n % len(urls[page])]
            n += 1
            began = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - began)
            failed += status != 200
        with lock:
            times[page].extend(mine)
            errors[page] += failed

    threads = [threading.Thread(target=run, args=(i, page, client)) for i, (page, client) in enumerate(signed_in)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors, time.monotonic() - start


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def report(times: dict[str, list[float]], errors: dict[str, int], elapsed: float, issues: str = "issue 14") -> bool:
    """Print the table; True when every target is met."""
    baseline = len(times["sign_in"]) / elapsed
    print(f"{'page':<12}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'vs sign-in':>12}  target")
    met = True
    for page in PAGES:
        found = times[page]
        rate = len(found) / elapsed
        p95 = percentile(found, 0.95) * 1000
        share = rate / baseline if baseline else 0.0
        ok = bool(found) and p95 < TARGET_P95_MS and share >= TARGET_SHARE_OF_SIGN_IN and errors[page] == 0
        met &= ok
        print(f"{page:<12}{len(found):>9}{rate:>9.1f}{percentile(found, 0.50) * 1000:>9.0f}{p95:>9.0f}"
              f"{percentile(found, 0.99) * 1000:>9.0f}{errors[page]:>8}{share:>11.0%}  {'met' if ok else 'NOT met'}")
    print(f"targets ({issues}): p95 < {TARGET_P95_MS:.0f} ms on every page, each page >= "
          f"{TARGET_SHARE_OF_SIGN_IN:.0%} of the sign-in page's throughput, 0 errors: {'met' if met else 'NOT met'}")
    return met


def environment(database: str) -> dict[str, str]:
    """The benchmark's settings, set in this process too (it seeds the database itself): PostgreSQL's `database`,
    production settings but plain HTTP on 127.0.0.1, static files collected into a scratch folder."""
    env = {**os.environ, "DATABASE_URL": f"{POSTGRES}/{database}", "DJANGO_SETTINGS_MODULE":
           "commonweal.web.settings", "COMMONWEAL_SECRET_KEY": secrets.token_urlsafe(50),
           "COMMONWEAL_LOCAL_DEMO": "1", "COMMONWEAL_DEBUG": "0",
           "COMMONWEAL_STATIC_ROOT": tempfile.mkdtemp(prefix="commonweal-bench-static-")}
    os.environ.update(env)
    return env


def measure(port: int, env: dict[str, str], urls: dict[str, list[str]], clients: int, seconds: float,
            evaluators: int, workers: int | None = None) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """Serve the seeded database with gunicorn, load it, stop it: each page's times and errors, the elapsed time."""
    server = serve(port, env, workers)
    try:
        found = load(port, urls, clients, seconds, evaluators)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(env["COMMONWEAL_STATIC_ROOT"], ignore_errors=True)
    print(f"{clients} clients for {found[2]:.1f} s against gunicorn ({workers or 'its default number of'} workers), "
          f"load average afterwards {os.getloadavg()[0]:.1f}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--database", default="commonweal_bench")
    parser.add_argument("--bids", type=int, default=20)
    parser.add_argument("--criteria", type=int, default=30)
    parser.add_argument("--evaluators", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the server's)")
    args = parser.parse_args()
    if args.clients < len(PAGES):
        parser.error(f"--clients must be at least {len(PAGES)}, one per page")
    env = environment(args.database)
    began = time.perf_counter()
    recreate_database(args.database)
    urls = seed(args.bids, args.criteria, args.evaluators)
    analyze(args.database)
    print(f"seeded {args.bids} bids x {args.criteria} criteria x {args.evaluators} evaluators in database "
          f"{args.database} in {time.perf_counter() - began:.1f} s; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")
    report(*measure(args.port, env, urls, args.clients, args.seconds, args.evaluators, args.workers))


if __name__ == "__main__":
    main()
