"""The provider side of contracts: a council links a contract to its provider, and the provider's contract leads and
returns contributors see their own contracts with each council, and nothing else (issue: portal round 2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from commonweal.web.contracts.models import Contract
from commonweal.web.models import AuditEntry
from commonweal.web.providers.models import ContractProvider, Provider, ProviderMember, ProviderRole

pytestmark = pytest.mark.db


def _signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _contract(slug: str, reference: str) -> Contract:
    return Contract.objects.get(organisation__slug=slug, reference=reference)


def _link(slug: str, reference: str, provider: str) -> Contract:
    c = _contract(slug, reference)
    response = _signed_in("shared.commissioner").post(reverse("contract_provider", args=[c.pk]), {"provider": provider})
    assert response.status_code == 302
    return c


def test_the_council_links_a_contract_and_only_its_provider_sees_it(world) -> None:
    sdhs = Provider.objects.get(organisation__name="Southdale Home Support CIC")
    ProviderMember.objects.create(provider=sdhs, user=User.objects.get(username="sdhs.bids"),
                                  role=ProviderRole.CONTRACT_LEAD)
    southdale = _link("southdale", "SDC-C-001", "southdale home support cic")  # the name in any case
    assert AuditEntry.objects.filter(action="contract_provider_linked",
                                     detail__provider="Southdale Home Support CIC").exists()
    northfield = _contract("northfield", "NBC-C-001")  # linked to Brightwater by the demo

    sdhs_client, brightwater = _signed_in("sdhs.bids"), _signed_in("brightwater.bids")
    listed = sdhs_client.get(reverse("portal_contracts")).content.decode()
    assert "SDC-C-001" in listed and "NBC-C-001" not in listed
    assert sdhs_client.get(reverse("portal_contract", args=[southdale.pk])).status_code == 200
    assert sdhs_client.get(reverse("portal_contract", args=[northfield.pk])).status_code == 404

    listed = brightwater.get(reverse("portal_contracts")).content.decode()
    assert "NBC-C-001" in listed and "SDC-C-001" not in listed
    assert brightwater.get(reverse("portal_contract", args=[southdale.pk])).status_code == 404
    # a provider person is no council member: the council's own contract page does not exist for them
    assert brightwater.get(reverse("contract", args=[northfield.pk])).status_code == 404


def test_a_bid_manager_without_a_contract_role_sees_no_contract(world) -> None:
    northfield = _contract("northfield", "NBC-C-001")
    ProviderMember.objects.filter(user__username="brightwater.bids", role=ProviderRole.CONTRACT_LEAD).delete()
    client = _signed_in("brightwater.bids")
    assert "NBC-C-001" not in client.get(reverse("portal_contracts")).content.decode()
    assert client.get(reverse("portal_contract", args=[northfield.pk])).status_code == 404


def test_the_provider_never_sees_the_councils_review_notes(world) -> None:
    reviewed = _link("northfield", "NBC-C-004", "Brightwater Care Ltd")
    page = _signed_in("brightwater.bids").get(reverse("portal_contract", args=[reviewed.pk])).content.decode()
    assert "Reablement service" in page
    review = reviewed.reviews.get()
    assert review.meeting_notes not in page and review.attendees not in page and review.reason not in page


def test_an_unknown_provider_is_refused_and_nothing_is_linked(world) -> None:
    c = _contract("northfield", "NBC-C-002")
    response = _signed_in("shared.commissioner").post(reverse("contract_provider", args=[c.pk]),
                                                      {"provider": "Nobody Ltd"})
    assert response.status_code == 400
    assert "No provider is called Nobody Ltd" in response.content.decode()
    assert not ContractProvider.objects.filter(contract=c).exists()


def test_a_viewer_cannot_link_a_provider(world) -> None:
    c = _contract("northfield", "NBC-C-002")
    response = _signed_in("viewer").post(reverse("contract_provider", args=[c.pk]),
                                         {"provider": "Brightwater Care Ltd"})
    assert response.status_code == 403
    assert not ContractProvider.objects.filter(contract=c).exists()
