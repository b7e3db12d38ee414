"""Maturity self-assessment: placement, reasons, next steps and the SOLACE 2018 benchmark."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from commonweal.domain.socialvalue.maturity import LEVELS, QUESTIONS, SOLACE_2018, Answer, assess, check_answers


def answers(*levels: int) -> list[Answer]:
    return [Answer(q.id, LEVELS[level]) for q, level in zip(QUESTIONS, levels, strict=True)]


def test_the_questionnaire_has_ten_to_fifteen_questions() -> None:
    assert 10 <= len(QUESTIONS) <= 15
    assert len({q.id for q in QUESTIONS}) == len(QUESTIONS)


def test_the_benchmark_is_the_solace_2018_poll() -> None:
    assert [SOLACE_2018.share(level) for level in LEVELS] == [0, 64, 32, 4]
    assert "18 October 2018" in SOLACE_2018.source
    assert "The MJ" in SOLACE_2018.source


def test_placement_reasons_and_benchmark() -> None:
    # twelve answers scoring 1,1,1,1,1,1,2,2,2,0,0,3 = 15; mean 15 / 12 = 1.25 → rounds to 1: "slightly"
    result = assess(answers(1, 1, 1, 1, 1, 1, 2, 2, 2, 0, 0, 3))
    assert result.mean_score == D("1.25")
    assert result.level == "slightly"
    # 64% of delegates placed their council at "slightly"; 0% below; 32 + 4 = 36% above
    assert (result.comparison.same, result.comparison.below, result.comparison.above) == (D(64), D(0), D(36))
    # the weakest answers come first: the two "not at all" questions (community, co_production)
    assert result.reasons[0].startswith(QUESTIONS[9].text)
    assert result.next_steps[0] == QUESTIONS[9].next_step
    # the one "significantly" answer needs no next step
    assert len(result.next_steps) == 11


def test_half_way_rounds_up() -> None:
    # six answers at 1 and six at 2: mean 1.5 → "moderately"
    assert assess(answers(1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2)).level == "moderately"
    assert assess(answers(*[3] * 12)).comparison.above == 0


def test_missing_or_unknown_answers_are_refused() -> None:
    partial = [*answers(*([1] * 12))[:-1], Answer("nonsense", "slightly")]
    problems = check_answers(partial)
    assert any("'nonsense' is not a question" in p for p in problems)
    assert any(f"question '{QUESTIONS[-1].id}' is not answered" in p for p in problems)
    with pytest.raises(ValueError):
        assess(partial)
