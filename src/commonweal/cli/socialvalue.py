"""`commonweal socialvalue ...` and `commonweal maturity`: thin commands over commonweal.services.socialvalue."""

from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.prompt import Prompt
from rich.table import Table

from commonweal.domain.numbers import money
from commonweal.domain.socialvalue.maturity import LEVELS, QUESTIONS, Answer
from commonweal.io.errors import InputError
from commonweal.io.socialvalue import read_maturity_answers
from commonweal.services import socialvalue as service

app = typer.Typer(
    name="socialvalue", help="Social value: measures, commitments, delivery and SROI.", no_args_is_help=True
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", help="table for people, json (or csv for measures)")]
LibraryOption = Annotated[
    Path | None, typer.Option("--library", help="a council's own library (CSV/XLSX); default: the open library")
]
VersionOption = Annotated[str, typer.Option("--library-version", help="the declared version of --library")]


def _run(build: Any) -> dict[str, Any]:
    """Run a service call; bad input ends the command with every problem listed and exit code 2."""
    try:
        result: dict[str, Any] = build()
    except InputError as error:
        typer.echo(error.summary(), err=True)
        raise typer.Exit(2) from error
    return result


def _emit_json(report: dict[str, Any]) -> None:
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))


def _library_banner(console: Console, library: dict[str, Any]) -> None:
    console.print(f"Library: {library['name']} {library['version']} (content hash {library['content_hash'][:16]})")
    for marking in library["licence_markings"]:
        console.print(f"[bold red]LICENCE: {marking}[/bold red]")


@app.command()
def measures(
    library: LibraryOption = None,
    library_version: VersionOption = "undeclared",
    rebase_to: Annotated[str | None, typer.Option("--rebase-to", help="re-base £ values to this price year")] = None,
    deflators: Annotated[
        Path | None, typer.Option(help="deflator series CSV; default: HM Treasury GDP deflator")
    ] = None,
    output: FormatOption = Format.table,
) -> None:
    """List the measures library: theme, outcome, unit, £ proxy (or record only), price year, source, licence."""
    report = _run(lambda: service.measures_report(library, library_version, rebase_to, deflators))
    if output is Format.json:
        _emit_json(report)
        return
    if output is Format.csv:
        # every row carries its licence and marking, so a restricted value is marked wherever the file goes
        writer = csv.DictWriter(sys.stdout, fieldnames=list(report["measures"][0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(report["measures"])
        return
    console = Console(width=200)
    _library_banner(console, report["library"])
    table = Table("id", "theme / outcome", "unit", "£ per unit", "price year", "source", "licence")
    if rebase_to:
        table.add_column(f"£ in {rebase_to} prices")
    for m in report["measures"]:
        cells = [
            m["id"],
            f"{m['theme']} / {m['outcome']}",
            m["unit"],
            m["proxy_gbp"] or "record only",
            m["price_year"] or "not stated",
            m["source"],
            m["licence"] + (f" [{m['licence_marking']}]" if m["licence_marking"] else ""),
        ]
        if rebase_to:
            cells.append(m["rebased_gbp"] or m["rebase_note"])
        table.add_row(*cells)
    console.print(table)


@app.command()
def commitments(
    folder: Annotated[Path, typer.Argument(help="a tender folder with commitments.csv (and bids, socialvalue.yaml)")],
    library: LibraryOption = None,
    library_version: VersionOption = "undeclared",
    output: FormatOption = Format.table,
) -> None:
    """Each bid's committed social value in £, % of bid price and per £ of contract value, with anti-washing flags."""
    report = _run(lambda: service.commitments_report(folder, library, library_version))
    if output is Format.json:
        _emit_json(report)
        return
    console = Console(width=200)
    _library_banner(console, report["library"])
    table = Table("lot", "bidder", "social value £", "% of bid price", "£ per £ of contract", "flags")
    for bid in report["bids"]:
        table.add_row(
            bid["lot"],
            bid["bidder"],
            bid["social_value_gbp"],
            bid["share_of_bid_price_percent"] or "-",
            bid["per_pound_of_contract_value"] or "-",
            str(len(bid["flags"])),
        )
    console.print(table)
    for bid in report["bids"]:
        for flag in bid["flags"]:
            console.print(f"[yellow]{bid['lot']} / {bid['bidder']}: {flag['check']}[/yellow]: {flag['reason']}")


@app.command()
def delivery(
    commitments_file: Annotated[Path, typer.Argument(help="commitments.csv|xlsx of the awarded contract(s)")],
    returns_file: Annotated[Path, typer.Argument(help="delivery returns CSV/XLSX")],
    library: LibraryOption = None,
    library_version: VersionOption = "undeclared",
    year: Annotated[int | None, typer.Option(help="contract year to date: later commitments are not yet due")] = None,
    output: FormatOption = Format.table,
) -> None:
    """Committed against delivered (verified) social value, with a red/amber/green status."""
    report = _run(lambda: service.delivery_report(commitments_file, returns_file, library, library_version, year))
    if output is Format.json:
        _emit_json(report)
        return
    console = Console(width=200)
    _library_banner(console, report["library"])
    table = Table(
        "supplier",
        "lot",
        "measure",
        "year",
        "committed",
        "delivered (verified)",
        "unverified",
        "£ committed",
        "£ delivered",
        "RAG",
    )
    for contract in report["contracts"]:
        for line in contract["commitments"]:
            table.add_row(
                contract["supplier"],
                contract["lot"],
                line["measure"],
                str(line["year"]),
                line["committed_units"],
                line["delivered_units"],
                line["unverified_units"],
                line["committed_gbp"] or "record only",
                line["delivered_gbp"] or "record only",
                line["rag"] or "not yet due",
            )
        table.add_row(
            contract["supplier"],
            contract["lot"],
            "[bold]contract[/bold]",
            "",
            "",
            "",
            "",
            contract["committed_gbp"],
            contract["delivered_gbp"],
            f"[bold]{contract['rag'] or 'nothing due yet'}[/bold]",
        )
    console.print(table)
    for record in report["unmatched_returns"]:
        console.print(f"[yellow]Return with no matching commitment[/yellow]: {record}")


@app.command()
def sroi(
    file: Annotated[Path, typer.Argument(help="an impact map (YAML)")],
    library: LibraryOption = None,
    library_version: VersionOption = "undeclared",
    output: FormatOption = Format.table,
) -> None:
    """Present value, SROI ratio and net ratio (Green Book discounting), and which assumption would break it."""
    report = _run(lambda: service.sroi_report(file, library, library_version))
    if output is Format.json:
        _emit_json(report)
        return
    console = Console(width=200)
    console.print(
        f"[bold]{report['name']}[/bold]: investment {money(Decimal(report['investment']), None)}, "
        f"present value {money(Decimal(report['present_value']), None)}, SROI ratio {report['ratio']} : 1, "
        f"net ratio {report['net_ratio']}"
    )
    console.print(f"Discounting: {report['discount_rates']['source']}")
    table = Table("outcome", "assumption", "current", "ratio below 1 when", "break-even", "change")
    for row in report["sensitivity"]:
        if row["reachable"]:
            table.add_row(
                row["outcome"],
                row["assumption"],
                row["current"],
                row["ratio_below_1_when"],
                row["break_even"],
                row["change"] or "-",
            )
    console.print(table)


def _is_terminal() -> bool:
    return sys.stdin.isatty()


def maturity(
    answers: Annotated[Path | None, typer.Option(help="answers file (CSV/XLSX: question, answer, note)")] = None,
    output: FormatOption = Format.table,
) -> None:
    """Self-assess how far social value informs the council's commissioning, against the SOLACE 2018 poll."""
    if answers is not None:
        given = _run(lambda: {"answers": read_maturity_answers(answers)})["answers"]
    elif _is_terminal():
        given = tuple(
            Answer(question.id, LEVELS[LEVELS.index(Prompt.ask(question.text, choices=list(LEVELS)))])
            for question in QUESTIONS
        )
    else:
        typer.echo("not a terminal: give the answers with --answers FILE", err=True)
        raise typer.Exit(2)
    report = service.maturity_report(given)
    if output is Format.json:
        _emit_json(report)
        return
    console = Console(width=160)
    bench = report["benchmark"]
    console.print(
        f"[bold]Social value informs commissioning: {report['level']}[/bold] (mean {report['mean_score']} on 0-3)"
    )
    console.print(
        f"Benchmark: {bench['same_level_percent']}% of SOLACE 2018 delegates placed their council here, "
        f"{bench['below_percent']}% below and {bench['above_percent']}% above. Source: {bench['source']}"
    )
    console.print("[bold]Reasons[/bold]")
    for reason in report["reasons"]:
        console.print(f"- {reason}")
    console.print("[bold]Next steps[/bold]")
    for step in report["next_steps"]:
        console.print(f"- {step}")
