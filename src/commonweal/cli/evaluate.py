"""`commonweal evaluate` and `commonweal demo`: thin commands over `commonweal.services.evaluation`."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from commonweal.cli.errors import fail_on_input_error
from commonweal.domain.numbers import money
from commonweal.io.errors import InputError
from commonweal.io.export import neutralise
from commonweal.services.evaluation import RANKING_HEADER, TenderEvaluation, evaluate_folder, ranking_rows

EXAMPLE_TENDER = Path(__file__).resolve().parents[3] / "examples" / "home-care-tender"


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def print_table(evaluation: TenderEvaluation, console: Console) -> None:
    tender = evaluation.tender
    console.print(f"[bold]{tender.title}[/] ({tender.reference}), {tender.buyer}")
    for lot in evaluation.lots:
        result, sensitivity = lot.result, lot.sensitivity
        status = "final" if result.final else "PROVISIONAL: " + "; ".join(result.pending)
        table = Table(title=f"Lot {result.lot.id}: {result.lot.title} ({status})", title_justify="left")
        for column in ("Rank", "Bidder", "Price", "Price pts", "Quality", "Social value", "Total", "P(first)"):
            table.add_column(column, justify="left" if column == "Bidder" else "right")
        for r in result.ranking:
            probability = sensitivity.win_probability.get(r.bidder)
            table.add_row(
                str(r.rank) if r.rank else "out",
                r.bidder,
                f"{money(r.bid.price, 0)}",
                str(r.price_points) if r.price_points is not None else "–",
                f"{r.quality:.2f}",
                f"{r.social_value:.2f}",
                str(r.total) if r.total is not None else "–",
                f"{probability:.0%}" if probability is not None else "–",
            )
        console.print(table)
        for r in result.ranking:
            for line in r.exclusion_reasons:
                console.print(f"  [red]excluded[/] {r.bidder}: {line}", highlight=False)
            for line in r.flags:
                console.print(f"  [yellow]flag[/] {r.bidder}: {line}", highlight=False)
        recommendation = lot.recommendation
        for line in recommendation.reasons:
            console.print(f"  {line}", markup=False, highlight=False)
        for line in recommendation.cautions:
            console.print(f"  [yellow]caution[/] {line}", highlight=False)
        console.print()


def write_csv(evaluation: TenderEvaluation, stream: typer.FileTextWrite | object) -> None:
    """The ranking as CSV; text that a spreadsheet would run as a formula is neutralised."""
    writer = csv.writer(stream, lineterminator="\n")  # type: ignore[arg-type]
    writer.writerow(RANKING_HEADER)
    writer.writerows([neutralise(v) for v in row] for row in ranking_rows(evaluation))


def evaluate(
    folder: Path = typer.Argument(
        ..., exists=True, file_okay=False, help="The tender folder (tender.yaml, bids, scores, moderation)."
    ),
    format: Format = typer.Option(Format.table, "--format", help="How to print the result."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the HTML and PDF report with assessment summaries here."
    ),
) -> None:
    """Evaluate a tender folder: ranking, sensitivity, assessment summaries and the award recommendation."""
    try:
        evaluation = evaluate_folder(folder)
    except InputError as error:
        raise fail_on_input_error(error) from error
    if format is Format.json:
        typer.echo(json.dumps(evaluation.as_json(), indent=2, ensure_ascii=False))
    elif format is Format.csv:
        write_csv(evaluation, sys.stdout)
    else:
        print_table(evaluation, Console(width=None if sys.stdout.isatty() else 120))
    if out is not None:
        from commonweal.services.reports import write_evaluation_report

        written = write_evaluation_report(evaluation, out)
        Console(stderr=True).print(f"Report written: {len(written)} files in {out}")


def demo(out: Path = typer.Option(Path("out/demo"), "--out", help="Where to write the demo report.")) -> None:
    """Evaluate the shipped example tender, print the ranking and write the report."""
    evaluate(EXAMPLE_TENDER, Format.table, out)
