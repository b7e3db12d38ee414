"""Weights written as fractions or as points normalised within their group (issue #16 point 5): read exactly,
computed exactly, and shown normalised in the JSON and the evaluation report.

The tender below is our own: a 65% quality section of seven questions worth 5.5, 12, 7.5, 14, 9, 4.5 and 12.5
points (exact 130ths of the section: 5.5 / 65 = 11/130, whose decimal never ends), and a 15% social value section
of two criteria written as exact percentages 100/3 and 200/3."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from commonweal.domain.evaluation.evaluate import evaluate_lot
from commonweal.domain.evaluation.model import Criterion, CriterionGroup, fraction_decimal
from commonweal.domain.evaluation.records import EvaluatorScore, ModeratedScore
from commonweal.domain.evaluation.scales import PRESETS
from commonweal.domain.evaluation.validation import model_problems
from commonweal.io.errors import InputError
from commonweal.io.reports.evaluation import evaluation_documents
from commonweal.io.structured import Folder
from commonweal.io.tender_folder import load_tender_folder
from commonweal.services.evaluation import evaluate_tender, tender_json

from ..domain.evaluation.builders import lot, model, records

D = Decimal
POINTS = ("5.5", "12", "7.5", "14", "9", "4.5", "12.5")  # sum 65, the section's weight


def _yaml(quality_weights: tuple[str, ...], form: str = "points", social: tuple[str, str] = ("100/3", "200/3")) -> str:
    questions = "\n".join(
        f"    - {{id: Q{i}, title: Question {i}, group: quality, weight: {w!r}, scale: '0-4'}}"
        for i, w in enumerate(quality_weights, start=1)
    )
    return f"""
title: Weights written as points
lots:
  - id: "1"
    title: Day services
evaluation_model:
  price: {{weight: 20, formula: relative_to_lowest}}
  groups:
    - {{id: quality, title: Quality, weight: 65, criteria_weights: {form}}}
    - {{id: social_value, title: Social value, weight: 15, category: social_value}}
  criteria:
{questions}
    - {{id: SV1, title: Local jobs, group: social_value, weight: {social[0]!r}, scale: '0-4'}}
    - {{id: SV2, title: Carbon, group: social_value, weight: {social[1]!r}, scale: '0-4'}}
"""


def _folder(yaml: str, scores: dict[str, dict[str, int]] | None = None) -> Folder:
    scores = scores or {"Ash Care": {"Q1": 4, "Q4": 3}, "Birch Ltd": {"Q2": 4, "SV1": 1}}
    criteria = [f"Q{i}" for i in range(1, len(POINTS) + 1)] + ["SV1", "SV2"]
    bids = "bidder,lot,price\nAsh Care,1,100000\nBirch Ltd,1,100000\n"
    evaluator = "evaluator,bidder,lot,criterion,score,rationale\n"
    moderation = "bidder,lot,criterion,score,rationale\n"
    for bidder, given in scores.items():
        for criterion in criteria:
            score = given.get(criterion, 2)
            evaluator += f"E1,{bidder},1,{criterion},{score},evidence\n"
            moderation += f"{bidder},1,{criterion},{score},agreed at moderation\n"
    files = {"tender.yaml": yaml, "bids.csv": bids, "scores.csv": evaluator, "moderation.csv": moderation}
    return Folder("weights", files={name: text.encode() for name, text in files.items()})


def test_points_are_normalised_within_their_group_exactly() -> None:
    loaded = load_tender_folder(_folder(_yaml(POINTS)))
    model_ = loaded.tender.lots[0].model
    by_id = {w.criterion.id: w for w in model_.weights()}
    assert by_id["Q1"].share_of_parent == Fraction(11, 130)  # 5.5 of 65 points, exactly
    assert by_id["Q1"].of_whole == Fraction(11, 2)  # 5.5% of the whole evaluation
    assert sum(w.of_whole for w in by_id.values() if w.criterion.group == "quality") == 65
    assert by_id["SV1"].share_of_parent == Fraction(1, 3) and by_id["SV1"].of_whole == 5


def test_fraction_weights_give_exact_points_and_totals() -> None:
    evaluation = evaluate_tender(load_tender_folder(_folder(_yaml(POINTS))))
    by = {r.bidder: r for r in evaluation.lots[0].result.ranking}
    # Ash: 4/4 on Q1 (5.5), 3/4 on Q4 (10.5), 2/4 on the other 45.5 points (22.75): 38.75 exactly
    assert by["Ash Care"].group_points["quality"] == D("38.75")
    # Birch: 4/4 on Q2 (12), 2/4 on the other 53 points (26.5)
    assert by["Birch Ltd"].group_points["quality"] == D("38.5")
    # SV: 2/4 of 5 + 2/4 of 10 = 7.5; Birch has 1/4 on SV1: 1.25 + 5 = 6.25
    assert by["Ash Care"].social_value == D("7.5") and by["Birch Ltd"].social_value == D("6.25")
    # equal prices: both earn the full 20 price points
    assert by["Ash Care"].exact_total == D("66.25") and by["Birch Ltd"].exact_total == D("64.75")


def test_json_and_report_show_the_weights_as_written_and_normalised() -> None:
    evaluation = evaluate_tender(load_tender_folder(_folder(_yaml(POINTS))))
    weights = {w["criterion"]: w for w in tender_json(evaluation)["lots"][0]["criteria_weights"]}
    assert weights["Q1"] == {
        "criterion": "Q1",
        "group": "quality",
        "parent": None,
        "weight_as_written": "5.5",
        "written_as": "points",
        "share_of_parent": "11/130",
        "share_of_parent_percent": 8.4615,
        "weight_percent": 5.5,
        "weight_percent_exact": "5.5",
    }
    assert weights["SV1"]["weight_as_written"] == "100/3" and weights["SV1"]["share_of_parent"] == "1/3"
    report = evaluation_documents(evaluation.tender, evaluation.lots)["report.html"]
    # Q1 as written, its share of the section (rounded, with the exact fraction) and of the whole
    assert '<td class="num">5.5 points</td><td class="num">8.4615 (110/13)%</td><td class="num">5.5%</td>' in (report)
    assert "33.3333 (100/3)%" in report  # SV1 as written, a percentage that is an exact fraction


def test_rounded_shares_that_miss_100_are_refused_with_the_exact_ways_to_write_them() -> None:
    # the seven questions as percentages of the section rounded to 4 places: they sum to 100.0001, not 100
    rounded = tuple(str((D(p) / 65 * 100).quantize(D("0.0001"))) for p in POINTS)
    with pytest.raises(InputError) as raised:
        load_tender_folder(_folder(_yaml(rounded, form="percent")))
    [problem] = [p for p in raised.value.problems if "must sum to 100" in p.message]
    assert "must sum to 100, not 100.0001" in problem.message
    assert "criteria_weights: points" in problem.message and "55/6" in problem.message


def test_exact_percentages_written_as_fractions_are_accepted() -> None:
    exact = tuple(f"{Fraction(D(p)) / 65 * 100}" for p in POINTS)  # 110/13, 240/13, ...
    loaded = load_tender_folder(_folder(_yaml(exact, form="percent")))
    weights = {w.criterion.id: w for w in loaded.tender.lots[0].model.weights()}
    assert weights["Q1"].of_whole == Fraction(11, 2)


@pytest.mark.parametrize("written", ["1/0", "one/3", "3/", "1/2/3", "1e3/2"])
def test_a_bad_fraction_names_its_path(written: str) -> None:
    yaml = _yaml((written, *POINTS[1:]))
    with pytest.raises(InputError) as raised:
        load_tender_folder(_folder(yaml))
    columns = {(p.column, p.message.split(";")[0]) for p in raised.value.problems}
    assert any(column == "evaluation_model.criteria[0].weight" for column, _ in columns), columns


def test_a_negative_fraction_is_refused_as_a_weight() -> None:
    with pytest.raises(InputError) as raised:
        load_tender_folder(_folder(_yaml(("-11/2", *POINTS[1:]))))
    assert any("criterion 'Q1' needs a weight above zero" in p.message for p in raised.value.problems)


def test_an_unknown_weight_form_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        load_tender_folder(_folder(_yaml(POINTS, form="shares")))
    assert any(
        p.column == "evaluation_model.groups[0].criteria_weights" and "expected one of percent, points" in p.message
        for p in raised.value.problems
    )


def test_points_are_exact_where_a_decimal_third_would_round_down() -> None:
    # One criterion worth 24.015% of the whole, scored 1 on a 0-3 scale: 24.015 / 3 = 8.005 exactly. A 28-digit
    # Decimal third gives 8.004999…, which rounds to 8.00 at two places instead of 8.01.
    groups = (
        CriterionGroup("quality", "Quality", D("48.03"), "quality"),
        CriterionGroup("social_value", "Social value", D("11.97"), "social_value"),
    )
    criteria = (
        Criterion("Q1", "One", "quality", D(50), PRESETS["0-3"]),
        Criterion("Q2", "Two", "quality", D(50), PRESETS["0-3"]),
        Criterion("SV", "Social value", "social_value", D(100), PRESETS["0-3"]),
    )
    m = model(groups=groups, criteria=criteria)
    assert model_problems(m) == []
    bids, _, _ = records([("A", "1000", 1, 0)])
    scores = [EvaluatorScore("E1", "A", "1", c, D(s), "evidence") for c, s in (("Q1", 1), ("Q2", 0), ("SV", 0))]
    consensus = [ModeratedScore("A", "1", c, D(s), "agreed") for c, s in (("Q1", 1), ("Q2", 0), ("SV", 0))]
    result = evaluate_lot(lot(m), bids, scores, consensus)
    [only] = result.ranking
    assert only.quality == D("8.005") and only.criteria[0].points == D("8.005")
    assert fraction_decimal(Fraction(1, 3)) * D("24.015") < D("8.005")  # what a Decimal third would have given


def test_a_total_adds_the_price_points_to_the_exact_non_price_points() -> None:
    # thirds on a 0-3 scale: 1/3 of 50 plus 2/3 of 10 is 70/3 non-price points, whose decimal never ends; the
    # total keeps all 28 significant digits of it (a total computed in floats kept 10 places)
    bids, scores, consensus = records([("A", "1000", 1, 2), ("B", "2000", 3, 3)])
    result = evaluate_lot(lot(model(quality=50, social=10, scale=PRESETS["0-3"])), bids, scores, consensus)
    by = {r.bidder: r for r in result.ranking}
    assert by["A"].nonprice == fraction_decimal(Fraction(70, 3))
    assert by["A"].exact_total == 40 + fraction_decimal(Fraction(70, 3))  # the lowest price earns all 40 points
    assert by["A"].total == D("63.33")
