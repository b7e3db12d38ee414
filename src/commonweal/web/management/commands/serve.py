"""Serve the workspace with gunicorn, the production WSGI server (`commonweal web serve`, and the local demo)."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

# gunicorn's own default: a sync worker busier than this on one request is killed and replaced
DEFAULT_TIMEOUT_SECONDS = 30


def cpu_count() -> int:
    """The CPUs this process may run on (a container's or systemd's CPU set, not the whole machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers() -> int:
    """Commonweal default: CPUs + 1 sync workers. gunicorn's documentation ("Design: How Many Workers?") suggests
    2 × CPUs + 1 as a starting point to tune from; measured on the project's 2-core machines, with PostgreSQL on the
    same machine, 3 workers served the workspace's pages faster than 5 (benchmarks/web_pages.py, 20 clients for 60 s:
    149 against 139 requests a second, p95 150-160 ms against 161-187, p99 197-208 against 235-253): the pages are
    CPU-bound, so more workers than CPUs only queue on them. With PostgreSQL on another machine, a worker waits
    longer on the network: try 2 × CPUs + 1 there (`--workers`)."""
    return cpu_count() + 1


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
    """gunicorn run in this process with our options only: it reads no command line and no gunicorn.conf.py."""

    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # imported in each worker after the fork, so no worker shares another's database connection
        from commonweal.web.wsgi import application

        # What the worker has loaded by now (Django, the URL map, templates, reference data) lives as long as the
        # worker: frozen, the cyclic garbage collector never walks it again, where each full collection walked all
        # of it in the middle of some request (about 2.6 ms a view on the tender page, measured in-process). See
        # Python's `gc.freeze`.
        gc.collect()
        gc.freeze()
        return application


class Command(BaseCommand):
    help = "Serve the workspace with gunicorn (migrations and collectstatic are separate steps)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000",
                            help="HOST:PORT (or unix:PATH) to listen on; default 127.0.0.1:8000.")
        parser.add_argument("--workers", type=int, default=None,
                            help=f"Worker processes; default CPUs + 1 (here {default_workers()}).")
        parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_SECONDS,
                            help=f"Seconds a request may take before its worker is restarted; default "
                                 f"{DEFAULT_TIMEOUT_SECONDS}.")

    def handle(self, *args: Any, **options: Any) -> None:
        workers = default_workers() if options["workers"] is None else options["workers"]
        if workers < 1 or options["timeout"] < 1:
            raise CommandError("--workers and --timeout must be at least 1")
        self._check_migrated()
        self._check_static()
        # Nothing opened here (migrate or seed_demo in the same process, the migration check) may be inherited by
        # the forked workers: a database connection shared across processes corrupts both ends.
        connections.close_all()
        _Gunicorn({
            "bind": [options["bind"]],
            "workers": workers,
            "timeout": options["timeout"],
            "worker_class": "sync",
            "accesslog": "-",  # stdout: journald (systemd) or the container runtime keeps it
            "errorlog": "-",  # stderr
            "proc_name": "commonweal",
            # One switch decides whether a request came over TLS: Django's SECURE_PROXY_SSL_HEADER
            # (COMMONWEAL_PROXY_SSL_HEADER). gunicorn would otherwise also trust X-Forwarded-Proto from 127.0.0.1.
            "forwarded_allow_ips": "",
            # Stopped and reloaded by signals (systemd); gunicorn's control socket sits at one path per account, which
            # a second server run by the same account (the demo beside a test) would take over.
            "control_socket_disable": True,
        }).run()

    def _check_migrated(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database has migrations to apply: run `commonweal web migrate` first "
                               "(serving never migrates by itself)")

    def _check_static(self) -> None:
        if not any(Path(settings.STATIC_BUILD).glob("*/*")):
            raise CommandError(f"{settings.STATIC_BUILD} is empty: run scripts/setup.sh (it compiles GOV.UK Frontend's "
                               "CSS), then `commonweal web collectstatic`")
        if settings.STATIC_ROOT is None:
            self.stderr.write("serve: COMMONWEAL_STATIC_ROOT is not set, so static files are served from the source "
                              "folders with a short cache (see docs/deploy.md)")
            return
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if not manifest.exists():
            raise CommandError(f"no static files collected in {settings.STATIC_ROOT}: run "
                               "`commonweal web collectstatic` first")
        # a page naming a file missing from the manifest fails, so an upgrade that adds one must be collected again
        collected = json.loads(manifest.read_text(encoding="utf-8"))["paths"]
        missing = sorted(path for finder in get_finders() for path, _ in finder.list(["CVS", ".*", "*~"])
                         if path not in collected)
        if missing:
            raise CommandError(f"static files not yet collected in {settings.STATIC_ROOT} ({', '.join(missing[:3])}"
                               f"{', …' if len(missing) > 3 else ''}): run `commonweal web collectstatic`")
