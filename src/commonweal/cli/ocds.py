"""`commonweal ocds ...`: compile, import, export and red flags, thin commands over `commonweal.services.ocds`."""

from __future__ import annotations

import json
import sys
from dataclasses import fields, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from commonweal.cli.errors import fail_on_input_error
from commonweal.io.errors import InputError
from commonweal.services import ocds

if TYPE_CHECKING:  # imported where used, so `compile` starts without it
    from commonweal.domain.ocds.redflags import RedFlagSettings

app = typer.Typer(
    name="ocds", help="Open Contracting Data Standard: compile, import, export, red flags.", no_args_is_help=True
)


class Format(StrEnum):
    table = "table"
    json = "json"


def _pad_the_heap(megabytes: int = 64) -> bool:
    """Ask glibc's malloc to keep this much free memory at the top of the heap, as it grows and as memory is freed.

    A compile allocates and frees a few MB per batch of ocids; by default glibc hands the top of the heap back to
    the system each time and faults it in again, which was a sixth of a parallel compile's CPU time (150 MB: system
    time 0.40 s, 0.16 s with the pad). Returns whether malloc took it: nothing happens where malloc is not glibc's.
    """
    import ctypes  # only here: the other commands do not pay for importing it

    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and mallopt(-2, megabytes << 20) == 1  # -2: M_TOP_PAD in glibc's malloc.h


@app.command("compile")
def compile_(
    file: Annotated[Path, typer.Argument(help="OCDS file: release/record package, JSON Lines, release or array")],
    versioned: Annotated[bool, typer.Option(help="Print versioned releases instead of compiled releases")] = False,
    output: Annotated[Path | None, typer.Option(help="Write here (all or nothing) instead of standard output")] = None,
    jobs: Annotated[
        int | None, typer.Option(help="Worker processes merging in parallel [default: one per CPU; 1: none]")
    ] = None,
) -> None:
    """Merge releases into one compiled (or versioned) release per ocid, as JSON Lines in ocid order.

    To standard output the lines stream as they are merged, and a problem stops the command with exit code 2;
    with --output nothing is written unless the whole file compiles.
    """
    _pad_the_heap()
    try:
        text = ocds.compile_jsonl(file, versioned=versioned, jobs=jobs)
        if output is None:
            out = sys.stdout.buffer
            for piece in text:
                out.write(piece)
            out.flush()
        else:
            partial = output.with_name(output.name + ".partial")
            try:
                with partial.open("wb") as f:
                    for piece in text:
                        f.write(piece)
                partial.replace(output)
            finally:
                partial.unlink(missing_ok=True)
    except InputError as error:
        raise fail_on_input_error(error) from None


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="OCDS file to import")],
    db: Annotated[Path, typer.Option(help="DuckDB database to import into (created if absent)")],
) -> None:
    """Validate against OCDS 1.1.5, compile and store in DuckDB; any problem and nothing is imported."""
    try:
        counts = ocds.import_file(file, db)
    except InputError as error:
        raise fail_on_input_error(error) from None
    typer.echo(f"imported {counts.releases} releases, {counts.processes} contracting processes into {db}")
    for table, rows in counts.rows.items():
        typer.echo(f"  {table}: {rows} rows")


@app.command("export")
def export(
    tender_dir: Annotated[Path, typer.Argument(help="Commonweal tender folder (tender.yaml, bids, scores, ...)")],
    contract: Annotated[list[Path], typer.Option(help="A contract folder let from the tender (repeat per lot)")] = [],  # noqa: B006
    output: Annotated[Path | None, typer.Option(help="Write the release package here instead of stdout")] = None,
    published: Annotated[str | None, typer.Option(help="publishedDate (ISO 8601); default now")] = None,
) -> None:
    """Publish a tender, its evaluation model, award and contracts as an OCDS 1.1.5 release package, checked
    by libcoveocds offline (zero validation errors, or nothing is written)."""
    try:
        result = ocds.export_tender(tender_dir, contracts=contract, published=published)
    except InputError as error:
        raise fail_on_input_error(error) from None
    from commonweal.io.ocds.write import dumps, write_package

    if output is None:
        sys.stdout.buffer.write(dumps(result.package, indent=True) + b"\n")
    else:
        write_package(output, result.package)
        typer.echo(f"wrote {len(result.package['releases'])} releases to {output} (libcoveocds: 0 errors)")


def _settings(bid_status: list[str], threshold: list[str], disqualified_by_unsuccessful_award: bool) -> RedFlagSettings:
    from commonweal.domain.ocds.redflags import RedFlagSettings

    settings = RedFlagSettings(disqualified_by_unsuccessful_award=disqualified_by_unsuccessful_award)
    mapping = {}
    for pair in bid_status:
        published, _, standard = pair.partition("=")
        if not standard:
            raise typer.BadParameter(f"--bid-status expects PUBLISHED=OCDS, got {pair!r}")
        mapping[published] = standard
    changes: dict[str, Any] = {"bid_statuses": mapping}
    numbers = {f.name for f in fields(RedFlagSettings) if f.name.startswith("r0") and "methods" not in f.name}
    for pair in threshold:
        name, _, value = pair.partition("=")
        if name not in numbers:
            raise typer.BadParameter(f"--set expects SETTING=NUMBER with a setting of {sorted(numbers)}, got {pair!r}")
        try:
            whole = isinstance(getattr(settings, name), int) or name == "r048_threshold"
            changes[name] = int(value) if whole else Decimal(value)
        except (ValueError, ArithmeticError):
            raise typer.BadParameter(f"--set {name} expects a number, got {value!r}") from None
    return replace(settings, **changes)


@app.command("flags")
def flags(
    source: Annotated[Path | None, typer.Argument(help="An OCDS file, or a Commonweal tender folder")] = None,
    db: Annotated[Path | None, typer.Option(help="Instead: the processes imported into this DuckDB database")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    bid_status: Annotated[list[str], typer.Option(help="Map a publisher's bid status: PUBLISHED=OCDS")] = [],  # noqa: B006
    setting: Annotated[list[str], typer.Option("--set", help="Override a threshold: e.g. r003_threshold_days=10")] = [],  # noqa: B006
    disqualified_by_unsuccessful_award: Annotated[
        bool, typer.Option(help="Count a bid as disqualified when its tenderer's award is unsuccessful (Prozorro)")
    ] = False,
) -> None:
    """Cardinal red flags per contracting process and per organisation."""
    settings = _settings(bid_status, setting, disqualified_by_unsuccessful_award)
    if (source is None) == (db is None):
        raise typer.BadParameter("give an OCDS file or tender folder, or --db, but not both")
    try:
        if db is not None:
            report = ocds.flags_for_database(db, settings)
        elif source is not None and source.is_dir():
            report = ocds.flags_for_tender(source, settings)
        else:
            assert source is not None
            report = ocds.flags_for_file(source, settings)
    except InputError as error:
        raise fail_on_input_error(error) from None
    data = ocds.report_json(report)
    if output_format is Format.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.console import Console  # imported here so `compile` starts without it
    from rich.table import Table

    console = Console()
    table = Table(title=f"Red flags: {data['checked']} contracting processes checked", title_justify="left")
    for column in ("Process or organisation", "Code", "Flag", "Detail"):
        table.add_column(column)
    for ocid, process_flags in data["processes"].items():
        for flag in process_flags:
            table.add_row(ocid, flag["code"], flag["title"], flag["detail"])
    for organisation in data["organisations"]:
        for flag in organisation["flags"]:
            table.add_row(f"{organisation['group']} {organisation['id']}", flag["code"], flag["title"], flag["detail"])
    console.print(table)
