"""Drive Debian's Chromium with Playwright (never a downloaded browser) and check pages with axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]


def launch(playwright: Any) -> Any:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (scripts/setup.sh --with-browser installs it)")
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing (scripts/setup.sh runs npm ci)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it stands."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
