"""The tender evaluation report, the award recommendation and one assessment summary per bidder per lot.

Written from the evaluation engine's results (`commonweal.domain.evaluation`), in HTML and PDF:
- `report.html` / `report.pdf`: the whole tender; for each lot the ranking with its breakdown (price, quality and
  social value points), whether the result is final or provisional and why, exclusions with reasons, moderation
  flags, abnormally low tender findings and decisions (Procurement Act 2023 s.19(3)–(5)), the sensitivity analysis
  (win probability, tipping points, the winner under every price formula, rank reversal) and the award
  recommendation with its reasons and cautions;
- `award-recommendation.html` / `.pdf`: the recommendation to the decision-maker for every lot;
- `summaries/lot-<lot>-<bidder>.html` / `.pdf`: the assessment summary Procurement Act 2023 s.50(3) requires for
  each assessed tender, with the content of Procurement Regulations 2024 reg 31 (see
  `commonweal.domain.evaluation.assessment`), marked PROVISIONAL while the lot's result is not final.

This module only lays results out: every figure and sentence of substance comes from the domain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from commonweal.domain.evaluation import price as price_formulas
from commonweal.domain.evaluation.abnormally_low import AbnormallyLowFinding
from commonweal.domain.evaluation.assessment import AssessmentSummary, AwardRecommendation
from commonweal.domain.evaluation.evaluate import BidResult, LotResult
from commonweal.domain.evaluation.model import COMPONENT_TITLES, PRICE, QUALITY, SOCIAL_VALUE, Tender
from commonweal.domain.evaluation.moderation import Moderation, spread_limit
from commonweal.domain.evaluation.sensitivity import Sensitivity
from commonweal.domain.numbers import exact_text
from commonweal.io.reports.render import (
    GOVUK_BLUE,
    GOVUK_DARK_BLUE,
    GOVUK_TURQUOISE,
    Figure,
    bars,
    render_html,
    slug,
    stacked_bars,
    write_documents,
)

COLOURS = {PRICE: GOVUK_DARK_BLUE, QUALITY: GOVUK_BLUE, SOCIAL_VALUE: GOVUK_TURQUOISE}


class LotOutcome(Protocol):
    """One evaluated lot, as `commonweal.services.evaluation.LotEvaluation` carries it."""

    @property
    def result(self) -> LotResult: ...
    @property
    def sensitivity(self) -> Sensitivity: ...
    @property
    def summaries(self) -> Sequence[AssessmentSummary]: ...
    @property
    def recommendation(self) -> AwardRecommendation: ...


@dataclass(frozen=True)
class FlaggedModeration:
    bidder: str
    criterion: str
    title: str
    moderation: Moderation
    flags: tuple[str, ...]


@dataclass(frozen=True)
class LotView:
    """Everything the templates show for one lot, computed once."""

    outcome: LotOutcome
    anchor: str
    price_formula: price_formulas.PriceFormula
    breakdown: Figure | None
    win_chart: Figure | None
    moderation_flags: tuple[FlaggedModeration, ...]
    summary_paths: dict[str, str]  # bidder -> path of the assessment summary, relative to the report

    @property
    def result(self) -> LotResult:
        return self.outcome.result

    @property
    def sensitivity(self) -> Sensitivity:
        return self.outcome.sensitivity

    @property
    def recommendation(self) -> AwardRecommendation:
        return self.outcome.recommendation

    @property
    def findings(self) -> tuple[AbnormallyLowFinding, ...]:
        return self.outcome.result.abnormally_low

    @property
    def weights(self) -> dict[str, dict[str, str]]:
        """Each criterion's weight as written and normalised (exact fractions shown with their rounding)."""
        return {
            w.criterion.id: {
                "written": exact_text(w.criterion.exact) + ("%" if w.form == "percent" else " points"),
                "share_of_parent": exact_text(w.share_of_parent * 100) + "%",
                "of_whole": exact_text(w.of_whole) + "%",
            }
            for w in self.result.lot.model.weights()
        }

    @property
    def excluded(self) -> tuple[BidResult, ...]:
        return tuple(r for r in self.result.ranking if r.excluded)

    def formulas(self) -> list[tuple[str, str, str | None, str]]:
        """(name, title, winner, note) for every price formula, the declared one first."""
        declared = self.result.lot.model.price.formula
        names = sorted(price_formulas.FORMULAS, key=lambda n: (n != declared, n))
        return [
            (
                n,
                price_formulas.FORMULAS[n].title,
                self.sensitivity.winner_by_formula.get(n),
                self.sensitivity.formula_notes.get(n, ""),
            )
            for n in names
        ]


def summary_paths(result: LotResult) -> dict[str, str]:
    """summaries/lot-<lot>-<bidder>.html for each bidder; a clash of slugs (names differing only in punctuation)
    gets a numeric suffix, so no summary overwrites another."""
    paths: dict[str, str] = {}
    used: set[str] = set()
    for bidder in sorted(r.bidder for r in result.ranking):
        base = f"lot-{slug(result.lot.id)}-{slug(bidder)}"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        paths[bidder] = f"summaries/{name}.html"
    return paths


def _flagged_moderations(result: LotResult) -> tuple[FlaggedModeration, ...]:
    model = result.lot.model
    found = []
    for m in result.moderations:
        criterion = model.criterion(m.criterion)
        flags = m.flags(spread_limit(criterion, model.spread_threshold_percent))
        if flags:
            found.append(FlaggedModeration(m.bidder, m.criterion, criterion.title, m, flags))
    return tuple(found)


def lot_view(outcome: LotOutcome) -> LotView:
    result, sensitivity = outcome.result, outcome.sensitivity
    anchor = f"lot-{slug(result.lot.id)}"
    admissible = [r for r in result.admissible if r.total is not None]
    breakdown = None
    if admissible:
        components = (
            [PRICE, QUALITY, SOCIAL_VALUE]
            if all(r.price_points is not None for r in admissible)
            else [
                QUALITY,
                SOCIAL_VALUE,
            ]
        )
        breakdown = stacked_bars(
            f"{anchor}-breakdown",
            f"Lot {result.lot.id}: points by component",
            [r.bidder for r in admissible],
            [(COMPONENT_TITLES[c], COLOURS[c]) for c in components],
            [[float(r.scores()[c] or 0) for c in components] for r in admissible],
            "Points (of 100)",
            "Admissible tenders in rank order; excluded tenders are not scored on price.",
        )
    win_chart = None
    if sensitivity.samples:
        order = sorted(sensitivity.win_probability, key=lambda b: (-sensitivity.win_probability[b], b))
        win_chart = bars(
            f"{anchor}-win-probability",
            f"Lot {result.lot.id}: how often each tender ranks first",
            order,
            [sensitivity.win_probability[b] for b in order],
            "Share of simulations ranked first",
            f"{sensitivity.samples:,} simulations with each top-level weight moved within "
            f"±{sensitivity.weight_band.normalize():f} percentage points and each moderated score drawn from within "
            "the evaluators' range.",
        )
    return LotView(
        outcome=outcome,
        anchor=anchor,
        price_formula=price_formulas.FORMULAS[result.lot.model.price.formula],
        breakdown=breakdown,
        win_chart=win_chart,
        moderation_flags=_flagged_moderations(result),
        summary_paths=summary_paths(result),
    )


def _common(tender: Tender, generated_on: dt.date | None, audit_head: str) -> dict[str, Any]:
    return {"tender": tender, "generated_on": generated_on, "components": COMPONENT_TITLES, "audit_head": audit_head}


def evaluation_documents(
    tender: Tender, lots: Sequence[LotOutcome], generated_on: dt.date | None = None, audit_head: str = ""
) -> dict[str, str]:
    """Every document as HTML, keyed by its path relative to the report folder (without the PDFs); `audit_head`,
    when given, is printed on each: the audit chain's head when the documents were made (the web workspace's)."""
    views = [lot_view(lot) for lot in lots]
    common = _common(tender, generated_on, audit_head)
    documents = {
        "report.html": render_html("evaluation/report.html", {**common, "lots": views}),
        "award-recommendation.html": render_html("evaluation/recommendation.html", {**common, "lots": views}),
    }
    for view in views:
        model = view.result.lot.model
        group_titles = {PRICE: "Price", **{g.id: g.title for g in model.groups}}
        for summary in view.outcome.summaries:
            documents[view.summary_paths[summary.supplier]] = render_html(
                "evaluation/summary.html", {**common, "summary": summary, "group_titles": group_titles}
            )
    return documents


def write_evaluation_documents(
    tender: Tender, lots: Sequence[LotOutcome], folder: Path, generated_on: dt.date | None = None
) -> list[Path]:
    """Write every document as HTML and PDF into `folder`; returns the paths written, HTML before its PDF."""
    return write_documents(evaluation_documents(tender, lots, generated_on), folder)
