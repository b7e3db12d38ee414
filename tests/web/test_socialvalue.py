"""The social value area end to end on the demo world: core values (at most five), an organisation's private
library, a tender's measures from the core values, the roll-up, SROI, maturity over time, the member report, and
the same few queries per page however much is recorded."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from test_hostile_uploads import ALIAS_BOMB, _zip_bomb

from commonweal.domain.lifecycle import Stage
from commonweal.domain.rag import Rag
from commonweal.domain.socialvalue.maturity import QUESTIONS
from commonweal.io.socialvalue import open_library
from commonweal.services.socialvalue import sroi_report
from commonweal.web.access import Refused
from commonweal.web.models import AuditEntry, Tender
from commonweal.web.socialvalue import data
from commonweal.web.socialvalue.models import (
    CommitmentLine,
    CoreValue,
    MaturityAssessment,
    ModelImport,
    OwnLibrary,
    SroiProgramme,
    TenderMeasure,
)
from commonweal.web.spend import worker
from commonweal.web.spend.models import SpendFigures
from commonweal.web.suppliers.models import WatchedSupplier

pytestmark = pytest.mark.db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "socialvalue"
# A fictional licensed library of one measure (not a real TOM System or HACT value)
OWN_LIBRARY = (b"measure_id,theme,outcome,measure,unit,proxy_gbp,price_year,source_title,licence\n"
               b"TEST-OWN-1,Communities,More volunteering,Fictional licensed measure,hour,7.00,2025,"
               b"Fictional test library,CC BY-NC-ND 4.0\n")


def test_an_organisations_own_library_is_never_seen_by_another(world, client_for) -> None:
    commissioner = client_for("shared.commissioner")  # a commissioner of both councils
    response = commissioner.post(reverse("sv_library_import", args=["northfield"]), {
        "library": SimpleUploadedFile("own.csv", OWN_LIBRARY), "name": "Test TOMs", "version": "2026"})
    assert response.status_code == 302
    assert "TEST-OWN-1" in client_for("viewer").get(reverse("sv_measures", args=["northfield"])).content.decode()
    # the same person, on the other council's pages, and the other council's own commissioner: not there
    for who in ("shared.commissioner", "southdale.commissioner"):
        client = client_for(who)
        for page in ("sv_measures", "sv_core_value_new"):
            html = client.get(reverse(page, args=["southdale"])).content.decode()
            assert "TEST-OWN-1" not in html and "Test TOMs" not in html, (who, page)
        report = client.get(reverse("sv_report_download", args=["southdale", "xlsx"]))
        assert b"TEST-OWN-1" not in report.content
    # and a Northfield-only person cannot reach Southdale's pages at all
    assert client_for("viewer").get(reverse("sv_measures", args=["southdale"])).status_code == 404
    user = User.objects.get(username="shared.commissioner")
    assert "TEST-OWN-1" in data.library_for(world["seeded"].northfield)
    assert "TEST-OWN-1" not in data.library_for(world["seeded"].southdale)
    # a core value of Southdale's cannot use Northfield's measure
    with pytest.raises(Refused, match="TEST-OWN-1"):
        data.save_core_value(user, "southdale", None, "Borrowed", ["More volunteering"], ["TEST-OWN-1"], "No")


def test_a_library_whose_ids_clash_with_the_open_library_is_refused_and_nothing_is_saved(world, client_for) -> None:
    clash = OWN_LIBRARY.replace(b"TEST-OWN-1", b"EMP-JSA-FISCAL")
    response = client_for("shared.commissioner").post(reverse("sv_library_import", args=["northfield"]), {
        "library": SimpleUploadedFile("own.csv", clash), "name": "Test TOMs", "version": "2026"})
    assert response.status_code == 400
    assert "already used by the open library" in response.content.decode()
    assert data.library_for(world["seeded"].northfield).measures == open_library().measures


def test_at_most_five_core_values(world) -> None:
    user = User.objects.get(username="shared.commissioner")
    assert CoreValue.objects.filter(organisation__slug="northfield").count() == 3
    for title in ("Warm homes", "Clean air"):
        data.save_core_value(user, "northfield", None, title, ["Lower carbon emissions"], ["CO2-DESNZ-2030"], "Why")
    before = AuditEntry.objects.count()
    with pytest.raises(Refused, match="at most 5"):
        data.save_core_value(user, "northfield", None, "Sixth", ["Lower carbon emissions"], ["CO2-DESNZ-2030"], "Why")
    assert CoreValue.objects.filter(organisation__slug="northfield").count() == 5
    assert AuditEntry.objects.count() == before


def test_a_tenders_measures_come_only_from_the_core_values_and_only_while_a_draft(world, client_for) -> None:
    tender = world["northfield"]
    jobs = CoreValue.objects.get(organisation__slug="northfield", title__startswith="Local jobs")
    client = client_for("commissioner")  # the tender's commissioner
    url = reverse("sv_tender", args=[tender.pk])
    form = {"core_value": jobs.pk, "measure": "NEET-1824-YR", "relevance": "First jobs in care",
            "proportionality": "Two a year"}
    assert client.post(url, form).status_code == 400  # in evaluation: award criteria no longer change
    Tender.objects.filter(pk=tender.pk).update(stage=Stage.DRAFT.value)
    # a measure of another core value, not this one
    response = client.post(url, {**form, "measure": "VOL-HOUR-ASHE2024"})
    assert response.status_code == 400 and "not mapped to core value" in response.content.decode()
    assert client.post(url, form).status_code == 302
    assert set(TenderMeasure.objects.filter(tender=tender).values_list("measure_id", flat=True)) == {
        "EMP-JSA-FISCAL", "NEET-1824-YR"}
    assert AuditEntry.objects.filter(tender=tender, action="tender_measure_selected").count() == 2
    # a core value a tender uses cannot be removed
    user = User.objects.get(username="shared.commissioner")
    with pytest.raises(Refused, match="used by tender"):
        data.remove_core_value(user, "northfield", jobs.pk)


def test_the_rollup_values_each_commitment_with_the_library(world) -> None:
    user = User.objects.get(username="viewer")
    found = data.rollup(user, "northfield", data.AsAt(2025, 4))
    calder = {t.label: t for t in found.by_contract}["Home care lot 1 (Calder)"]
    library = open_library()
    # the example's year 1 (financial year 2025): every commitment's units × the library's proxy
    expected = sum((q * library.measure(m).proxy for m, q in (
        ("EMP-JSA-FISCAL", 3), ("NEET-1824-YR", 2), ("VOL-HOUR-ASHE2024", 1200), ("APP-L2-EXCH", 3))), Decimal(0))
    assert calder.committed == calder.due == expected
    verified = sum((q * library.measure(m).proxy for m, q in (
        ("EMP-JSA-FISCAL", 2), ("NEET-1824-YR", 2), ("VOL-HOUR-ASHE2024", 1000), ("APP-L2-EXCH", 1))), Decimal(0))
    assert calder.verified == verified
    assert calder.delivered == verified + library.measure("EMP-JSA-FISCAL").proxy  # the unverified starter


def test_a_new_core_value_moves_commitments_under_it_in_the_stored_rollup(world) -> None:
    user = User.objects.get(username="shared.commissioner")
    before = {t.label for t in data.rollup(user, "southdale", data.AsAt(2025, 4)).by_core_value}
    assert "Not in a core value" in before  # EMP-JSA-FISCAL is none of Southdale's values yet
    data.save_core_value(user, "southdale", None, "Jobs", ["More people in work"], ["EMP-JSA-FISCAL"], "Why")
    after = {t.label: t for t in data.rollup(user, "southdale", data.AsAt(2025, 4)).by_core_value}
    assert after["Jobs"].committed == 3 * open_library().measure("EMP-JSA-FISCAL").proxy


def test_sroi_upload_shows_the_ratio_the_cli_computes(world, client_for) -> None:
    client = client_for("shared.commissioner")
    response = client.post(reverse("sv_sroi", args=["southdale"]),
                           {"impact_map": SimpleUploadedFile("map.yaml", (EXAMPLES / "impact-map.yaml").read_bytes())})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    expected = sroi_report(EXAMPLES / "impact-map.yaml")
    assert f"{expected['ratio']} : 1" in html
    assert expected["sensitivity"][0]["outcome"] in html


def test_maturity_answers_are_kept_over_time(world, client_for) -> None:
    client = client_for("shared.commissioner")
    answers = {q.id: "significantly" for q in QUESTIONS}
    response = client.post(reverse("sv_maturity", args=["northfield"]), {"taken_on": "2026-12-05", **answers})
    assert response.status_code == 302
    history = list(MaturityAssessment.objects.filter(organisation__slug="northfield").order_by("taken_on"))
    assert [a.taken_on.isoformat() for a in history] == ["2025-11-03", "2026-11-02", "2026-12-05"]
    assert history[-1].level == "significantly" and history[0].level != "significantly"
    html = client.get(reverse("sv_maturity", args=["northfield"])).content.decode()
    assert "Data for the chart" in html and "64.0%" in html  # the SOLACE poll's 'slightly' share, as a table


def test_the_member_report_in_each_format(world, client_for) -> None:
    client = client_for("viewer")
    user = User.objects.get(username="viewer")
    found = data.rollup(user, "northfield", data.AsAt(2025, 4))
    committed = sum((t.committed for t in found.by_contract), Decimal(0))
    query = "?year=2025&quarter=4"
    html = client.get(reverse("sv_report", args=["northfield"]) + query).content.decode()
    assert f"£{committed:,.2f}" in html and "Maturity over time" in html
    workbook = load_workbook(io.BytesIO(client.get(reverse("sv_report_download", args=["northfield", "xlsx"]) + query)
                                        .content))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert f"£{committed:,.2f}" in " ".join(str(c) for c in cells)
    pdf = client.get(reverse("sv_report_download", args=["northfield", "pdf"]) + query)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bad = client.get(reverse("sv_report", args=["northfield"]) + "?year=abc&quarter=9")
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()


def _section(html: str, id: str) -> str:
    return html.split(f'<section id="{id}">', 1)[1].split("</section>", 1)[0]


def _spend_by_label(first: str, last: str) -> dict[str, Decimal]:
    """Northfield's stored spend cells added up by supplier type for the months `first` to `last` (yyyy-mm)."""
    found: dict[str, Decimal] = defaultdict(Decimal)
    for cell in SpendFigures.objects.get(organisation__slug="northfield").cells:
        if first <= cell["period"] <= last:
            found[cell["label"]] += Decimal(cell["total"])
    return found


def test_the_member_report_shows_spend_shares_and_the_riskiest_suppliers(world, client_for) -> None:
    client = client_for("viewer")
    before = client.get(reverse("sv_report", args=["northfield"]) + "?year=2025&quarter=4").content.decode()
    assert "No spend is imported for April 2025 to the end of March 2026" in _section(before, "spend")
    worker.run_pending()  # the demo councils' queued spend files
    for quarter, last in ((4, "2026-03"), (1, "2025-06")):
        query = f"?year=2025&quarter={quarter}"
        html = client.get(reverse("sv_report", args=["northfield"]) + query).content.decode()
        spend = _spend_by_label("2025-04", last)
        total = sum(spend.values(), Decimal(0))
        assert total > 0 and f"{spend['sme'] / total:.1%} with SMEs" in _section(html, "spend")
        assert f"{spend['vcse'] / total:.1%} with VCSEs" in _section(html, "spend")
        assert "Data for the chart" in _section(html, "spend")
    # the watchlist's stored assessments, most severe first, with each supplier's trend
    watched = {s.name: s.assessment for s in WatchedSupplier.objects.filter(organisation__slug="northfield")
               .select_related("assessment")}
    suppliers = _section(html, "suppliers")
    order = sorted(watched, key=lambda name: (-Rag(watched[name].rating).severity, name))
    assert [suppliers.index(name) for name in order] == sorted(suppliers.index(name) for name in order)
    worsened = sum(a.worsened for a in watched.values())
    assert worsened >= 1 and f"{worsened} worse than the year before" in suppliers
    workbook = load_workbook(io.BytesIO(client.get(reverse("sv_report_download", args=["northfield", "xlsx"])
                                                   + query).content))
    cells = " ".join(str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c)
    assert "Riskiest suppliers and dependencies" in cells and all(name in cells for name in watched)
    assert f"{spend['sme'] / total:.1%} with SMEs" in cells
    pdf = client.get(reverse("sv_report_download", args=["northfield", "pdf"]) + query)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the organisation's admin reads the spend but not the supplier watchlist: the section says so
    admin = _section(client_for("admin").get(reverse("sv_report", args=["northfield"]) + query).content.decode(),
                     "suppliers")
    assert "Not shown" in admin and not any(name in admin for name in watched)


PAGES = ("sv_overview", "sv_measures", "sv_ppn002", "sv_delivery", "sv_sroi", "sv_maturity", "sv_report")
# The most queries each page may run (session and user included), however many contracts, returns and
# assessments the organisation has recorded. The report reads each section through its own area's data function
# (the roll-up, the spend figures, the watchlist and maturity, each checking access). The roll-up is read as its
# version first and its stored lines (the organisation's and its contracts', two queries) only when this process has
# not rolled that version up yet (as here, each count following a change): two queries fewer on a page view that finds
# it rolled up.
CEILINGS = {"sv_overview": 11, "sv_measures": 5, "sv_ppn002": 7, "sv_delivery": 10, "sv_sroi": 7, "sv_maturity": 7,
            "sv_report": 22, "sv_tender": 10}


def test_each_page_runs_the_same_few_queries_however_much_is_recorded(world, client_for) -> None:
    client = client_for("viewer")

    def counts() -> dict[str, int]:
        found = {}
        for name in PAGES:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name, args=["northfield"])).status_code == 200
            found[name] = len(queries)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("sv_tender", args=[world["northfield"].pk])).status_code == 200
        found["sv_tender"] = len(queries)
        return found

    small = counts()
    user = User.objects.get(username="shared.commissioner")
    commitments = (EXAMPLES / "awarded-commitments.csv").read_bytes()
    returns = (EXAMPLES / "delivery-returns.csv").read_bytes()
    for i in range(15):
        data.record_contract(user, "northfield", f"Contract {i}", "Calder Community Care CIC", 2020 + i % 6,
                             ("c.csv", commitments), ("r.csv", returns))
        data.record_maturity(user, "northfield", dt.date(2010 + i, 6, 1), {q.id: "moderately" for q in QUESTIONS})
    large = counts()
    assert small == large, (small, large)
    assert all(large[page] <= ceiling for page, ceiling in CEILINGS.items()), large


@pytest.mark.django_db(transaction=True)
def test_people_adding_core_values_at_once_never_make_more_than_five(world) -> None:
    """Each thread has its own connection, as server workers do; the organisation's row lock serialises them (on
    PostgreSQL when scripts/test.sh re-runs `-m db`), so exactly two of six additions to Northfield's three fit."""
    import threading

    from django.db import connections

    user = User.objects.get(username="shared.commissioner")
    start = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def add(number: int) -> None:
        try:
            start.wait()
            data.save_core_value(user, "northfield", None, f"Value {number}", ["Lower carbon emissions"],
                                 ["CO2-DESNZ-2030"], "Why")
            result = "saved"
        except Refused:
            result = "refused"
        except Exception as exc:  # every other failure is a finding, reported below
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 4 + ["saved"] * 2, outcomes
    assert CoreValue.objects.filter(organisation__slug="northfield").count() == 5


def test_a_new_library_import_must_keep_the_measures_in_use(world) -> None:
    from commonweal.io.errors import InputError

    user = User.objects.get(username="shared.commissioner")
    data.import_library(user, "northfield", "own.csv", OWN_LIBRARY, "Test TOMs", "2026")
    data.save_core_value(user, "northfield", None, "Own", ["More volunteering"], ["TEST-OWN-1"], "Why")
    replacement = OWN_LIBRARY.replace(b"TEST-OWN-1", b"TEST-OWN-2")
    with pytest.raises(InputError, match="TEST-OWN-1"):
        data.import_library(user, "northfield", "own.csv", replacement, "Test TOMs", "2027")
    assert "TEST-OWN-1" in data.library_for(world["seeded"].northfield)


HOSTILE = {
    "an alias bomb as the impact map": ("sv_sroi", {"impact_map": ("map.yaml", ALIAS_BOMB)}),
    "deep nesting as the impact map": ("sv_sroi", {"impact_map": ("map.yaml", b"[" * 10_000)}),
    "a zip bomb as the library": ("sv_library_import", {"library": ("own.xlsx", _zip_bomb())}),
    "20,000 bad rows of commitments": ("sv_contract_record", {"commitments": (
        "c.csv", b"bidder,lot,measure,quantity,year\n" + b"x,1,NOPE,-1,0\n" * 20_000)}),
    "a zip bomb as the model": ("sv_ppn002", {"model": ("model.xlsx", _zip_bomb())}),
}
TEXT = {"sv_library_import": {"name": "Test", "version": "1"},
        "sv_contract_record": {"title": "T", "supplier": "x", "first_year": "2026"}}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_upload_is_a_short_400_and_saves_nothing(case: str, world, client_for) -> None:
    page, files = HOSTILE[case]
    counts = (AuditEntry.objects.count(), CommitmentLine.objects.count(), SroiProgramme.objects.count())
    started = time.monotonic()
    response = client_for("shared.commissioner").post(reverse(page, args=["northfield"]), {
        **{k: SimpleUploadedFile(n, c) for k, (n, c) in files.items()}, **TEXT.get(page, {})})
    assert time.monotonic() - started < 30  # bounded; generous, as the test machine is shared
    assert response.status_code == 400 and "nothing was saved" in response.content.decode()
    assert len(response.content) < 200_000
    assert (AuditEntry.objects.count(), CommitmentLine.objects.count(), SroiProgramme.objects.count()) == counts
    assert OwnLibrary.objects.count() == 0 and ModelImport.objects.count() == 0
