"""The two-sided contract review pack as HTML and PDF, rendered from the plain-data review document the
contracts service builds (the same document `commonweal contracts review --format json` prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commonweal.io.reports.rendering import html_to_pdf, render_html

TEMPLATE = "contract_review.html.jinja"


def contract_review_html(review: dict[str, Any]) -> str:
    return render_html(TEMPLATE, review=review)


def write_contract_review_packs(reviews: list[dict[str, Any]], out: Path) -> list[Path]:
    """Write `<contract id>.html` and `.pdf` for each review into `out`.

    Every pack is rendered before the first file is written, so a rendering failure leaves nothing partial.
    """
    rendered: list[tuple[Path, bytes]] = []
    for review in reviews:
        html = contract_review_html(review)
        stem = _safe_stem(review["contract"]["id"])
        rendered.append((out / f"{stem}.html", html.encode("utf-8")))
        rendered.append((out / f"{stem}.pdf", html_to_pdf(html)))
    out.mkdir(parents=True, exist_ok=True)
    for path, data in rendered:
        path.write_bytes(data)
    return [path for path, _ in rendered]


def _safe_stem(contract_id: str) -> str:
    """A contract id as a file name: letters, digits, dot, dash and underscore kept, anything else a dash."""
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in contract_id).strip(".") or "contract"
