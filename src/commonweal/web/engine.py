"""The bridge to the evaluation engine: builds the engine's inputs from this tender's rows (`tender_folder`), which
`commonweal.web.evaluations` evaluates and stores, and reads the model's scales and thresholds.

Ranking, price scoring, thresholds, tie-breaks, abnormally low findings, sensitivity, assessment summaries and
the award recommendation all come from `commonweal.services.evaluation` and `commonweal.domain.evaluation`;
nothing here re-computes them. The evaluation model is rebuilt from the stored tender.yaml by the engine's own
reader (`commonweal.io.tender_folder.parse_tender_yaml`).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from commonweal.domain.evaluation import model as domain
from commonweal.domain.evaluation import records
from commonweal.domain.evaluation.moderation import spread_limit
from commonweal.domain.evaluation.price import evaluated_price
from commonweal.domain.evaluation.scales import ScoringScale
from commonweal.domain.evaluation.validation import model_problems as validate_model
from commonweal.io.errors import InputError
from commonweal.io.tender_folder import TenderFolder, parse_tender_yaml
from commonweal.services.evaluation import TenderEvaluation
from commonweal.web.models import (
    AbnormallyLowDecision,
    Bid,
    Criterion,
    GateResult,
    ModeratedScore,
    Score,
    Tender,
)


def domain_tender(tender: Tender) -> domain.Tender:
    return _parsed(tender.definition)


@lru_cache(maxsize=64)
def _parsed(definition: str) -> domain.Tender:
    # Parsing YAML with line numbers takes a few hundred milliseconds; the domain Tender is immutable and a
    # stored definition never changes, so each text is parsed once per process.
    return parse_tender_yaml(definition)[0]


def _domain_criterion(criterion: Criterion) -> tuple[domain.Lot, domain.Criterion]:
    lot = next(lot for lot in domain_tender(criterion.lot.tender).lots if lot.id == criterion.lot.reference)
    return lot, next(c for c in lot.model.criteria if c.id == criterion.reference)


def criterion_scale(criterion: Criterion) -> ScoringScale:
    return _domain_criterion(criterion)[1].scale


def spread_limit_for(criterion: Criterion) -> Decimal:
    """The engine's moderation threshold for this criterion (a share of its scale's range, set in the model)."""
    lot, found = _domain_criterion(criterion)
    return spread_limit(found, lot.model.spread_threshold_percent)


def model_problems(tender: Tender) -> list[str]:
    try:
        parsed = domain_tender(tender)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return [f"lot {lot.id}: {p}" for lot in parsed.lots for p in validate_model(lot.model, lot.budget)]


def _score(value: Decimal) -> Decimal:
    """A score as it was entered: the database column keeps two places (4.00), the engine's messages should say 4
    (and 2.5), as they do for the same score read from a CSV file."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def domain_bid(rule: domain.PriceRule, bidder: str, lot: str, price: Decimal, identifier: str, address: str, email: str,
         elements: dict[str, str]) -> records.Bid:
    """A stored bid as the engine reads it: with price elements, their prices in the model's order and their exact
    evaluated total (the stored price is that total to the penny), as the reader makes them from bids.csv."""
    if not elements:
        return records.Bid(bidder, lot, price, identifier=identifier, address=address, email=email)
    prices = {e.id: Decimal(elements[e.id]) for e in rule.elements if e.id in elements}
    total = evaluated_price(rule, prices) if len(prices) == len(rule.elements) else price
    return records.Bid(bidder, lot, total, identifier=identifier, address=address, email=email,
                       element_prices=tuple(prices.items()))


def tender_folder(tender: Tender) -> TenderFolder:
    """This tender's rows as the engine's TenderFolder: bids with prices, every evaluator's scores, the consensus,
    gate results and abnormally low decisions. Callers decide who may see what comes out. Rows are read as plain
    values (one query per kind, no model objects): a tender has thousands of scores."""
    bids = list(Bid.objects.filter(lot__tender=tender)
                .values_list("bidder", "lot__reference", "price", "identifier", "address", "email", "offers",
                             "element_prices"))
    rules = {lot.id: lot.model.price for lot in domain_tender(tender).lots}
    return TenderFolder(
        path=Path(f"tender-{tender.pk}"),
        # the organisation running the tender, and its reference here, are what its documents name: never a buyer
        # or reference written in the uploaded tender.yaml
        tender=replace(domain_tender(tender), buyer=tender.organisation.name, reference=tender.reference),
        bids=[
            domain_bid(rules[lot], bidder, lot, price, identifier, address, email, elements)
            for bidder, lot, price, identifier, address, email, _, elements in bids
        ],
        scores=[
            records.EvaluatorScore(evaluator, bidder, lot, criterion, _score(score), rationale)
            for evaluator, bidder, lot, criterion, score, rationale in Score.objects.filter(bid__lot__tender=tender)
            .values_list("evaluator__username", "bid__bidder", "bid__lot__reference", "criterion__reference",
                         "score", "rationale")
        ],
        moderation=[
            records.ModeratedScore(bidder, lot, criterion, _score(score), rationale)
            for bidder, lot, criterion, score, rationale in ModeratedScore.objects.filter(bid__lot__tender=tender)
            .values_list("bid__bidder", "bid__lot__reference", "criterion__reference", "score", "rationale")
        ],
        gates=[
            records.GateResult(bidder, lot, gate, passed, rationale)
            for bidder, lot, gate, passed, rationale in GateResult.objects.filter(bid__lot__tender=tender)
            .values_list("bid__bidder", "bid__lot__reference", "gate", "passed", "rationale")
        ],
        decisions=[
            records.AbnormallyLowDecision(
                bidder, lot, "rejected" if decision == "rejected" else "accepted", reason, decided_by, decided_on
            )
            for bidder, lot, decision, reason, decided_by, decided_on
            in AbnormallyLowDecision.objects.filter(bid__lot__tender=tender)
            .values_list("bid__bidder", "bid__lot__reference", "decision", "reason", "decided_by__username",
                         "decided_on")
        ],
        quantities={(lot, bidder, criterion): Decimal(value)
                    for bidder, lot, *_, offers, _ in bids for criterion, value in offers.items()},
    )


def abnormally_low_pending(evaluation: TenderEvaluation) -> list[str]:
    return [
        f"lot {lot.result.lot.id}: {finding.bidder}"
        for lot in evaluation.lots
        for finding in lot.result.abnormally_low
        if finding.pending
    ]
