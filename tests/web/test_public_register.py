"""The public contracts register (issue #20): only contracts whose contract details notice (UK7) is recorded as
published reach the public pages and downloads; a performance rating only for the periods a recorded contract
performance notice (UK9) covers; social value counts verified delivery only. Pages are cacheable.

The world is the demo: every Northfield contract has its UK7 recorded, NBC-C-006 (highways) its UK9 as well;
NBC-C-001 (home care, north) has social value commitments and verified quarterly returns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.web.contracts import data as contracts
from commonweal.web.contracts.models import Contract, Delivery, PeriodRating, Return
from commonweal.web.public import data
from commonweal.web.publishing.models import Publication

pytestmark = pytest.mark.db


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _unpublish(reference: str, notice: str) -> Contract:
    found = Contract.objects.get(reference=reference)
    deleted, _ = Publication.objects.filter(source="contract", key=str(found.pk), notice=notice).delete()
    assert deleted == 1
    return found


def test_only_contracts_with_a_published_contract_details_notice_are_on_the_register(world) -> None:
    hidden = _unpublish("NBC-C-003", "UK7")
    visitor = Client()
    page = _text(visitor.get(reverse("public_contracts", args=["northfield"])))
    shown = Contract.objects.filter(organisation__slug="northfield").exclude(pk=hidden.pk)
    assert all(c.reference in page for c in shown)
    assert "NBC-C-003" not in page and hidden.title not in page and hidden.supplier not in page
    # another council's contracts are its own register's
    assert "SDC-C-001" not in page
    assert "SDC-C-001" in _text(visitor.get(reverse("public_contracts", args=["southdale"])))
    # not by any other path: the contract's page, the downloads
    assert visitor.get(reverse("public_contract", args=["northfield", hidden.pk])).status_code == 404
    southdale = Contract.objects.get(reference="SDC-C-001")
    assert visitor.get(reverse("public_contract", args=["northfield", southdale.pk])).status_code == 404
    download = visitor.get(reverse("public_contracts_download", args=["northfield", "csv"]))
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert sorted(r["reference"] for r in rows) == sorted(c.reference for c in shown)
    records = json.loads(_text(visitor.get(reverse("public_contracts_download", args=["northfield", "json"]))))
    assert sorted(r["reference"] for r in records["contracts"]) == sorted(c.reference for c in shown)
    # the council's own current rating and triggers are never public columns
    assert "rating" not in rows[0] and "triggers_fired" not in rows[0]
    # a provider's organisation has no register
    assert visitor.get(reverse("public_contracts", args=["brightwater"])).status_code == 404


def test_ratings_are_public_only_for_the_periods_a_published_performance_notice_covers(world) -> None:
    highways = Contract.objects.get(reference="NBC-C-006")
    notice = Publication.objects.get(source="contract", key=str(highways.pk), notice="UK9")
    covered = list(PeriodRating.objects.filter(contract=highways, period_end__lte=notice.published_on))
    later = list(PeriodRating.objects.filter(contract=highways, period_end__gt=notice.published_on))
    assert covered
    found = data.published_contract("northfield", highways.pk, timezone.localdate()).contracts[0]
    assert found.performance_notice == (notice.published_on, notice.notice_identifier)
    assert [(r.period_start, r.period_end) for r in found.ratings] == [(r.period_start, r.period_end) for r in covered]
    page = _text(Client().get(reverse("public_contract", args=["northfield", highways.pk])))
    assert notice.notice_identifier in page
    assert all(r.period_start.isoformat() in page for r in covered)
    assert not any(r.period_start.isoformat() in page for r in later)
    # no performance notice recorded: no rating, though the contract has rated periods
    home_care = Contract.objects.get(reference="NBC-C-004")
    assert PeriodRating.objects.filter(contract=home_care).exists()
    page = _text(Client().get(reverse("public_contract", args=["northfield", home_care.pk])))
    assert "No contract performance notice is published" in page and "Inadequate" not in page
    # the notice's record withdrawn: the ratings go with it
    notice.delete()
    assert data.published_contract("northfield", highways.pk, timezone.localdate()).contracts[0].ratings == ()


def _verified(reference: str) -> tuple[object, object]:
    found = Contract.objects.get(reference=reference)
    register = data.published_contract("northfield", found.pk, timezone.localdate())
    return register.contracts[0].social_value, register.by_core_value


def test_social_value_counts_only_what_the_council_verified(world) -> None:
    home_care = Contract.objects.get(reference="NBC-C-001")
    before, by_value = _verified("NBC-C-001")
    assert before.committed > 0 and before.verified > 0
    assert len(by_value) == 2  # its two measures, each under one of the council's core values
    assert sum(t.verified for t in by_value) == before.verified
    line = Delivery.objects.filter(ret__contract=home_care).order_by("ret__period_start").first()
    with transaction.atomic():  # the council has not verified it after all
        Delivery.objects.filter(pk=line.pk).update(verification="unverified")
        contracts.refresh(Contract.objects.select_for_update().get(pk=home_care.pk), timezone.localdate())
    unverified, _ = _verified("NBC-C-001")
    assert 0 < unverified.verified < before.verified and unverified.committed == before.committed
    # a draft return with verified lines counts for nothing either
    with transaction.atomic():
        draft = Return.objects.create(contract=home_care, period_start=home_care.end, period_end=home_care.end,
                                      status=Return.DRAFT)
        draft.deliveries.create(measure="EMP-JSA-FISCAL", quantity=50, verification="verified")
        contracts.refresh(Contract.objects.select_for_update().get(pk=home_care.pk), timezone.localdate())
    assert _verified("NBC-C-001")[0].verified == unverified.verified


def test_a_providers_claims_count_once_the_council_verifies_the_return(world) -> None:
    from django.contrib.auth.models import User

    home_care = Contract.objects.get(reference="NBC-C-001")
    before, _ = _verified("NBC-C-001")
    last = Return.objects.filter(contract=home_care).order_by("period_end").last()
    with transaction.atomic():  # the provider's return for the next days: submitted, its claims unverified
        submitted = Return.objects.create(contract=home_care, period_start=last.period_end + dt.timedelta(days=1),
                                          period_end=last.period_end + dt.timedelta(days=2), submitted_for="provider")
        submitted.deliveries.create(measure="VOL-HOUR-ASHE2024", quantity=100, verification="unverified")
        contracts.refresh(Contract.objects.select_for_update().get(pk=home_care.pk), timezone.localdate())
    assert _verified("NBC-C-001")[0].verified == before.verified
    access = contracts.contract_access(User.objects.get(username="shared.commissioner"), home_care.pk, change=True)
    contracts.check_return(access, submitted.pk, Return.VERIFIED, "", timezone.localdate())
    assert _verified("NBC-C-001")[0].verified > before.verified


def test_the_register_filters_and_refuses_unknown_filters(world) -> None:
    visitor = Client()
    smes = json.loads(_text(visitor.get(
        reverse("public_contracts_download", args=["northfield", "json"]), {"sme": "on"})))["contracts"]
    assert sorted(r["reference"] for r in smes) == sorted(
        Contract.objects.filter(organisation__slug="northfield", sme=True).values_list("reference", flat=True))
    page = _text(visitor.get(reverse("public_contracts", args=["northfield"]), {"service": "Highways"}))
    assert "NBC-C-006" in page and "NBC-C-001" not in page
    refused = visitor.get(reverse("public_contracts", args=["northfield"]), {"status": "secret"})
    assert refused.status_code == 400 and "govuk-error-summary" in refused.content.decode()
    assert visitor.get(reverse("public_contracts_download", args=["northfield", "csv"]),
                       {"status": "secret"}).status_code == 400
    assert visitor.get(reverse("public_contracts_download", args=["northfield", "xml"])).status_code == 404


def test_the_register_is_cacheable_and_its_etag_follows_what_is_published(world) -> None:
    visitor = Client()
    path = reverse("public_contracts", args=["northfield"])
    first = visitor.get(path)
    assert "public" in first["Cache-Control"] and first["ETag"].startswith('W/"')
    assert visitor.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    _unpublish("NBC-C-002", "UK7")
    assert visitor.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_registered_interest_reaches_the_partner_finder_without_its_contact(world, client_for) -> None:
    from commonweal.web.public.models import Interest, Opportunity

    southdale_opportunity = Opportunity.objects.get(title="Rural transport to health appointments")
    Interest.objects.create(opportunity=southdale_opportunity, organisation_name="Southdale Riders CIC",
                            kind="social_enterprise", purpose="bid", contact_name="Alex Reed",
                            email="alex@riders.example")
    page = _text(client_for("shared.commissioner").get(reverse("spend_partners", args=["northfield"])))
    assert "Northfield Community Transport" in page and "Voluntary or community organisation" in page
    assert "take part in preliminary market engagement" in page
    # the contact stays on the opportunity's page; another council's registrations stay with it
    assert "Sam Okafor" not in page and "northfield-community-transport.example" not in page
    assert "Southdale Riders CIC" not in page
    southdale = _text(client_for("southdale.commissioner").get(reverse("spend_partners", args=["southdale"])))
    assert "Southdale Riders CIC" in southdale and "Social enterprise" in southdale
    assert "Alex Reed" not in southdale and "Northfield Community Transport" not in southdale


def test_the_register_is_paged_and_its_downloads_and_core_values_cover_every_selected_contract(world) -> None:
    from django.contrib.auth.models import User

    highways = Contract.objects.get(reference="NBC-C-006")
    recorder = User.objects.get(username="shared.commissioner")
    extra = data.PAGE_SIZE + 3
    for n in range(extra):  # copies of the highways contract, each with its contract details notice recorded
        copy = Contract.objects.get(pk=highways.pk)
        copy.pk, copy.reference = None, f"NBC-P-{n:03d}"
        copy.save()
        Publication.objects.create(organisation=copy.organisation, source="contract", key=str(copy.pk),
                                   notice="UK7", published_on=timezone.localdate(), notice_identifier=f"X-{n}",
                                   recorded_by=recorder)
    published = Publication.objects.filter(organisation__slug="northfield", source="contract", notice="UK7").count()
    assert published > data.PAGE_SIZE
    visitor = Client()
    path = reverse("public_contracts", args=["northfield"])
    first, second = (data.contracts_page("northfield", contracts.Filters(), timezone.localdate(), n) for n in (1, 2))
    assert (first.total, first.pages, len(first.contracts)) == (published, 2, data.PAGE_SIZE)
    assert len(second.contracts) == published - data.PAGE_SIZE and second.page == 2
    assert not {c.id for c in first.contracts} & {c.id for c in second.contracts}
    # the core values' table sums every selected contract, whichever page is shown
    assert first.by_core_value == second.by_core_value and first.by_core_value
    page = _text(visitor.get(path, {"service": highways.service, "page": 2}))
    assert "Page 2 of 2" in page and 'rel="prev"' in page and 'rel="next"' not in page
    # the previous page keeps the filter; the page number is not repeated
    assert f"?service={highways.service}&amp;page=1" in page
    assert "NBC-P-000" not in page and f"NBC-P-{extra - 1:03d}" in page
    # beyond the last page shows the last; a page that is not a number is refused
    assert "Page 2 of 2" in _text(visitor.get(path, {"service": highways.service, "page": 99}))
    assert visitor.get(path, {"page": "two"}).status_code == 400
    # a download is the whole register as filtered, never one page
    records = json.loads(_text(visitor.get(reverse("public_contracts_download", args=["northfield", "json"]),
                                           {"service": highways.service})))["contracts"]
    assert len(records) == extra + 1 and {r["service"] for r in records} == {highways.service}


def test_a_kept_register_page_is_rebuilt_as_soon_as_anything_it_shows_changes(world) -> None:
    """Each worker keeps the register pages it built under the version of what they show (`public.data._pages`): a
    kept page costs one query, and each kind of write that changes what a page shows is seen on the next view."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commonweal.domain.notices.kinds import NoticeType
    from commonweal.web.models import Organisation
    from commonweal.web.publishing import data as publishing

    today = timezone.localdate()

    def register(contract: Contract | None = None) -> data.ContractsPage:
        if contract is not None:
            return data.published_contract("northfield", contract.pk, today)
        return data.contracts_page("northfield", contracts.Filters(), today)

    def references() -> set[str]:
        return {c.reference for c in register().contracts}

    first = register()
    with CaptureQueriesContext(connection) as reads:
        assert register() == first
    assert len(reads) == 1  # the council with the version of what its register shows
    commissioner = User.objects.get(username="shared.commissioner")
    # a contract details notice's record removed, then recorded again as the publishing area records it
    hidden = _unpublish("NBC-C-003", "UK7")
    assert "NBC-C-003" not in references()
    publishing.record_publication(commissioner, hidden.organisation, "contract", str(hidden.pk), NoticeType.UK7,
                                  today, "012345-2026", today)
    assert "NBC-C-003" in references()
    # a performance notice recorded: the ratings of the periods it covers become public on the kept contract page
    rated = Contract.objects.get(reference="NBC-C-004")
    assert register(rated).contracts[0].ratings == ()
    publishing.record_publication(commissioner, rated.organisation, "contract", str(rated.pk), NoticeType.UK9,
                                  today, "012346-2026", today)
    assert register(rated).contracts[0].ratings
    # a provider's return verified in the contracts area: its social value counts on the kept register page
    home_care = Contract.objects.get(reference="NBC-C-001")
    last = Return.objects.filter(contract=home_care).order_by("period_end").last()
    with transaction.atomic():
        submitted = Return.objects.create(contract=home_care, period_start=last.period_end + dt.timedelta(days=1),
                                          period_end=last.period_end + dt.timedelta(days=2), submitted_for="provider")
        submitted.deliveries.create(measure="VOL-HOUR-ASHE2024", quantity=100, verification="unverified")
        contracts.refresh(Contract.objects.select_for_update().get(pk=home_care.pk), today)
    before = sum(t.verified for t in register().by_core_value)
    access = contracts.contract_access(commissioner, home_care.pk, change=True)
    contracts.check_return(access, submitted.pk, Return.VERIFIED, "", today)
    assert sum(t.verified for t in register().by_core_value) > before
    # the council renamed
    Organisation.objects.filter(slug="northfield").update(name="Northfield Borough Council (renamed)")
    assert register().name == "Northfield Borough Council (renamed)"
