"""The contracts register as a source for the suppliers area: a watched supplier's annual contract value from its
live contracts (reassessed when a contract is added), and the watchlist's suggestions of suppliers not yet
watched."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonweal.web.suppliers.models import SupplierAssessment, WatchedSupplier

pytestmark = pytest.mark.db

WORSENING = Path(__file__).resolve().parents[2] / "examples" / "suppliers" / "worsening.csv"
BRIGHTWATER = "Brightwater Home Care Ltd"


def _watch_brightwater(client, **extra: str) -> WatchedSupplier:
    response = client.post(reverse("supplier_add", args=["northfield"]),
                           {"name": BRIGHTWATER, "tier": "medium", "critical": "no", **extra})
    assert response.status_code == 302
    watched = WatchedSupplier.objects.get(name=BRIGHTWATER)
    accounts = WORSENING.read_text().replace("Harbourside Home Support Ltd", BRIGHTWATER).encode()
    response = client.post(reverse("supplier_accounts", args=["northfield", watched.pk]),
                           {"accounts": SimpleUploadedFile("brightwater.csv", accounts), "unit": "£"})
    assert response.status_code == 302
    return watched


def _supplier_dependence(watched: WatchedSupplier) -> float:
    return SupplierAssessment.objects.get(supplier=watched).result["register"][0]["dependency"]["supplier_dependence"]


def test_the_watchlist_suggests_suppliers_of_live_contracts_not_yet_watched(world, client_for) -> None:
    client = client_for("shared.commissioner")
    page = client.get(reverse("watchlist", args=["northfield"])).content.decode()
    assert "Suppliers of your live contracts not watched yet" in page
    # the largest first (Roadline's £7.8m highways contract); five at most of Northfield's seven suppliers
    assert page.index("Roadline Infrastructure plc") < page.index(BRIGHTWATER)
    assert "£7,800,000.00" in page and "Northfield Community Kitchens" not in page
    assert "Southdale" not in page  # another organisation's contracts never suggest
    link = reverse("supplier_add", args=["northfield"]) + "?name=Brightwater%20Home%20Care%20Ltd"
    assert link in page
    assert f'value="{BRIGHTWATER}"' in client.get(link).content.decode()  # the add form comes filled in
    _watch_brightwater(client)
    page = client.get(reverse("watchlist", args=["northfield"])).content.decode()
    assert f">Watch<span class=\"govuk-visually-hidden\"> {BRIGHTWATER}" not in page
    assert "Northfield Community Kitchens" in page  # the next one up
    viewer = client_for("viewer").get(reverse("watchlist", args=["northfield"])).content.decode()
    assert "Roadline Infrastructure plc" in viewer and "?name=" not in viewer  # a viewer sees, cannot add


def test_a_watched_suppliers_annual_value_comes_from_its_live_contracts(world, client_for) -> None:
    client = client_for("shared.commissioner")
    watched = _watch_brightwater(client)
    # NBC-C-001: £4.2m over 36 months is £1.4m a year, against £4.1m turnover in the latest accounts
    assert _supplier_dependence(watched) == 0.3415  # 1,400,000 / 4,100,000, to four places
    register = ("reference,title,department,supplier,value,start_date,end_date,kind,sme,vcse\n"
                f"R-9,Day care,Adult social care,{BRIGHTWATER},410000,2026-04-01,2028-03-31,services,no,no\n")
    response = client.post(reverse("contracts_import", args=["northfield"]),
                           {"register": SimpleUploadedFile("register.csv", register.encode())})
    assert response.status_code == 302
    # reassessed inside the import: £205,000 a year more
    assert _supplier_dependence(watched) == 0.3915  # 1,605,000 / 4,100,000


def test_a_figure_the_organisation_entered_wins_over_the_contracts(world, client_for) -> None:
    watched = _watch_brightwater(client_for("shared.commissioner"), annual_contract_value="820000")
    assert _supplier_dependence(watched) == 0.2  # 820,000 / 4,100,000
