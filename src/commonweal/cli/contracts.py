"""`commonweal contracts`: review let contracts (performance, social value, triggers, variations)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from commonweal.cli.errors import fail_on_input_error
from commonweal.domain.numbers import money
from commonweal.io.errors import InputError
from commonweal.services.contracts import review_contracts, write_review_packs

app = typer.Typer(
    help="Manage let contracts: KPIs, social value delivery, ratings and renegotiation triggers.", no_args_is_help=True
)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()  # noqa: DTZ011 (the review date is the council's local calendar day)
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, found '{value}'") from exc


@app.command()
def review(
    path: Annotated[
        Path, typer.Argument(help="A contract.yaml, a contract folder, or a folder of contract folders.", exists=True)
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text for people, json for tools.")
    ] = OutputFormat.TEXT,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write each contract's review pack (HTML and PDF) into this folder.")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Review date, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Rate each contract, check its renegotiation triggers and variations, and recommend actions."""
    try:
        reviews = review_contracts(path, _as_of(as_of))
    except InputError as exc:
        raise fail_on_input_error(exc) from exc
    written = write_review_packs(reviews, out) if out is not None else []
    if output is OutputFormat.JSON:
        typer.echo(json.dumps({"contracts": reviews}, indent=2, ensure_ascii=False))
    else:
        for item in reviews:
            typer.echo(_summary(item))
    for path_written in written:
        typer.echo(f"wrote {path_written}", err=True)


def _summary(item: dict[str, Any]) -> str:
    c = item["contract"]
    lines = [f"{c['id']}  {c['title']}  ({c['supplier']})", f"  rating: {item['rating']['rating']}"]
    lines += [f"  warning: {w}" for w in item["warnings"]]
    sv = item["social_value"]
    lines.append(
        f"  social value: {money(Decimal(sv['delivered']), None)} verified of "
        f"{money(Decimal(sv['due_to_date']), None)} due "
        f"({money(Decimal(sv['committed']), None)} committed): {sv['status']}"
    )
    fired = [t for t in item["triggers"] if t["fired"]]
    lines += [f"  trigger: {t['title']}: {t['finding']}" for t in fired] or ["  triggers: none fired"]
    lines += [f"  consider: {a['title']}" for a in item["recommended_actions"]]
    lines += [
        f"  variation {v['id']}: {'; '.join(v['flags'])}"
        for v in item["variations"]
        if v["ground_status"] != "holds" or (v["change_notice_required"] and not v["change_notice_published"])
    ]
    return "\n".join(lines)
