"""Bid documents: added by the commissioner before evaluation, their kind read from their content, stored per
organisation under the media root, served only to those the access layer lets see them (a response after the
evaluator's declaration; a price schedule to nobody until prices are opened); PDFs open in the browser."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweal.web.models import AuditEntry, Bid, BidDocument, Criterion, Tender

pytestmark = pytest.mark.db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _add(client, tender, bid, name: str, content: bytes, purpose: str = "response", criterion: str = ""):
    return client.post(f"/tenders/{tender.pk}/bids/{bid.pk}/documents/",
                       {"document": SimpleUploadedFile(name, content), "purpose": purpose, "criterion": criterion})


def test_documents_are_checked_by_content_stored_per_organisation_and_sealed(world, client_for, settings) -> None:
    tender = world["northfield"]
    Tender.objects.filter(pk=tender.pk).update(stage="closed")
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    commissioner = client_for("commissioner")
    # a text file named .pdf is refused by its content; nothing stored
    refused = _add(commissioner, tender, bid, "response.pdf", b"just some text")
    assert refused.status_code == 400 and "is not a PDF" in refused.content.decode()
    assert not BidDocument.objects.exists()
    assert _add(commissioner, tender, bid, "q1.pdf", PDF, criterion=str(criterion.pk)).status_code == 302
    assert _add(commissioner, tender, bid, "method.docx", _docx()).status_code == 302
    assert _add(commissioner, tender, bid, "prices.pdf", PDF + b"prices", "price_schedule").status_code == 302
    response, docx, schedule = (BidDocument.objects.get(name=n) for n in ("q1.pdf", "method.docx", "prices.pdf"))
    assert (response.kind, docx.kind, schedule.kind) == ("pdf", "docx", "pdf")
    stored = settings.COMMONWEAL_MEDIA_ROOT / response.stored_as
    assert response.stored_as.startswith("northfield/") and stored.read_bytes() == PDF
    assert AuditEntry.objects.filter(action="bid_document_added").count() == 3
    # the commissioner sees the responses, not the sealed price schedule
    page = commissioner.get(f"/tenders/{tender.pk}/bids/{bid.pk}/documents/").content.decode()
    assert ">q1.pdf</a>" in page and ">method.docx</a>" in page and ">prices.pdf</a>" not in page
    assert commissioner.get(f"/tenders/{tender.pk}/documents/{schedule.pk}/").status_code == 404
    served = commissioner.get(f"/tenders/{tender.pk}/documents/{response.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("inline") and served.content == PDF
    # a PDF may be framed by our own pages only (beside the scoring form), and loads nothing itself
    assert served["X-Frame-Options"] == "SAMEORIGIN"
    assert served["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert client_for("commissioner").get(f"/tenders/{tender.pk}/documents/{docx.pk}/")[
        "Content-Disposition"].startswith("attachment")
    # evaluation: an evaluator sees a response only after declaring no conflict; finance, never before prices
    Tender.objects.filter(pk=tender.pk).update(stage="evaluation")
    evaluator3 = client_for("evaluator3")
    assert evaluator3.get(f"/tenders/{tender.pk}/documents/{response.pk}/").status_code in (302, 403, 404)
    evaluator3.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})
    assert evaluator3.get(f"/tenders/{tender.pk}/documents/{response.pk}/").content == PDF
    scoring = evaluator3.get(f"/tenders/{tender.pk}/bids/{bid.pk}/criteria/{criterion.pk}/").content.decode()
    assert "q1.pdf" in scoring and "prices.pdf" not in scoring
    assert f'<iframe class="cw-document" src="/tenders/{tender.pk}/documents/{response.pk}/"' in scoring
    assert evaluator3.get(f"/tenders/{tender.pk}/documents/{schedule.pk}/").status_code == 404
    # no more documents once evaluation has started
    assert _add(commissioner, tender, bid, "late.pdf", PDF).status_code == 400
    # another organisation's commissioner finds nothing
    assert client_for("southdale.commissioner").get(
        f"/tenders/{tender.pk}/documents/{response.pk}/").status_code == 404
    # prices opened: the schedule is served
    Tender.objects.filter(pk=tender.pk).update(stage="prices_opened")
    assert client_for("viewer").get(f"/tenders/{tender.pk}/documents/{schedule.pk}/").status_code == 200
