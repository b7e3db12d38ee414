"""`commonweal web`: run the browser workspace."""

from __future__ import annotations

import os

import typer

from commonweal.cli.django_bridge import call

app = typer.Typer(help="The web workspace (Django).", no_args_is_help=True)


@app.command()
def demo(
    port: int = typer.Option(8000, help="Port on 127.0.0.1."),
    serve: bool = typer.Option(True, help="Start the server after seeding (--no-serve only seeds)."),
) -> None:
    """Migrate the SQLite database, seed the demo (a shared service for two councils, a user per role, the example
    tender mid-evaluation), print the sign-ins, and serve on http://127.0.0.1:PORT/."""
    # Plain http on the loopback address: the Secure cookie flag would stop the browser sending the session.
    os.environ.setdefault("COMMONWEAL_INSECURE_COOKIES", "1")
    call("migrate", "--verbosity", "0")
    call("seed_demo", "--url", f"http://127.0.0.1:{port}/")
    if serve:
        call("runserver", f"127.0.0.1:{port}", "--noreload")


@app.command()
def migrate() -> None:
    """Apply database migrations (SQLite under var/, or DATABASE_URL)."""
    call("migrate")


@app.command()
def token(username: str = typer.Argument(..., help="The user the token acts as."),
          label: str = typer.Option("command line", help="What the token is for.")) -> None:
    """Issue a bearer token for the JSON API (printed once; only its digest is stored)."""
    call("api_token", username, "--label", label)


@app.command()
def invite(organisation: str = typer.Argument(..., help="The organisation's slug, e.g. northfield."),
           username: str = typer.Argument(..., help="The new person's user name."),
           role: str = typer.Option("member", help="member, admin, commissioner or viewer."),
           name: str = typer.Option("", help="The person's full name."),
           base_url: str = typer.Option("", help="The service's address (default COMMONWEAL_BASE_URL).")) -> None:
    """Invite a person to an organisation: prints a one-time link (expires after COMMONWEAL_INVITATION_DAYS, a
    Commonweal default of 7) where they choose a password and join."""
    from django.core.management.base import CommandError

    try:
        call("invite", organisation, username, "--role", role, "--name", name,
             *(("--base-url", base_url) if base_url else ()))
    except CommandError as exc:
        typer.echo(f"web invite: {exc}", err=True)
        raise typer.Exit(1) from exc
