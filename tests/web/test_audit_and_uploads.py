"""The audit chain catches tampering through the CLI; uploads save nothing when any row is bad; sign-in is
throttled; exports neutralise formulas."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from typer.testing import CliRunner

from commonweal.cli.main import app
from commonweal.web import evaluations
from commonweal.web.models import AuditEntry, AuditHead, Bid, Tender

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"


def test_audit_verify_passes_then_fails_on_an_edited_and_a_deleted_entry(world) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "northfield: intact" in ok.output and "southdale: intact" in ok.output
    # edit an entry behind the application's back, as someone with database access could
    entry = AuditEntry.objects.filter(action="tender_created").first()
    AuditEntry.objects.filter(pk=entry.pk).update(actor="someone else")
    edited = runner.invoke(app, ["audit", "verify"])
    assert edited.exit_code == 1
    assert f"entry {entry.sequence} has been altered" in edited.output
    AuditEntry.objects.filter(pk=entry.pk).update(actor=entry.actor)
    middle = AuditEntry.objects.order_by("sequence")[1]
    AuditEntry.objects.filter(pk=middle.pk).delete()
    deleted = runner.invoke(app, ["audit", "verify"])
    assert deleted.exit_code == 1
    assert f"entry {middle.sequence} is missing" in deleted.output


def test_audit_verify_detects_a_cut_off_end_with_the_recorded_head(world) -> None:
    runner = CliRunner()
    head = AuditEntry.objects.filter(organisation=world["northfield"].organisation).order_by("-sequence").first()
    AuditEntry.objects.filter(pk=head.pk).delete()
    # the chain alone cannot see a cut-off end once its head row is wound back too, as the table's writer can
    AuditHead.objects.filter(organisation=head.organisation).update(sequence=head.sequence - 1,
                                                                    hash=head.previous_hash)
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    cut = runner.invoke(app, ["audit", "verify", "--organisation", "northfield", "--head", head.hash])
    assert cut.exit_code == 1
    assert "entries were removed or added" in cut.output


def _files(bids: bytes) -> dict[str, SimpleUploadedFile]:
    yaml_text = (EXAMPLE / "tender.yaml").read_text(encoding="utf-8").replace("FBC-ASC-2026-014", "NEW-2026-001")
    # the buyer must be the organisation the tender is created in (tenders area)
    yaml_text = yaml_text.replace("buyer: Fernbridge Borough Council", "buyer: Northfield Borough Council")
    return {"tender": SimpleUploadedFile("tender.yaml", yaml_text.encode()),
            "bids": SimpleUploadedFile("bids.csv", bids),
            "gates": SimpleUploadedFile("gates.csv", (EXAMPLE / "gates.csv").read_bytes()),
            "commitments": SimpleUploadedFile("commitments.csv", (EXAMPLE / "commitments.csv").read_bytes()),
            "socialvalue": SimpleUploadedFile("socialvalue.yaml", (EXAMPLE / "socialvalue.yaml").read_bytes())}


def test_a_bad_row_is_shown_with_file_row_and_column_and_nothing_is_saved(world, client_for) -> None:
    client = client_for("shared.commissioner")
    before = (Tender.objects.count(), Bid.objects.count(), AuditEntry.objects.count())
    bids = (EXAMPLE / "bids.csv").read_bytes() + b"Bad Price Ltd,1,lots,,,\nNowhere Ltd,9,5.00,,,\n"
    response = client.post("/organisations/northfield/tenders/new/", _files(bids))
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 problem(s) in the files: nothing was saved" in html
    assert "expected an amount in pounds such as 1234567.89, got &#39;lots&#39;" in html
    cell = '<td class="govuk-table__cell">bids.csv</td><td class="govuk-table__cell govuk-table__cell--numeric">12</td>'
    assert cell in html
    assert "unknown lot &#39;9&#39;" in html
    assert (Tender.objects.count(), Bid.objects.count(), AuditEntry.objects.count()) == before


def test_good_files_create_a_draft_tender_with_an_audit_entry(world, client_for) -> None:
    client = client_for("shared.commissioner")
    bids = (EXAMPLE / "bids.csv").read_bytes()
    response = client.post("/organisations/northfield/tenders/new/", _files(bids))
    assert response.status_code == 302
    created = Tender.objects.get(reference="NEW-2026-001")
    assert (created.stage, created.organisation.slug, Bid.objects.filter(lot__tender=created).count()) == (
        "draft", "northfield", 10)
    assert AuditEntry.objects.filter(tender=created, action="tender_created").count() == 1
    # a commissioner of Northfield only is not allowed to create Southdale's tenders
    assert client_for("commissioner").get("/organisations/northfield/tenders/new/").status_code == 403


def test_sign_in_is_throttled_after_repeated_failures(world, client, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3  # COMMONWEAL_LOGIN_MAX_FAILURES: the third failure locks the user name
    for _ in range(2):
        assert client.post("/sign-in/", {"username": "viewer", "password": "wrong"}).status_code == 400
    assert client.post("/sign-in/", {"username": "viewer", "password": "wrong"}).status_code == 429
    locked = client.post("/sign-in/", {"username": "viewer", "password": "demo password for tests"})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()


def test_results_export_neutralises_formulas(world, client_for) -> None:
    Bid.objects.filter(lot__tender=world["southdale"], bidder="Brightwater Home Care Ltd").update(
        bidder="=HYPERLINK(\"http://evil\")")
    evaluations.refresh(world["southdale"])  # as any write that changes an evaluation's inputs does
    response = client_for("shared.commissioner").get(f"/tenders/{world['southdale'].pk}/results.csv")
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert AuditEntry.objects.filter(action="downloaded", tender=world["southdale"]).exists()


def test_the_pdfs_are_the_report_layers_documents(world, client_for) -> None:
    client = client_for("shared.commissioner")
    tender = world["southdale"]
    bid = Bid.objects.filter(lot__tender=tender, bidder="Calder Community Care CIC", lot__reference="1").get()
    summary = client.get(f"/tenders/{tender.pk}/summaries/{bid.pk}.pdf")
    assert summary.status_code == 200
    assert summary.content[:5] == b"%PDF-"
    assert 'filename="assessment-summary-lot-1-calder-community-care-cic.pdf"' in summary["Content-Disposition"]
    recommendation = client.get(f"/tenders/{tender.pk}/recommendation.pdf")
    assert recommendation.content[:5] == b"%PDF-"
    downloads = AuditEntry.objects.filter(tender=tender, action="downloaded").values_list("detail", flat=True)
    assert [d["what"] for d in downloads] == ["assessment summary (PDF)", "award recommendation (PDF)"]


def test_web_demo_seeds_once_and_prints_the_sign_ins(db, monkeypatch) -> None:
    monkeypatch.setenv("COMMONWEAL_LOCAL_DEMO", "1")  # the demo sets it; restored after the test
    runner = CliRunner()
    first = runner.invoke(app, ["web", "demo", "--no-serve", "--port", "8123"])
    assert first.exit_code == 0, first.output
    assert "Sign in at http://127.0.0.1:8123/ as:" in first.output
    assert "shared.commissioner" in first.output and "southdale.commissioner" in first.output
    assert sorted(Tender.objects.values_list("reference", "stage")) == [
        ("NBC-ASC-2026-014", "evaluation"), ("SDC-ASC-2026-021", "prices_opened")]
    again = runner.invoke(app, ["web", "demo", "--no-serve"])
    assert "already present; fresh passwords issued" in again.output
    assert Tender.objects.count() == 2


def test_the_api_results_are_the_engines_results_for_the_same_records(world) -> None:
    """The database round trip loses nothing: the web's results for Southdale's copy of the example equal the
    CLI's `evaluate` of the example folder (same scores, consensus, gates and abnormally low decision)."""
    import json

    from django.contrib.auth.models import User
    from django.test import Client

    from commonweal.io.tender_folder import load_tender_folder
    from commonweal.services.evaluation import evaluate_folder
    from commonweal.web.access import issue_token, tender_access
    from commonweal.web.tenders import data

    user = User.objects.get(username="shared.commissioner")
    access = tender_access(user, world["southdale"].pk)
    harbour = Bid.objects.get(lot__tender=world["southdale"], lot__reference="1", bidder="Harbour Healthcare Group plc")
    (decision,) = load_tender_folder(EXAMPLE).decisions
    data.record_abnormally_low(access, harbour.pk, decision.decision, decision.reason, decision.decided_on)
    token = issue_token(user, "parity")
    response = Client().get(f"/api/tenders/{world['southdale'].pk}/results", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    # the decision is recorded by the signed-in user, where the example's file names its decider in words
    web = json.loads(response.content.decode().replace("shared.commissioner", decision.decided_by))["lots"]
    cli = evaluate_folder(EXAMPLE).as_json()["lots"]
    for web_lot, cli_lot in zip(web, cli, strict=True):
        for web_bid, cli_bid in zip(web_lot["ranking"], cli_lot["ranking"], strict=True):
            assert {k: v for k, v in web_bid.items() if v != cli_bid[k]} == {}, cli_bid["bidder"]
    assert [lot["sensitivity"]["win_probability"] for lot in web] == [lot["sensitivity"]["win_probability"]
                                                                        for lot in cli]
    assert all(lot["final"] for lot in web)


def test_the_migrations_match_the_models(db) -> None:
    from django.core.management import call_command

    call_command("makemigrations", "web", "--check", "--dry-run", verbosity=0)


def _third_evaluators_rows() -> list[str]:
    lines = (EXAMPLE / "scores.csv").read_text(encoding="utf-8").splitlines()
    names = []
    for line in lines[1:]:
        name = line.split(",", 1)[0]
        if name not in names:
            names.append(name)
    return [lines[0]] + [line.replace(names[2], "evaluator3", 1) for line in lines[1:] if line.startswith(names[2])]


def test_an_evaluator_uploads_their_own_scores_all_or_nothing(world, client_for) -> None:
    from commonweal.web.models import Score

    tender = world["northfield"]
    client = client_for("evaluator3")
    client.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})
    rows = _third_evaluators_rows()
    assert len(rows) == 71  # header and 10 bids x 7 criteria
    bad = [*rows[:3], rows[3].replace("evaluator3", "evaluator1", 1),
           "evaluator3,Brightwater Home Care Ltd,1,Q1,7,", *rows[4:]]
    before = (Score.objects.filter(evaluator__username="evaluator3").count(), AuditEntry.objects.count())
    response = client.post(f"/tenders/{tender.pk}/scores/upload/",
                           {"scores": SimpleUploadedFile("scores.csv", "\n".join(bad).encode())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "3 problem(s) in the file: nothing was saved" in html
    assert "names &#39;evaluator1&#39;; upload only your own scores" in html
    assert "must be one of 0, 1, 2, 3, 4, 5" in html and "Give a rationale for the score against Q1" in html
    assert (Score.objects.filter(evaluator__username="evaluator3").count(), AuditEntry.objects.count()) == before
    good = client.post(f"/tenders/{tender.pk}/scores/upload/",
                       {"scores": SimpleUploadedFile("scores.csv", "\n".join(rows).encode())})
    assert good.status_code == 302
    assert Score.objects.filter(evaluator__username="evaluator3", bid__lot__tender=tender).count() == 70
    assert AuditEntry.objects.count() == before[1] + 70


def test_results_xlsx_has_numbers_for_money_and_points(world, client_for) -> None:
    import io

    from openpyxl import load_workbook

    response = client_for("shared.commissioner").get(f"/tenders/{world['southdale'].pk}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    # Calder Community Care CIC ranks first in lot 1 of the example at £3,740,000.00 (see the CLI's ranking)
    assert (first["lot"], first["rank"], first["bidder"], first["price"]) == ("1", 1, "Calder Community Care CIC",
                                                                             3740000)
    assert isinstance(first["total"], float)


def test_web_token_prints_a_working_api_token(world) -> None:
    from django.test import Client

    result = CliRunner().invoke(app, ["web", "token", "viewer", "--label", "reporting"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    response = Client().get("/api/tenders", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [t["reference"] for t in response.json()] == ["NBC-ASC-2026-014"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_sign_in_never_redirects_off_site(world, client, target) -> None:
    response = client.post("/sign-in/", {"username": "viewer", "password": "demo password for tests", "next": target})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_sign_in_returns_to_the_page_asked_for(world, client) -> None:
    response = client.post("/sign-in/", {"username": "viewer", "password": "demo password for tests",
                                         "next": "/tenders/1/"})
    assert response["Location"] == "/tenders/1/"


def test_an_oversized_upload_is_refused_before_it_is_read(world, client_for, settings) -> None:
    settings.COMMONWEAL_UPLOAD_MAX_BYTES = 100
    before = Tender.objects.count()
    response = client_for("shared.commissioner").post(
        "/organisations/northfield/tenders/new/", _files((EXAMPLE / "bids.csv").read_bytes()))
    assert response.status_code == 400
    assert "tender.yaml is larger than the 100-byte limit" in response.content.decode()
    assert Tender.objects.count() == before


def test_the_buyer_in_an_uploaded_tender_yaml_must_be_the_organisation(world, client_for) -> None:
    files = _files((EXAMPLE / "bids.csv").read_bytes())
    files["tender"] = SimpleUploadedFile("tender.yaml", (EXAMPLE / "tender.yaml").read_bytes())  # Fernbridge's
    before = (Tender.objects.count(), AuditEntry.objects.count())
    response = client_for("shared.commissioner").post("/organisations/northfield/tenders/new/", files)
    assert response.status_code == 400
    html = response.content.decode()
    assert "names the buyer &#39;Fernbridge Borough Council&#39;" in html and 'href="#tender"' in html
    assert (Tender.objects.count(), AuditEntry.objects.count()) == before


def test_a_download_named_from_free_text_carries_only_safe_characters(world, client_for) -> None:
    """A tender's reference is free text; the downloads named from it never put a quote, a semicolon or a line
    break into the Content-Disposition header (a split header or a spoofed file name)."""
    tender = world["southdale"]
    Tender.objects.filter(pk=tender.pk).update(reference='SDC/2026 "x";\r\nSet-Cookie: y=1')
    client = client_for("shared.commissioner")
    for path in (f"/tenders/{tender.pk}/audit.csv", f"/tenders/{tender.pk}/results.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        disposition = response["Content-Disposition"]
        name = disposition.split('filename="', 1)[1].rstrip('"')
        assert name.startswith("SDC-2026-x-Set-Cookie-y-1-") and set(name) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"), disposition
        assert "Set-Cookie" not in response.headers or "y=1" not in response.headers.get("Set-Cookie", "")
