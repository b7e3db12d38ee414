"""The suppliers area (#21 item 5): the demo watchlist and its home page alert, uploads through the structured
input layer (CSV and Companies House iXBRL), nothing saved on bad input, and who may read and change it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonweal.web.models import AuditEntry
from commonweal.web.suppliers.models import SupplierAccounts, SupplierAssessment, WatchedSupplier

pytestmark = pytest.mark.db

REPO = Path(__file__).resolve().parents[2]
IXBRL = REPO / "tests" / "fixtures" / "ixbrl" / "hollybrook-care-2024.html"
WORSENING = REPO / "examples" / "suppliers" / "worsening.csv"


def _add(client, name: str, **extra: str):
    return client.post(reverse("supplier_add", args=["northfield"]),
                       {"name": name, "tier": "medium", "critical": "no", **extra})


def test_demo_watchlist_has_one_worsening_supplier_and_the_home_page_says_so(world, client_for) -> None:
    stored = {a.supplier.name: a for a in SupplierAssessment.objects.select_related("supplier")}
    assert {name: (a.rating, a.previous_rating, a.worsened) for name, a in stored.items()} == {
        "Greenway Community Care Ltd": ("green", "green", False),
        "Keystone Outsourcing plc": ("red", "red", False),
        "Harbourside Home Support Ltd": ("red", "green", True),
    }
    home = client_for("shared.commissioner").get(reverse("home")).content.decode()
    assert "Rating worsened from green to red" in home and "Supplier: Harbourside Home Support Ltd" in home
    # a tender-only member of Northfield (a tender commissioner or evaluator) does not read the watchlist: no alert
    for member in ("commissioner", "evaluator1"):
        assert "Harbourside" not in client_for(member).get(reverse("home")).content.decode()
    page = client_for("viewer").get(reverse("watchlist", args=["northfield"])).content.decode()
    assert "worsening" in page and "Add a supplier" not in page


def test_a_commissioner_adds_a_supplier_and_uploads_its_csv_accounts(world, client_for) -> None:
    client = client_for("shared.commissioner")
    response = _add(client, "Harbourside Home Support Ltd")
    assert response.status_code == 400 and "already on the watchlist" in response.content.decode()
    response = _add(client, "harbourside home support ltd ", annual_contract_value="800000")
    assert response.status_code == 302
    watched = WatchedSupplier.objects.get(name="harbourside home support ltd")
    upload = SimpleUploadedFile("worsening.csv", WORSENING.read_bytes(), content_type="text/csv")
    response = client.post(reverse("supplier_accounts", args=["northfield", watched.pk]),
                           {"accounts": upload, "unit": "£"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [str(a.year_end) for a in SupplierAccounts.objects.filter(supplier=watched)] == ["2024-03-31", "2025-03-31"]
    assessment = SupplierAssessment.objects.get(supplier=watched)
    assert (assessment.rating, assessment.worsened) == ("red", True)
    entry = AuditEntry.objects.filter(action="supplier_accounts_uploaded").latest("sequence")
    assert entry.detail["years"] == ["2024-03-31", "2025-03-31"] and entry.actor == "shared.commissioner"
    page = client.get(reverse("supplier", args=["northfield", watched.pk])).content.decode()
    assert "accumulation rule" in page and "Upload accounts" in page


def test_companies_house_ixbrl_upload_and_another_companys_file_is_refused(world, client_for) -> None:
    client = client_for("shared.commissioner")
    assert _add(client, "Hollybrook Care Services Limited", company_number="9876543").status_code == 302
    watched = WatchedSupplier.objects.get(name="Hollybrook Care Services Limited")
    assert watched.company_number == "09876543"
    path = reverse("supplier_accounts", args=["northfield", watched.pk])
    response = client.post(path, {"accounts": SimpleUploadedFile("hollybrook.html", IXBRL.read_bytes()), "unit": "£"})
    assert response.status_code == 302
    assert SupplierAccounts.objects.filter(supplier=watched).count() == 2
    greenway = WatchedSupplier.objects.get(name="Greenway Community Care Ltd")
    before = SupplierAccounts.objects.filter(supplier=greenway).count()
    response = client.post(reverse("supplier_accounts", args=["northfield", greenway.pk]),
                           {"accounts": SimpleUploadedFile("hollybrook.html", IXBRL.read_bytes()), "unit": "£"})
    assert response.status_code == 400 and "not of Greenway Community Care Ltd" in response.content.decode()
    assert SupplierAccounts.objects.filter(supplier=greenway).count() == before


def test_a_bad_cell_saves_nothing_and_names_row_and_column(world, client_for) -> None:
    client = client_for("shared.commissioner")
    greenway = WatchedSupplier.objects.get(name="Greenway Community Care Ltd")
    before = list(SupplierAccounts.objects.filter(supplier=greenway).values_list("year_end", "figures"))
    lines = (REPO / "examples" / "suppliers" / "accounts.csv").read_text(encoding="utf-8").splitlines()
    bad = "\n".join([lines[0], lines[1].replace("8200000", "eight million")]) + "\n"
    response = client.post(reverse("supplier_accounts", args=["northfield", greenway.pk]),
                           {"accounts": SimpleUploadedFile("bad.csv", bad.encode()), "unit": "£"})
    text = response.content.decode()
    assert response.status_code == 400 and "revenue" in text and "eight million" in text
    assert list(SupplierAccounts.objects.filter(supplier=greenway).values_list("year_end", "figures")) == before


def test_viewers_read_only_and_other_organisations_do_not_find_it(world, client_for) -> None:
    greenway = WatchedSupplier.objects.get(name="Greenway Community Care Ltd")
    response = client_for("viewer").get(reverse("supplier", args=["northfield", greenway.pk]))
    page = response.content.decode()
    # measures in their units: net assets in pounds, council dependence £1.2m of £6m as a percentage
    assert response.status_code == 200 and "£4,700,000" in page and "20.0%" in page and "Upload accounts" not in page
    assert _add(client_for("viewer"), "Anyone Ltd").status_code == 403
    outsider = client_for("southdale.commissioner")
    assert outsider.get(reverse("supplier", args=["northfield", greenway.pk])).status_code == 404
    # Northfield's supplier id under Southdale's watchlist is not found either
    assert outsider.get(reverse("supplier", args=["southdale", greenway.pk])).status_code == 404
    assert "Greenway" not in outsider.get(reverse("suppliers")).content.decode()


def _bulk(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_companies_house_bulk_file_gives_only_the_suppliers_own_filings(world, client_for) -> None:
    client = client_for("shared.commissioner")
    assert _add(client, "Hollybrook Care Services Limited", company_number="09876543").status_code == 302
    watched = WatchedSupplier.objects.get(name="Hollybrook Care Services Limited")
    path = reverse("supplier_accounts", args=["northfield", watched.pk])
    other = b"<html>not even iXBRL: another company's filing, never opened</html>"
    bulk = _bulk({"Prod223_0042_09876543_20240331.html": IXBRL.read_bytes(),
                  "Prod223_0042_01234567_20240331.html": other})
    response = client.post(path, {"accounts": SimpleUploadedFile("Accounts_Bulk_Data-2024-06-01.zip", bulk),
                                  "unit": "£"})
    assert response.status_code == 302, response.content.decode()[:1500]
    assert [str(a.year_end) for a in SupplierAccounts.objects.filter(supplier=watched)] == ["2023-03-31", "2024-03-31"]
    none = _bulk({"Prod223_0042_01234567_20240331.html": other})
    response = client.post(path, {"accounts": SimpleUploadedFile("Accounts_Bulk_Data-2024-06-02.zip", none),
                                  "unit": "£"})
    assert response.status_code == 400 and "holds no accounts for company number 09876543" in response.content.decode()
    xbrl = _bulk({"Prod223_0043_09876543_20250331.xml": b"<xbrl/>"})
    response = client.post(path, {"accounts": SimpleUploadedFile("Accounts_Bulk_Data-2025-06-02.zip", xbrl),
                                  "unit": "£"})
    assert response.status_code == 400 and "iXBRL (.html) accounts only" in response.content.decode()
    assert SupplierAccounts.objects.filter(supplier=watched).count() == 2


def test_changing_the_dependency_reassesses_and_is_audited(world, client_for) -> None:
    greenway = WatchedSupplier.objects.get(name="Greenway Community Care Ltd")
    client = client_for("shared.commissioner")
    path = reverse("supplier_dependency", args=["northfield", greenway.pk])
    assert 'value="1200000.00"' in client.get(path).content.decode()  # today's figures, to change
    response = client.post(path, {"tier": "medium", "critical": "yes", "annual_contract_value": "1200000",
                                  "council_spend_with_supplier": "4500000", "council_spend_in_service_area": "6000000"})
    assert response.status_code == 302
    assessment = SupplierAssessment.objects.get(supplier=greenway)
    # the council now spends 75% of the service area with Greenway: red on council dependence (above 50%)
    assert assessment.rating == "red"
    assert assessment.result["register"][0]["dependency"]["council_dependence"] == 0.75
    entry = AuditEntry.objects.filter(action="supplier_dependency_changed").latest("sequence")
    assert entry.detail == {"supplier": "Greenway Community Care Ltd", "changed": ["council_spend_with_supplier"]}
