"""The public pages under load: a county's 5,000 published contracts served by gunicorn on PostgreSQL to 20
residents (no sign-in) for 60 seconds.

Target (issue #20, point 6: "pages are fast (same page target)", the workspace's target of issue #14): p95 under
150 ms on every public page at 20 clients, each at least half the sign-in page's throughput, no errors. Same harness
as `web_pages.py` (its client, server start and percentiles are imported from it), same baseline: the sign-in
page's GET.

What it does, all on 127.0.0.1 and stopping by itself:
1. (Re)creates the PostgreSQL database `--database` (default `h_public_bench`), migrates it and seeds the demo
   (people, contracts with their notices recorded, opportunities), then `--contracts` more (default 5,000) for
   Northfield, each a copy of the demo's home care contract NBC-C-001 with its social value commitments and its
   returns' delivery lines, with varied services, suppliers, values and ends, its contract details notice (UK7)
   recorded as published, and every tenth its performance notice (UK9) and four rated periods; then the council's
   social value roll-up is stored once, as the contracts area's writes store it.
2. Starts `commonweal web serve` (gunicorn) on `--port` (default 8220).
3. Runs `--clients` closed-loop clients (default 20) for `--seconds` (default 60), none signed in, each on one of:
   the council's page (its opportunities), the contracts register's first page, the register filtered, a later page
   of the register, one contract's page, the sign-in page. Clients send no If-None-Match: every answer is rendered,
   from the register page each worker keeps after building it once (`public.data.contracts_page`); with
   `COMMONWEAL_PUBLIC_PAGES_KEPT=0` in the environment every request builds its page too (the cold figure).
4. Prints p50/p95/p99, throughput and errors per page beside the target; before the load, the cost of one contract
   write among the seeded contracts beside its cost when every write valued every contract's social value.

    .venv/bin/python benchmarks/public_pages.py [--contracts 5000] [--seconds 60] [--clients 20]

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

PAGES = ("council", "register", "filtered", "page_40", "contract", "sign_in")
RATINGS = ("good", "good", "approaching target", "requires improvement", "inadequate")


def seed(contracts: int) -> dict[str, list[str]]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from commonweal.domain.contracts.model import add_months
    from commonweal.web.contracts.models import Commitment, Contract, Delivery, PeriodRating, Return
    from commonweal.web.demo import seed_demo
    from commonweal.web.publishing.models import Publication
    from commonweal.web.socialvalue.data import refresh_rollup

    call_command("migrate", verbosity=0)
    seed_demo(password=web_pages.PASSWORD)
    today = timezone.localdate()
    model = Contract.objects.get(reference="NBC-C-001")
    northfield = model.organisation
    recorder = User.objects.get(username="shared.commissioner")
    commitments = list(Commitment.objects.filter(contract=model))
    returns = {r: list(r.deliveries.all()) for r in Return.objects.filter(contract=model)}

    def copy(instance, **changes):
        made = type(instance)(**{f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields})
        made.pk = None
        for name, value in changes.items():
            setattr(made, name, value)
        return made

    with transaction.atomic():
        made = Contract.objects.bulk_create(
            copy(model, reference=f"BENCH-{i:05d}", title=f"Contract {i}", service=f"Service {i % 23}",
                 supplier=f"Supplier {i % 997} Ltd", sme=i % 3 == 0, vcse=i % 11 == 0,
                 value=Decimal(5_000 + (i * 7919) % 9_000_000),
                 end=model.start + dt.timedelta(days=365 + (i * 37) % 1800))
            for i in range(contracts))
        Commitment.objects.bulk_create(copy(c, contract_id=m.pk) for m in made for c in commitments)
        for original, lines in returns.items():
            copies = Return.objects.bulk_create(copy(original, contract_id=m.pk) for m in made)
            Delivery.objects.bulk_create(copy(d, ret_id=r.pk) for r in copies for d in lines)
        Publication.objects.bulk_create(
            Publication(organisation=northfield, source="contract", key=str(m.pk), notice="UK7",
                        published_on=m.start, notice_identifier=f"2026/S 000-{i:06d}", recorded_by=recorder)
            for i, m in enumerate(made))
        rated = made[::10]
        Publication.objects.bulk_create(
            Publication(organisation=northfield, source="contract", key=str(m.pk), notice="UK9",
                        published_on=today, notice_identifier=f"2026/S 001-{i:06d}", recorded_by=recorder)
            for i, m in enumerate(rated))
        PeriodRating.objects.bulk_create(
            PeriodRating(contract=m, period_start=add_months(m.start, 3 * q),
                         period_end=add_months(m.start, 3 * q + 3) - dt.timedelta(days=1),
                         rating=RATINGS[(i + q) % len(RATINGS)])
            for i, m in enumerate(rated) for q in range(4))
        refresh_rollup(northfield)
    register = reverse("public_contracts", args=["northfield"])
    return {
        "council": [reverse("public_council", args=["northfield"])],
        "register": [register],
        "filtered": [register + "?service=Service+5&status=live", register + "?supplier=Supplier+1&sme=on",
                     register + "?vcse=on"],
        "page_40": [register + "?page=40"],
        "contract": [reverse("public_contract", args=["northfield", m.pk]) for m in made[:200:10]],
        "sign_in": [reverse("login")],
    }


def writes(repeat: int = 3) -> tuple[float, float]:
    """A contract write's cost among the seeded contracts, in-process: the best of `repeat` refreshes of one contract
    (what every write to a contract or a return runs, `contracts.data.refresh`, which values that contract's social
    value alone) beside the best of `repeat` valuations of every contract (`refresh_rollup`, what each such write ran
    before the roll-up was stored per contract; now only a core value or library change runs it). Seconds."""
    from django.db import transaction
    from django.utils import timezone

    from commonweal.web.contracts.data import refresh
    from commonweal.web.contracts.models import Contract
    from commonweal.web.socialvalue.data import refresh_rollup

    def best(write) -> float:
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            with transaction.atomic():
                write()
            times.append(time.perf_counter() - began)
        return min(times)

    one = Contract.objects.filter(reference__startswith="BENCH-").order_by("pk").first()
    assert one is not None
    contract_write = best(lambda: refresh(Contract.objects.select_for_update().get(pk=one.pk), timezone.localdate()))
    return contract_write, best(lambda: refresh_rollup(one.organisation))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contracts", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=8220)
    parser.add_argument("--database", default="h_public_bench")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the server's)")
    args = parser.parse_args()
    env = web_pages.environment(args.database)
    began = time.perf_counter()
    recreate_database(args.database)
    urls = seed(args.contracts)
    analyze(args.database)
    print(f"seeded {args.contracts:,} published contracts in database {args.database} in "
          f"{time.perf_counter() - began:.1f} s; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    contract_write, every_contract = writes()
    print(f"a contract write (its refresh): {contract_write * 1000:.0f} ms; valuing every contract's social value "
          f"(each write's cost before the roll-up was stored per contract): {every_contract * 1000:.0f} ms")
    # the shared load loop assigns clients to these pages in turn; residents never sign in
    web_pages.PAGES = PAGES
    web_pages.user_for = lambda page, client, evaluators: None
    found = web_pages.measure(args.port, env, urls, args.clients, args.seconds, 1, args.workers)
    web_pages.report(*found, "issues 14 and 20")


if __name__ == "__main__":
    main()
