"""Statutory documents name the organisation running the tender and its reference here (never the buyer or
reference an uploaded tender.yaml names) and carry the organisation's audit chain head when they were made."""

from __future__ import annotations

import pytest

from commonweal.web import audit
from commonweal.web.models import AuditEntry, Bid

pytestmark = pytest.mark.db


def test_the_summary_and_recommendation_name_the_organisation_and_the_audit_head(world, client_for) -> None:
    tender = world["southdale"]  # prices opened; built from the example's tender.yaml (another council's)
    assert "Fernbridge Borough Council" in tender.definition  # the example's buyer, which must not reach the documents
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    client = client_for("shared.commissioner")
    head = audit.head(tender.organisation)
    html = client.get(f"/tenders/{tender.pk}/summaries/{bid.pk}/").content.decode()
    assert "Southdale District Council" in html and tender.reference in html
    assert "Fernbridge Borough Council" not in html
    assert f"southdale #{head.sequence} {head.hash}" in html
    # the download was audited after the page was made: the next document carries the new head
    assert AuditEntry.objects.filter(tender=tender, action="downloaded").exists()
    later = audit.head(tender.organisation)
    assert later.sequence == head.sequence + 1
    html = client.get(f"/tenders/{tender.pk}/recommendation/").content.decode()
    assert "Southdale District Council" in html and f"southdale #{later.sequence} {later.hash}" in html


def test_the_pdf_carries_the_audit_head(world, client_for) -> None:
    from commonweal.io.reports.evaluation import evaluation_documents
    from commonweal.web import evaluations

    tender = world["southdale"]
    evaluation = evaluations.evaluation(tender)
    documents = evaluation_documents(evaluation.tender, evaluation.lots, None, "southdale #7 abc")
    assert all("Audit chain head when this document was made: southdale #7 abc." in html
               for html in documents.values())
    assert all("Fernbridge Borough Council" not in html for html in documents.values())
    response = client_for("shared.commissioner").get(f"/tenders/{tender.pk}/recommendation.pdf")
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
