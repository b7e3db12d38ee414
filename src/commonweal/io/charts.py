"""Charts as files: Altair specifications rendered to SVG or PNG by vl-convert (no browser), each written
beside the CSV of the data it draws, so a reader can check every bar against its number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from commonweal.io.export import write_csv


def svg(chart: alt.TopLevelMixin) -> str:
    return str(vlc.vegalite_to_svg(chart.to_json()))


def render(chart: alt.TopLevelMixin, path: Path) -> None:
    if path.suffix.lower() == ".png":
        path.write_bytes(vlc.vegalite_to_png(chart.to_json(), scale=2))
    else:
        path.write_text(svg(chart), encoding="utf-8")


def _chart(rows: Sequence[Mapping[str, Any]]) -> Any:
    # Vega-Lite needs JSON numbers: the chart draws floats, the CSV beside it keeps the exact amounts.
    values = [{k: (float(v) if k in ("total", "share", "cumulative_share") and v is not None else v)
               for k, v in row.items()} for row in rows]
    return alt.Chart(alt.Data(values=values))  # type: ignore[no-untyped-call]


def shares_over_time(rows: Sequence[Mapping[str, Any]]) -> Any:
    return _chart(rows).mark_bar().encode(
        x=alt.X("period:O", title="month"), y=alt.Y("total:Q", stack="normalize", title="share of spend"),
        color=alt.Color("label:N", title="supplier type")).properties(title="Spend by supplier type over time",
                                                                     width=480)


def concentration_curve(rows: Sequence[Mapping[str, Any]], title: str) -> Any:
    return _chart(rows).mark_line(point=True).encode(
        x=alt.X("suppliers:Q", title="number of suppliers, largest first"),
        y=alt.Y("cumulative_share:Q", title="cumulative share of spend", scale=alt.Scale(domain=[0, 1]))
    ).properties(title=title, width=480)


def top_suppliers(rows: Sequence[Mapping[str, Any]]) -> Any:
    return _chart(rows).mark_bar().encode(
        x=alt.X("total:Q", title="£"), y=alt.Y("supplier:N", sort="-x", title=None),
        color=alt.Color("label:N", title="supplier type")).properties(title="Top suppliers", width=480)


def write_chart(folder: Path, stem: str, chart: alt.TopLevelMixin, rows: Sequence[Mapping[str, Any]],
                formats: Sequence[str] = ("svg", "png")) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in formats:
        path = folder / f"{stem}.{suffix}"
        render(chart, path)
        written.append(path)
    table = folder / f"{stem}.csv"
    write_csv(table, rows)
    return [*written, table]
