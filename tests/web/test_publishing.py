"""The publishing area on the demo world: the duty calendar, previews (placeholder prefix marked, unverified
points listed, the check's verdict), the release package download, recording a publication (audited, once), the
OCID prefix per organisation, a tender's notice facts, and overdue notices on the home page."""

from __future__ import annotations

import json
import re

import pytest

from commonweal.domain.lifecycle import Stage
from commonweal.services.notices import check, notice_type
from commonweal.web.models import AuditEntry, Tender
from commonweal.web.publishing.models import Publication

pytestmark = pytest.mark.db


def _preview(slug: str, tender: Tender, code: str, suffix: str = "") -> str:
    return f"/publishing/{slug}/tender/{tender.pk}/notices/{code}/{suffix}"


def test_the_calendar_lists_each_tender_notice_with_its_section_and_status(world, client_for) -> None:
    html = client_for("commissioner").get("/publishing/northfield/").content.decode()
    assert "UK2 Preliminary market engagement notice" in html and "UK4 Tender notice" in html
    assert "Published 2025-11-03" in html  # the demo recorded the engagement notice
    assert "Overdue" in html  # bids were invited with no tender notice recorded
    assert "Procurement Act 2023 ss.16-17" in html
    assert "placeholder prefix" in html


def test_a_preview_marks_the_placeholder_prefix_and_what_is_unverified(world, client_for) -> None:
    html = client_for("viewer").get(_preview("northfield", world["northfield"], "UK4")).content.decode()
    assert "Placeholder OCID prefix" in html and "ocds-placeholder-NBC-ASC-2026-014" in html
    assert "Unverified" in html and "third-party mapping note" in html
    assert "0 errors" in html
    assert "Record its publication" not in html  # a viewer reads; commissioners record


def test_the_download_is_a_valid_release_package_and_is_audited(world, client_for) -> None:
    before = AuditEntry.objects.filter(action="notice_downloaded").count()
    response = client_for("commissioner").get(_preview("northfield", world["northfield"], "UK4", "package.json"))
    assert response.status_code == 200
    package = json.loads(response.content)
    assert [notice_type(r) for r in package["releases"]] == ["UK4"]
    assert check(package).valid
    assert AuditEntry.objects.filter(action="notice_downloaded").count() == before + 1


def test_recording_a_publication_is_audited_and_happens_once(world, client_for) -> None:
    tender = world["northfield"]
    path = _preview("northfield", tender, "UK4", "record/")
    client = client_for("commissioner")
    assert client.post(path, {"published_on": "2026-01-05", "notice_identifier": "001234-2026"}).status_code == 302
    entry = AuditEntry.objects.filter(action="notice_publication_recorded").latest("sequence")
    assert entry.detail["notice_identifier"] == "001234-2026" and entry.actor == "commissioner"
    again = client.post(path, {"published_on": "2026-01-06", "notice_identifier": "001235-2026"})
    assert again.status_code == 400 and "already recorded" in again.content.decode()
    assert Publication.objects.filter(key=str(tender.pk), notice="UK4").count() == 1
    assert "Published 2026-01-05" in client.get("/publishing/northfield/").content.decode()


@pytest.mark.parametrize(("values", "message"), [
    ({"published_on": "2999-01-01", "notice_identifier": "001234-2026"}, "cannot be in the future"),
    ({"published_on": "2026-01-05", "notice_identifier": "FTS-1"}, "in the form 012345-2026"),
])
def test_a_bad_publication_is_refused_with_its_reason(world, client_for, values, message) -> None:
    response = client_for("commissioner").post(_preview("northfield", world["northfield"], "UK4", "record/"), values)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Publication.objects.filter(notice="UK4", organisation__slug="northfield").exists()


def test_the_ocid_prefix_is_per_organisation(world, client_for) -> None:
    client = client_for("shared.commissioner")
    saved = client.post("/publishing/northfield/settings/", {"ocid_prefix": "ocds-abc123",
                                                             "buyer_identifier": "GB-PPON-EXAMPLE-1"})
    assert saved.status_code == 302
    north = client.get(_preview("northfield", world["northfield"], "UK4")).content.decode()
    assert "Placeholder OCID prefix" not in north and "ocds-abc123-NBC-ASC-2026-014" in north
    south = client.get(_preview("southdale", world["southdale"], "UK4")).content.decode()
    assert "Placeholder OCID prefix" in south
    bad = client.post("/publishing/northfield/settings/", {"ocid_prefix": "my prefix"})
    assert bad.status_code == 400 and "starting ocds-" in bad.content.decode()


def test_the_award_notice_is_built_once_the_award_is_recommended(world, client_for) -> None:
    tender = world["southdale"]
    client = client_for("shared.commissioner")
    waiting = client.get(_preview("southdale", tender, "UK6")).content.decode()
    assert "once the award is recommended" in waiting
    Tender.objects.filter(pk=tender.pk).update(stage=Stage.AWARD_RECOMMENDED.value)
    facts = {"above_threshold": "yes", "category": "services", "procedure": "open",
             "engagement_description": "Supplier events", "engagement_closes_on": "2025-12-12",
             "assessment_summaries_sent": "2026-06-15"}
    assert client.post(f"/publishing/southdale/tenders/{tender.pk}/facts/", facts).status_code == 302
    html = client.get(_preview("southdale", tender, "UK6")).content.decode()
    assert "Standstill period" in html and "2026-06-15" in html and "0 errors" in html
    assert "as if it were published today" in html  # no award notice date recorded yet
    assert "Calder Community Care CIC" in html


def test_a_decision_not_to_award_puts_the_procurement_termination_notice_on_the_calendar(world, client_for) -> None:
    tender = world["northfield"]
    client = client_for("commissioner")
    assert "UK12" not in client.get("/publishing/northfield/").content.decode()
    facts = {"above_threshold": "yes", "category": "services", "procedure": "open",
             "engagement_description": "Supplier events", "engagement_closes_on": "2025-12-12",
             "terminated_on": "2026-06-10", "termination_reason": "No tender met the quality threshold"}
    assert client.post(f"/publishing/northfield/tenders/{tender.pk}/facts/", facts).status_code == 302
    html = client.get("/publishing/northfield/").content.decode()
    assert "UK12 Procurement termination notice" in html and "no deadline found" in html
    response = client.get(_preview("northfield", tender, "UK12", "package.json"))
    assert response.status_code == 200
    package = json.loads(response.content)
    assert [notice_type(r) for r in package["releases"]] == ["UK12"] and check(package).valid
    cancelled = package["releases"][0]["tender"]
    assert cancelled["status"] == "cancelled" and cancelled["statusDetails"] == "No tender met the quality threshold"


def test_facts_that_need_a_pair_are_refused_alone(world, client_for) -> None:
    tender = world["northfield"]
    response = client_for("commissioner").post(f"/publishing/northfield/tenders/{tender.pk}/facts/", {
        "above_threshold": "no", "category": "works", "procedure": "open", "terminated_on": "2026-02-01"})
    assert response.status_code == 400
    assert "and why, or neither" in response.content.decode()


def test_overdue_notices_show_on_the_home_page(world, client_for) -> None:
    items = re.findall(r"<li[^>]*>(.*?)</li>", client_for("viewer").get("/").content.decode(), re.S)
    assert any("UK4 Tender notice is overdue" in i for i in items)
    evaluator = client_for("evaluator1").get("/").content.decode()
    assert "Tender notice is overdue" not in evaluator  # not a reader of the calendar


@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_notice_at_once_record_it_once(world) -> None:
    """Each thread has its own connection, as server workers do (PostgreSQL when re-run with `-m db` there): the
    organisation row's lock serialises them, so one publication and one audit entry, the other refused."""
    import datetime as dt
    import threading

    from django.contrib.auth.models import User
    from django.db import connection, connections

    from commonweal.domain.notices.kinds import NoticeType
    from commonweal.web.access import Refused
    from commonweal.web.audit import verify_all
    from commonweal.web.publishing.sources import TenderSource

    tender = world["northfield"]
    start = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def record(number: int) -> None:
        user = User.objects.get(username=("commissioner", "shared.commissioner")[number % 2])
        try:
            start.wait()
            TenderSource().record(user, str(tender.pk), NoticeType.UK4, dt.date(2026, 1, 5), f"00000{number}-2026",
                                  dt.date(2026, 12, 6))
            result = "recorded"
        except Refused as refused:
            result = refused.problems[0]
        except BaseException as exc:  # every other failure is a finding
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    connections.close_all()
    assert sorted(outcomes) == ["The tender notice is already recorded as published"] * 3 + ["recorded"]
    assert Publication.objects.filter(key=str(tender.pk), notice="UK4").count() == 1
    assert AuditEntry.objects.filter(action="notice_publication_recorded", detail__notice="UK4",
                                     detail__key=str(tender.pk)).count() == 1
    assert [r.problems for r in verify_all()] == [() for _ in verify_all()]


def test_a_notice_is_checked_again_only_when_what_it_says_changes(world, client_for, monkeypatch) -> None:
    from commonweal.web.publishing import sources

    calls: list[int] = []
    real = sources.check

    def counted(package):
        calls.append(1)
        return real(package)

    monkeypatch.setattr(sources, "check", counted)
    sources._VERDICTS.clear()
    client = client_for("commissioner")
    path = _preview("northfield", world["northfield"], "UK4")
    assert "0 errors" in client.get(path).content.decode()
    assert "0 errors" in client.get(path).content.decode()
    assert len(calls) == 1
    tender = world["northfield"]
    client.post(f"/publishing/northfield/tenders/{tender.pk}/facts/", {
        "above_threshold": "yes", "category": "works", "procedure": "open", "no_engagement_reason": "Urgent"})
    assert "0 errors" in client.get(path).content.decode()
    assert len(calls) == 2
