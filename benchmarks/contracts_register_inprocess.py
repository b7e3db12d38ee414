"""The contracts register's pages in-process: per-view wall and CPU time of one request at a time through Django's
test client on PostgreSQL, with `contracts_register.py`'s seeding (5,000 contracts). A profiling aid for the pages the
20-client benchmark loads (`contracts_register.py`), which it does not replace: no server, no concurrency.

    .venv/bin/python benchmarks/contracts_register_inprocess.py [--seed] [--requests 20] [--profile register]

`--seed` (re)creates `--database` (default `h_contracts_bench`) first; `--profile PAGE` prints the cProfile of ten
requests of that page. CPU time is this process's (the database server's work shows in the wall time only); on a
shared machine both are disturbed by whatever else runs there: say so when quoting them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_pages import POSTGRES, recreate_database

PAGES = ("register", "filtered", "page_40", "dashboard")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="h_contracts_bench")
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--contracts", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", choices=PAGES)
    args = parser.parse_args()
    os.environ.update({"DATABASE_URL": f"{POSTGRES}/{args.database}", "DJANGO_SETTINGS_MODULE":
                       "commonweal.web.settings", "COMMONWEAL_SECRET_KEY": secrets.token_urlsafe(50),
                       "COMMONWEAL_LOCAL_DEMO": "1", "COMMONWEAL_DEBUG": "0", "COMMONWEAL_ALLOWED_HOSTS": "testserver",
                       "COMMONWEAL_STATIC_ROOT": tempfile.mkdtemp(prefix="commonweal-bench-static-")})
    if args.seed:
        recreate_database(args.database)
    import contracts_register
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    urls = contracts_register.seed(args.contracts) if args.seed else None
    if urls is None:  # the seeded database's pages, as `seed` names them
        from django.urls import reverse

        register = reverse("contracts_register", args=["northfield"])
        urls = {"register": [register],
                "filtered": [register + "?rating=requires+improvement&band=100k-1m&expiry=18",
                             register + "?supplier=Supplier+1&sme=on", register + "?service=Service+5&status=live"],
                "page_40": [register + "?page=40"], "dashboard": [reverse("contracts_dashboard", args=["northfield"])]}
    client = Client()
    client.force_login(User.objects.get(username="viewer"))
    print(f"{'page':<10}{'wall p50 ms':>12}{'wall min':>10}{'CPU p50 ms':>12}{'CPU min':>9}  requests")
    for page in PAGES:
        wall, cpu = [], []
        for url in urls[page]:
            assert client.get(url).status_code == 200, url  # warm: the first request of a URL is not measured
            for _ in range(args.requests):
                started, used = time.perf_counter(), time.process_time()
                client.get(url)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
        wall.sort()
        cpu.sort()
        print(f"{page:<10}{wall[len(wall) // 2]:>12.1f}{wall[0]:>10.1f}{cpu[len(cpu) // 2]:>12.1f}{cpu[0]:>9.1f}"
              f"  {len(wall)}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(10):
            client.get(urls[args.profile][0])
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
