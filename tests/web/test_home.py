"""The home page: each organisation the person belongs to, with what needs their attention there, and the
navigation shows only the areas that exist."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonweal.web.areas import AREAS
from commonweal.web.models import Bid, ConflictDeclaration, Criterion, Lot, Score

pytestmark = pytest.mark.db


def _items(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r'task-list__link"[^>]*>(.*?)</a>', html, re.S)]


def test_an_evaluator_who_has_not_declared_is_asked_to(world, client_for) -> None:
    html = client_for("evaluator3").get("/").content.decode()
    assert "Declare any conflict of interest" in _items(html)
    assert "Northfield Borough Council" in html and "Southdale District Council" in html


def test_an_evaluator_sees_how_many_scores_are_left(world, client_for) -> None:
    tender = world["northfield"]
    client = client_for("evaluator3")
    client.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})
    pairs = sum(Bid.objects.filter(lot=lot).count() * Criterion.objects.filter(lot=lot).count()
                for lot in Lot.objects.filter(tender=tender))
    items = _items(client.get("/organisations/northfield/").content.decode())
    assert f"{pairs} of {pairs} scores to enter" in items
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    criterion = Criterion.objects.filter(lot=bid.lot).order_by("position").first()
    Score.objects.create(bid=bid, criterion=criterion, evaluator=User.objects.get(username="evaluator3"), score=1,
                         rationale="r")
    items = _items(client.get("/organisations/northfield/").content.decode())
    assert f"{pairs - 1} of {pairs} scores to enter" in items


def test_a_declared_conflict_reaches_the_commissioner(world, client_for) -> None:
    tender = world["northfield"]
    client_for("evaluator3").post(f"/tenders/{tender.pk}/declare/",
                                  {"has_conflict": "yes", "details": "My sister works for a bidder"})
    assert ConflictDeclaration.objects.filter(tender=tender, has_conflict=True).exists()
    items = _items(client_for("commissioner").get("/").content.decode())
    assert "evaluator3 declared a conflict of interest: decide whether they are replaced or continue" in items
    # another council's commissioner is told nothing about it
    assert not any(i.startswith("evaluator3 declared") for i in _items(
        client_for("southdale.commissioner").get("/").content.decode()))


def test_another_organisations_home_does_not_exist(world, client_for) -> None:
    assert client_for("southdale.commissioner").get("/organisations/northfield/").status_code == 404


def test_the_next_step_is_shown_to_whoever_takes_it(world, client_for) -> None:
    # Southdale's tender has its prices opened: recommending the award is the commissioner's step
    items = _items(client_for("shared.commissioner").get("/organisations/southdale/").content.decode())
    assert "Next step is yours: Recommend the award" in items
    assert not any(i.startswith("Next step") for i in _items(client_for("viewer").get("/").content.decode()))


def test_navigation_names_the_service_and_its_areas(world, client_for) -> None:
    html = client_for("commissioner").get("/").content.decode()
    assert re.search(r'class="govuk-service-navigation__service-name".*?Commonweal\s*<', html, re.S)
    links = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', html)
    # every area in AREAS, in its order, each answering (an area adds its line there, never a dead link here)
    assert links == [reverse(area.url_name) for area in AREAS] and links[:2] == ["/", "/tenders/"]
    for href in links:
        assert client_for("commissioner").get(href).status_code == 200


def test_the_home_page_costs_the_same_queries_however_big_the_tender(world, client_for) -> None:
    tender = world["northfield"]
    client = client_for("evaluator3")
    client.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    before = count()
    lot = Lot.objects.filter(tender=tender).first()
    for n in range(15):
        Bid.objects.create(lot=lot, bidder=f"Extra bidder {n}", price=1000 + n)
    for n in range(10):
        Criterion.objects.create(lot=lot, reference=f"X{n}", title=f"Extra {n}", group="quality", weight=1,
                                 scale="0-4", position=100 + n)
    assert count() == before


def test_the_organisation_pages_a_person_may_use_are_linked_from_home(world, client_for) -> None:
    def links(username: str) -> list[str]:
        return re.findall(r'<a class="govuk-link" href="(/organisations/[^"]+)">',
                          client_for(username).get("/organisations/northfield/").content.decode())

    assert links("admin") == ["/organisations/northfield/members/"]
    assert links("shared.commissioner") == ["/organisations/northfield/tenders/new/",
                                            "/organisations/northfield/opportunities/"]  # providers area
    assert links("evaluator1") == []
    for href in links("admin"):
        assert client_for("admin").get(href).status_code == 200
    for href in links("shared.commissioner"):  # providers area
        assert client_for("shared.commissioner").get(href).status_code == 200
