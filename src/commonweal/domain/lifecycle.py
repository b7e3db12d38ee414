"""The tender lifecycle as a state machine, and who may see what at each stage.

draft → open → closed → evaluation (quality and social value, prices sealed) → moderation → prices opened →
award recommended → standstill → awarded.

Each step lists its preconditions as plain facts about the tender (`TenderFacts`) and `missing_for` says, in
words, what is still missing. Sealing prices until moderation is locked, and keeping evaluators' scores
independent until moderation, follow the Cabinet Office guidance on assessing competitive tenders under the
Procurement Act 2023 (evaluators assess independently, then moderate to a consensus); the standstill period is
s.51 (see `commonweal.domain.calendar`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    EVALUATION = "evaluation"
    MODERATION = "moderation"
    PRICES_OPENED = "prices_opened"
    AWARD_RECOMMENDED = "award_recommended"
    STANDSTILL = "standstill"
    AWARDED = "awarded"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Stage.DRAFT: "Draft",
    Stage.OPEN: "Open for bids",
    Stage.CLOSED: "Closed for bids",
    Stage.EVALUATION: "Quality and social value evaluation (prices sealed)",
    Stage.MODERATION: "Moderation",
    Stage.PRICES_OPENED: "Prices opened",
    Stage.AWARD_RECOMMENDED: "Award recommended",
    Stage.STANDSTILL: "Standstill",
    Stage.AWARDED: "Awarded",
}

ORDER: tuple[Stage, ...] = tuple(Stage)


class Role(StrEnum):
    COMMISSIONER = "commissioner"
    EVALUATOR = "evaluator"
    MODERATOR = "moderator"
    FINANCE = "finance"
    VIEWER = "viewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    action: str
    roles: frozenset[Role]


# Who may move a tender on. Finance opens the prices (the price opener is kept apart from the quality
# evaluators); the moderator locks moderation by asking finance to open prices, so the two are separate people.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Stage.DRAFT, Stage.OPEN, "Open the tender for bids", frozenset({Role.COMMISSIONER})),
    Transition(Stage.OPEN, Stage.CLOSED, "Close the tender to bids", frozenset({Role.COMMISSIONER})),
    Transition(Stage.CLOSED, Stage.EVALUATION, "Start evaluation", frozenset({Role.COMMISSIONER})),
    Transition(Stage.EVALUATION, Stage.MODERATION, "Start moderation", frozenset({Role.MODERATOR, Role.COMMISSIONER})),
    Transition(Stage.MODERATION, Stage.PRICES_OPENED, "Lock moderation and open prices", frozenset({Role.FINANCE})),
    Transition(Stage.PRICES_OPENED, Stage.AWARD_RECOMMENDED, "Recommend the award", frozenset({Role.COMMISSIONER})),
    Transition(
        Stage.AWARD_RECOMMENDED, Stage.STANDSTILL, "Publish the contract award notice", frozenset({Role.COMMISSIONER})
    ),
    Transition(Stage.STANDSTILL, Stage.AWARDED, "Enter into the contract", frozenset({Role.COMMISSIONER})),
)


def next_transition(stage: Stage) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == stage), None)


@dataclass(frozen=True)
class Shortfall:
    """Who (an evaluator, or a bid) is short of how many scores: the lifecycle counts what is missing rather than
    listing every bid and criterion, so a large tender's next step stays readable."""

    who: str
    missing: int


@dataclass(frozen=True)
class TenderFacts:
    """What the state machine needs to know about a tender; the caller gathers it from storage."""

    model_problems: tuple[str, ...] = ()
    lots: int = 0
    criteria: int = 0
    bids: int = 0
    evaluators: int = 0
    undeclared_evaluators: tuple[str, ...] = ()
    # evaluators who declared a conflict the commissioner has not yet decided on (replace, or continue with
    # mitigation: Procurement Act 2023 s.82)
    undecided_conflicts: tuple[str, ...] = ()
    missing_scores: tuple[Shortfall, ...] = ()  # per evaluator without a conflict
    # evaluators who have scored everything but not yet submitted (locked) their scores
    unsubmitted: tuple[str, ...] = ()
    unmoderated: tuple[Shortfall, ...] = ()  # per bid: criteria without a consensus score
    abnormally_low_pending: tuple[str, ...] = ()
    has_ranking: bool = False
    standstill_may_enter_on: dt.date | None = None
    today: dt.date | None = None


# The facts each step's preconditions read (`missing_for`), so the caller gathers only those: counting every
# evaluator's scores is wasted work once a tender is past evaluation.
_MODEL = frozenset({"lots", "criteria", "model_problems"})
NEEDS: dict[Stage, frozenset[str]] = {
    Stage.OPEN: _MODEL,
    Stage.CLOSED: _MODEL,
    Stage.EVALUATION: _MODEL | {"bids", "evaluators"},
    Stage.MODERATION: frozenset({"undeclared_evaluators", "undecided_conflicts", "missing_scores", "unsubmitted"}),
    Stage.PRICES_OPENED: frozenset({"unmoderated"}),
    Stage.AWARD_RECOMMENDED: frozenset({"has_ranking", "abnormally_low_pending"}),
    Stage.STANDSTILL: frozenset(),
    Stage.AWARDED: frozenset({"standstill_may_enter_on", "today"}),
}


def missing_for(transition: Transition, facts: TenderFacts) -> tuple[str, ...]:
    """What stops `transition` now, in words a commissioner can act on; empty when it may go ahead."""
    missing: list[str] = []
    target = transition.target
    if target in (Stage.OPEN, Stage.CLOSED, Stage.EVALUATION):
        if facts.lots == 0:
            missing.append("The tender has no lots")
        if facts.criteria == 0:
            missing.append("No award criteria are set")
        missing.extend(f"Evaluation model: {problem}" for problem in facts.model_problems)
    if target == Stage.EVALUATION:
        if facts.bids == 0:
            missing.append("No bids have been received")
        if facts.evaluators == 0:
            missing.append("No evaluators are assigned")
    if target == Stage.MODERATION:
        missing.extend(f"{name} has not declared conflicts of interest" for name in facts.undeclared_evaluators)
        missing.extend(f"{name} declared a conflict of interest: the commissioner decides whether they are replaced "
                       "or continue" for name in facts.undecided_conflicts)
        missing.extend(f"{s.who}: {_scores(s.missing)} missing" for s in facts.missing_scores)
        missing.extend(f"{name}: scores not yet submitted" for name in facts.unsubmitted)
    if target == Stage.PRICES_OPENED:
        missing.extend(f"Not moderated: {s.who}, {_scores(s.missing, 'consensus score')} missing"
                       for s in facts.unmoderated)
    if target == Stage.AWARD_RECOMMENDED:
        if not facts.has_ranking:
            missing.append("There is no ranking to recommend an award from")
        missing.extend(f"Abnormally low tender decision not recorded: {what}" for what in facts.abnormally_low_pending)
    if target == Stage.AWARDED:
        if facts.standstill_may_enter_on is None or facts.today is None:
            missing.append("The standstill period has not been recorded")
        elif facts.today < facts.standstill_may_enter_on:
            missing.append(
                "The standstill period (Procurement Act 2023 s.51) runs until the end of "
                f"{(facts.standstill_may_enter_on - dt.timedelta(days=1)).isoformat()}; the contract may be entered "
                f"into from {facts.standstill_may_enter_on.isoformat()}"
            )
    return tuple(missing)


def _scores(count: int, noun: str = "score") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def reached(stage: Stage, milestone: Stage) -> bool:
    """True once a tender at `stage` has reached `milestone` (or gone past it)."""
    return ORDER.index(stage) >= ORDER.index(milestone)


def prices_visible(stage: Stage) -> bool:
    """Prices stay sealed to everyone, finance included, until moderation is locked and prices are opened."""
    return reached(stage, Stage.PRICES_OPENED)


def other_scores_visible(stage: Stage, roles: frozenset[Role]) -> bool:
    """Individual scores are independent: nobody sees another evaluator's scores before moderation; from moderation
    the moderator, the commissioner and the evaluators themselves may see them side by side."""
    return reached(stage, Stage.MODERATION) and bool(roles & {Role.MODERATOR, Role.COMMISSIONER, Role.EVALUATOR})


def bid_content_visible(cleared: bool, roles: frozenset[Role]) -> bool:
    """An evaluator sees bid content only once cleared: after declaring no conflict of interest, or after the
    commissioner has decided they continue despite a declared conflict, with its mitigation recorded (PA 2023
    s.81-83 conflicts duties); other roles on the tender are not scoring and see bids without that step."""
    if Role.EVALUATOR in roles:
        return cleared
    return bool(roles)


def award_notice_date_problems(published: dt.date, recommended_on: dt.date | None, today: dt.date) -> tuple[str, ...]:
    """Why a contract award notice date cannot start the standstill: the notice (Procurement Act 2023 s.50) follows
    the award decision and the s.51 standstill runs from its publication, so a date in the future or before the
    award was recommended would let the standstill be skipped or back-dated."""
    problems = []
    if published > today:
        problems.append(f"The contract award notice cannot have been published on {published.isoformat()}: that is "
                        f"after today, {today.isoformat()}")
    if recommended_on is not None and published < recommended_on:
        problems.append(f"The contract award notice cannot have been published on {published.isoformat()}, before "
                        f"the award was recommended on {recommended_on.isoformat()}")
    return tuple(problems)
