import datetime as dt

from commonweal.domain.lifecycle import (
    NEEDS,
    TRANSITIONS,
    Role,
    Shortfall,
    Stage,
    TenderFacts,
    bid_content_visible,
    missing_for,
    next_transition,
    other_scores_visible,
    prices_visible,
)


def _to(target: Stage):
    return next(t for t in TRANSITIONS if t.target == target)


def test_the_transitions_walk_every_stage_in_order() -> None:
    stage = Stage.DRAFT
    walked = [stage]
    while (t := next_transition(stage)) is not None:
        stage = t.target
        walked.append(stage)
    assert walked == list(Stage)


def test_opening_needs_lots_criteria_and_a_valid_model() -> None:
    missing = missing_for(_to(Stage.OPEN), TenderFacts(model_problems=("weights sum to 90, not 100",)))
    assert missing == (
        "The tender has no lots",
        "No award criteria are set",
        "Evaluation model: weights sum to 90, not 100",
    )
    assert missing_for(_to(Stage.OPEN), TenderFacts(lots=1, criteria=3)) == ()


def test_moderation_needs_every_declaration_and_score() -> None:
    facts = TenderFacts(undeclared_evaluators=("evan",), missing_scores=(Shortfall("eve", 35), Shortfall("evan", 1)))
    assert missing_for(_to(Stage.MODERATION), facts) == (
        "evan has not declared conflicts of interest",
        "eve: 35 scores missing",
        "evan: 1 score missing",
    )


def test_opening_prices_needs_every_score_moderated_and_only_finance_may() -> None:
    transition = _to(Stage.PRICES_OPENED)
    assert transition.roles == frozenset({Role.FINANCE})
    assert missing_for(transition, TenderFacts(unmoderated=(Shortfall("Acme, lot 1", 2),))) == (
        "Not moderated: Acme, lot 1, 2 consensus scores missing",
    )


def test_recommendation_needs_abnormally_low_decisions() -> None:
    facts = TenderFacts(has_ranking=True, abnormally_low_pending=("Lot 1: Cheapco",))
    assert missing_for(_to(Stage.AWARD_RECOMMENDED), facts) == (
        "Abnormally low tender decision not recorded: Lot 1: Cheapco",
    )


def test_award_waits_for_the_end_of_standstill() -> None:
    facts = TenderFacts(standstill_may_enter_on=dt.date(2026, 11, 12), today=dt.date(2026, 11, 11))
    (problem,) = missing_for(_to(Stage.AWARDED), facts)
    assert "until the end of 2026-11-11" in problem
    assert missing_for(_to(Stage.AWARDED), TenderFacts(standstill_may_enter_on=dt.date(2026, 11, 12),
                                                       today=dt.date(2026, 11, 12))) == ()


def test_prices_are_sealed_until_opened() -> None:
    assert [s for s in Stage if prices_visible(s)] == [
        Stage.PRICES_OPENED, Stage.AWARD_RECOMMENDED, Stage.STANDSTILL, Stage.AWARDED,
    ]


def test_other_scores_are_hidden_before_moderation_and_from_finance() -> None:
    assert not other_scores_visible(Stage.EVALUATION, frozenset({Role.MODERATOR}))
    assert other_scores_visible(Stage.MODERATION, frozenset({Role.MODERATOR}))
    assert not other_scores_visible(Stage.MODERATION, frozenset({Role.FINANCE}))


def test_evaluators_see_bid_content_only_after_declaring_no_conflict() -> None:
    assert not bid_content_visible(False, frozenset({Role.EVALUATOR}))
    assert bid_content_visible(True, frozenset({Role.EVALUATOR}))
    assert bid_content_visible(False, frozenset({Role.COMMISSIONER}))


def test_each_step_reads_only_the_facts_it_declares() -> None:
    """NEEDS lets the web layer skip gathering facts a step does not read: a fact outside a step's NEEDS, however
    bad, never changes what `missing_for` says about that step."""
    bad = TenderFacts(
        model_problems=("weights sum to 90",), lots=0, criteria=0, bids=0, evaluators=0,
        undeclared_evaluators=("evan",), missing_scores=(Shortfall("eve", 3),), unmoderated=(Shortfall("Acme", 1),),
        abnormally_low_pending=("lot 1: Cheapco",), has_ranking=False,
        standstill_may_enter_on=dt.date(2026, 12, 1), today=dt.date(2026, 11, 1),
    )
    for transition in TRANSITIONS:
        needed = NEEDS[transition.target]
        only_needed = TenderFacts(**{name: getattr(bad, name) for name in needed})
        assert missing_for(transition, bad) == missing_for(transition, only_needed), transition.target
        assert missing_for(transition, bad) or not needed, transition.target
