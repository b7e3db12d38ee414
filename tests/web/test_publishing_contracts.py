"""Contract-based notices in the publishing area (`publishing.sources.ContractSource`) on the demo world: each of
UK7, UK9, UK10 and UK11 built from the demo's contract records downloads as a release package that libcoveocds
finds valid offline; the duty calendar lists them; who may read and record them; recording is audited and once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonweal.domain.notices.kinds import NoticeType
from commonweal.services.notices import check, notice_type
from commonweal.web.contracts import data as contracts
from commonweal.web.contracts.models import Contract, Variation
from commonweal.web.models import AuditEntry
from commonweal.web.publishing import data
from commonweal.web.publishing.models import Publication

pytestmark = pytest.mark.db

COMMISSIONER = "shared.commissioner"  # Northfield's (and Southdale's) organisation commissioner


def _path(contract: Contract, code: str, suffix: str = "", key: str = "") -> str:
    return f"/publishing/{contract.organisation.slug}/contract/{key or contract.pk}/notices/{code}/{suffix}"


def _highways() -> Contract:
    """The demo's contract over £5 million with KPIs: s.52(1) applies, so its performance notice is due."""
    return Contract.objects.get(organisation__slug="northfield", reference="NBC-C-006")


def _variation(contract: Contract, code: str = "V1") -> Variation:
    """A variation adding 20% to the value: beyond s.75(2)'s limits, so it needs a change notice."""
    user = User.objects.get(username=COMMISSIONER)
    values = contracts.VariationValues(code, contract.start + dt.timedelta(days=100), "Winter gritting added",
                                       contract.value / 5, 0, "not_substantial", None, False, False, False, "", False)
    made = contracts.record_variation(contracts.contract_access(user, contract.pk, change=True), values,
                                      timezone.localdate())
    assert made.change_notice_required
    return made


def _end(contract: Contract) -> None:
    facts = {"signed_on": contract.start, "above_threshold": True, "public_service_mutual": False,
             "supported_employment_provider": False, "ended_on": timezone.localdate() - dt.timedelta(days=3),
             "end_reason": "Terminated by agreement after a change of service model",
             "final_value": Decimal("512000.50")}
    data.save_contract_facts(User.objects.get(username=COMMISSIONER), "northfield", contract.pk, facts)


def test_each_contract_notice_built_from_the_demo_records_validates_with_0_errors(world, client_for) -> None:
    contract = _highways()
    variation = _variation(contract)
    _end(contract)
    client = client_for(COMMISSIONER)
    for code, key in (("UK7", ""), ("UK9", ""), ("UK10", f"{contract.pk}-{variation.pk}"), ("UK11", "")):
        response = client.get(_path(contract, code, "package.json", key))
        assert response.status_code == 200, (code, response.content[:300])
        package = json.loads(response.content)
        assert [notice_type(r) for r in package["releases"]] == [NoticeType(code)]
        verdict = check(package)
        assert verdict.errors == () and verdict.invalid_extensions == (), code
    release = package["releases"][0]  # UK11: the recorded end
    assert release["contracts"][0]["implementation"]["endDate"].startswith(
        (timezone.localdate() - dt.timedelta(days=3)).isoformat())
    assert AuditEntry.objects.filter(action="notice_downloaded", detail__source="contract").count() == 4


def test_every_demo_contract_details_notice_validates(world) -> None:
    from commonweal.web.publishing.sources import ContractSource

    user = User.objects.get(username=COMMISSIONER)
    now = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
    built = [ContractSource().build(user, str(c.pk), NoticeType.UK7, now)
             for c in Contract.objects.filter(organisation__slug="northfield")]
    assert len(built) == 7
    assert [(b.problems, b.errors) for b in built] == [((), ())] * 7
    highways = ContractSource().build(user, str(_highways().pk), NoticeType.UK7, now)
    assert highways.release is not None
    assert len(highways.release["contracts"][0]["agreedMetrics"]) == 2  # its two KPIs, s.52(3)


def test_the_calendar_lists_contract_notices_for_contract_readers_only(world, client_for) -> None:
    contract = _highways()
    _variation(contract)
    html = client_for(COMMISSIONER).get("/publishing/northfield/").content.decode()
    assert "UK7 Contract details notice" in html and "NBC-C-006" in html
    assert "UK9 Contract performance notice" in html  # over £5 million with KPIs: s.52(1)
    assert "UK10 Contract change notice" in html and "Highways maintenance (V1)" in html
    assert "UK11" not in html  # no contract's end is recorded
    assert "NBC-C-006" in client_for("viewer").get("/publishing/northfield/").content.decode()
    # a tender-only commissioner holds no contract role: the tender's notices, no contract's
    mine = client_for("commissioner").get("/publishing/northfield/").content.decode()
    assert "UK4 Tender notice" in mine and "NBC-C-" not in mine
    assert "NBC-C-" not in client_for("admin").get("/publishing/northfield/").content.decode()


def test_who_may_read_and_record_a_contract_notice(world, client_for) -> None:
    contract = _highways()
    assert client_for("viewer").get(_path(contract, "UK7")).status_code == 200
    assert "Record its publication" not in client_for("viewer").get(_path(contract, "UK7")).content.decode()
    assert client_for("viewer").post(_path(contract, "UK7", "record/"), {}).status_code == 403
    assert client_for("contract.manager").get(_path(contract, "UK7")).status_code == 200
    assert client_for("commissioner").get(_path(contract, "UK7")).status_code == 403
    assert client_for("southdale.commissioner").get(_path(contract, "UK7")).status_code == 404
    other = Contract.objects.filter(organisation__slug="southdale").first()
    assert other is not None
    # another organisation's contract under this organisation's address is not found
    assert client_for(COMMISSIONER).get(f"/publishing/northfield/contract/{other.pk}/notices/UK7/").status_code == 404
    # a change notice is about a variation; the others about the contract
    assert client_for(COMMISSIONER).get(_path(contract, "UK10")).status_code == 404
    assert client_for(COMMISSIONER).get(_path(contract, "UK7", key=f"{contract.pk}-x")).status_code == 404


def test_recording_contract_notices_is_audited_once_each(world, client_for) -> None:
    contract = _highways()
    variation = _variation(contract)
    client = client_for(COMMISSIONER)
    form = {"published_on": timezone.localdate().isoformat(), "notice_identifier": "004321-2026"}
    again = client.post(_path(contract, "UK7", "record/"), form)  # the demo recorded it
    assert again.status_code == 400 and "already recorded" in again.content.decode()
    key = f"{contract.pk}-{variation.pk}"
    assert client.post(_path(contract, "UK10", "record/", key), form).status_code == 302
    again = client.post(_path(contract, "UK10", "record/", key), form)
    assert again.status_code == 400 and "already recorded" in again.content.decode()
    assert client.post(_path(contract, "UK9", "record/"), form).status_code == 302  # the next cycle's
    recorded = Publication.objects.filter(source="contract", key=str(contract.pk))
    assert sorted(p.notice for p in recorded) == ["UK10", "UK7", "UK9", "UK9"]
    assert recorded.get(notice="UK10").sequence == "V1"
    entry = AuditEntry.objects.filter(action="notice_publication_recorded", detail__notice="UK10").latest("sequence")
    assert entry.detail["sequence"] == "V1" and entry.actor == COMMISSIONER
    # the performance notice recorded today: the next one is due 12 months on, not overdue
    html = client.get("/publishing/northfield/").content.decode()
    next_due = contracts.domain.add_months(timezone.localdate(), 12).isoformat()
    assert f"by {next_due}, 12 months after the last assessment" in html


def test_the_calendar_runs_the_same_queries_on_7_and_12_contracts(world, client_for) -> None:
    client = client_for(COMMISSIONER)

    def count() -> int:
        client.get("/publishing/northfield/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/publishing/northfield/").status_code == 200
        return len(queries)

    before = count()
    highways = _highways()
    kpi = highways.kpis.first()
    assert kpi is not None
    for number in range(5):  # copies of the highways contract, each with a KPI and a variation needing a notice
        copy = Contract.objects.get(pk=highways.pk)
        copy.pk = None
        copy.reference = f"NBC-C-1{number:02d}"
        copy.save()
        copy.kpis.create(code=kpi.code, title=kpi.title, target=kpi.target, direction=kpi.direction,
                         tolerance=kpi.tolerance, inadequate_beyond=kpi.inadequate_beyond, unit=kpi.unit)
        copy.variations.create(code="V1", agreed_on=copy.start, description="Added", value_change=copy.value / 5,
                               term_change_months=0, ground="not_substantial", change_notice_required=True)
    html = client.get("/publishing/northfield/").content.decode()
    assert "NBC-C-104" in html and html.count("UK10 Contract change notice") == 5
    assert count() == before


def test_a_contract_end_recorded_in_its_notice_facts_puts_the_termination_notice_on_the_calendar(
        world, client_for) -> None:
    contract = _highways()
    client = client_for(COMMISSIONER)
    path = f"/publishing/northfield/contracts/{contract.pk}/facts/"
    refused = client.post(path, {"above_threshold": "yes", "public_service_mutual": "no",
                                 "supported_employment_provider": "no", "ended_on": "2026-11-30"})
    assert refused.status_code == 400 and "Give both the day the contract ended and why" in refused.content.decode()
    saved = client.post(path, {"signed_on": "2025-12-01", "above_threshold": "yes", "public_service_mutual": "yes",
                               "supported_employment_provider": "no", "ended_on": "2026-11-30",
                               "end_reason": "Terminated by agreement", "final_value": "512000.50"})
    assert saved.status_code == 302
    entry = AuditEntry.objects.filter(action="contract_notice_facts_recorded").latest("sequence")
    assert entry.detail["ended_on"] == "2026-11-30" and entry.detail["final_value"] == "512000.50"
    assert entry.detail["contract"] == "NBC-C-006" and entry.actor == COMMISSIONER
    html = client.get("/publishing/northfield/").content.decode()
    assert "UK11 Contract termination notice" in html and "by 2026-12-29, within 30 days" in html
    preview = client.get(_path(contract, "UK11")).content.decode()
    assert "0 errors" in preview and "Terminated by agreement" in preview
    assert client_for("viewer").get(path).status_code == 403
    assert client_for(COMMISSIONER).get(f"/publishing/southdale/contracts/{contract.pk}/facts/").status_code == 404


def test_a_contract_manager_finds_the_organisation_on_the_publishing_index(world, client_for) -> None:
    html = client_for("contract.manager").get("/publishing/").content.decode()
    assert "/publishing/northfield/" in html and "/publishing/southdale/" not in html
    calendar = client_for("contract.manager").get("/publishing/northfield/").content.decode()
    assert "NBC-C-006" in calendar and "UK4 Tender notice" not in calendar
