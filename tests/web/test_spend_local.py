"""The organisation's local postcode areas and the local share of its spend: the setting (its form's checks, who
may change it, its audit entry), the stored figures split into local, not local and unknown (exact sums, suppliers
with no usable postcode counted as unknown), recomputed when the areas change, and the member report's section."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from commonweal.domain.numbers import money
from commonweal.web.models import AuditEntry
from commonweal.web.spend import data, demo, worker
from commonweal.web.spend.models import LocalAreas, SpendFigures

pytestmark = pytest.mark.db

AREAS = reverse("spend_local_areas", args=["northfield"])
# January 2024: before the demo's year of spend (April 2025 to March 2026), so a filter on it holds these rows only
CSV = ("Payment Date,Supplier Name,Amount,Service Area,Supplier Postcode\r\n"
       "10/01/2024,Alpha Care Ltd,1000.10,Care,M5 4WT\r\n"
       "11/01/2024,Alpha Care Ltd,0.05,Care,M5 4WT\r\n"
       "12/01/2024,Beta Cleaning Ltd,250.25,Facilities,BL4 0NN\r\n"
       "13/01/2024,Gamma Homes Ltd,300.00,Care,\r\n"  # no postcode
       "14/01/2024,Delta Transport Ltd,75.50,Transport,M6 1AA\r\n"  # two sites: one in M6,
       "15/01/2024,Delta Transport Ltd,24.50,Transport,WA1 1AA\r\n"  # one in WA1
       "16/01/2024,Epsilon Ltd,10.00,Care,Various\r\n")  # not a postcode
JANUARY = data.Filters("2024-01", "2024-01")


def _parts(local: dict) -> dict[str, tuple[str, int]]:
    return {p["locality"]: (p["total"], p["suppliers"]) for p in local["parts"]}


def _import(client_for) -> None:
    response = client_for("shared.commissioner").post(
        reverse("spend", args=["northfield"]), {"spend_file": SimpleUploadedFile("jan.csv", CSV.encode())})
    assert response.status_code == 302
    worker.run_pending()


def test_the_local_areas_are_checked_audited_and_set_only_by_admins_and_commissioners(world, client_for) -> None:
    viewer = client_for("viewer")
    page = viewer.get(AREAS).content.decode()
    assert "NF" in page and 'name="areas"' not in page  # the demo's own area, set by its commissioner
    changes = AuditEntry.objects.filter(action="local_areas_changed")
    before = changes.count()
    assert viewer.post(AREAS, {"areas": "M5"}).status_code == 403
    assert client_for("southdale.commissioner").post(AREAS, {"areas": "M5"}).status_code == 404
    admin = client_for("admin")
    refused = admin.post(AREAS, {"areas": "M5, Salford, M5 4WT"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'href="#areas"' in html and "&#39;SALFORD&#39; is not a postcode area" in html
    assert "&#39;4WT&#39; is not a postcode area" in html
    assert LocalAreas.objects.get(organisation__slug="northfield").areas == ["NF"] and changes.count() == before
    assert admin.post(AREAS, {"areas": "m5, M6 bl4\nM5"}).status_code == 302
    assert LocalAreas.objects.get(organisation__slug="northfield").areas == ["M5", "M6", "BL4"]
    entry = changes.latest("pk")
    assert (entry.detail, entry.actor) == ({"areas": ["M5", "M6", "BL4"], "before": ["NF"]}, "admin")
    assert changes.count() == before + 1
    assert "M5, M6, BL4" in viewer.get(AREAS).content.decode()
    # the organisation's commissioner may change them too; to set none is said explicitly
    commissioner = client_for("shared.commissioner")
    assert commissioner.post(AREAS, {"areas": ""}).status_code == 400  # an empty form sets nothing
    assert commissioner.post(AREAS, {"areas": "M5", "none": "on"}).status_code == 400
    assert commissioner.post(AREAS, {"areas": "", "none": "on"}).status_code == 302
    assert LocalAreas.objects.get(organisation__slug="northfield").areas == []
    assert AuditEntry.objects.filter(action="local_areas_changed").latest("pk").detail == {
        "areas": [], "before": ["M5", "M6", "BL4"]}
    # the partner finder starts from the organisation's areas
    client_for("admin").post(AREAS, {"areas": "M5 M6"})
    assert 'value="M5, M6"' in viewer.get(reverse("spend_partners", args=["northfield"])).content.decode()


def test_the_stored_figures_split_spend_into_local_not_local_and_unknown_exactly(world, client_for) -> None:
    assert client_for("admin").post(AREAS, {"areas": "M5, M6"}).status_code == 302
    _import(client_for)
    stored = SpendFigures.objects.get(organisation__slug="northfield")
    january = data.filtered_report(stored, JANUARY)["local"]
    # Alpha (M5) local; Beta (BL4) not; Gamma (none), Delta (M6 and WA1: both sides) and Epsilon (Various) unknown
    assert _parts(january) == {"local": ("1000.15", 1), "not_local": ("250.25", 1), "unknown": ("410.00", 3)}
    assert january["total"] == "1660.40" and january["local_areas"] == ["M5", "M6"]
    # the whole organisation: the demo's suppliers with a postcode are in NF or SD, not local under M5, M6
    whole = stored.report["local"]
    with_postcode, without = _demo_spend()
    assert _parts(whole)["local"] == ("1000.15", 1)
    assert Decimal(_parts(whole)["not_local"][0]) == with_postcode["NF"] + with_postcode["SD"] + Decimal("250.25")
    assert Decimal(_parts(whole)["unknown"][0]) == without + Decimal("410.00")
    page = client_for("viewer").get(reverse("spend_report", args=["northfield"]),
                                    {"period_from": "2024-01", "period_to": "2024-01"}).content.decode()
    local = page.split("Local suppliers", 1)[1].split("Top suppliers", 1)[0]
    assert "£1,000.15" in local and "£250.25" in local and "£410.00" in local and "M5, M6" in local


def _demo_spend() -> tuple[dict[str, Decimal], Decimal]:
    """Northfield's demo file counted independently of the importer: its spend by the postcode area its suppliers
    state, and its spend with suppliers that state none."""
    areas: dict[str, Decimal] = {"NF": Decimal(0), "SD": Decimal(0)}
    without = Decimal(0)
    for row in csv.DictReader(io.StringIO(demo.spend_csv(1).decode())):
        amount = Decimal(row["Net Amount"].replace(",", ""))
        if row["Supplier Postcode"]:
            areas[row["Supplier Postcode"][:2]] += amount
        else:
            without += amount
    return areas, without


def test_the_demo_shows_local_not_local_and_unknown_spend(world, client_for) -> None:
    worker.run_pending()
    stored = SpendFigures.objects.get(organisation__slug="northfield")
    with_postcode, without = _demo_spend()
    assert all(with_postcode.values()) and without
    parts = _parts(stored.report["local"])
    assert stored.report["local"]["local_areas"] == ["NF"]
    assert (Decimal(parts["local"][0]), Decimal(parts["not_local"][0]), Decimal(parts["unknown"][0])) == (
        with_postcode["NF"], with_postcode["SD"], without)
    report = _section(client_for("viewer").get(reverse("sv_report", args=["northfield"]) + "?year=2025&quarter=4")
                      .content.decode(), "local")
    assert "with local suppliers (a postcode in NF)" in report


def test_changing_the_local_areas_recomputes_the_stored_figures(world, client_for) -> None:
    assert client_for("admin").post(AREAS, {"areas": "M5, M6"}).status_code == 302
    _import(client_for)
    organisation = world["northfield"].organisation
    # recomputed from the postcodes the figures keep: the store itself is not read again
    shutil.rmtree(data.store_folder(organisation))
    assert client_for("admin").post(AREAS, {"areas": "BL"}).status_code == 302
    stored = SpendFigures.objects.get(organisation__slug="northfield")
    # Beta (BL4) is now local; Alpha (M5) is not, and neither is either of Delta's sites (M6, WA1)
    assert _parts(data.filtered_report(stored, JANUARY)["local"]) == {
        "local": ("250.25", 1), "not_local": ("1100.15", 2), "unknown": ("310.00", 2)}
    assert stored.report["local"]["local_areas"] == ["BL"]
    # with no areas, all of it is unknown
    client_for("admin").post(AREAS, {"none": "on"})
    stored.refresh_from_db()
    assert _parts(data.filtered_report(stored, JANUARY)["local"])["unknown"] == ("1660.40", 5)


def test_figures_stored_before_postcodes_were_kept_are_recomputed_from_the_store(world, client_for) -> None:
    _import(client_for)
    stored = SpendFigures.objects.get(organisation__slug="northfield")
    del stored.report["supplier_postcodes"]
    for cell in stored.cells:
        del cell["local"]
    stored.save()
    assert _parts(data.filtered_report(stored, JANUARY)["local"])["unknown"] == ("1660.40", 5)
    assert client_for("admin").post(AREAS, {"areas": "M5"}).status_code == 302
    stored.refresh_from_db()
    assert _parts(data.filtered_report(stored, JANUARY)["local"])["local"] == ("1000.15", 1)
    assert stored.report["supplier_postcodes"]["ALPHA CARE"] == ["M5 4WT"]


def _section(html: str, id: str) -> str:
    return html.split(f'<section id="{id}">', 1)[1].split("</section>", 1)[0]


def test_the_member_report_states_the_local_share_and_the_part_not_known(world, client_for) -> None:
    _import(client_for)
    viewer = client_for("viewer")
    query = "?year=2023&quarter=4"  # April 2023 to March 2024: the January 2024 rows alone
    assert client_for("admin").post(AREAS, {"none": "on"}).status_code == 302
    unset = _section(viewer.get(reverse("sv_report", args=["northfield"]) + query).content.decode(), "local")
    assert "has not set its local postcode areas" in unset and "Not known" in unset
    assert client_for("admin").post(AREAS, {"areas": "M5, M6"}).status_code == 302
    html = _section(viewer.get(reverse("sv_report", args=["northfield"]) + query).content.decode(), "local")
    # 1000.15, 250.25 and 410.00 of 1660.40
    assert (f"{money(Decimal('1660.40'))} paid in April 2023 to the end of March 2024: 60.2% with local suppliers "
            f"(a postcode in M5, M6), 15.1% with suppliers elsewhere, and 24.7% ({money(Decimal('410.00'))}) with "
            "suppliers whose location is not known") in html
    assert "Data for the chart" in html
    workbook = load_workbook(io.BytesIO(viewer.get(reverse("sv_report_download", args=["northfield", "xlsx"])
                                                   + query).content))
    rows = [tuple(c for c in row if c is not None) for row in workbook.active.iter_rows(values_only=True)]
    assert ("Not known", "3", money(Decimal("410.00")), "24.7%") in rows
    assert ("Local", "1", money(Decimal("1000.15")), "60.2%") in rows
    pdf = viewer.get(reverse("sv_report_download", args=["northfield", "pdf"]) + query)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
