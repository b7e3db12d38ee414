"""The shared rendering layer: filters, the Jinja2 environment, charts and PDF output."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.io.reports import render


def test_money_is_exact_pounds_and_pence_from_decimals() -> None:
    assert render.money(Decimal("3740000.00")) == "£3,740,000.00"
    # 0.1 + 0.2 is 0.30000000000000004 in floats; as Decimals it is exactly 0.3
    assert render.money(Decimal("0.1") + Decimal("0.2")) == "£0.30"
    assert render.money(Decimal("-12.5")) == "−£12.50"
    assert render.money(None) == "–"


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        render.money(0.3)  # type: ignore[arg-type]


def test_decimal_strings_reach_money_exactly_and_dates_read_as_iso() -> None:
    env = render.environment()
    # 0.1 + 0.2 written as a string stays exact: a float would print the same here but not for every value
    assert env.from_string("{{ v|decimal|money }}").render(v="4800000.10") == "£4,800,000.10"
    assert env.from_string("{{ v|decimal|money }}").render(v=None) == "–"
    assert env.from_string("{{ v|date|long_date }}").render(v="2026-10-31") == "31 October 2026"
    assert env.from_string("{{ v|with_unit(u) }}").render(v="95", u="%") == "95%"
    with pytest.raises(TypeError, match="decimal string"):
        render.decimal(0.3)  # type: ignore[arg-type]


def test_number_never_prints_an_exponent() -> None:
    # Decimal(40).normalize() is Decimal('4E+1'): the report must say 40
    assert render.number(Decimal(40)) == "40"
    assert render.number(Decimal("13.50")) == "13.5"
    assert render.number(Decimal("11.25")) == "11.25"
    assert render.points(Decimal("8.1")) == "8.10"


def test_slug_is_safe_for_file_names_and_ids() -> None:
    assert render.slug("Calder Community Care CIC") == "calder-community-care-cic"
    assert render.slug("A&B (Care) Ltd.") == "a-b-care-ltd"
    assert render.slug("***") == "item"


def test_templates_autoescape_and_reject_undefined_names() -> None:
    env = render.environment()
    assert env.from_string("{{ name }}").render(name="<b>Smith & Sons</b>") == "&lt;b&gt;Smith &amp; Sons&lt;/b&gt;"
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()


def test_the_pdf_fetcher_refuses_the_network_but_reads_inline_data() -> None:
    fetcher = render.local_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.com/logo.png")
    assert fetcher.fetch("data:text/plain,Fernbridge").read() == b"Fernbridge"


def test_write_pdf_writes_a_pdf(tmp_path: Path) -> None:
    path = render.write_pdf(
        "<html><head><title>t</title></head><body><p>Fernbridge</p></body></html>", tmp_path / "a.pdf"
    )
    assert path.read_bytes().startswith(b"%PDF")


def test_stacked_bars_draw_an_svg_followed_by_its_figures() -> None:
    figure = render.stacked_bars(
        "lot-1-breakdown",
        "Points",
        ["Calder Community Care CIC", "Ridgeway Support Trust"],
        [("Price", "#003078"), ("Quality", "#1d70b8"), ("Social value", "#28a197")],
        [[28.34, 37.35, 13.50], [26.43, 34.65, 11.40]],
        "Points (of 100)",
    )
    assert figure.svg.startswith("<svg")
    assert "Calder Community Care CIC" in figure.svg
    assert figure.columns == ("", "Price", "Quality", "Social value", "Total")
    # totals: 28.34 + 37.35 + 13.50 = 79.19; 26.43 + 34.65 + 11.40 = 72.48
    assert figure.rows == (
        ("Calder Community Care CIC", "28.34", "37.35", "13.50", "79.19"),
        ("Ridgeway Support Trust", "26.43", "34.65", "11.40", "72.48"),
    )


def test_bars_show_probabilities_as_percentages() -> None:
    figure = render.bars("p", "Ranked first", ["A", "B"], [0.6137, 0.3863], "Share")
    assert "<svg" in figure.svg
    assert figure.rows == (("A", "61.4%"), ("B", "38.6%"))
