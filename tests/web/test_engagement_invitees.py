"""Registrations of interest feed the preliminary market engagement (issue #20 point 7): an opportunity is linked to
the council's tender it leads to, and the tender's UK2 preview offers who registered as the engagement's invitation
list, beside the notice and never in it (the UK extension's release schema has no field for them). Only the
council's commissioners see the list and download it (audited); another council's registrations never appear.

The world is the demo: Northfield's planned "Day opportunities" has one registration (Northfield Community
Transport, VCSE, contact Sam Okafor); Northfield's home care tender has its engagement facts recorded."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from commonweal.web.models import AuditEntry
from commonweal.web.public.models import Interest, Opportunity
from commonweal.web.publishing.models import TenderNoticeFacts

pytestmark = pytest.mark.db

CONTACT = ("Sam Okafor", "sam@northfield-community-transport.example")


def _planned() -> Opportunity:
    return Opportunity.objects.get(title__startswith="Day opportunities")


def _preview(client, tender) -> str:
    response = client.get(reverse("notice_preview", args=[tender.organisation.slug, "tender", str(tender.pk), "UK2"]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _link(client, opportunity: Opportunity, tender) -> int:
    path = reverse("opportunity_tender", args=[opportunity.council.slug, opportunity.pk])
    return client.post(path, {"tender": str(tender.pk)}).status_code


def test_registrations_appear_beside_the_linked_tenders_uk2_only(world, client_for) -> None:
    northfield, southdale = world["northfield"], world["southdale"]
    commissioner = client_for("shared.commissioner")
    before = _preview(commissioner, northfield)
    assert "Organisations that registered interest" in before and "Northfield Community Transport" not in before

    assert _link(commissioner, _planned(), northfield) == 302
    entry = AuditEntry.objects.filter(action="opportunity_tender_linked").get()
    assert entry.detail == {"opportunity": _planned().pk, "from": None, "to": northfield.pk}
    # a registration for another of Northfield's opportunities, not linked, stays off the list
    meals = Opportunity.objects.get(title="Community meals")
    Interest.objects.create(opportunity=meals, organisation_name="Hot Plates Ltd", kind="sme", purpose="bid",
                            contact_name="Jo", email="jo@hotplates.example")
    # Southdale's own registration, for the opportunity linked to Southdale's tender
    rural = Opportunity.objects.get(title="Rural transport to health appointments")
    Interest.objects.create(opportunity=rural, organisation_name="Southdale Riders CIC", kind="social_enterprise",
                            purpose="engagement", contact_name="Alex Reed", email="alex@riders.example")
    assert _link(client_for("southdale.commissioner"), rural, southdale) == 302

    page = _preview(commissioner, northfield)
    notice, beside = page.split("Organisations that registered interest", 1)
    assert "Northfield Community Transport" in beside and "Voluntary or community organisation" in beside
    assert "Take part in preliminary market engagement" in beside and "Not part of the notice" in beside
    assert "Northfield Community Transport" not in notice  # the notice's own data holds no registration
    assert "Hot Plates Ltd" not in page and "Southdale Riders CIC" not in page
    assert not any(c in page for c in CONTACT)  # contacts only in the commissioners' download
    theirs = _preview(client_for("southdale.commissioner"), southdale)
    assert "Southdale Riders CIC" in theirs and "Northfield Community Transport" not in theirs
    # the tender's own commissioner (no organisation-wide role) previews the notice without the council's list
    assert "Organisations that registered interest" not in _preview(client_for("commissioner"), northfield)


def test_an_opportunity_links_only_to_its_own_councils_tender(world, client_for) -> None:
    commissioner = client_for("shared.commissioner")
    planned = _planned()
    assert _link(commissioner, planned, world["southdale"]) == 400
    created = commissioner.post(reverse("opportunities", args=["northfield"]), {
        "title": "Befriending", "overview": "Loneliness.", "closes_on": "", "status": "draft",
        "tender": str(world["southdale"].pk)})
    assert created.status_code == 400 and "Select one of the council" in created.content.decode()
    assert not Opportunity.objects.filter(title="Befriending").exists()
    planned.refresh_from_db()
    assert planned.tender_id is None and not AuditEntry.objects.filter(action="opportunity_tender_linked").exists()
    # created from a tender: linked at once, and the link is in the creation's audit entry
    response = commissioner.post(reverse("opportunities", args=["northfield"]), {
        "title": "Befriending", "overview": "Loneliness.", "closes_on": "", "status": "planned",
        "tender": str(world["northfield"].pk)})
    assert response.status_code == 302
    made = Opportunity.objects.get(title="Befriending")
    assert made.tender_id == world["northfield"].pk
    assert AuditEntry.objects.filter(action="opportunity_created").order_by("-pk").first().detail["tender"] == \
        world["northfield"].pk
    # the public page never names the tender
    public = commissioner.get(reverse("public_opportunity", args=["northfield", made.pk])).content.decode()
    assert world["northfield"].reference not in public


def test_the_invitation_list_downloads_for_the_councils_commissioners_only(world, client_for) -> None:
    northfield = world["northfield"]
    path = reverse("engagement_invitees", args=["northfield", northfield.pk])
    assert _link(client_for("shared.commissioner"), _planned(), northfield) == 302
    response = client_for("shared.commissioner").get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["organisation"], r["kind"], r["contact_name"], r["email"]) for r in rows] == [
        ("Northfield Community Transport", "Voluntary or community organisation", *CONTACT)]
    entry = AuditEntry.objects.filter(action="engagement_invitees_downloaded").get()
    assert entry.detail == {"tender": northfield.pk, "count": 1} and "Okafor" not in str(entry.detail)
    for who, status in (("commissioner", 403), ("viewer", 403), ("southdale.commissioner", 404),
                        ("brightwater.bids", 404)):
        assert client_for(who).get(path).status_code == status, who
    # another council's commissioner asking for Northfield's tender under their own council
    other = reverse("engagement_invitees", args=["southdale", northfield.pk])
    assert client_for("southdale.commissioner").get(other).status_code == 404
    assert AuditEntry.objects.filter(action="engagement_invitees_downloaded").count() == 1


def test_the_engagement_description_is_prefilled_with_the_count_only_when_empty(world, client_for) -> None:
    northfield = world["northfield"]
    commissioner = client_for("shared.commissioner")
    path = reverse("notice_facts", args=["northfield", northfield.pk])
    assert _link(commissioner, _planned(), northfield) == 302
    recorded = TenderNoticeFacts.objects.get(tender=northfield).engagement_description
    assert "registered interest" not in commissioner.get(path).content.decode()  # the recorded one stands
    TenderNoticeFacts.objects.filter(tender=northfield).update(engagement_description="")
    page = commissioner.get(path).content.decode()
    assert "1 organisation registered interest through the council" in page and "Sam Okafor" not in page
    assert TenderNoticeFacts.objects.get(tender=northfield).engagement_description == ""  # nothing saved
    assert recorded


def test_the_list_costs_the_same_queries_however_many_registered(world, client_for) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    northfield = world["northfield"]
    commissioner = client_for("shared.commissioner")
    assert _link(commissioner, _planned(), northfield) == 302

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            _preview(commissioner, northfield)
        return len(queries)

    cost()  # shows (and clears) the link's confirmation message
    few = cost()
    Interest.objects.bulk_create(
        Interest(opportunity=_planned(), organisation_name=f"Group {n}", kind="vcse", purpose="bid",
                 contact_name="C", email=f"c{n}@example.org") for n in range(20))
    assert cost() == few
