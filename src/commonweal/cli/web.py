"""`commonweal web`: run the browser workspace."""

from __future__ import annotations

import os
import subprocess
import sys

import typer

from commonweal.cli.django_bridge import call

app = typer.Typer(help="The web workspace (Django).", no_args_is_help=True)


def _run(command: str, *args: str) -> None:
    """A management command whose refusal (CommandError) or a setting it cannot accept (ImproperlyConfigured) is a
    message and exit code 1, not a traceback."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError

    try:
        call(command, *args)
    except (CommandError, ImproperlyConfigured) as exc:
        typer.echo(f"commonweal web {command}: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def demo(
    port: int = typer.Option(8000, help="Port on 127.0.0.1."),
    serve: bool = typer.Option(True, help="Start the server after seeding (--no-serve only seeds)."),
) -> None:
    """Migrate the SQLite database, seed the demo (a shared service for two councils, a user per role, the example
    tender mid-evaluation), print the sign-ins, and serve on http://127.0.0.1:PORT/ with the production server."""
    # Plain http on the loopback address: no Secure cookie flag (the browser would not send the session back) and no
    # redirect to https. Everything else is production's: gunicorn, collected static files (under var/static).
    os.environ.setdefault("COMMONWEAL_LOCAL_DEMO", "1")
    _run("migrate", "--verbosity", "0")
    _run("seed_demo", "--url", f"http://127.0.0.1:{port}/")
    _run("spend_worker", "--until-empty")  # the demo councils' spend files, imported before the pages open
    if serve:
        _run("collectstatic", "--noinput", "--verbosity", "0")
        # the spend worker beside the server, for files uploaded while the demo runs; stopped with it
        spend_worker = subprocess.Popen([sys.executable, "-m", "commonweal.cli.main", "web", "worker"])
        try:
            _run("serve", "--bind", f"127.0.0.1:{port}")
        finally:
            spend_worker.terminate()
            spend_worker.wait(timeout=30)


@app.command()
def worker(
    until_empty: bool = typer.Option(False, "--until-empty", help="Stop when no import waits."),
) -> None:
    """Run the spend import worker: it imports uploaded spend files in the background, from a queue kept in the
    database (SQLite or DATABASE_URL). Run one beside `commonweal web serve`; stop it with SIGTERM."""
    _run("spend_worker", *(["--until-empty"] if until_empty else []))


@app.command()
def serve(
    bind: str = typer.Option(None, help="HOST:PORT (or unix:PATH) to listen on [default: 127.0.0.1:8000]."),
    workers: int = typer.Option(None, help="Worker processes [default: CPUs + 1]."),
    timeout: int = typer.Option(None, help="Seconds a request may take before its worker is restarted [default: 30]."),
) -> None:
    """Serve the workspace with gunicorn on DATABASE_URL (or the SQLite default). Run `commonweal web migrate` and
    `commonweal web collectstatic` first: serving changes neither. SIGTERM stops it gracefully."""
    options = {"--bind": bind, "--workers": workers, "--timeout": timeout}
    _run("serve", *(part for name, value in options.items() if value is not None for part in (name, str(value))))


@app.command()
def migrate() -> None:
    """Apply database migrations (SQLite under var/, or DATABASE_URL)."""
    _run("migrate")


@app.command()
def collectstatic() -> None:
    """Copy the static files into COMMONWEAL_STATIC_ROOT with content-hashed names and compressed copies."""
    if not (os.environ.get("COMMONWEAL_STATIC_ROOT") or os.environ.get("COMMONWEAL_LOCAL_DEMO")):
        typer.echo("commonweal web collectstatic: set COMMONWEAL_STATIC_ROOT to the folder to collect into", err=True)
        raise typer.Exit(1)
    _run("collectstatic", "--noinput")


@app.command()
def token(username: str = typer.Argument(..., help="The user the token acts as."),
          label: str = typer.Option("command line", help="What the token is for.")) -> None:
    """Issue a bearer token for the JSON API (printed once; only its digest is stored)."""
    _run("api_token", username, "--label", label)



@app.command()
def invite(organisation: str = typer.Argument(..., help="The organisation's slug, e.g. northfield."),
           username: str = typer.Argument(..., help="The new person's user name."),
           role: str = typer.Option("member", help="member, admin, commissioner or viewer."),
           name: str = typer.Option("", help="The person's full name."),
           base_url: str = typer.Option("", help="The service's address (default COMMONWEAL_BASE_URL).")) -> None:
    """Invite a person to an organisation: prints a one-time link (expires after COMMONWEAL_INVITATION_DAYS, a
    Commonweal default of 7) where they choose a password and join."""
    _run("invite", organisation, username, "--role", role, "--name", name,
         *(("--base-url", base_url) if base_url else ()))
