"""The shared machinery for every printable report: one Jinja2 environment over `templates/` (whose
`base.html.jinja` gives the common layout and print styles) and WeasyPrint for the PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from commonweal.domain.contracts.model import with_unit


def _money(value: Decimal | str | None) -> str:
    """`'4800000.00'` -> `£4,800,000.00`; documents carry money as exact decimal strings."""
    return "" if value is None else f"£{Decimal(value):,.2f}"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("commonweal.io.reports", "templates"),
        autoescape=select_autoescape(["html", "jinja"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["with_unit"] = with_unit
    return env


def render_html(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF bytes; the HTML's <title> becomes the PDF's title metadata."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
