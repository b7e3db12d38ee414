"""Create a tender in the workspace from the CLI's tender folder files, read and validated by the engine's reader
(`commonweal.io.tender_folder`). Nothing is saved unless every file and row is valid; then everything is saved in
one transaction with its audit entry."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from commonweal.domain.evaluation.model import Tender as DomainTender
from commonweal.domain.lifecycle import Stage
from commonweal.io.errors import InputError, Problem
from commonweal.io.socialvalue import SETTINGS_FILE
from commonweal.io.structured import Folder, decode_text
from commonweal.io.tabular import TABLE_SUFFIXES
from commonweal.io.tender_folder import TENDER_FILE, TenderFolder, load_tender_folder
from commonweal.web import audit
from commonweal.web.models import (
    AbnormallyLowDecision,
    Bid,
    Criterion,
    GateResult,
    Lot,
    ModeratedScore,
    Organisation,
    Score,
    Tender,
)

# a bid's price column is pounds and pence; the reader checks a stated total against this same rounding
PENNY = Decimal("0.01")

# The files a commissioner uploads to create a tender: the model and the bids, and optionally the gate results.
# Evaluators' scores and moderation are entered in the workspace itself, so their independence is kept.
UPLOADS = {"tender": TENDER_FILE, "bids": "bids", "gates": "gates", "commitments": "commitments",
           "socialvalue": SETTINGS_FILE}
TABLE_UPLOADS = ("bids", "gates", "commitments")


def read_uploads(files: Mapping[str, tuple[str, bytes]]) -> tuple[TenderFolder, str]:
    """Validate uploaded tender folder files (`files` maps tender/bids/gates to (file name, content)).

    Returns the engine's TenderFolder and the tender.yaml text; raises InputError naming file, row and column for
    every problem in every file."""
    problems: list[Problem] = []
    if "tender" not in files:
        problems.append(Problem(TENDER_FILE, "choose the tender.yaml file"))
    if "bids" not in files:
        problems.append(Problem("bids.csv", "choose the bids file (bids.csv or bids.xlsx)"))
    for key in TABLE_UPLOADS:
        if key in files and Path(files[key][0]).suffix.lower() not in TABLE_SUFFIXES:
            problems.append(Problem(files[key][0], "must be a .csv or .xlsx file"))
    if problems:
        raise InputError(problems)
    # read from memory: nothing an upload holds is written to disk, and it names no files on the server
    uploaded = {TENDER_FILE: files["tender"][1]}
    if "socialvalue" in files:
        uploaded[SETTINGS_FILE] = files["socialvalue"][1]
    for key in TABLE_UPLOADS:
        if key in files:
            uploaded[f"{UPLOADS[key]}{Path(files[key][0]).suffix.lower()}"] = files[key][1]
    loaded = load_tender_folder(Folder(label="the uploaded files", files=uploaded), evaluated=False)
    definition = decode_text(TENDER_FILE, files["tender"][1])
    return loaded, definition


def save_lots(tender: Tender, source: DomainTender) -> tuple[dict[str, Lot], dict[tuple[str, str], Criterion]]:
    """Save the lots and scored criteria of the engine's reading of a tender (a new one, or an edited draft's
    replacement), by lot id and by (lot id, criterion id). The caller holds the transaction."""
    lots: dict[str, Lot] = {}
    criteria: dict[tuple[str, str], Criterion] = {}
    for lot in source.lots:
        lots[lot.id] = row = Lot.objects.create(tender=tender, reference=lot.id, title=lot.title, budget=lot.budget)
        scored = [c for c in lot.model.leaves() if c.kind == "scored"]
        for position, c in enumerate(scored):
            criteria[(lot.id, c.id)] = Criterion.objects.create(
                lot=row,
                reference=c.id,
                title=c.title,
                group=c.group,
                weight=lot.model.effective_weight(c),
                scale=c.scale.id,
                guidance=c.guidance,
                position=position,
            )
    return lots, criteria


def save_tender(
    organisation: Organisation,
    folder: TenderFolder,
    definition: str,
    actor: str,
    evaluators: Mapping[str, User] | None = None,
    moderator: User | None = None,
    decided_by: User | None = None,
    reference: str | None = None,
) -> Tender:
    """Save a validated tender folder as a draft tender of `organisation`, in one transaction with its audit entry.

    `evaluators` maps the evaluator names in a scores file to users (the demo imports the example's scores this
    way); scores of unmapped evaluators, moderation without a `moderator` and decisions without `decided_by` are
    not imported."""
    evaluators = evaluators or {}
    source = folder.tender
    with transaction.atomic():
        tender = Tender.objects.create(
            organisation=organisation,
            reference=reference or source.reference,
            title=source.title,
            definition=definition,
            stage=Stage.DRAFT.value,
        )
        bids: dict[tuple[str, str], Bid] = {}
        lots, criteria = save_lots(tender, source)
        for lot in source.lots:
            for b in (b for b in folder.bids if b.lot == lot.id):
                bids[(lot.id, b.bidder)] = Bid.objects.create(
                    lot=lots[lot.id],
                    bidder=b.bidder,
                    # the evaluated total of price elements may run past the penny: the column shows it to the penny
                    price=b.price.quantize(PENNY),
                    element_prices={e: f"{v:f}" for e, v in b.element_prices},
                    identifier=b.identifier,
                    address=b.address,
                    email=b.email,
                    offers={c: f"{v:f}" for (lot_id, bidder, c), v in folder.quantities.items()
                            if (lot_id, bidder) == (lot.id, b.bidder)},
                )
        GateResult.objects.bulk_create(
            GateResult(bid=bids[(g.lot, g.bidder)], gate=g.gate, passed=g.passed, rationale=g.rationale)
            for g in folder.gates
        )
        imported_scores = [
            Score(
                bid=bids[(s.lot, s.bidder)],
                criterion=criteria[(s.lot, s.criterion)],
                evaluator=evaluators[s.evaluator],
                score=s.score,
                rationale=s.rationale,
            )
            for s in folder.scores
            if s.evaluator in evaluators
        ]
        Score.objects.bulk_create(imported_scores)
        if moderator is not None:
            ModeratedScore.objects.bulk_create(
                ModeratedScore(
                    bid=bids[(m.lot, m.bidder)],
                    criterion=criteria[(m.lot, m.criterion)],
                    moderator=moderator,
                    score=m.score,
                    rationale=m.rationale,
                )
                for m in folder.moderation
            )
        if decided_by is not None:
            AbnormallyLowDecision.objects.bulk_create(
                AbnormallyLowDecision(
                    bid=bids[(d.lot, d.bidder)],
                    decision=d.decision,
                    reason=d.reason,
                    decided_by=decided_by,
                    decided_on=d.decided_on,
                )
                for d in folder.decisions
            )
        audit.record(
            actor,
            "tender_created",
            {
                "reference": tender.reference,
                "tender_yaml_sha256": hashlib.sha256(definition.encode("utf-8")).hexdigest(),
                "lots": len(source.lots),
                "bids": len(bids),
                "gate_results": len(folder.gates),
                "scores_imported": len(imported_scores),
                "moderated_imported": len(folder.moderation) if moderator else 0,
                "decisions_imported": len(folder.decisions) if decided_by else 0,
            },
            tender=tender,
        )
    return tender
