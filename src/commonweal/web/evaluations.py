"""Stored evaluation results: computed when their inputs change, read by the pages without re-running the engine.

A tender's evaluation (ranking, abnormally low findings, sensitivity with its Monte Carlo, summaries,
recommendation) depends only on its inputs: the stored tender.yaml, bids and prices, every evaluator's scores, the
consensus, gate results and abnormally low decisions. `refresh` runs the engine once per distinct set of inputs
and stores the result as plain JSON (`StoredEvaluation`) under the SHA-256 of those inputs; the data layer calls it
inside each write that changes them once prices are open (opening the prices, an abnormally low decision), in the
same transaction, so the stored result and its inputs are committed together.

Readers (`stored`, `evaluation`) never run the Monte Carlo. The lifecycle's facts come from the stored row. The
pages' rich result (`TenderEvaluation`, which the templates and the PDF reports walk) is rebuilt from the inputs by
the engine's exact scoring, milliseconds, with the stored sensitivity, and kept in this process's memory under the
same hash (COMMONWEAL_EVALUATION_CACHE_SIZE tenders), so a repeated view costs one query. A process that rebuilds
checks the inputs' hash first: when it differs from the stored one (the inputs changed by a path that did not
refresh), the evaluation is recomputed once, under a row lock on the tender, so concurrent viewers wait for one
computation instead of each running their own.

Only `commonweal.web.tenders.data` calls this module: the stored result holds prices.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commonweal.io.errors import InputError
from commonweal.io.tender_folder import TenderFolder
from commonweal.services.evaluation import (
    TenderEvaluation,
    evaluate_tender,
    sensitivity_data,
    sensitivity_from_data,
    tender_json,
)
from commonweal.web import engine
from commonweal.web.memo import Versioned
from commonweal.web.models import StoredEvaluation, Tender

# Part of every hash: a change to what is stored (or how) makes every stored result stale, so it is recomputed.
STORE_FORMAT = "1"

_kept: Versioned[TenderEvaluation] = Versioned(lambda: settings.COMMONWEAL_EVALUATION_CACHE_SIZE)


def input_hash(tender: Tender, folder: TenderFolder) -> str:
    """SHA-256 over everything the engine reads, in a canonical order (each row as canonical JSON, rows sorted, so
    the order rows come out of the database is irrelevant)."""

    def rows(found: Any) -> list[str]:
        return sorted(_canonical(row) for row in found)

    return hashlib.sha256(_canonical({
        "format": STORE_FORMAT,
        "definition": tender.definition,
        "bids": rows(astuple(b) for b in folder.bids),
        "scores": rows(astuple(s) for s in folder.scores),
        "moderation": rows(astuple(m) for m in folder.moderation),
        "gates": rows(astuple(g) for g in folder.gates),
        "decisions": rows(astuple(d) for d in folder.decisions),
        "quantities": rows((*key, value) for key, value in folder.quantities.items()),
    }).encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(value: Any) -> str:
    # decimals and dates as their exact text
    return json.dumps(value, default=str, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def refresh(tender: Tender) -> StoredEvaluation:
    """Store the evaluation of the tender's current inputs, running the engine only when they changed. Call it
    inside the transaction of the write that changed them."""
    folder = engine.tender_folder(tender)
    digest = input_hash(tender, folder)
    row = StoredEvaluation.objects.filter(tender=tender).first()
    if row is not None and row.input_hash == digest:
        return row
    try:
        evaluation = evaluate_tender(folder)
    except InputError as exc:
        stored: dict[str, Any] = {"result": {}, "sensitivity": {}, "problems": [str(p) for p in exc.problems],
                                  "has_ranking": False, "abnormally_low_pending": []}
    else:
        _kept.keep(tender.pk, digest, evaluation)
        stored = {
            "result": tender_json(evaluation),
            "sensitivity": {lot.result.lot.id: sensitivity_data(lot.sensitivity) for lot in evaluation.lots},
            "problems": [],
            "has_ranking": any(lot.result.ranking for lot in evaluation.lots),
            "abnormally_low_pending": engine.abnormally_low_pending(evaluation),
        }
    row, _ = StoredEvaluation.objects.update_or_create(
        tender=tender, defaults={"input_hash": digest, "computed_at": timezone.now(), **stored}
    )
    return row


def lock_inputs(tender: Tender) -> None:
    """Take the tender's row lock for the rest of the transaction (PostgreSQL; SQLite serialises writers). Writes
    that change the evaluation's inputs and readers that recompute it take it first, so each sees the others'
    committed changes and the stored result always covers every committed input."""
    list(Tender.objects.select_for_update().filter(pk=tender.pk).values_list("pk"))


def _refresh_locked(tender: Tender) -> StoredEvaluation:
    """`refresh` holding the tender's lock, so of several readers who find the result missing or stale one computes
    it and the others then find it stored."""
    with transaction.atomic():
        lock_inputs(tender)
        return refresh(tender)


def stored(tender: Tender) -> StoredEvaluation:
    """The stored result (one query, without the large JSON, which Django reads when first asked for); computed
    once now if the tender has none yet (reached prices opened before results were stored, or seeded directly)."""
    row = StoredEvaluation.objects.filter(tender=tender).defer("result", "sensitivity").first()
    return row if row is not None else _refresh_locked(tender)


class CannotEvaluate(Exception):
    """The engine refuses these inputs; `problems` says why (stored with the result)."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def evaluation(tender: Tender) -> TenderEvaluation:
    """The rich result for the pages; CannotEvaluate when the engine refuses the inputs."""
    row = stored(tender)
    for _ in range(2):
        if row.problems:
            raise CannotEvaluate(row.problems)
        if (found := _kept.recall(tender.pk, row.input_hash)) is not None:
            return found
        folder = engine.tender_folder(tender)
        if input_hash(tender, folder) == row.input_hash:
            found = evaluate_tender(folder, {lot: sensitivity_from_data(data) for lot, data in row.sensitivity.items()})
            _kept.keep(tender.pk, row.input_hash, found)
            return found
        row = _refresh_locked(tender)  # stale: recomputed once, then rebuilt (or recalled) on the next pass
    raise RuntimeError(f"tender {tender.pk}: its evaluation inputs kept changing while it was being read")
