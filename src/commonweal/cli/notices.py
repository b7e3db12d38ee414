"""`commonweal notices build|validate`: Procurement Act 2023 notices from tender and contract folders, as OCDS
release packages with Find a Tender's extensions, checked offline (thin commands over `commonweal.services.notices`).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from commonweal.cli.errors import fail_on_input_error
from commonweal.io.errors import InputError

app = typer.Typer(
    name="notices",
    help="Procurement Act 2023 notices (Find a Tender's OCDS): build and validate.",
    no_args_is_help=True,
)


@app.command("build")
def build(
    tender: Annotated[
        Path | None, typer.Option(help="A tender folder (tender.yaml, bids, scores, notices.yaml)")
    ] = None,
    contract: Annotated[list[Path], typer.Option(help="A contract folder (repeat for each)")] = [],  # noqa: B006
    planned: Annotated[
        list[Path],
        typer.Option(help="For the pipeline: a planned procurement's tender folder (tender.yaml with its lots' "
                     "budgets, notices.yaml with expected_notice; repeat for each)"),
    ] = [],  # noqa: B006
    ocid_prefix: Annotated[str, typer.Option(help="The council's registered OCID prefix")] = "",
    as_of: Annotated[str | None, typer.Option(help="Assess contract KPIs as at this date (YYYY-MM-DD)")] = None,
    pipeline_year: Annotated[
        int | None,
        typer.Option(help="Also a pipeline notice (UK1) for the financial year beginning 1 April of this year"),
    ] = None,
    lead_months: Annotated[
        int | None,
        typer.Option(
            help="For the pipeline: months before a contract's maximum term ends when its re-procurement is advertised"
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Write the release package here instead of stdout")] = None,
) -> None:
    """Build every notice the folders support (UK1, UK2, UK4, UK6, UK7, UK9, UK10, UK11, UK12) as one release
    package; nothing is written unless libcoveocds finds 0 errors."""
    from commonweal.io.ocds.write import dumps, write_package
    from commonweal.services.notices import build_package

    if tender is None and not contract and not planned:
        raise typer.BadParameter("give --tender, --contract, --planned or several")
    if planned and pipeline_year is None:
        raise typer.BadParameter("--planned tenders are listed in a pipeline notice: give --pipeline-year too")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter(f"--as-of expects YYYY-MM-DD, got {as_of!r}") from None
    try:
        package = build_package(
            tender, contract, ocid_prefix=ocid_prefix, as_of=day, pipeline_year=pipeline_year, lead_months=lead_months,
            planned_dirs=planned,
        )
    except InputError as error:
        raise fail_on_input_error(error) from None
    if output is None:
        sys.stdout.buffer.write(dumps(package, indent=True) + b"\n")
    else:
        write_package(output, package)
        typer.echo(f"wrote {len(package['releases'])} notices to {output} (libcoveocds: 0 errors)")


@app.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="A release package of notices (JSON)")]) -> None:
    """Check a notices package against OCDS 1.1.5 and the extensions it declares, offline; exit code 1 on any
    error."""
    from commonweal.services.notices import validate_file

    try:
        result = validate_file(file)
    except InputError as error:
        raise fail_on_input_error(error) from None
    for release_id, code in result.notices:
        typer.echo(f"{code}\t{release_id}")
    for problem in result.check.errors + result.check.invalid_extensions:
        typer.echo(f"error: {problem}", err=True)
    if not result.check.valid:
        raise typer.Exit(code=1)
    typer.echo(f"{len(result.notices)} notices: libcoveocds 0 errors")


@app.command("transparency")
def transparency(
    out: Annotated[Path, typer.Option(help="Folder to write the CSV, XLSX and JSON files into")],
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD)")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD)")],
    db: Annotated[Path | None, typer.Option(help="The spend store (`commonweal spend import --db`)")] = None,
    contract: Annotated[list[Path], typer.Option(help="A contract folder (repeat for each)")] = [],  # noqa: B006
) -> None:
    """Local Government Transparency Code 2015 files (spend over £500, contracts over £5,000) and Procurement Act
    2023 s.70 payments over £30,000 linked to contracts (every payment not linked listed with the reason), as CSV
    and XLSX, with the s.69 payments compliance figures the record supports."""
    from commonweal.services.notices import transparency_files

    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        raise typer.BadParameter(f"--from and --to expect YYYY-MM-DD, got {start!r} and {end!r}") from None
    try:
        result = transparency_files(db, contract, first, last, out)
    except InputError as error:
        raise fail_on_input_error(error) from None
    typer.echo(f"spend over £500: {result.spend_rows} rows; contracts over £5,000: {result.contract_rows}; "
               f"payments over £30,000 under contracts: {result.s70_rows}; not linked: {result.unlinked}")
    for path in result.written:
        typer.echo(f"  {path}")
