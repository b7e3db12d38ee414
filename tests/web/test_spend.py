"""The spend area end to end on the real database: uploads queued, imported by the worker (the database-backed
queue), the import report with every rejected row, the mapping screen when a file is ambiguous, the report's
filters, the look-alike supplier review (stored and audited), and the partner finder."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweal.web.models import AuditEntry
from commonweal.web.spend import worker
from commonweal.web.spend.models import SpendFigures, SpendImport, SupplierReview

pytestmark = pytest.mark.db

CSV = ("Payment Date,Supplier Name,Amount,Service Area\r\n"
       "13/04/2025,Riverside Community Trust,1200.00,Adult Social Care\r\n"
       "14/04/2025,TOTAL CLEANING LTD,99.50,Facilities\r\n"
       "15/04/2025,Bad Amount Ltd,twelve,Facilities\r\n")


def test_an_upload_is_imported_by_the_worker_with_its_rejected_rows(world, client_for) -> None:
    commissioner = client_for("shared.commissioner")
    response = commissioner.post("/organisations/northfield/spend/",
                                 {"spend_file": SimpleUploadedFile("april.csv", CSV.encode())})
    assert response.status_code == 302
    job = SpendImport.objects.get(file_name="april.csv")
    assert job.status == SpendImport.PENDING  # the request only queued it
    assert worker.run_pending() == 4  # the demo councils' three queued files, then this one
    job.refresh_from_db()
    assert job.status == SpendImport.DONE
    assert (job.report["rows_loaded"], job.report["rows_rejected"], job.report["total_amount"]) == (2, 1, "1299.50")
    page = commissioner.get(response["Location"]).content.decode()
    assert "amount &#39;twelve&#39; is not a number" in page or "amount 'twelve' is not a number" in page
    download = commissioner.get(f"/organisations/northfield/spend/imports/{job.pk}/rejected.csv")
    assert b"twelve" in download.content
    assert AuditEntry.objects.filter(action="spend_imported", detail__file="april.csv").exists()
    assert SpendFigures.objects.filter(organisation__slug="northfield").exists()


def test_an_ambiguous_file_stops_on_the_mapping_screen_and_imports_as_stated(world, client_for) -> None:
    worker.run_pending()
    job = SpendImport.objects.get(file_name="southdale_spend_2025-26_approvals.csv")
    assert job.status == SpendImport.NEEDS_MAPPING
    assert "could each hold the amount" in job.problems[0]["message"]
    commissioner = client_for("southdale.commissioner")
    screen = commissioner.get(f"/organisations/southdale/spend/imports/{job.pk}/mapping/").content.decode()
    assert "Amount Approved" in screen and "Amount Paid" in screen
    bad = commissioner.post(f"/organisations/southdale/spend/imports/{job.pk}/mapping/", {"amount": "Nope"})
    assert bad.status_code == 400 and 'href="#amount"' in bad.content.decode()
    stated = commissioner.post(f"/organisations/southdale/spend/imports/{job.pk}/mapping/",
                               {"amount": "Amount Paid"})
    assert stated.status_code == 302
    assert worker.run_pending() == 1
    job.refresh_from_db()
    assert job.status == SpendImport.DONE
    assert job.report["mapping"]["amount"] == "Amount Paid"
    assert job.report["confidence"]["amount"] == "stated by the person importing"
    assert AuditEntry.objects.filter(action="spend_mapping_stated").count() == 1


def test_the_report_filters_and_a_review_decision_is_stored_and_audited(world, client_for) -> None:
    worker.run_pending()
    viewer = client_for("viewer")
    whole = viewer.get("/organisations/northfield/spend/report/")
    assert whole.status_code == 200 and "<svg" in whole.content.decode()
    april = viewer.get("/organisations/northfield/spend/report/", {"period_from": "2025-04", "period_to": "2025-04",
                                                                    "service_area": "Adult Social Care"})
    cells = april.content.decode()
    assert april.status_code == 200
    assert ">2025-04</td>" in cells and ">2025-05</td>" not in cells
    assert viewer.get("/organisations/northfield/spend/report/", {"period_from": "April"}).status_code == 400
    stored = SpendFigures.objects.get(organisation__slug="northfield")
    candidate = stored.report["review_candidates"][0]
    commissioner = client_for("shared.commissioner")
    form = {"left": candidate["left"], "right": candidate["right"], "decision": "same", "reason": "Same company"}
    assert viewer.post("/organisations/northfield/spend/suppliers/", form).status_code == 403
    assert commissioner.post("/organisations/northfield/spend/suppliers/", form).status_code == 302
    assert SupplierReview.objects.get(left=candidate["left"]).same
    assert AuditEntry.objects.filter(action="supplier_review_decided").exists()
    again = commissioner.post("/organisations/northfield/spend/suppliers/", form)
    assert again.status_code == 400
    partners = viewer.get("/organisations/northfield/spend/partners/",
                          {"service": "Adult Social Care", "value": "250000", "lots": "2"})
    assert partners.status_code == 200 and "Lotting advice" in partners.content.decode()


def test_one_worker_wins_each_job(world) -> None:
    first = worker.claim()
    assert first is not None and first.status == SpendImport.RUNNING
    assert SpendImport.objects.filter(pk=first.pk, status=SpendImport.PENDING).count() == 0
    second = worker.claim()
    assert second is None or second.pk != first.pk
