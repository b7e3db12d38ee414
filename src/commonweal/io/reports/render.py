"""The shared rendering layer for Commonweal's printable documents: HTML from Jinja2 templates, PDF from WeasyPrint,
charts from Altair drawn to SVG by vl-convert.

Everything works offline (no network at run time): templates, styles and fonts come from this package and the
system; WeasyPrint's URL fetcher refuses anything that is not a local file or inline data. The house style follows
the GOV.UK Design System's colours and type scale, but not its typeface: GDS Transport is licensed to GOV.UK only,
so documents use DejaVu Sans (installed by set-up) with Arial and the system sans-serif as fallbacks.

Each chart is followed by a table of the same figures (GOV.UK accessibility guidance: a chart alone does not reach
everyone, and a printed chart cannot be inspected).

Templates get either domain objects (the evaluation report) or plain JSON-ready data (the contract review pack,
whose money is exact decimal strings and dates ISO strings): the `decimal` and `date` filters turn those strings
back into `Decimal` and `datetime.date` for `money` and `long_date`, never through a float.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from commonweal.domain.contracts.model import with_unit
from commonweal.domain.numbers import money, plain

TEMPLATES = Path(__file__).parent / "templates"

# GOV.UK Design System colours (https://design-system.service.gov.uk/styles/colour/)
GOVUK_BLUE = "#1d70b8"
GOVUK_DARK_BLUE = "#003078"
GOVUK_TURQUOISE = "#28a197"
GOVUK_TEXT = "#0b0c0c"
GOVUK_SECONDARY_TEXT = "#505a5f"
GOVUK_MID_GREY = "#b1b4b6"
FONT = "DejaVu Sans"


def number(value: Decimal | int | None) -> str:
    """A score or weight as written, without an exponent or trailing zeros (13.50 → 13.5, 10 → 10)."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    text = f"{value.normalize():f}"
    return "0" if text in {"-0", "0"} else text


def points(value: Decimal | None) -> str:
    """Points to two decimal places (group points carry the full precision of the weights)."""
    return "–" if value is None else f"{value:.2f}"


def percent(value: float | None, places: int = 0) -> str:
    """A probability (0–1) as a percentage. Probabilities are statistics, not money, so floats are fine here."""
    if value is None:
        return "–"
    return f"{value * 100:.{places}f}%"


def slug(text: str) -> str:
    """A lower-case, hyphenated name safe for file names and HTML ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def decimal(value: str | Decimal | None) -> Decimal | None:
    """An exact decimal string ('4800000.00') as a Decimal for `money`; floats are refused, they are not exact."""
    if value is None or isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise TypeError(f"decimal must be a decimal string, got {type(value).__name__}")
    return Decimal(value)


def date(value: str | dt.date) -> dt.date:
    """An ISO date string ('2026-10-31') as a date for `long_date`."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def long_date(value: dt.date) -> str:
    """The GOV.UK date style: 6 October 2026."""
    return f"{value.day} {value:%B %Y}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=money,
        number=number,
        points=points,
        percent=percent,
        slug=slug,
        long_date=long_date,
        decimal=decimal,
        date=date,
        with_unit=with_unit,
        plain=plain,
    )
    return env


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """Render a template from the package's templates folder (autoescaped, undefined names are errors)."""
    return environment().get_template(template).render(**context)


def local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that never touches the network: documents embed everything they need, and a
    remote URL that slipped into a template fails to load (WeasyPrint logs it) instead of being fetched."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"})


def write_pdf(html: str, path: Path) -> Path:
    """Render HTML to a PDF at `path`, with relative URLs resolved against the templates folder."""
    from weasyprint import HTML

    HTML(string=html, base_url=str(TEMPLATES), url_fetcher=local_fetcher()).write_pdf(path)
    return path


def write_documents(documents: Mapping[str, str], folder: Path) -> list[Path]:
    """Write each HTML document (keyed by its path relative to `folder`) and its PDF; return the paths written,
    each HTML before its PDF. Callers render every document first and pass an empty staging folder (see
    `commonweal.services.reports.write_all_or_nothing`), so a failure part-way leaves nothing behind."""
    written = []
    for relative, html in documents.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        written.append(path)
        written.append(write_pdf(html, path.with_suffix(".pdf")))
    return written


@dataclass(frozen=True)
class Figure:
    """A chart and the table of the figures it draws, rendered together by the `figure` macro."""

    id: str
    title: str
    svg: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    description: str = ""


def _svg(spec: Mapping[str, Any]) -> Markup:
    import vl_convert

    svg = vl_convert.vegalite_to_svg(dict(spec))
    # drop the fixed size so the chart scales to the page width; keep the viewBox for the aspect ratio
    svg = re.sub(r'^<svg([^>]*?) width="[\d.]+" height="[\d.]+"', r'<svg\1 role="img" aria-hidden="true"', svg)
    return Markup(svg)  # noqa: S704 - vl-convert writes the SVG and escapes the text it draws


def _config(chart: Any) -> Any:
    return (
        chart.configure(font=FONT, background="white")
        .configure_axis(
            labelColor=GOVUK_TEXT, titleColor=GOVUK_TEXT, labelFontSize=11, titleFontSize=11, gridColor="#e5e6e7"
        )
        .configure_legend(labelFontSize=11, titleFontSize=11, orient="bottom")
        .configure_view(stroke=None)
    )


def stacked_bars(
    id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str]],
    values: Sequence[Sequence[float]],
    unit: str,
    description: str = "",
    domain: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal stacked bars: one bar per category (kept in the given order), one segment per series.

    `series` is (name, colour); `values[i][j]` is category i's value for series j. The table lists every value and
    the bar's total. `domain` fixes the value axis (a score's whole scale) instead of fitting it to the data.
    """
    import altair as alt

    data = [
        {"category": c, "series": name, "value": v, "order": j}
        for c, row in zip(categories, values, strict=True)
        for j, ((name, _), v) in enumerate(zip(series, row, strict=True))
    ]
    chart = (
        alt.Chart({"values": data})
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=list(categories), title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("sum(value):Q", title=unit, stack="zero",
                    scale=alt.Scale(domain=list(domain)) if domain else alt.Undefined),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[s for s, _ in series], range=[c for _, c in series]),
                sort=[s for s, _ in series],
            ),
            order=alt.Order("order:Q"),
        )
        .properties(width=420, height=alt.Step(26))
    )
    rows = tuple((c, *(f"{v:.2f}" for v in row), f"{sum(row):.2f}") for c, row in zip(categories, values, strict=True))
    return Figure(id, title, _svg(_config(chart).to_dict()), ("", *(s for s, _ in series), "Total"), rows, description)


def bars(
    id: str, title: str, categories: Sequence[str], values: Sequence[float], unit: str, description: str = ""
) -> Figure:
    """Horizontal bars of probabilities (0–1), one per category in the given order; the table gives percentages."""
    import altair as alt

    data = [{"category": c, "value": v} for c, v in zip(categories, values, strict=True)]
    chart = (
        alt.Chart({"values": data})
        .mark_bar(color=GOVUK_BLUE)
        .encode(
            y=alt.Y("category:N", sort=list(categories), title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("value:Q", title=unit, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        )
        .properties(width=420, height=alt.Step(26))
    )
    rows = tuple((c, percent(v, 1)) for c, v in zip(categories, values, strict=True))
    return Figure(id, title, _svg(_config(chart).to_dict()), ("", unit), rows, description)
