"""A tiny run of benchmarks/evaluation.py's pieces, so the script cannot rot (the benchmark itself is not run in
CI): the folder it writes loads and evaluates, and it gives the peer the same scores and prices."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from commonweal.io.tender_folder import load_tender_folder
from commonweal.services.evaluation import evaluate_tender

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "evaluation.py"


def test_benchmark_pieces_run_on_a_small_tender(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("evaluation_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lot, bids, scores, consensus = module.build(6, 4, 3, 200)
    rows = module.write_folder(tmp_path, lot, bids, scores, consensus)
    assert rows == 6 + 6 * 4 * 3 + 6 * 4
    loaded = load_tender_folder(tmp_path)
    assert len(loaded.scores) == len(scores) and len(loaded.moderation) == len(consensus)
    evaluation = evaluate_tender(loaded)
    ranking = evaluation.lots[0].result.ranking
    assert {r.bidder for r in ranking} == {b.bidder for b in bids}
    frame = module.peer_frame(lot, bids, consensus)
    assert list(frame.columns) == ["bidder", "price", *(c.id for c in lot.model.criteria)]
    assert len(module.peer_evaluator(lot).evaluate(frame)) == len(bids)
