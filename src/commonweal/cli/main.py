"""The `commonweal` command. Each area of the product registers its own sub-command group here."""

from __future__ import annotations

import typer

from commonweal import __version__
from commonweal.cli import audit, contracts, evaluate, ocds, socialvalue, suppliers, web
from commonweal.cli.spend import market_app, spend_app

app = typer.Typer(
    name="commonweal",
    help="Commission UK council services on social value, not on price alone.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """Commission UK council services on social value, not on price alone."""


@app.command()
def version() -> None:
    """Print Commonweal's version."""
    typer.echo(__version__)


# tenders
app.command()(evaluate.evaluate)
app.command()(evaluate.demo)
# social value
app.add_typer(socialvalue.app)
app.command()(socialvalue.maturity)
# suppliers, spend and market
app.add_typer(suppliers.app, name="suppliers")
app.add_typer(spend_app, name="spend")
app.add_typer(market_app, name="market")
# contracts
app.add_typer(contracts.app, name="contracts")
# open data
app.add_typer(ocds.app, name="ocds")
# the web workspace and its audit trail
app.add_typer(web.app, name="web")
app.add_typer(audit.app, name="audit")
