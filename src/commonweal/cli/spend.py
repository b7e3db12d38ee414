"""`commonweal spend ...` and `commonweal market ...`: thin commands over commonweal.services.spend."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from commonweal.cli.errors import fail_on_input_error
from commonweal.domain.market.locality import parse_local_areas
from commonweal.domain.numbers import money
from commonweal.io.errors import InputError
from commonweal.io.spend.layout import stated_period
from commonweal.services import spend as service

spend_app = typer.Typer(help="Import council spend files and report where the money goes.", no_args_is_help=True)
market_app = typer.Typer(help="Suppliers, community partners and lotting advice.", no_args_is_help=True)
DbOption = Annotated[Path, typer.Option("--db", help="Folder of the spend store (Parquet and import reports).")]
FormatOption = Annotated[str, typer.Option("--format", help="text or json")]
err = Console(stderr=True)
CompaniesHouseOption = Annotated[list[Path] | None, typer.Option(
    "--companies-house", help="Companies House basic company data CSV (repeat for each part): sizes from accounts")]


LOCAL_HELP = "Local postcode areas or districts, comma separated: e.g. M5,M6,M7 or M"
LOCALITY_NAMES = {"local": "local", "not_local": "not local", "unknown": "unknown (no usable postcode)"}


def _local_areas(text: str) -> list[str]:
    """The --local-postcodes list, checked by the same rules as the workspace's setting."""
    areas, problems = parse_local_areas(text)
    if problems:
        err.print("--local-postcodes: " + "; ".join(problems), highlight=False, markup=False)
        raise typer.Exit(code=2)
    return list(areas)


def _rows_in(path: Path) -> int:
    """Lines in the file, for the progress bar's total: counted in chunks, as the file may be bigger than memory
    should hold."""
    lines = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 24):
                lines += chunk.count(b"\n")
    except OSError:
        return 1
    return max(lines, 1)


@spend_app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Spend, p-card, grants or contracts CSV/XLSX; 360Giving JSON")],
    db: DbOption,
    output: FormatOption = "text",
    column_map: Annotated[Path | None, typer.Option("--column-map", help="YAML/JSON file stating the layout")] = None,
    date_order: Annotated[str | None, typer.Option("--date-order", help="dmy or mdy, when dates are ambiguous")] = None,
    engine: Annotated[str, typer.Option("--engine", help="auto, rows or fast (the fast path for big CSV)")] = "auto",
    period: Annotated[str | None, typer.Option("--period", help="yyyy-mm: the month for rows with no usable date "
                                                                "(each flagged period_stated)")] = None,
) -> None:
    """Import files into the store; prints each file's report (rows read = loaded + rejected)."""
    month = None
    if period is not None:
        try:
            month = stated_period(period)
        except ValueError as exc:
            err.print(f"--period: {exc}")
            raise typer.Exit(code=2) from None
    total = sum(_rows_in(f) for f in files)
    try:
        with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, transient=True, disable=output == "json" or total < 20000) as progress:
            task = progress.add_task("rows", total=total)
            reports = service.import_files(files, db, column_map=column_map, date_order=date_order,
                                           progress=lambda n: progress.advance(task, n), engine=engine, period=month)
    except InputError as exc:
        raise fail_on_input_error(exc) from None
    except ValueError as exc:
        err.print(str(exc))
        raise typer.Exit(code=2) from None
    if output == "json":
        typer.echo(json.dumps({"files": reports}, indent=2))
        return
    table = Table("file", "kind", "rows read", "loaded", "rejected", "total £", "dates")
    for r in reports:
        table.add_row(r["file"], r["kind"], str(r["rows_read"]), str(r["rows_loaded"]), str(r["rows_rejected"]),
                      money(Decimal(r['total_amount'])), f"{r['date_first']} .. {r['date_last']}")
    Console().print(table)
    for r in reports:
        typer.echo(f"{r['file']}: mapping {r['mapping']}; ignored {r['ignored_columns']}; dates {r['date_format']}")
        for name, how in r.get("confidence", {}).items():
            typer.echo(f"  {name}: {how}")
        for rejection in r["rejections"][:20]:
            typer.echo(f"  rejected row {rejection['row']} column {rejection['column']}: {rejection['reason']}")


@spend_app.command("report")
def report(
    db: DbOption,
    output: Annotated[str, typer.Option("--format", help="text, json or html")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Also write charts, CSV and XLSX tables here")] = None,
    bands: Annotated[str, typer.Option("--bands", help="HHI bands: uk-2010, us-2023 or us-2010")] = "uk-2010",
    council: Annotated[str | None, typer.Option("--council", help="Only councils whose name contains this")] = None,
    local_postcodes: Annotated[str, typer.Option("--local-postcodes", help=LOCAL_HELP)] = "",
    companies_house: CompaniesHouseOption = None,
) -> None:
    """Where the money goes: shares by supplier type, concentration, dependency, duplicates to review."""
    try:
        data = service.spend_report(db, bands=bands, council=council,
                                    local_areas=_local_areas(local_postcodes),
                                    companies_house=companies_house or [])
    except InputError as exc:
        raise fail_on_input_error(exc) from None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        service.write_outputs(data, out)
    if output == "json":
        typer.echo(json.dumps(data, indent=2, default=str))
    elif output == "html":
        typer.echo(service.report_html(data))
    else:
        _print_report(data)


@spend_app.command("review")
def review(
    left: Annotated[str, typer.Argument(help="A supplier name from the report's review list")],
    right: Annotated[str, typer.Argument(help="The name it was listed beside")],
    db: DbOption,
    same: Annotated[bool, typer.Option("--same/--different", help="One organisation, or two")],
    by: Annotated[str, typer.Option("--by", help="Who decided (recorded with the date)")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record")],
    output: FormatOption = "text",
) -> None:
    """Decide a pair of look-alike supplier names: --same joins them in every later report, --different takes
    the pair off the review list."""
    try:
        decision = service.review_suppliers(db, left, right, same=same, decided_by=by, reason=reason,
                                            today=dt.date.today())  # noqa: DTZ011 (the council's calendar day)
    except InputError as exc:
        raise fail_on_input_error(exc) from None
    if output == "json":
        typer.echo(json.dumps(decision, indent=2))
        return
    verdict = "the same organisation" if decision["same"] else "two organisations"
    typer.echo(f"Recorded: '{decision['left']}' and '{decision['right']}' are {verdict} "
               f"({decision['decided_by']}, {decision['decided_on']}: {decision['reason']})")


def _print_report(data: dict[str, Any]) -> None:
    console = Console()
    table = Table("supplier type", "spend £", "share", "of which on a name alone",
                  title="Spend by supplier type (unknown = unclassified)",
                  caption="'On a name alone': spend whose supplier's type comes only from words in its name, the "
                          "weakest evidence; for SMEs a base rate, since a name says nothing of size.")
    for row in data["spend_by_label"]:
        alone = row["on_name_alone_share"]
        table.add_row(row["label"], money(Decimal(row['total'])), f"{row['share']:.1%}",
                      f"{alone:.0%}" if alone is not None else "")
    console.print(table)
    local = data["local"]
    if local["local_areas"]:
        console.print(f"Local suppliers (postcode areas {', '.join(local['local_areas'])}): " + "; ".join(
            f"{LOCALITY_NAMES[p['locality']]} {money(Decimal(p['total']))}"
            + (f" ({p['share']:.1%})" if p["share"] is not None else "") for p in local["parts"]),
            highlight=False, markup=False)
    else:
        console.print("Local share: give --local-postcodes to see it", highlight=False, markup=False)
    table = Table("council / service area", "spend £", "suppliers", "top-1", "HHI", "band",
                  title=f"Concentration (bands: {data['hhi_bands']['source']})")
    for row in data["concentration"]:
        table.add_row(f"{row['council']} / {row['service_area']}", money(Decimal(row['total'])),
                      str(row["suppliers"]), f"{row['top1_share']:.0%}", f"{row['hhi']:.0f}", row["band"])
    console.print(table)
    console.print(f"{data['dependency_alert_count']} dependency alerts; {data['review_candidate_count']} supplier "
                  "pairs to review as possible duplicates")
    for alert in data["dependency_alerts"][:10]:
        console.print(f"  {alert['message']}", highlight=False)
    if data["review_candidates"]:
        console.print("Possible duplicates (decide each with `commonweal spend review NAME OTHER_NAME --db PATH "
                      "--same|--different --by WHO --reason TEXT`):", highlight=False, markup=False)
        for pair in data["review_candidates"][:10]:
            console.print(f"  {pair['left']!r} ~ {pair['right']!r}: {pair['reason']} ({pair['score']:.0f})",
                          highlight=False, markup=False)


@market_app.command("partners")
def partners(
    db: DbOption,
    service_text: Annotated[str, typer.Option("--service", help="The planned contract's service")],
    value: Annotated[str, typer.Option("--value", help="Annual value in pounds, e.g. 1200000")],
    lots: Annotated[int, typer.Option("--lots", min=1)] = 1,
    min_bidders: Annotated[int, typer.Option("--min-bidders", min=1)] = 3,
    capacity_multiple: Annotated[str, typer.Option("--capacity-multiple",
                                                   help="Commonweal default 2")] = "2",
    local_postcodes: Annotated[str, typer.Option("--local-postcodes", help=LOCAL_HELP)] = "",
    local_only: Annotated[bool, typer.Option("--local-only")] = False,
    council: Annotated[str | None, typer.Option("--council")] = None,
    relatedness: Annotated[float, typer.Option("--relatedness", help="percent of the service's words an area must "
                                               "contain (Commonweal default 70)")] = 70.0,
    output: FormatOption = "text",
) -> None:
    """Local SMEs and VCSE organisations already paid or funded in related areas, and lot sizes they could bid for."""
    try:
        annual, multiple = Decimal(value.replace(",", "").lstrip("£")), Decimal(capacity_multiple)
    except InvalidOperation:
        err.print(f"--value '{value}' / --capacity-multiple '{capacity_multiple}': expected numbers such as 1200000")
        raise typer.Exit(code=2) from None
    try:
        data = service.partners(db, service_text, annual, lots=lots, min_bidders=min_bidders,
                                capacity_multiple=multiple, local_areas=_local_areas(local_postcodes),
                                local_only=local_only, council=council, related_at=relatedness)
    except (InputError, ValueError) as exc:
        err.print(str(exc))
        raise typer.Exit(code=1) from None
    if output == "json":
        typer.echo(json.dumps(data, indent=2))
        return
    console = Console()
    table = Table("organisation", "type (from)", "local", "received £", "largest year £", "can bid up to £",
                  title=f"Community partners for '{data['service']}'")
    for p in data["partners"][:30]:
        table.add_row(p["name"], f"{p['label']} ({p['label_source']})",
                      {True: "yes", False: "no", None: "?"}[p["local"]], money(Decimal(p['received_total'])),
                      money(Decimal(p['largest_annual'])), money(Decimal(p['capacity'])))
    console.print(table)
    console.print(f"Lot value {money(Decimal(data['lot_value']))}: "
                  f"{'too large for every partner' if data['lots_too_large'] else 'within reach of some partners'}.",
                  highlight=False)
    if data["proposed_lots"]:
        console.print(f"Proposed: {data['proposed_lots']} lots of {money(Decimal(data['proposed_lot_value']))}, so "
                      f"at least {data['min_bidders']} partners could bid for each.", highlight=False)
    console.print(f"Rule: {data['capacity_rule']}", highlight=False)
    for note in data["notes"]:
        console.print(f"Note: {note}", highlight=False)


@market_app.command("accuracy")
def accuracy(files: Annotated[list[Path], typer.Argument(help="Files carrying a council's own supplier flags")],
             companies_house: CompaniesHouseOption = None) -> None:
    """Classify suppliers with the councils' flags withheld and compare with the flags (Devon, Calderdale,
    Salford); with --companies-house, sizes from the accounts category Companies House records."""
    try:
        results = service.accuracy_of_files(files, companies_house or [])
    except InputError as exc:
        raise fail_on_input_error(exc) from None
    typer.echo(json.dumps(results, indent=2))
