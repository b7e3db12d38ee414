"""`commonweal audit`: check the web workspace's tamper-evident audit chains and print their heads."""

from __future__ import annotations

import typer

from commonweal.cli.django_bridge import call

app = typer.Typer(help="The audit trail of the web workspace.", no_args_is_help=True)


def _run(command: str, *args: str) -> None:
    from django.core.management.base import CommandError

    try:
        call(command, *args)
    except CommandError as exc:
        typer.echo(f"audit {command.removeprefix('audit_')}: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def verify(
    organisation: str = typer.Option(
        None, help="Check only this organisation's chain (its slug; 'deployment' for entries of no organisation)."
    ),
    head: str = typer.Option(
        None, help="Expected head hash (with --organisation), to detect entries removed from the end of the chain."
    ),
) -> None:
    """Recompute every entry's hash, link and MAC, one line per chain; exit 1 naming any edited, rewritten or
    deleted entry."""
    _run("audit_verify", *(["--organisation", organisation] if organisation else []),
         *(["--head", head] if head else []))


@app.command("head")
def show_head(
    organisation: str = typer.Option(..., help="The organisation's slug ('deployment' for entries of none)."),
) -> None:
    """Print the chain's current head (sequence, hash, MAC) as JSON, to record on a statutory document."""
    _run("audit_head", "--organisation", organisation)
