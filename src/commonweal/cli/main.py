"""The `commonweal` command. Each area of the product registers its own sub-command group here."""

from __future__ import annotations

import typer

from commonweal import __version__
from commonweal.cli.spend import market_app, spend_app

app = typer.Typer(
    name="commonweal",
    help="Commission UK council services on social value, not on price alone.",
    no_args_is_help=True,
    add_completion=False,
)


app.add_typer(spend_app, name="spend")
app.add_typer(market_app, name="market")


@app.callback()
def main() -> None:
    """Commission UK council services on social value, not on price alone."""


@app.command()
def version() -> None:
    """Print Commonweal's version."""
    typer.echo(__version__)
