"""Report layouts the example tender does not reach: an unbreakable tie (no winner), a combined price formula
(price not scored separately) and bidder names that need escaping. HTML only, so these stay fast."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from conftest import REPORT_DATE
from report_html_checks import page_text

from commonweal.domain.evaluation.model import Criterion, CriterionGroup, EvaluationModel, Lot, PriceRule, Tender
from commonweal.domain.evaluation.records import Bid, EvaluatorScore, ModeratedScore
from commonweal.domain.evaluation.scales import PRESETS
from commonweal.io.reports.evaluation import evaluation_documents
from commonweal.io.tender_folder import TenderFolder
from commonweal.services.evaluation import TenderEvaluation, evaluate_tender

SCALE = PRESETS["0-5"]
AMPERSAND = "Smith & Sons <Care> Ltd"
PLAIN = "Northgate Care CIC"


def _evaluate(formula: str, prices: dict[str, str], scores: dict[str, tuple[int, int]]) -> TenderEvaluation:
    model = EvaluationModel(
        price=PriceRule(Decimal(40), formula),
        groups=(
            CriterionGroup("quality", "Quality", Decimal(45), "quality"),
            CriterionGroup("social_value", "Social value", Decimal(15), "social_value"),
        ),
        criteria=(
            Criterion("Q1", "Continuity of care", "quality", Decimal(100), SCALE),
            Criterion("SV1", "Local jobs", "social_value", Decimal(100), SCALE),
        ),
    )
    tender = Tender("T-1", "Day services", "Westmoor Council", (Lot("1", "Whole borough", model),), "", "ITT Part 3")
    folder = TenderFolder(path=Path("."), tender=tender)
    for bidder, price in prices.items():
        folder.bids.append(Bid(bidder, "1", Decimal(price), "GB-COH-1", "1 High St", "a@b.example"))
        for criterion, score in zip(("Q1", "SV1"), scores[bidder], strict=True):
            why = f"{bidder} evidence for {criterion}"
            folder.scores.append(EvaluatorScore("E. Evans", bidder, "1", criterion, Decimal(score), why))
            folder.moderation.append(ModeratedScore(bidder, "1", criterion, Decimal(score), why))
    return evaluate_tender(folder)


def _documents(evaluation: TenderEvaluation) -> dict[str, str]:
    return evaluation_documents(evaluation.tender, evaluation.lots, REPORT_DATE)


def test_an_unbreakable_tie_has_no_recommendation_and_says_so() -> None:
    evaluation = _evaluate(
        "relative_to_lowest", {AMPERSAND: "1000.00", PLAIN: "1000.00"}, {AMPERSAND: (4, 3), PLAIN: (4, 3)}
    )
    assert evaluation.lots[0].result.winner is None
    documents = _documents(evaluation)
    report = page_text(documents["report.html"])
    assert "No recommendation: no single most advantageous tender has been identified." in report
    assert "Rows in bold" not in report  # no tipping points without a winner
    summary = page_text(documents["summaries/lot-1-smith-sons-care-ltd.html"])
    assert "No single most advantageous tender has been identified yet." in summary
    assert AMPERSAND in summary


def test_names_are_escaped_in_html(tmp_path: Path) -> None:
    evaluation = _evaluate(
        "relative_to_lowest", {AMPERSAND: "1000.00", PLAIN: "1250.00"}, {AMPERSAND: (4, 3), PLAIN: (5, 5)}
    )
    html = _documents(evaluation)["report.html"]
    assert "Smith &amp; Sons &lt;Care&gt; Ltd" in html
    assert "<Care>" not in html


def test_a_combined_price_formula_is_explained_and_not_charted_as_price_points() -> None:
    # price per quality point: price ÷ non-price points; Northgate 1250 ÷ 60 = 20.83 per point beats
    # Smith 1000 ÷ (45 × 4/5 + 15 × 3/5 = 45) = 22.22 per point, so Northgate wins although dearer
    evaluation = _evaluate(
        "price_per_quality_point", {AMPERSAND: "1000.00", PLAIN: "1250.00"}, {AMPERSAND: (4, 3), PLAIN: (5, 5)}
    )
    assert evaluation.lots[0].result.winner is not None
    assert evaluation.lots[0].result.winner.bidder == PLAIN
    documents = _documents(evaluation)
    report = documents["report.html"]
    figure = report[report.index('id="lot-1-breakdown"') :]
    figure = figure[: figure.index("</figure>")]
    assert ">Quality<" in figure and ">Price<" not in figure
    summary = page_text(documents["summaries/lot-1-smith-sons-care-ltd.html"])
    assert "price is not scored separately" in summary
    assert f"The contract is to be awarded to {PLAIN}" in summary
