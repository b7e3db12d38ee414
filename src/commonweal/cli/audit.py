"""`commonweal audit`: check the web workspace's tamper-evident audit trail."""

from __future__ import annotations

import typer

from commonweal.cli.django_bridge import call

app = typer.Typer(help="The audit trail of the web workspace.", no_args_is_help=True)


@app.command()
def verify(
    head: str = typer.Option(None, help="Expected head hash, to detect entries removed from the end of the chain."),
) -> None:
    """Recompute every entry's hash and link; exit 1 naming any edited or deleted entry."""
    from django.core.management.base import CommandError

    try:
        call("audit_verify", *(["--head", head] if head else []))
    except CommandError as exc:
        typer.echo(f"audit verify: {exc}", err=True)
        raise typer.Exit(1) from exc
