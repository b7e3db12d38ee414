"""`commonweal suppliers ...`: supplier resilience from the command line."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from commonweal.domain.resilience import ContractTier, Missing, Rag, SupplierRisk, SupplierYearAssessment
from commonweal.domain.resilience.metrics import METRICS_BY_KEY
from commonweal.domain.resilience.values import shown
from commonweal.io.errors import InputError
from commonweal.io.tabular import parse_pounds
from commonweal.services.suppliers import AssessmentRequest, assess_suppliers, register_as_dict

app = typer.Typer(
    help="See supplier failure coming: financial standing, distress scores, dependency.", no_args_is_help=True
)

_COLOURS = {Rag.RED: "red", Rag.AMBER: "yellow", Rag.GREEN: "green", Rag.MISSING: "dim"}


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class Unit(StrEnum):
    pounds = "£"
    millions = "£m"


def _money(text: str | None) -> Decimal | None:
    if text is None:
        return None
    value = parse_pounds(text)
    if value is None:
        raise typer.BadParameter(f"{text!r} is not an amount in pounds")
    if value <= 0:
        raise typer.BadParameter(f"{text!r} must be a positive amount in pounds")
    return value


@app.command()
def assess(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Accounts: CSV, XLSX or iXBRL (.html).")],
    *,
    output: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
    contract_value: Annotated[
        str | None, typer.Option(help="Annual contract value in £, for suppliers not named in --contracts.")
    ] = None,
    tier: Annotated[ContractTier, typer.Option(help="Contract tier: high, medium or low criticality.")] = (
        ContractTier.MEDIUM
    ),
    critical: Annotated[bool, typer.Option(help="Mark the service critical (adds the contingency checklist).")] = False,
    unit: Annotated[Unit, typer.Option(help="Unit of amounts in the accounts file where a row has no unit.")] = (
        Unit.pounds
    ),
    contracts: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="CSV/XLSX: supplier, annual_contract_value, tier, critical, spend."
        ),
    ] = None,
    spend_db: Annotated[
        Path | None,
        typer.Option("--spend-db", help="Spend store (from `commonweal spend import`): the council's spend with "
                     "each supplier and in --service."),
    ] = None,
    service: Annotated[
        str | None, typer.Option(help="Service area (matched ignoring case, as part of the name) for --spend-db.")
    ] = None,
) -> None:
    """Assess every supplier in FILE: metrics, distress scores, warning signs and the risk register."""
    request = AssessmentRequest(file, unit.value, contracts, _money(contract_value), tier, critical, spend_db, service)
    try:
        register = assess_suppliers(request)
    except InputError as error:
        typer.echo(error.summary(), err=True)
        raise typer.Exit(code=2) from None
    if output is OutputFormat.json:
        typer.echo(json.dumps(register_as_dict(register), indent=2, ensure_ascii=False))
        return
    _print_tables(register)


def _cell(value: object, rating: Rag, unit: str) -> str:
    colour = _COLOURS[rating]
    if isinstance(value, Missing):
        text = "missing"
    elif isinstance(value, Decimal):
        text = shown(value, unit)
    else:
        text = str(value)
    return f"[{colour}]{text}[/{colour}]"


def _payment_rating(year: SupplierYearAssessment) -> Rag:
    if isinstance(year.payment_days, Missing):
        return Rag.MISSING
    return Rag.AMBER if any(w.code == "slow_payment" for w in year.warnings) else Rag.GREEN


def _print_tables(register: list[SupplierRisk]) -> None:
    console = Console()
    for risk in register:
        colour = _COLOURS[risk.rating]
        table = Table(title=f"{risk.supplier}: [{colour}]{risk.rating.value.upper()}[/{colour}]", title_justify="left")
        table.add_column("Measure")
        for year in risk.years:
            table.add_column(year.accounts.year_end.isoformat(), justify="right")
        for key, definition in METRICS_BY_KEY.items():
            table.add_row(
                definition.label,
                *(_cell(y.metric(key).value, y.metric(key).rating, definition.unit) for y in risk.years),
            )
        for score in risk.years[0].scores:
            table.add_row(
                score.label, *(_cell(y.score(score.key).value, y.score(score.key).rating, "ratio") for y in risk.years)
            )
        table.add_row("Payment days", *(_cell(y.payment_days, _payment_rating(y), "ratio") for y in risk.years))
        table.add_row("Rating", *(_cell(y.rating.value, y.rating, "") for y in risk.years))
        console.print(table)
        for reason in risk.reasons:
            console.print(
                f"  [{_COLOURS[reason.rating]}]{reason.rating.value:>7}[/{_COLOURS[reason.rating]}] {reason.text}",
                highlight=False,
            )
        for item in risk.checklist:
            console.print(f"  [ ] {item.action} ({item.source})", highlight=False)
        console.print()
