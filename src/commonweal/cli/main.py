"""The `commonweal` command. Each area of the product registers its own sub-command group here."""

from __future__ import annotations

import typer

from commonweal import __version__
from commonweal.cli import audit, contracts, evaluate, ocds, socialvalue, suppliers, web

app = typer.Typer(
    name="commonweal",
    help="Commission UK council services on social value, not on price alone.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(contracts.app, name="contracts")
app.add_typer(audit.app, name="audit")
app.add_typer(web.app, name="web")
app.add_typer(suppliers.app, name="suppliers")


@app.callback()
def main() -> None:
    """Commission UK council services on social value, not on price alone."""


@app.command()
def version() -> None:
    """Print Commonweal's version."""
    typer.echo(__version__)


app.command()(evaluate.evaluate)
app.command()(evaluate.demo)
app.add_typer(ocds.app, name="ocds")
app.add_typer(socialvalue.app)
app.command()(socialvalue.maturity)
