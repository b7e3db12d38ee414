from dataclasses import replace
from decimal import Decimal

from commonweal.domain.evaluation.model import Criterion, CriterionGroup, PriceRule, QuantitativeRule
from commonweal.domain.evaluation.scales import PRESETS
from commonweal.domain.evaluation.validation import model_problems

from .builders import model

D = Decimal


def test_a_sound_model_has_no_problems() -> None:
    assert model_problems(model()) == []


def test_top_level_weights_must_sum_to_100() -> None:
    problems = model_problems(model(price_weight=50))
    assert problems == ["price weight plus group weights must sum to 100, not 110"]


def test_sibling_criteria_must_sum_to_100() -> None:
    m = model()
    m = replace(m, criteria=(replace(m.criteria[0], weight=D(60)), m.criteria[1]))
    [problem] = model_problems(m)
    assert problem.startswith("the weights of the criteria under group 'quality' must sum to 100, not 60;")
    assert "declare criteria_weights: points on the group" in problem  # the way to write points


def test_sub_criteria_must_sum_to_100_under_their_parent() -> None:
    m = model()
    subs = (
        Criterion("Q.a", "Part a", "quality", D(70), PRESETS["0-5"], parent="Q"),
        Criterion("Q.b", "Part b", "quality", D(20), PRESETS["0-5"], parent="Q"),
    )
    m = replace(m, criteria=(*m.criteria, *subs))
    [problem] = model_problems(m)
    assert problem.startswith("the weights of the criteria under criterion 'Q' must sum to 100, not 90;")
    assert "declare criteria_weights: points on the criterion" in problem


def test_effective_weight_multiplies_down_the_tree() -> None:
    m = model()
    sub = Criterion("Q.a", "Part a", "quality", D(40), PRESETS["0-5"], parent="Q")
    m = replace(m, criteria=(*m.criteria, sub, replace(sub, id="Q.b", weight=D(60))))
    # group 45% × Q 100% × Q.a 40% = 18% of the whole evaluation
    assert m.effective_weight(m.criterion("Q.a")) == D(18)
    assert [c.id for c in m.leaves()] == ["SV", "Q.a", "Q.b"]


def test_social_value_below_the_minimum_needs_a_recorded_reason() -> None:
    low = model(quality=55, social=5)
    assert any("below the minimum 10%" in p and "PPN 06/20" in p for p in model_problems(low))
    assert model_problems(replace(low, social_value_override_reason="Works contract; SV in KPIs")) == []
    assert model_problems(replace(low, social_value_minimum=D(5))) == []


def test_thresholds_tie_breaks_and_quantitative_rules_are_checked() -> None:
    m = model()
    bad = replace(
        m,
        criteria=(
            replace(m.criteria[0], threshold=D(6)),
            replace(m.criteria[1], kind="quantitative", quantitative=QuantitativeRule("against_target")),
        ),
        tie_break=("price", "luck"),
    )
    problems = model_problems(bad)
    assert "criterion 'Q' threshold 6 is outside its scale 0-5" in problems
    assert "criterion 'SV' is scored against a target but has no target above zero" in problems
    assert "tie-break rule 'luck' is not price, quality, social_value, a group or a criterion" in problems


def test_unknown_group_parent_and_duplicate_ids_are_reported() -> None:
    m = model()
    bad = replace(
        m,
        groups=(*m.groups, CriterionGroup("quality", "Again", D(0), "quality")),
        criteria=(
            *m.criteria,
            Criterion("X", "X", "nowhere", D(1), PRESETS["0-5"]),
            Criterion("Y", "Y", "quality", D(1), PRESETS["0-5"], parent="Z"),
        ),
        price=PriceRule(D(40), "cheapest"),
    )
    problems = model_problems(bad)
    assert "group id 'quality' is used twice" in problems
    assert "criterion 'X' names an unknown group 'nowhere'" in problems
    assert "criterion 'Y' names an unknown parent 'Z'" in problems
    assert any(p.startswith("unknown price formula 'cheapest'") for p in problems)
