"""The member and cabinet report on social value: committed against delivered by core value and by contract, the
shares of spend with SMEs, VCSEs and local suppliers (the part whose location is not known stated), the riskiest
suppliers and dependencies, and maturity over time, for a quarter or a year; HTML, PDF and XLSX. Charts come with
their data tables, as in the evaluation report.

A report is a list of `Section`s, each built by a function from plain data; the web area's report
(`commonweal.web.socialvalue.report.SECTIONS`) lists the functions that feed it from each area's stored results.
"""

from __future__ import annotations

import base64
import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from commonweal.domain.market.classification import Label
from commonweal.domain.numbers import money
from commonweal.domain.rag import Rag
from commonweal.domain.socialvalue.maturity import LEVELS, SOLACE_2018, Level
from commonweal.domain.socialvalue.rollup import AsAt, Total
from commonweal.io.export import xlsx_bytes
from commonweal.io.reports.render import (
    GOVUK_BLUE,
    GOVUK_MID_GREY,
    GOVUK_TURQUOISE,
    Figure,
    bars,
    render_html,
    stacked_bars,
    write_pdf,
)

REPORT_TEMPLATE = "socialvalue/member_report.html"
AMOUNT_COLUMNS = ("Committed", "Due", "Delivered", "Verified")
# the parts of the £ due at the reporting date, as the chart stacks them
DUE_PARTS = (("Verified", GOVUK_TURQUOISE), ("Reported, not yet verified", GOVUK_BLUE),
             ("Due, not reported", GOVUK_MID_GREY))


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading, a sentence or two, an optional chart (with its own data table) and a
    table of the exact figures."""

    id: str
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    figure: Figure | None = None


def _split(total: Total) -> list[float]:
    """Due £ as verified, reported-not-verified and not-reported parts (floats only for drawing)."""
    reported_only = total.delivered - total.verified
    missing = max(total.due - total.delivered, Decimal(0))
    return [float(total.verified), float(reported_only), float(missing)]


def delivery_section(id: str, title: str, heading: str, found: Sequence[Total], as_at: AsAt) -> Section:
    """Committed, due, delivered and verified £ per `heading` (core value or contract)."""
    rows = tuple((t.label, *(money(a) for a in (t.committed, t.due, t.delivered, t.verified))) for t in found)
    committed = sum((t.committed for t in found), Decimal(0))
    verified = sum((t.verified for t in found), Decimal(0))
    due = sum((t.due for t in found), Decimal(0))
    summary = (f"As at the end of {as_at.label}: {money(committed)} committed, {money(due)} due and {money(verified)} "
               "verified as delivered.") if found else "No contract's social value commitments are recorded yet."
    figure = stacked_bars(f"{id}-chart", f"Social value due by {heading.lower()}, {as_at.label}",
                          [t.label for t in found], DUE_PARTS, [_split(t) for t in found], "£",
                          "Each bar is what was due; its parts show how much was verified, reported but not yet "
                          "verified, and not reported.") if found else None
    return Section(id, title, summary, (heading, *AMOUNT_COLUMNS), rows, figure)


# How the report names the spend store's supplier types (`domain.market.classification.Label`)
LABEL_NAMES = {Label.SME: "SME", Label.VCSE: "VCSE", Label.LARGE: "Large", Label.PUBLIC: "Public body",
               Label.INDIVIDUAL: "Individual or redacted", Label.UNKNOWN: "Not known"}
SPEND_TITLE = "Spend with SMEs and VCSEs"
SPEND_COLUMNS = ("Supplier type", "Spend", "Share")
SHOWN_SHARES = (Label.SME, Label.VCSE)


def _share(part: Decimal, total: Decimal) -> str:
    return f"{part / total:.1%}" if total else "–"


def spend_section(period: str, by_label: Sequence[tuple[str, Decimal]]) -> Section:
    """Spend in `period` by supplier type (`by_label`: label value and £ paid, from the stored spend figures), with
    the SME and VCSE shares in the summary."""
    total = sum((amount for _, amount in by_label), Decimal(0))
    name = {label.value: LABEL_NAMES[label] for label in Label}
    amounts = dict(by_label)
    rows = tuple((name.get(label, label), money(amount), _share(amount, total)) for label, amount in by_label)
    if not by_label:
        return Section("spend", SPEND_TITLE, f"No spend is imported for {period}.", SPEND_COLUMNS, rows)
    shares = ", ".join(f"{_share(amounts.get(label.value, Decimal(0)), total)} with {LABEL_NAMES[label]}s"
                       for label in SHOWN_SHARES)
    summary = f"{money(total)} paid in {period}: {shares}."
    figure = bars("spend-chart", f"Share of spend by supplier type, {period}",
                  [name.get(label, label) for label, _ in by_label],
                  [float(amount / total) if total else 0.0 for _, amount in by_label], "share of spend",
                  "Supplier types as the spend store classifies each supplier (its evidence is on the spend pages).")
    return Section("spend", SPEND_TITLE, summary, SPEND_COLUMNS, rows, figure)


LOCAL_TITLE = "Spend with local suppliers"
LOCAL_COLUMNS = ("Supplier location", "Suppliers", "Spend", "Share")
LOCALITY_NAMES = {"local": "Local", "not_local": "Not local", "unknown": "Not known"}
LOCAL_NOT_SET = ("The local share is not known: the organisation has not set its local postcode areas (the spend "
                 "area's local postcode areas page), so all of it is counted as not known.")


def local_section(period: str, local: Mapping[str, Any] | None) -> Section:
    """Spend in `period` with local suppliers, suppliers elsewhere and suppliers whose location is not known (`local`:
    the stored spend figures' local share for the period, `domain.market.locality.LocalShare.as_data()`; None when no
    spend is imported), the part not known always stated."""
    if local is None:
        return Section("local", LOCAL_TITLE, f"No spend is imported for {period}.", LOCAL_COLUMNS, ())
    total = Decimal(local["total"])
    amounts = {p["locality"]: Decimal(p["total"]) for p in local["parts"]}
    rows = tuple((LOCALITY_NAMES[p["locality"]], f"{p['suppliers']:,}", money(amounts[p["locality"]]),
                  _share(amounts[p["locality"]], total)) for p in local["parts"])
    if not local["local_areas"]:
        return Section("local", LOCAL_TITLE, f"{money(total)} paid in {period}. {LOCAL_NOT_SET}", LOCAL_COLUMNS, rows)
    summary = (f"{money(total)} paid in {period}: {_share(amounts['local'], total)} with local suppliers (a "
               f"postcode in {', '.join(local['local_areas'])}), {_share(amounts['not_local'], total)} with suppliers "
               "elsewhere, "
               f"and {_share(amounts['unknown'], total)} ({money(amounts['unknown'])}) with suppliers whose location "
               "is not known: no postcode in the spend files or a contracts register, or postcodes both inside and "
               "outside the local areas.")
    figure = bars("local-chart", f"Share of spend with local suppliers, {period}",
                  [LOCALITY_NAMES[p["locality"]] for p in local["parts"]],
                  [float(amounts[p["locality"]] / total) if total else 0.0 for p in local["parts"]], "share of spend",
                  "Each supplier's location from the postcodes its spend files or contracts register state; "
                  "never guessed.")
    return Section("local", LOCAL_TITLE, summary, LOCAL_COLUMNS, rows, figure)


@dataclass(frozen=True)
class SupplierRisk:
    """One watched supplier as its stored assessment rates it."""

    supplier: str
    rating: Rag
    previous: Rag | None
    supplier_dependence: str  # shown, e.g. "12.5%" or "missing"
    council_dependence: str
    reason: str  # the most severe reason
    worsened: bool  # rated worse than the year before (as the watchlist stores it)


SUPPLIERS_TITLE = "Riskiest suppliers and dependencies"
SUPPLIER_COLUMNS = ("Supplier", "Rating", "Previous year", "Supplier's dependence (contract / its turnover)",
                    "Council's dependence (spend with it / spend in the service)", "Main reason")


def supplier_section(risks: Sequence[SupplierRisk], shown: int) -> Section:
    """The `shown` riskiest watched suppliers (most severe first) and a chart of the watchlist by rating."""
    ordered = sorted(risks, key=lambda r: (-r.rating.severity, r.supplier))
    rows = tuple((r.supplier, r.rating.value, r.previous.value if r.previous else "–", r.supplier_dependence,
                  r.council_dependence, r.reason) for r in ordered[:shown])
    if not risks:
        return Section("suppliers", SUPPLIERS_TITLE, "No supplier is on the watchlist yet.", SUPPLIER_COLUMNS, rows)
    counts = {rag: sum(1 for r in risks if r.rating is rag) for rag in Rag}
    worsened = sum(1 for r in risks if r.worsened)
    summary = (f"{len(risks)} suppliers watched: {counts[Rag.RED]} red, {counts[Rag.AMBER]} amber, "
               f"{counts[Rag.GREEN]} green, {counts[Rag.MISSING]} not rated; {worsened} worse than the year "
               f"before. The {min(shown, len(risks))} riskiest are listed.")
    figure = stacked_bars("suppliers-chart", "Watched suppliers by rating", [rag.value for rag in Rag],
                          (("Suppliers", GOVUK_BLUE),), [[float(counts[rag])] for rag in Rag], "suppliers",
                          "Each supplier's rating from its latest accounts and its two-way dependency.")
    return Section("suppliers", SUPPLIERS_TITLE, summary, SUPPLIER_COLUMNS, rows, figure)


@dataclass(frozen=True)
class Assessment:
    taken_on: dt.date
    level: Level
    mean_score: Decimal


def maturity_section(history: Sequence[Assessment]) -> Section:
    rows = tuple((a.taken_on.isoformat(), a.level, f"{a.mean_score:.2f}") for a in history)
    if not history:
        return Section("maturity", "Maturity over time", "No maturity self-assessment is recorded yet.",
                       ("Date", "Level", "Mean score (0–3)"), rows)
    latest = history[-1]
    figure = stacked_bars("maturity-chart", "Mean maturity score over time (0 = not at all, 3 = significantly)",
                          [a.taken_on.isoformat() for a in history], (("Mean score", GOVUK_BLUE),),
                          [[float(a.mean_score)] for a in history], "mean score (0–3)", domain=(0, 3))
    summary = (f"The latest self-assessment ({latest.taken_on.isoformat()}) places the council at "
               f"'{latest.level}' (mean {latest.mean_score:.2f}); "
               f"{SOLACE_2018.share(latest.level):.0f}% of delegates polled at the SOLACE summit in 2018 placed "
               "their council at the same level.")
    return Section("maturity", "Maturity over time", summary, ("Date", "Level", "Mean score (0–3)"), rows, figure)


def benchmark_figure(level: str | None) -> Figure:
    """The SOLACE summit poll (2018) by level, the organisation's latest level named in the description."""
    levels = list(LEVELS)
    mine = f" The council's latest level: {level}." if level else ""
    return bars("benchmark-chart", "How far social value informs commissioning: SOLACE summit poll, 2018",
                levels, [float(SOLACE_2018.share(lv)) / 100 for lv in LEVELS], "share of delegates",
                SOLACE_2018.source + mine)


def figure_image(figure: Figure) -> str:
    """The chart as a data: URI for an <img> (the workspace's Content Security Policy allows no inline styles)."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(figure.svg).encode("utf-8")).decode("ascii")


def report_html(organisation: str, as_at: AsAt, sections: Iterable[Section], generated_on: dt.date) -> str:
    return render_html(REPORT_TEMPLATE, {"organisation": organisation, "as_at": as_at, "sections": list(sections),
                                         "generated_on": generated_on})


def report_pdf(html: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="commonweal-pdf-") as tmp:
        return write_pdf(html, Path(tmp) / "report.pdf").read_bytes()


def report_xlsx(organisation: str, as_at: AsAt, sections: Iterable[Section]) -> bytes:
    """Every section's table on one sheet, one after another, each under its title (exact figures as text)."""
    rows: list[Sequence[Any]] = []
    for section in sections:
        rows += [(section.title,), (section.summary,), section.columns, *section.rows, ()]
    return xlsx_bytes("Social value", (f"{organisation}: social value report, {as_at.label}",), rows)
