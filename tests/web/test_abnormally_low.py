"""Recording an abnormally low tender decision in the browser (Procurement Act 2023 s.19(3)–(5)), through the
page: the form's errors, the decision and its audit entry saved together, and the award precondition clearing.

Southdale's demo tender has its prices opened with Harbour Healthcare Group plc's lot 1 price flagged and no
decision recorded."""

from __future__ import annotations

import pytest
from test_pages import check_page

from commonweal.web.models import AbnormallyLowDecision, AuditEntry, Bid
from commonweal.web.tenders import data

pytestmark = pytest.mark.db

MISSING = "Abnormally low tender decision not recorded: lot 1: Harbour Healthcare Group plc"


def _harbour(tender) -> Bid:
    return Bid.objects.get(lot__tender=tender, lot__reference="1", bidder="Harbour Healthcare Group plc")


def test_the_commissioner_records_the_decision_and_the_award_can_then_be_recommended(world, client_for) -> None:
    tender = world["southdale"]
    harbour = _harbour(tender)
    commissioner = client_for("southdale.commissioner")
    path = f"/tenders/{tender.pk}/abnormally-low/{harbour.pk}/"
    assert MISSING in commissioner.get(f"/tenders/{tender.pk}/").content.decode()
    results = commissioner.get(f"/tenders/{tender.pk}/results/").content.decode()
    assert f'href="{path}"' in results  # the results page links to the form

    entries = AuditEntry.objects.count()
    empty = commissioner.post(path, {"decision": "", "reason": "  "})
    assert empty.status_code == 400
    html = empty.content.decode()
    assert check_page(path, html) == []
    assert "Procurement Act 2023 s.19(3)–(5)" in html  # the same provision the engine and its report cite
    # each problem in the summary points to its own field, and each field shows its message
    assert 'href="#decision">Choose whether the tender is accepted or rejected' in html
    assert 'href="#reason">Give the reason for the decision' in html
    assert html.count("govuk-error-message") == 2
    assert not AbnormallyLowDecision.objects.exists() and AuditEntry.objects.count() == entries

    done = commissioner.post(path, {"decision": "rejected", "reason": "Could not show it can pay the wage floor"})
    assert done.status_code == 302 and done["Location"] == f"/tenders/{tender.pk}/results/"
    decision = AbnormallyLowDecision.objects.get(bid=harbour)
    assert (decision.decision, decision.reason, decision.decided_by.username) == (
        "rejected", "Could not show it can pay the wage floor", "southdale.commissioner")
    entry = AuditEntry.objects.order_by("pk").last()  # the newest entry of any chain (sequences are per chain)
    assert (entry.action, entry.actor, entry.tender_id) == ("abnormally_low_decided", "southdale.commissioner",
                                                            tender.pk)
    assert entry.detail == {"bid": harbour.pk, "bidder": "Harbour Healthcare Group plc", "decision": "rejected",
                            "reason": "Could not show it can pay the wage floor"}
    assert MISSING not in commissioner.get(f"/tenders/{tender.pk}/").content.decode()
    advanced = commissioner.post(f"/tenders/{tender.pk}/advance/", {"target": "award_recommended"})
    assert advanced.status_code == 302
    tender.refresh_from_db()
    assert tender.stage == "award_recommended"
    # once the award is recommended the decision is settled
    late = commissioner.post(path, {"decision": "accepted", "reason": "changed my mind"})
    assert late.status_code == 400 and AbnormallyLowDecision.objects.get(bid=harbour).decision == "rejected"


def test_the_decision_is_not_saved_when_its_audit_entry_fails(world, client_for, monkeypatch) -> None:
    tender = world["southdale"]
    harbour = _harbour(tender)

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(data.audit, "record", broken)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        client_for("southdale.commissioner").post(f"/tenders/{tender.pk}/abnormally-low/{harbour.pk}/",
                                                  {"decision": "accepted", "reason": "Explained and evidenced"})
    assert not AbnormallyLowDecision.objects.filter(bid=harbour).exists()
