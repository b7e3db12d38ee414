"""The `commonweal` command. Each area of the product registers its sub-command group here: one line in `AREAS`.

Areas are imported only when one of their commands runs (or `--help` lists them): `commonweal ocds compile` then
starts in a fraction of a second instead of importing every area (pandas, Ibis, DuckDB, NumPy, Django).
"""

from __future__ import annotations

from importlib import import_module

import typer
from typer import _click as click  # Typer 0.29 vendors Click: its Command, Context types
from typer.core import TyperGroup

from commonweal import __version__

# command name -> (module, attribute): a Typer sub-app, or a function that is one command. In `--help` order.
AREAS: dict[str, tuple[str, str]] = {
    # tenders
    "evaluate": ("commonweal.cli.evaluate", "evaluate"),
    "demo": ("commonweal.cli.evaluate", "demo"),
    # social value
    "maturity": ("commonweal.cli.socialvalue", "maturity"),
    "socialvalue": ("commonweal.cli.socialvalue", "app"),
    # suppliers, spend and market
    "suppliers": ("commonweal.cli.suppliers", "app"),
    "spend": ("commonweal.cli.spend", "spend_app"),
    "market": ("commonweal.cli.spend", "market_app"),
    # contracts
    "contracts": ("commonweal.cli.contracts", "app"),
    # publishing
    "notices": ("commonweal.cli.notices", "app"),
    # open data
    "ocds": ("commonweal.cli.ocds", "app"),
    # the web workspace and its audit trail
    "web": ("commonweal.cli.web", "app"),
    "audit": ("commonweal.cli.audit", "app"),
}


def area_command(name: str) -> click.Command:
    """The click command for an area's entry in `AREAS`, importing its module now; the same command that
    `app.add_typer` (or `app.command`) on the main app would make."""
    module, attribute = AREAS[name]
    target = getattr(import_module(module), attribute)
    holder = typer.Typer(add_completion=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
        group = typer.main.get_group(holder)
        return group.commands[name]
    holder.command(name)(target)
    return typer.main.get_command(holder)


class _LazyAreas(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *AREAS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in AREAS:
            return area_command(cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="commonweal",
    help="Commission UK council services on social value, not on price alone.",
    no_args_is_help=True,
    add_completion=False,
    cls=_LazyAreas,
)


@app.callback()
def main() -> None:
    """Commission UK council services on social value, not on price alone."""


@app.command()
def version() -> None:
    """Print Commonweal's version."""
    typer.echo(__version__)


if __name__ == "__main__":  # `python -m commonweal.cli.main`: how `commonweal web demo` starts its spend worker
    app()
