"""The tender evaluation report, award recommendation and assessment summaries written for the example tender.

The expected figures come from the example's files (bids.csv, moderation.csv, tender.yaml) and are worked by hand
where a test states them.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPORT_DATE
from report_html_checks import check_page, page_text

from commonweal.io.reports import render as render_module
from commonweal.io.reports.evaluation import evaluation_documents
from commonweal.services.evaluation import TenderEvaluation, evaluate_folder
from commonweal.services.reports import write_evaluation_report

WINNER = "Calder Community Care CIC"  # the most advantageous tender in both lots of the example


def _rows(name: str) -> list[dict[str, str]]:
    with (EXAMPLE / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _bidders(lot: str) -> list[str]:
    return [row["bidder"] for row in _rows("bids.csv") if row["lot"] == lot]


def _summary(folder: Path, lot: str, bidder: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", bidder.lower()).strip("-")
    return folder / "summaries" / f"lot-{lot}-{slug}.html"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_document_is_written_as_html_and_pdf(example_report: Path) -> None:
    expected = {"report.html", "report.pdf", "award-recommendation.html", "award-recommendation.pdf"}
    for lot in ("1", "2"):
        for bidder in _bidders(lot):
            html = _summary(example_report, lot, bidder)
            expected |= {
                str(html.relative_to(example_report)),
                str(html.with_suffix(".pdf").relative_to(example_report)),
            }
    found = {str(p.relative_to(example_report)) for p in example_report.rglob("*") if p.is_file()}
    # 4 tender-level files + 2 lots × 5 bidders × (HTML + PDF) = 24
    assert found == expected
    assert len(found) == 24


def test_every_page_has_a_title_and_no_duplicate_ids(example_report: Path) -> None:
    pages = sorted(example_report.rglob("*.html"))
    assert len(pages) == 12
    for page in pages:
        check_page(_read(page))


def test_the_report_names_every_bidder_the_winner_and_exact_money(example_report: Path) -> None:
    text = page_text(_read(example_report / "report.html"))
    for row in _rows("bids.csv"):
        assert row["bidder"] in text
        # prices in bids.csv carry pence; the report shows them exactly: 3740000.00 → £3,740,000.00
        assert f"£{int(row['price'].split('.')[0]):,}.{row['price'].split('.')[1]}" in text
    assert f"Recommended: {WINNER}" in text
    # lot 1: two cautions (min-max price scoring would pick Harbour, whose capped SV4 £ scores full marks; the Q4
    # moderation spread); lot 2: fragile win, 3 close tipping points, other formulas, rank reversal = 6 cautions.
    # Lot 1 margin: Calder 79.49 - Ridgeway (26.43 + 34.65 + 4.80 + 3.00 + 1.35 + 3.00 = 73.23) = 6.26
    assert "6.26 ahead of Ridgeway Support Trust. Read the 3 cautions below before deciding." in text
    assert "0.06 ahead of Fernbridge Carers Co-operative Ltd. Read the 7 cautions below before deciding." in text
    assert "£4,200,000.00" in text  # lot 1 budget from tender.yaml
    assert "PROVISIONAL" not in text  # every abnormally low price in the example has a recorded decision


def test_the_report_covers_exclusions_abnormally_low_moderation_and_sensitivity(example_report: Path) -> None:
    text = page_text(_read(example_report / "report.html"))
    assert "scored 1 on Q3 'Safeguarding and quality assurance', below the minimum 2" in text
    assert "Explanation accepted" in text and "R. Adeyemi, Head of Commissioning" in text
    assert "evaluators' scores for Q4 range from 1 to 4" in text
    for heading in (
        "Tipping points",
        "Winner under every price formula",
        "Rank reversal",
        "Cautions for the decision-maker",
    ):
        assert heading in text
    # lot 2 is the close finish: withdrawing Harbour's low price changes the winner under relative-to-lowest scoring
    assert (
        "Removing Harbour Healthcare Group plc’s tender would make Fernbridge Carers Co-operative Ltd the winner"
        in text
    )


def test_each_chart_is_an_inline_svg_followed_by_its_data_table(example_report: Path) -> None:
    html = _read(example_report / "report.html")
    figures = re.findall(r'<figure class="chart".*?</figure>', html, flags=re.S)
    assert len(figures) == 4  # 2 lots × (points by component, win probability)
    for figure in figures:
        assert figure.index("<svg") < figure.index("<table")
        assert "http://" not in figure.replace("http://www.w3.org/", "")  # nothing fetched from the network


def test_assessment_summaries_carry_what_regulation_31_requires(example_report: Path) -> None:
    bids = {(row["lot"], row["bidder"]): row for row in _rows("bids.csv")}
    moderation = _rows("moderation.csv")
    for (lot, bidder), bid in bids.items():
        text = page_text(_read(_summary(example_report, lot, bidder)))
        # reg 31(2)(c): name, contact postal and email address, unique identifier
        for value in (bidder, bid["address"], bid["email"], bid["identifier"]):
            assert value in text, (lot, bidder, value)
        # reg 31(2)(d): each criterion's title and relative importance, and where the full criteria are published
        for title, weight in (
            ("Price", "40%"),
            ("Delivery model and continuity of care", "13.5%"),  # 45 × 30% = 13.5
            ("Safeguarding and quality assurance", "11.25%"),  # 45 × 25% = 11.25
            ("Local employment at the Real Living Wage", "6%"),  # 15 × 40% = 6
            ("Low-emission care travel", "2.25%"),  # 15 × 15% = 2.25
            ("Social value committed (£, from commitments.csv)", "3%"),  # 15 × 20% = 3
        ):
            assert title in text and weight in text
        assert 'Invitation to Tender FBC-ASC-2026-014, Part 3 "Evaluation methodology"' in text
        # reg 31(2)(e): each criterion's score, explained from the moderation rationale
        for row in moderation:
            if (row["lot"], row["bidder"]) == (lot, bidder):
                assert f"Score {row['score']} of 5" in text
                assert " ".join(row["rationale"].split()) in text
        # reg 31(3): for an unsuccessful tender, why, and the most advantageous tender's assessment
        if bidder == WINNER:
            assert "Your tender is the most advantageous tender" in text
            assert "Why the contract is not being awarded to you" not in text
        else:
            assert "Why the contract is not being awarded to you" in text
            assert f"The contract is to be awarded to {WINNER}" in text
            assert f"How the tender of {WINNER} was assessed" in _read(_summary(example_report, lot, bidder))


def test_a_summary_shows_sub_totals_and_the_total(example_report: Path) -> None:
    text = page_text(_read(_summary(example_report, "2", "Brightwater Home Care Ltd")))
    # price: 40 × 2,990,000 / 3,190,000 = 37.4922; quality 33.30 from the moderated scores; social value
    # SV1 3/5 × 6 + SV2 2/5 × 3.75 + SV3 3/5 × 2.25 = 3.60 + 1.50 + 1.35, plus SV4 £34,992.00 / £39,200 cap × 3
    # = 2.6780, so 9.1280; total 37.4922 + 33.30 + 9.1280 = 79.92, 1.15 behind Calder's 81.07
    # (Calder: 40 × 2,990,000 / 3,460,000 = 34.5665 + 34.65 + 4.80 + 2.25 + 1.80 + 3 = 81.07)
    assert "Sub-total: Price 37.49" in text
    assert "Sub-total: Quality 33.30" in text
    assert "Sub-total: Social value 9.13" in text
    assert "Total score (of 100) 79.92" in text
    assert "Price £3,190,000.00 scored 37.49 of 40 points" in text
    assert "the most advantageous tender scored 81.07, 1.15 points more" in text


def test_an_excluded_tenders_summary_says_why(example_report: Path) -> None:
    text = page_text(_read(_summary(example_report, "2", "Meadowside Care Services Ltd")))
    assert (
        "The tender was excluded: it scored 1 on Q3 'Safeguarding and quality assurance', below the minimum 2." in text
    )
    assert "Not scored" in text


def test_pdfs_are_pdfs_and_name_the_supplier(example_report: Path) -> None:
    pdfs = sorted(example_report.rglob("*.pdf"))
    assert len(pdfs) == 12
    for pdf in pdfs:
        assert pdf.read_bytes().startswith(b"%PDF")
    summary = _summary(example_report, "1", "Ridgeway Support Trust")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(summary.with_suffix(".pdf")), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Ridgeway Support Trust" in text
        assert "GB-CHC-1123456" in text  # its identifier, from bids.csv
    else:  # poppler is not installed: check WeasyPrint lays the summary out on pages instead
        from weasyprint import HTML

        assert len(HTML(string=_read(summary)).render().pages) >= 1


@pytest.fixture(scope="module")
def provisional(tmp_path_factory: pytest.TempPathFactory) -> TenderEvaluation:
    """The example with the decision on Harbour's abnormally low lot 1 price not yet recorded."""
    folder = tmp_path_factory.mktemp("provisional") / "tender"
    shutil.copytree(EXAMPLE, folder)
    decisions = folder / "abnormally_low_decisions.csv"
    decisions.write_text(decisions.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    evaluation = evaluate_folder(folder)
    assert not evaluation.lots[0].result.final and evaluation.lots[1].result.final
    return evaluation


def test_summaries_are_marked_provisional_while_a_decision_is_pending(provisional: TenderEvaluation) -> None:
    documents = evaluation_documents(provisional.tender, provisional.lots, REPORT_DATE)
    pending = "Harbour Healthcare Group plc's price is possibly abnormally low and needs a recorded decision"
    for path, html in documents.items():
        text = page_text(html)
        if path.startswith("summaries/lot-1-") or not path.startswith("summaries/"):
            assert "PROVISIONAL" in text, path
            assert pending in text, path
            assert 'class="provisional"' in html  # the print style puts PROVISIONAL on every page
        else:
            assert "PROVISIONAL" not in text, path


def test_nothing_is_written_when_rendering_fails(
    example_evaluation: TenderEvaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(html: str, path: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(render_module, "write_pdf", broken)
    with pytest.raises(OSError, match="disk full"):
        write_evaluation_report(example_evaluation, tmp_path / "out", REPORT_DATE)
    assert list(tmp_path.iterdir()) == []  # neither the report folder nor the staging folder is left


def test_a_new_report_replaces_the_old_summaries_and_leaves_other_files(
    example_evaluation: TenderEvaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the move into place is under test here, not WeasyPrint (tested above), so PDFs are written as stubs
    def stub(html: str, path: Path) -> Path:
        path.write_bytes(b"%PDF-stub")
        return path

    monkeypatch.setattr(render_module, "write_pdf", stub)
    out = tmp_path / "out"
    (out / "summaries").mkdir(parents=True)
    (out / "summaries" / "lot-1-a-withdrawn-bidder.html").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "report.html").write_text("old", encoding="utf-8")
    written = write_evaluation_report(example_evaluation, out, REPORT_DATE)
    assert len(written) == 24
    assert all(p.is_file() and out in p.parents for p in written)
    assert not (out / "summaries" / "lot-1-a-withdrawn-bidder.html").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "Tender evaluation report" in (out / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [
        "award-recommendation.html",
        "award-recommendation.pdf",
        "notes.txt",
        "report.html",
        "report.pdf",
        "summaries",
    ]
