"""The contracts register under load: 5,000 contracts of one council served by gunicorn on PostgreSQL, 20 signed-in
clients for 60 seconds.

Target (issue #18, point 1): the register page for a county council's 5,000 contracts meets the workspace's page
target, p95 under 150 ms at 20 users (issue #14), with no errors. Same harness as `web_pages.py` (its client,
server start and percentiles are imported from it), same baseline: the sign-in page's GET.

What it does, all on 127.0.0.1 and stopping by itself:
1. (Re)creates the PostgreSQL database `--database` (default `h_contracts_bench`), migrates it, seeds the demo's
   people and contracts, then `--contracts` more (default 5,000) for Northfield with varied services, suppliers,
   values, end dates and stored ratings, and four period ratings each.
2. Starts `commonweal web serve` (gunicorn) on `--port` (default 8210).
3. Runs `--clients` closed-loop clients (default 20) for `--seconds` (default 60), signed in as the council's viewer,
   each on one of: the register's first page, the register filtered (rating, value band, expiry), a later page of
   the register, the dashboard, the sign-in page.
4. Prints p50/p95/p99, throughput and errors per page beside the target.

    .venv/bin/python benchmarks/contracts_register.py [--contracts 5000] [--seconds 60] [--clients 20]

Figures measured on a shared machine are disturbed by whatever else runs there: say so when quoting them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_pages  # the harness this benchmark shares (its folder is put on the path above)
from web_pages import analyze, recreate_database

PAGES = ("register", "filtered", "page_40", "dashboard", "sign_in")
RATINGS = ("good", "good", "approaching target", "requires improvement", "inadequate", "other")


def seed(contracts: int) -> dict[str, list[str]]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from commonweal.domain.contracts.model import add_months
    from commonweal.web.contracts.demo import seed as seed_contracts
    from commonweal.web.contracts.models import Contract, PeriodRating
    from commonweal.web.demo import seed_people

    call_command("migrate", verbosity=0)
    world = seed_people(password=web_pages.PASSWORD)
    today = timezone.localdate()
    seed_contracts(world.northfield, world.southdale, today, {}, web_pages.PASSWORD)
    start = add_months(today.replace(day=1), -24)
    made = Contract.objects.bulk_create(
        Contract(organisation=world.northfield, reference=f"BENCH-{i:05d}", title=f"Contract {i}",
                 service=f"Service {i % 23}", supplier=f"Supplier {i % 997} Ltd", sme=i % 3 == 0, vcse=i % 11 == 0,
                 value=Decimal(5_000 + (i * 7919) % 9_000_000), start=start,
                 end=start + dt.timedelta(days=365 + (i * 37) % 1800), kind="services", frequency="quarterly",
                 rating=RATINGS[i % len(RATINGS)], triggers_fired=i % 4, sv_committed=Decimal(i % 50_000))
        for i in range(contracts))
    PeriodRating.objects.bulk_create(
        PeriodRating(contract=c, period_start=add_months(start, 3 * q), period_end=add_months(start, 3 * q + 3)
                     - dt.timedelta(days=1), rating=RATINGS[(i + q) % len(RATINGS)])
        for i, c in enumerate(made) for q in range(4))
    register = reverse("contracts_register", args=["northfield"])
    return {
        "register": [register],
        "filtered": [register + "?rating=requires+improvement&band=100k-1m&expiry=18",
                     register + "?supplier=Supplier+1&sme=on", register + "?service=Service+5&status=live"],
        "page_40": [register + "?page=40"],
        "dashboard": [reverse("contracts_dashboard", args=["northfield"])],
        "sign_in": [reverse("login")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contracts", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=8210)
    parser.add_argument("--database", default="h_contracts_bench")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the server's)")
    args = parser.parse_args()
    env = web_pages.environment(args.database)
    began = time.perf_counter()
    recreate_database(args.database)
    urls = seed(args.contracts)
    analyze(args.database)
    print(f"seeded {args.contracts:,} contracts in database {args.database} in {time.perf_counter() - began:.1f} s; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    # the shared load loop assigns clients to these pages in turn, each signed in as the council's viewer
    web_pages.PAGES = PAGES
    web_pages.user_for = lambda page, client, evaluators: None if page == "sign_in" else "viewer"
    found = web_pages.measure(args.port, env, urls, args.clients, args.seconds, 1, args.workers)
    web_pages.report(*found, "issues 14 and 18")


if __name__ == "__main__":
    main()
