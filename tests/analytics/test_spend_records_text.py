"""The stored cells' amounts and months, written as text by Arrow (`to_records(money=, months=)`), are exactly what
formatting each row's Decimal and date in Python gave (`services.spend._money`, `date.isoformat()[:7]`), on the
corpus's files: negative amounts, credits, rows without a date (a null period) included."""

from __future__ import annotations

import json
from pathlib import Path

import ibis

from commonweal.analytics import spend as analytics
from commonweal.io.spend.store import SpendStore
from commonweal.services.spend import _money, import_files, spend_figures

FILES = ["devon_2014-07.csv", "warwickshire_2010-12.csv", "calderdale_2022-08.csv", "leeds_2011-01_raw.csv"]


def test_amounts_and_months_as_text_are_the_python_formatting(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "db"
    import_files([shared_data / "spend" / f for f in FILES], db)
    con = analytics.connect()
    t = analytics.payments(con, SpendStore(db).dataset("payments"))
    labels = ibis.memtable({"supplier_key": ["REDACTED"], "label": ["redacted"], "source": ["name rule"]})
    expr = analytics.spend_by_label(t, labels, ["period", "service_area", "supplier_key"])
    plain = analytics.to_records(expr)
    assert any(r["period"] is None for r in plain) and any(r["total"] < 0 for r in plain)
    assert any(r["on_name_alone"] is None for r in plain)
    expected = [dict(r, total=_money(r["total"]), on_name_alone=_money(r["on_name_alone"]),
                     period=r["period"].isoformat()[:7] if r["period"] else "") for r in plain]
    assert analytics.to_records(expr, money=("total", "on_name_alone"), months=("period",)) == expected


def test_the_stored_cells_are_json_as_they_are(shared_data: Path, tmp_path: Path) -> None:
    # the workspace stores them without a JSON round trip (`web.spend.data.refresh_figures`)
    db = tmp_path / "db"
    import_files([shared_data / "spend" / "devon_2014-07.csv"], db)
    cells = spend_figures(db)["cells"]
    assert cells and json.loads(json.dumps(cells)) == cells
