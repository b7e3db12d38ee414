"""The spend report as one self-contained HTML page (tables and inline SVG charts, no scripts, no network)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape

_TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Where the money goes: spend report</title>
<style>body{font-family:Arial,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #b1b4b6;padding:.3em .6em;text-align:left}td.num{text-align:right}</style></head>
<body><h1>Where the money goes</h1>
{% for title, key in sections %}<h2 id="{{ key }}">{{ title }}</h2>
{% if charts.get(key) %}<figure>{{ charts[key] | safe }}</figure>{% endif %}
{% set rows = report[key] %}{% if rows %}<table><thead><tr>{% for c in rows[0].keys() %}<th>{{ c }}</th>{% endfor %}
</tr></thead><tbody>{% for r in rows %}<tr>{% for v in r.values() %}<td>{{ v if v is not none else "" }}</td>
{% endfor %}</tr>{% endfor %}</tbody></table>{% else %}<p>None.</p>{% endif %}{% endfor %}
<p>HHI bands: {{ report.hhi_bands.source }}. Unclassified spend is shown as <code>unknown</code> in every share.</p>
</body></html>"""
SECTIONS = (
    ("Files imported", "imports"), ("Spend by supplier type", "spend_by_label"),
    ("Spend by supplier type and month", "spend_by_label_and_period"), ("Top suppliers", "top_suppliers"),
    ("Spend by service area", "spend_by_service_area"), ("Spend by expense type", "spend_by_expense_type"),
    ("Concentration by service area", "concentration"), ("Dependency alerts", "dependency_alerts"),
    ("Possible duplicate suppliers for review", "review_candidates"),
)


def render_report(report: dict[str, Any], charts: dict[str, str] | None = None) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(_TEMPLATE).render(report=report, sections=SECTIONS, charts=charts or {})
