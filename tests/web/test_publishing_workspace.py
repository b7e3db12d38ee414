"""The publishing area's pipeline notice (UK1, s.93), performance failures (s.71(4)-(5)) and transparency files page
on the demo world: the UK1 and UK9 packages libcoveocds finds valid offline, what is missing until the council has
said whether s.93 applies, every change audited, the transparency files from the organisation's own spend store."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from markupsafe import escape

from commonweal.domain.lifecycle import Stage
from commonweal.domain.notices.duties import financial_year
from commonweal.domain.notices.kinds import NoticeType
from commonweal.services.notices import check, notice_type
from commonweal.web.contracts.models import Contract
from commonweal.web.models import AuditEntry, Lot, Organisation, Tender
from commonweal.web.publishing import data
from commonweal.web.publishing.models import PerformanceFailure, PipelineYear, Publication
from commonweal.web.publishing.sources import ContractSource

pytestmark = pytest.mark.db

COMMISSIONER = "shared.commissioner"  # Northfield's (and Southdale's) organisation commissioner


def _pipeline(slug: str = "northfield") -> str:
    organisation = Organisation.objects.get(slug=slug)
    return f"/publishing/{slug}/pipeline/{organisation.pk}-{financial_year(timezone.localdate())}/notices/UK1/"


def test_the_pipeline_notice_lists_the_contracts_over_2m_re_procured_in_the_period_and_validates(
        world, client_for) -> None:
    client = client_for(COMMISSIONER)
    calendar = client.get("/publishing/northfield/").content.decode()
    assert "Pipeline notice, financial year" in calendar and _pipeline() in calendar
    assert client.get(_pipeline()).status_code == 200
    response = client.get(_pipeline() + "package.json")
    assert response.status_code == 200, response.content[:300]
    package = json.loads(response.content)
    verdict = check(package)
    assert verdict.errors == () and verdict.invalid_extensions == ()
    assert {notice_type(r) for r in package["releases"]} == {NoticeType.UK1}
    # the demo's contracts over £2 million (their maximum term ends 48 months after they started: 30 months' lead
    # brings each re-procurement into the 18 months from 1 April), none of the smaller ones
    over = sorted(c.reference for c in Contract.objects.filter(organisation__slug="northfield", value__gt=2_000_000))
    assert sorted(r["tender"]["id"] for r in package["releases"]) == [f"{ref}-reprocurement" for ref in over]
    assert all(r["planning"]["documents"][0]["noticeType"] == "UK1" for r in package["releases"])
    assert AuditEntry.objects.filter(action="notice_downloaded", detail__source="pipeline").count() == 1


def _planned(slug: str, reference: str, stage: Stage, *budgets: str | None) -> None:
    tender = Tender.objects.create(organisation=Organisation.objects.get(slug=slug), reference=reference,
                                   title=f"Planned {reference}", definition="", stage=stage.value)
    Lot.objects.bulk_create(Lot(tender=tender, reference=f"L{i}", title=f"Lot {i}",
                                budget=None if b is None else Decimal(b)) for i, b in enumerate(budgets, 1))


def test_the_pipeline_notice_lists_the_draft_tenders_whose_lots_budgets_total_over_2m(world, client_for) -> None:
    _planned("northfield", "PLAN-OVER", Stage.DRAFT, "1500000.00", "600000.00")  # £2.1m across two lots
    _planned("northfield", "PLAN-UNDER", Stage.DRAFT, "1999999.99")
    _planned("northfield", "PLAN-EXACT", Stage.DRAFT, "2000000.00")  # "more than £2 million" only
    _planned("northfield", "PLAN-OPEN", Stage.OPEN, "9000000.00")  # advertised already
    _planned("northfield", "PLAN-AWARDED", Stage.AWARDED, "9000000.00")
    _planned("southdale", "PLAN-OTHER", Stage.DRAFT, "9000000.00")
    _planned("northfield", "PLAN-NOBUDGET", Stage.DRAFT, "3000000.00", None)
    client = client_for(COMMISSIONER)
    package = json.loads(client.get(_pipeline() + "package.json").content)
    verdict = check(package)
    assert verdict.errors == () and verdict.invalid_extensions == ()
    tenders = {r["tender"]["id"]: r["tender"] for r in package["releases"]}
    assert {ref for ref in tenders if ref.startswith("PLAN-")} == {"PLAN-OVER"}
    assert tenders["PLAN-OVER"]["value"]["amount"] == 2100000
    # no expected date recorded: none given, never guessed
    assert "communication" not in tenders["PLAN-OVER"] and "tenderPeriod" not in tenders["PLAN-OVER"]
    preview = client.get(_pipeline()).content.decode()
    assert str(escape("Tender PLAN-NOBUDGET (Planned PLAN-NOBUDGET): no estimated value recorded")) in preview
    assert str(escape("Tender PLAN-OVER: no date recorded for when its tender notice is expected")) in preview
    for left_out in ("PLAN-UNDER", "PLAN-EXACT", "PLAN-OPEN", "PLAN-AWARDED", "PLAN-OTHER"):
        assert left_out not in preview and left_out not in tenders


def test_the_calendar_row_names_what_the_pipeline_notice_is_missing_until_it_is_recorded(world, client_for) -> None:
    Publication.objects.filter(organisation__slug="northfield", source="pipeline").delete()  # the demo's, undone
    _planned("northfield", "PLAN-OVER", Stage.DRAFT, "1500000.00", "600000.00")
    _planned("northfield", "PLAN-NOBUDGET", Stage.DRAFT, "3000000.00", None)
    client = client_for(COMMISSIONER)
    calendar = client.get("/publishing/northfield/").content.decode()
    assert "Still missing:" in calendar
    assert str(escape("Tender PLAN-NOBUDGET (Planned PLAN-NOBUDGET): no estimated value recorded")) in calendar
    assert str(escape("Tender PLAN-OVER: no date recorded for when its tender notice is expected")) in calendar
    # the commissioner records when PLAN-OVER's tender notice is expected, in its notice facts (audited)
    tender = Tender.objects.get(reference="PLAN-OVER")
    refused = client.post(f"/publishing/northfield/tenders/{tender.pk}/facts/", {
        "above_threshold": "yes", "category": "works", "procedure": "open", "expected_notice_on": "15/09/2027"})
    assert refused.status_code == 400
    saved = client.post(f"/publishing/northfield/tenders/{tender.pk}/facts/", {
        "above_threshold": "yes", "category": "works", "procedure": "open", "expected_notice_on": "2027-09-15"})
    assert saved.status_code == 302
    entry = AuditEntry.objects.filter(action="notice_facts_recorded").latest("pk")
    assert entry.detail["expected_notice_on"] == "2027-09-15"
    calendar = client.get("/publishing/northfield/").content.decode()
    assert "PLAN-OVER: no date recorded" not in calendar and "PLAN-NOBUDGET" in calendar
    package = json.loads(client.get(_pipeline() + "package.json").content)
    assert check(package).errors == ()
    planned = next(r["tender"] for r in package["releases"] if r["tender"]["id"] == "PLAN-OVER")
    assert planned["communication"] == {"futureNoticeDate": "2027-09-15T00:00:00Z"}
    assert planned["mainProcurementCategory"] == "works"
    # once its publication is recorded, the row says so and names nothing missing
    data.record_publication(User.objects.get(username=COMMISSIONER), Organisation.objects.get(slug="northfield"),
                            "pipeline", str(financial_year(timezone.localdate())), NoticeType.UK1,
                            timezone.localdate(), "000123-2026", timezone.localdate())
    assert "Still missing:" not in client.get("/publishing/northfield/").content.decode()


def test_until_the_council_says_whether_s93_applies_the_calendar_says_what_is_missing(world, client_for) -> None:
    PipelineYear.objects.filter(organisation__slug="northfield").delete()
    client = client_for(COMMISSIONER)
    calendar = client.get("/publishing/northfield/").content.decode()
    assert "not yet recorded whether it does" in calendar
    preview = client.get(_pipeline()).content.decode()
    assert "Record whether the council expects to pay more than £100 million" in preview
    assert client.get(_pipeline() + "package.json").status_code == 409
    # Southdale said it does not: no pipeline notice on its calendar, and its preview says why
    assert "Pipeline notice" not in client.get("/publishing/southdale/").content.decode()
    assert "no pipeline notice is required" in client.get(_pipeline("southdale")).content.decode()


def test_the_pipeline_record_is_the_commissioners_checked_and_audited(world, client_for) -> None:
    year = financial_year(timezone.localdate()) + 1
    path = f"/publishing/northfield/pipeline/{year}/"
    client = client_for(COMMISSIONER)
    refused = client.post(path, {"pays_over_threshold": "yes", "lead_months": ""})
    assert refused.status_code == 400 and "Enter the re-procurement lead time" in refused.content.decode()
    assert not PipelineYear.objects.filter(financial_year=year).exists()
    assert client.post(path, {"pays_over_threshold": "yes", "lead_months": "18"}).status_code == 302
    saved = PipelineYear.objects.get(organisation__slug="northfield", financial_year=year)
    assert saved.pays_over_threshold and saved.lead_months == 18
    entry = AuditEntry.objects.filter(action="pipeline_year_recorded").latest("pk")
    assert entry.detail == {"financial_year": year, "pays_over_threshold": True, "lead_months": 18}
    assert client.get(f"/publishing/northfield/pipeline/{year}/").status_code == 200
    assert client.get("/publishing/northfield/pipeline/1999/").status_code == 404
    assert client_for("viewer").post(path, {"pays_over_threshold": "no"}).status_code == 403
    assert client_for("southdale.commissioner").get(path).status_code == 404


def _reablement() -> Contract:
    return Contract.objects.get(organisation__slug="northfield", reference="NBC-C-004")


def test_a_recorded_performance_failure_is_in_the_next_performance_notice_and_validates(world, client_for) -> None:
    contract = _reablement()
    client = client_for(COMMISSIONER)
    path = f"/publishing/northfield/contracts/{contract.pk}/failures/"
    refused = client.post(path, {"requirement": "", "description": "x", "penalty_value": "10"})
    assert refused.status_code == 400 and PerformanceFailure.objects.filter(contract=contract).count() == 1
    assert "Select whether the penalty was contracted" in refused.content.decode()
    response = client.post(path, {"requirement": "Weekly reviews of every care plan",
                                  "description": "Reviews missed for six weeks", "decided_on": "2026-11-02",
                                  "penalty_on": "2026-11-16", "penalty_type": "imposed",
                                  "penalty_value": "12500.00", "partial_termination": "The weekend service"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="performance_failure_recorded",
                                     detail__penalty_value="12500.00").count() == 1
    package = json.loads(client.get(
        f"/publishing/northfield/contract/{contract.pk}/notices/UK9/package.json").content)
    verdict = check(package)
    assert verdict.errors == () and verdict.invalid_extensions == ()
    failures = package["releases"][0]["contracts"][0]["implementation"]["performanceFailures"]
    assert [f["requirement"] for f in failures] == [
        "Reablement visits start within 48 hours of hospital discharge", "Weekly reviews of every care plan"]
    added = failures[1]
    assert added["penaltyType"] == "imposed" and added["penaltyValue"] == {"amount": 12500, "currency": "GBP"}
    assert added["decisionDate"].startswith("2026-11-02") and added["partialTermination"] == "The weekend service"
    # the calendar dates the performance notice 30 days from the first unreported failure
    user = User.objects.get(username=COMMISSIONER)
    today = timezone.localdate()
    uk9 = next(r.duty for r in ContractSource().duties(user, contract.organisation, today)
               if r.duty.subject == contract.reference and r.duty.notice is NoticeType.UK9)
    assert uk9.due == dt.date(2026, 11, 2) + dt.timedelta(days=29)


def test_a_published_performance_notice_reports_its_failures_once(world) -> None:
    contract = _reablement()
    user = User.objects.get(username=COMMISSIONER)
    today = timezone.localdate()
    source = ContractSource()
    source.record(user, str(contract.pk), NoticeType.UK9, today, "123456-2026", today)
    assert not [r for r in source.duties(user, contract.organisation, today)
                if r.duty.subject == contract.reference and r.duty.notice is NoticeType.UK9 and not r.duty.published_on]
    built = source.build(user, str(contract.pk), NoticeType.UK9, timezone.now())
    assert built.release is not None  # its KPIs are still assessed, without the failure reported already
    assert "performanceFailures" not in built.release["contracts"][0]["implementation"]


def test_the_failures_page_is_the_organisation_commissioners(world, client_for) -> None:
    path = f"/publishing/northfield/contracts/{_reablement().pk}/failures/"
    assert client_for(COMMISSIONER).get(path).status_code == 200
    assert client_for("viewer").get(path).status_code == 403
    assert client_for("southdale.commissioner").get(path).status_code == 404


def test_the_transparency_page_shows_the_period_from_the_organisations_own_spend(world, client_for) -> None:
    from commonweal.web.spend import worker

    worker.run_pending()
    client = client_for(COMMISSIONER)
    assert client.get("/publishing/northfield/transparency/").status_code == 200  # last month, by default
    today = timezone.localdate()
    query = {"start": (today - dt.timedelta(days=366)).isoformat(), "end": today.isoformat()}
    page = client.get("/publishing/northfield/transparency/", query).content.decode()
    assert "Payments compliance notice (s.69)" in page and "No spend is imported" not in page
    found = data.transparency(User.objects.get(username=COMMISSIONER), "northfield", dt.date.fromisoformat(
        query["start"]), today)
    assert found.tables.count("spend-over-500") > 0 and found.tables.count("unlinked-payments-over-30000") > 0
    for row in found.tables.tables["unlinked-payments-over-30000"][1]:
        assert str(escape(row[5])) in page  # every unlinked payment with its reason
    response = client.get("/publishing/northfield/transparency/spend-over-500.csv", query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == found.tables.count("spend-over-500") + 1
    assert client.get("/publishing/northfield/transparency/contracts-over-5000.xlsx", query).content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="transparency_downloaded").count() == 2


def test_the_transparency_page_refuses_a_period_it_cannot_read_and_who_may_not_see_it(world, client_for) -> None:
    client = client_for(COMMISSIONER)
    bad = client.get("/publishing/northfield/transparency/", {"start": "2026-13-01", "end": "2026-01-01"})
    assert bad.status_code == 400 and "Enter the first day of the period" in bad.content.decode()
    backwards = client.get("/publishing/northfield/transparency/", {"start": "2026-02-01", "end": "2026-01-01"})
    assert backwards.status_code == 400
    assert client.get("/publishing/northfield/transparency/nothing.csv").status_code == 404
    assert client_for("finance").get("/publishing/northfield/transparency/").status_code == 403
    assert client_for("southdale.commissioner").get("/publishing/northfield/transparency/").status_code == 404
    assert client_for("evaluator1").get("/publishing/northfield/transparency/").status_code == 403


def test_the_pipeline_notice_is_read_by_the_organisation_wide_contract_readers(world, client_for) -> None:
    for reader in ("viewer", COMMISSIONER):  # the demo's organisation viewer and commissioner
        assert client_for(reader).get(_pipeline()).status_code == 200, reader
    for other in ("commissioner", "finance", "evaluator1", "admin"):  # tender roles only, or no contract role
        assert client_for(other).get(_pipeline()).status_code == 403, other
    assert client_for("southdale.commissioner").get(_pipeline()).status_code == 404
    assert client_for("viewer").post(_pipeline() + "record/", {"published_on": "2026-05-01",
                                                               "notice_identifier": "000777-2026"}).status_code == 403
