"""The two-sided contract review pack as HTML and PDF, rendered from the plain-data review document the
contracts service builds (the same document `commonweal contracts review --format json` prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commonweal.io.reports.render import render_html, write_documents

TEMPLATE = "contracts/review.html"


def contract_review_html(review: dict[str, Any]) -> str:
    return render_html(TEMPLATE, {"review": review})


def write_contract_review_packs(reviews: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Write `<contract id>.html` and `.pdf` for each review into `folder`; returns the paths, HTML before its PDF.

    Every pack's HTML is rendered before the first file is written; pass an empty staging folder (see
    `commonweal.services.reports.write_all_or_nothing`) so that a failure part-way leaves nothing behind.
    """
    documents = {f"{_safe_stem(review['contract']['id'])}.html": contract_review_html(review) for review in reviews}
    return write_documents(documents, folder)


def _safe_stem(contract_id: str) -> str:
    """A contract id as a file name: letters, digits, dot, dash and underscore kept, anything else a dash."""
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in contract_id).strip(".") or "contract"
