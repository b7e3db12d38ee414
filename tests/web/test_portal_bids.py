"""Bidders' own uploads (issue #20): where the council lets them, a tender's bidders upload their response documents
and price schedule from the provider portal through the tenders area's one `add_document` (kind by content, size
limit, stored per organisation, the price schedule sealed until prices open), to their own bid only, before the end
of the last day for tenders; late documents are refused, and no bidder sees another's.

The world is the demo: Southdale's tender invites Brightwater Care (`brightwater.bids`) and Southdale Home Support
(`sdhs.bids`); Southdale records Southdale Home Support's bid on its first lot here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commonweal.domain.lifecycle import Stage
from commonweal.web.access import NotFound, Refused, bidder_access, tender_access
from commonweal.web.models import AuditEntry, Bid, BidDocument, Criterion, Lot, Tender
from commonweal.web.providers.models import BidderUploads
from commonweal.web.publishing.models import TenderNoticeFacts
from commonweal.web.tenders import data as tenders

pytestmark = pytest.mark.db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
SDHS = "Southdale Home Support CIC"


def open_for_bids(tender: Tender, last_day: dt.date) -> Bid:
    """The tender open for bids, its notice's last day for tenders, and Southdale Home Support's bid recorded."""
    Tender.objects.filter(pk=tender.pk).update(stage=Stage.OPEN.value)
    TenderNoticeFacts.objects.update_or_create(
        tender=tender, defaults={"above_threshold": True, "category": "services", "procedure": "open",
                                 "tender_period_end": last_day})
    lot = Lot.objects.filter(tender=tender).order_by("reference").first()
    return Bid.objects.create(lot=lot, bidder=SDHS, price="1000000.00")


def _send(client, tender, bid, name: str, content: bytes, purpose: str = "response", criterion: str = ""):
    return client.post(reverse("portal_bid", args=[tender.pk]), {
        "bid": str(bid.pk), "document": SimpleUploadedFile(name, content), "purpose": purpose,
        "criterion": criterion})


def test_a_bidder_uploads_to_its_own_bid_only_where_the_council_allows_and_before_the_deadline(
        world, client_for, settings) -> None:
    southdale = world["southdale"]
    own = open_for_bids(southdale, timezone.localdate() + dt.timedelta(days=10))
    bidder, council = client_for("sdhs.bids"), client_for("southdale.commissioner")
    # the council has not chosen bidders' uploads: refused, nothing stored
    assert "does not take bid documents" in bidder.get(reverse("portal_bid", args=[southdale.pk])).content.decode()
    assert _send(bidder, southdale, own, "a.pdf", PDF).status_code == 400
    assert not BidDocument.objects.exists()
    # the council chooses them (audited)
    assert council.post(reverse("bidder_uploads", args=[southdale.pk]), {"allowed": "yes"}).status_code == 302
    assert BidderUploads.objects.get(tender=southdale).allowed
    assert AuditEntry.objects.filter(action="bidder_uploads_set", actor="southdale.commissioner").exists()
    # the one add_document's checks: a text file named .pdf is refused by its content
    refused = _send(bidder, southdale, own, "response.pdf", b"just some text")
    assert refused.status_code == 400 and "is not a PDF" in refused.content.decode()
    assert not BidDocument.objects.exists()
    criterion = Criterion.objects.filter(lot=own.lot).order_by("position").first()
    assert _send(bidder, southdale, own, "q1.pdf", PDF, criterion=str(criterion.pk)).status_code == 302
    assert _send(bidder, southdale, own, "prices.pdf", PDF + b"prices", "price_schedule").status_code == 302
    response, schedule = BidDocument.objects.get(name="q1.pdf"), BidDocument.objects.get(name="prices.pdf")
    assert response.bid_id == schedule.bid_id == own.pk
    assert response.added_by.username == "sdhs.bids" and response.stored_as.startswith("southdale/")
    assert (settings.COMMONWEAL_MEDIA_ROOT / response.stored_as).read_bytes() == PDF
    # audited without naming the bidder's person: the actor is "bidder", as for its questions
    assert AuditEntry.objects.filter(action="bid_document_added", actor="bidder").count() == 2
    # the bidder sees what it sent; the council sees the response but not the sealed price schedule
    mine = bidder.get(reverse("portal_bid", args=[southdale.pk])).content.decode()
    assert "q1.pdf" in mine and "prices.pdf" in mine
    council_page = council.get(reverse("bid_documents", args=[southdale.pk, own.pk])).content.decode()
    assert ">q1.pdf</a>" in council_page and "prices.pdf" not in council_page
    assert council.get(reverse("bid_document", args=[southdale.pk, schedule.pk])).status_code == 404
    # the other bidder of the same tender sees none of it and cannot send to this bid
    other = client_for("brightwater.bids")
    theirs = other.get(reverse("portal_bid", args=[southdale.pk])).content.decode()
    assert "q1.pdf" not in theirs and "prices.pdf" not in theirs and SDHS not in theirs
    assert _send(other, southdale, own, "b.pdf", PDF).status_code == 400
    from django.contrib.auth.models import User

    brightwater = bidder_access(User.objects.get(username="brightwater.bids"), southdale.pk)
    with pytest.raises(NotFound):
        tenders.add_document(brightwater, own.pk, None, "response", "b.pdf", PDF)
    assert BidDocument.objects.count() == 2


def test_late_documents_and_a_closed_tender_are_refused(world, client_for) -> None:
    from django.contrib.auth.models import User

    southdale = world["southdale"]
    last_day = timezone.localdate() + dt.timedelta(days=3)
    own = open_for_bids(southdale, last_day)
    BidderUploads.objects.create(tender=southdale, allowed=True)
    access = bidder_access(User.objects.get(username="sdhs.bids"), southdale.pk)
    closes = tenders.bidder_uploads_close(southdale)
    assert closes is not None and closes.date() == last_day
    # the last second of the last day is in time; the next is late
    assert tenders.add_document(access, own.pk, None, "response", "on-time.pdf", PDF, now=closes)
    with pytest.raises(Refused, match="late documents are not accepted"):
        tenders.add_document(access, own.pk, None, "response", "late.pdf", PDF, now=closes + dt.timedelta(seconds=1))
    # through the page, after the last day
    TenderNoticeFacts.objects.filter(tender=southdale).update(tender_period_end=timezone.localdate() - dt.timedelta(1))
    late = _send(client_for("sdhs.bids"), southdale, own, "late.pdf", PDF)
    assert late.status_code == 400 and "late documents are not accepted" in late.content.decode()
    # once bids are closed, nothing more, whatever the deadline says
    TenderNoticeFacts.objects.filter(tender=southdale).update(tender_period_end=last_day)
    Tender.objects.filter(pk=southdale.pk).update(stage=Stage.CLOSED.value)
    assert _send(client_for("sdhs.bids"), southdale, own, "closed.pdf", PDF).status_code == 400
    assert list(BidDocument.objects.values_list("name", flat=True)) == ["on-time.pdf"]


def test_the_council_cannot_let_bidders_upload_without_a_deadline(world, client_for) -> None:
    southdale = world["southdale"]
    TenderNoticeFacts.objects.filter(tender=southdale).delete()
    refused = client_for("southdale.commissioner").post(reverse("bidder_uploads", args=[southdale.pk]),
                                                       {"allowed": "yes"})
    assert refused.status_code == 400 and "Record the last day for tenders" in refused.content.decode()
    assert not BidderUploads.objects.exists()
    assert not AuditEntry.objects.filter(action="bidder_uploads_set").exists()


def _start(client, tender, lot, price: str = "950000.00"):
    return client.post(reverse("portal_start_bid", args=[tender.pk]), {"lot": str(lot.pk), "price": price})


def test_a_bidder_starts_its_own_bid_sealed_linked_to_its_provider_and_only_before_the_deadline(
        world, client_for) -> None:
    from django.contrib.auth.models import User

    from commonweal.web.providers.models import Provider

    southdale = world["southdale"]
    recorded = open_for_bids(southdale, timezone.localdate() + dt.timedelta(days=10))
    lot = recorded.lot
    brightwater, sdhs = client_for("brightwater.bids"), client_for("sdhs.bids")
    before = Bid.objects.count()
    # the council does not take bids through the portal: refused, nothing made
    assert _start(brightwater, southdale, lot).status_code == 400
    assert Bid.objects.count() == before
    BidderUploads.objects.create(tender=southdale, allowed=True)
    # a bidder with a bid in the lot (recorded by the council under its name) is not offered it again
    assert lot.reference not in [x.reference for x in tenders.lots_to_bid_for(
        bidder_access(User.objects.get(username="sdhs.bids"), southdale.pk))]
    assert _start(sdhs, southdale, lot).status_code == 400
    # the other bidder starts its bid: under its provider's name, linked to its provider, audited as "bidder"
    assert _start(brightwater, southdale, lot).status_code == 302
    made = Bid.objects.get(lot=lot, provider__organisation__name__startswith="Brightwater")
    provider = Provider.objects.get(organisation__name=made.bidder)
    assert made.provider == provider and str(made.price) == "950000.00"
    entry = AuditEntry.objects.get(action="bid_added")
    assert entry.actor == "bidder" and entry.detail["bidder"] == made.bidder
    # a second bid in the same lot is refused by the engine's one-bid-per-bidder rule
    assert tenders.lots_to_bid_for(bidder_access(User.objects.get(username="brightwater.bids"), southdale.pk)) == [
        x for x in Lot.objects.filter(tender=southdale).exclude(pk=lot.pk).order_by("reference")]
    with pytest.raises(Refused):
        tenders.start_own_bid(bidder_access(User.objects.get(username="brightwater.bids"), southdale.pk), lot.pk,
                              Decimal("1.00"))
    # its uploads find the bid by the link; the other bidder never sees it
    assert _send(brightwater, southdale, made, "mine.pdf", PDF).status_code == 302
    assert BidDocument.objects.get(name="mine.pdf").bid_id == made.pk
    theirs = sdhs.get(reverse("portal_bid", args=[southdale.pk])).content.decode()
    assert made.bidder not in theirs and "mine.pdf" not in theirs
    assert _send(sdhs, southdale, made, "x.pdf", PDF).status_code == 400
    # the price is sealed from the council's evaluators exactly as an entered bid's, and never shown to the bidder
    council = tender_access(User.objects.get(username="southdale.commissioner"), southdale.pk)
    assert next(b for b in tenders.bids(council) if b.id == made.pk).price is None
    assert "950" not in brightwater.get(reverse("portal_bid", args=[southdale.pk])).content.decode()


def test_a_late_bid_or_one_for_a_closed_tender_is_refused(world, client_for) -> None:
    from django.contrib.auth.models import User

    southdale = world["southdale"]
    last_day = timezone.localdate() + dt.timedelta(days=3)
    lot = open_for_bids(southdale, last_day).lot
    before = Bid.objects.count()
    BidderUploads.objects.create(tender=southdale, allowed=True)
    access = bidder_access(User.objects.get(username="brightwater.bids"), southdale.pk)
    closes = tenders.bidder_uploads_close(southdale)
    with pytest.raises(Refused, match="late documents are not accepted"):
        tenders.start_own_bid(access, lot.pk, Decimal("10.00"), now=closes + dt.timedelta(seconds=1))
    Tender.objects.filter(pk=southdale.pk).update(stage=Stage.CLOSED.value)
    closed = _start(client_for("brightwater.bids"), southdale, lot)
    assert closed.status_code in (400, 404)
    assert Bid.objects.count() == before and not AuditEntry.objects.filter(action="bid_added").exists()


def test_a_bidder_prices_each_element_of_a_lot_priced_as_elements(world, client_for) -> None:
    """Where the lot's price is a set of elements, the bidder's own bid takes a price for each (as the council's bid
    form does), sealed as a single price is: the price stored is their evaluated total."""
    import yaml
    from django.contrib.auth.models import User

    southdale = world["southdale"]
    lot = open_for_bids(southdale, timezone.localdate() + dt.timedelta(days=10)).lot
    BidderUploads.objects.create(tender=southdale, allowed=True)
    document = yaml.safe_load(southdale.definition)
    document["evaluation_model"]["price"] |= {"combine": "whole_life_cost", "elements": [
        {"id": "block", "title": "Block price"}, {"id": "hourly", "title": "Hourly rate", "volume": 1000}]}
    Tender.objects.filter(pk=southdale.pk).update(definition=yaml.safe_dump(document, sort_keys=False))
    brightwater = client_for("brightwater.bids")
    page = brightwater.get(reverse("portal_start_bid", args=[southdale.pk])).content.decode()
    assert 'name="element-1"' in page and 'name="price"' not in page
    url = reverse("portal_start_bid", args=[southdale.pk])
    blank = brightwater.post(url, {"lot": str(lot.pk), "element-0": "900000"})
    assert blank.status_code == 400 and "Enter the price of Hourly rate" in blank.content.decode()
    assert brightwater.post(url, {"lot": str(lot.pk), "element-0": "900000", "element-1": "45.50"}).status_code == 302
    made = Bid.objects.get(lot=lot, provider__organisation__name__startswith="Brightwater")
    assert made.element_prices == {"block": "900000", "hourly": "45.50"} and made.price == Decimal("945500.00")
    council = tender_access(User.objects.get(username="southdale.commissioner"), southdale.pk)
    assert next(b for b in tenders.bids(council) if b.id == made.pk).price is None
