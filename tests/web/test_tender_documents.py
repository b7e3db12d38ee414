"""The tender's own documents (the specification, the terms: Procurement Act 2023 s.21(4)'s associated tender
documents): the commissioner adds them while the tender is a draft or open, through the one document store (kind by
content, size limit, per organisation); everyone with a role on the tender reads them, and every invited bidder reads
them in the portal once the tender is open; nobody else finds them.

The world is the demo: Southdale's tender invites Brightwater Care (`brightwater.bids`) and Southdale Home Support
(`sdhs.bids`); Northfield Community Transport (`community.lead`) is invited to nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonweal.domain.lifecycle import Stage
from commonweal.web.models import AuditEntry, Tender, TenderDocument

pytestmark = pytest.mark.db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def _add(client, tender: Tender, title: str, name: str, content: bytes):
    return client.post(reverse("tender_documents", args=[tender.pk]),
                       {"title": title, "document": SimpleUploadedFile(name, content)})


def test_the_commissioner_adds_a_document_every_invited_bidder_reads_and_nobody_else_finds(
        world, client_for, settings) -> None:
    southdale, northfield = world["southdale"], world["northfield"]
    Tender.objects.filter(pk=southdale.pk).update(stage=Stage.OPEN.value)
    council = client_for("southdale.commissioner")
    assert council.get(reverse("tender_documents", args=[southdale.pk])).status_code == 200
    # a text file named .pdf is refused by its content, on its field; nothing is stored or recorded
    refused = _add(council, southdale, "Specification", "spec.pdf", b"just some text")
    assert refused.status_code == 400 and 'href="#document"' in refused.content.decode()
    assert not TenderDocument.objects.exists()
    assert _add(council, southdale, "", "spec.pdf", PDF).status_code == 400  # a title is asked for
    assert not TenderDocument.objects.exists()

    assert _add(council, southdale, "Service specification", "spec.pdf", PDF + b"spec").status_code == 302
    made = TenderDocument.objects.get(tender=southdale)
    assert (made.title, made.kind, made.added_by.username) == ("Service specification", "pdf", "southdale.commissioner")
    assert made.stored_as.startswith(f"southdale/tenders/{southdale.pk}/documents/")
    assert (settings.COMMONWEAL_MEDIA_ROOT / made.stored_as).read_bytes() == PDF + b"spec"
    entry = AuditEntry.objects.get(action="tender_document_added")
    assert entry.detail["title"] == "Service specification" and entry.tender_id == southdale.pk

    # every invited bidder: listed on its tender page, served as stored
    own = reverse("portal_tender_document", args=[southdale.pk, made.pk])
    for bidder in ("sdhs.bids", "brightwater.bids"):
        client = client_for(bidder)
        page = client.get(reverse("portal_tender", args=[southdale.pk])).content.decode()
        assert "Service specification" in page and own in page, bidder
        served = client.get(own)
        assert served.status_code == 200 and served.content == PDF + b"spec", bidder
        assert served["Content-Type"] == "application/pdf"
    # the tender's own people read it in the workspace
    staff = council.get(reverse("tender_document", args=[southdale.pk, made.pk]))
    assert staff.status_code == 200 and staff.content == PDF + b"spec"
    # a provider invited to nothing, another council's staff, and another tender's path find nothing
    assert client_for("community.lead").get(own).status_code == 404
    assert client_for("commissioner").get(reverse("tender_document", args=[southdale.pk, made.pk])).status_code == 404
    assert council.get(reverse("tender_document", args=[northfield.pk, made.pk])).status_code == 404
    assert client_for("brightwater.bids").get(
        reverse("portal_tender_document", args=[northfield.pk, made.pk])).status_code == 404


def test_documents_are_added_only_while_draft_or_open_and_bidders_see_none_before_it_opens(world, client_for) -> None:
    southdale = world["southdale"]
    council = client_for("southdale.commissioner")
    Tender.objects.filter(pk=southdale.pk).update(stage=Stage.DRAFT.value)
    assert _add(council, southdale, "Draft terms", "terms.pdf", PDF).status_code == 302
    made = TenderDocument.objects.get()
    # a draft is the council's own: no bidder reaches it or its documents
    assert client_for("sdhs.bids").get(
        reverse("portal_tender_document", args=[southdale.pk, made.pk])).status_code == 404
    # once bids have closed the documents stand as the record of what was asked
    Tender.objects.filter(pk=southdale.pk).update(stage=Stage.EVALUATION.value)
    late = _add(council, southdale, "Late addendum", "late.pdf", PDF)
    assert late.status_code == 400 and "while it is a draft or open for bids" in late.content.decode()
    assert TenderDocument.objects.count() == 1
    assert "Add the document" not in council.get(reverse("tender_documents", args=[southdale.pk])).content.decode()
