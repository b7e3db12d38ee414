"""The provider side of contracts: a council links a contract to its provider, and the provider's contract leads and
returns contributors see their own contracts with each council, and nothing else (issue: portal round 2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonweal.web.contracts.models import Contract, Evidence, Return
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


# -- returns: the provider submits, the council checks, the provider responds -----------------------------------------


def _last_period(c: Contract) -> str:
    latest = Return.objects.filter(contract=c).order_by("-period_start").first()
    assert latest is not None
    return latest.period_start.isoformat()


def test_the_provider_submits_a_return_the_council_queries_it_and_the_provider_responds(world) -> None:
    c = _contract("northfield", "NBC-C-001")
    kpi = c.kpis.order_by("code").first()
    measure = sorted(set(c.commitments.values_list("measure", flat=True)))[0]
    provider = _signed_in("brightwater.bids")
    period = _last_period(c)
    response = provider.post(reverse("portal_return", args=[c.pk]), {
        "period_start": period, f"kpi_{kpi.pk}": "12.5", "volume": "900", "cost": "1000.00",
        "sv_0_quantity": "3", "sv_0_evidence": "Payroll report",
        # a provider cannot verify its own claim: the field is not on its form, and is ignored if sent
        "sv_0_verification": "verified", "status": "verified",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    ret = Return.objects.get(contract=c, period_start=period)
    assert (ret.status, ret.submitted_for, ret.submitted_by.username) == ("submitted", "provider", "brightwater.bids")
    assert ret.results.get(kpi=kpi).actual == Decimal("12.5")
    delivery = ret.deliveries.get(measure=measure)
    assert (delivery.quantity, delivery.verification) == (Decimal(3), "unverified")

    council = _signed_in("shared.commissioner")
    check = reverse("contract_return_check", args=[c.pk, ret.pk])
    refused = council.post(check, {"status": "queried", "reason": ""})
    assert refused.status_code == 400 and "Enter the reason the provider will see" in refused.content.decode()
    query = {"status": "queried", "reason": "Volumes are 10% below the plan: why?"}
    assert council.post(check, query).status_code == 302
    page = provider.get(reverse("portal_contract", args=[c.pk])).content.decode()
    assert "Queried" in page and "Volumes are 10% below the plan: why?" in page

    answered = provider.post(reverse("portal_return_respond", args=[c.pk, ret.pk]), {"response": "Two carers left"})
    assert answered.status_code == 302
    assert "Two carers left" in council.get(check).content.decode()
    assert council.post(check, {"status": "verified", "reason": ""}).status_code == 302
    ret.refresh_from_db()
    assert ret.status == "verified"
    actions = list(AuditEntry.objects.filter(action__in=["return_saved", "return_checked", "return_response"])
                   .order_by("pk").values_list("action", flat=True))
    assert actions[-4:] == ["return_saved", "return_checked", "return_response", "return_checked"]
    # once verified, the provider can no longer replace it
    again = provider.post(reverse("portal_return", args=[c.pk]), {"period_start": period})
    assert again.status_code == 400 and "can no longer be replaced" in again.content.decode()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def test_evidence_files_are_checked_by_content_shown_beside_their_line_and_served_only_to_the_contracts_people(
        world, settings) -> None:
    c = _contract("northfield", "NBC-C-001")  # let to Brightwater by the demo
    kpi = c.kpis.order_by("code").first()
    measure = sorted(set(c.commitments.values_list("measure", flat=True)))[0]
    provider = _signed_in("brightwater.bids")
    period = _last_period(c)
    before = Return.objects.get(contract=c, period_start=period)
    form = {"period_start": period, f"kpi_{kpi.pk}": "12.5", "sv_0_quantity": "3", "sv_0_evidence": "Payroll report"}
    # a text file named .pdf is refused by its content, on its own field; nothing of the return is saved
    refused = provider.post(reverse("portal_return", args=[c.pk]), {
        **form, "sv_0_file": SimpleUploadedFile("payroll.pdf", b"just some text"),
        f"kpi_{kpi.pk}_file": SimpleUploadedFile("kpi.pdf", PDF)})
    assert refused.status_code == 400 and 'href="#sv_0_file"' in refused.content.decode()
    assert "is not a PDF" in refused.content.decode()
    assert Return.objects.get(pk=before.pk).updated_at == before.updated_at and not Evidence.objects.exists()

    response = provider.post(reverse("portal_return", args=[c.pk]), {
        **form, "sv_0_file": SimpleUploadedFile("payroll.pdf", PDF + b"payroll"),
        f"kpi_{kpi.pk}_file": SimpleUploadedFile("kpi.pdf", PDF)})
    assert response.status_code == 302, response.content.decode()[:2000]
    ret = Return.objects.get(contract=c, period_start=period)
    payroll, kpi_file = Evidence.objects.get(name="payroll.pdf"), Evidence.objects.get(name="kpi.pdf")
    assert (payroll.ret_id, payroll.line, payroll.kind, kpi_file.line) == (ret.pk, measure, "pdf", kpi.code)
    assert payroll.stored_as.startswith(f"northfield/contracts/{c.pk}/")
    assert (settings.COMMONWEAL_MEDIA_ROOT / payroll.stored_as).read_bytes() == PDF + b"payroll"
    saved = AuditEntry.objects.filter(action="return_saved").order_by("pk").last()
    assert sorted(e["name"] for e in saved.detail["evidence"]) == ["kpi.pdf", "payroll.pdf"]

    # the council sees each file beside its line when it checks the return
    check = _signed_in("shared.commissioner").get(reverse("contract_return_check", args=[c.pk, ret.pk]))
    page = check.content.decode()
    url = reverse("contract_evidence", args=[c.pk, payroll.pk])
    row = page[page.index(f"<td class=\"govuk-table__cell\">{measure}</td>"):]
    assert row.index(url) < row.index("</tr>")
    # served as stored to the council's readers and the contract's provider, never parsed
    for reader in ("viewer", "shared.commissioner", "brightwater.bids"):
        served = _signed_in(reader).get(url)
        assert served.status_code == 200 and served.content == PDF + b"payroll", reader
        assert served["Content-Type"] == "application/pdf"
    assert f'href="{url}"' in provider.get(reverse("portal_contract", args=[c.pk])).content.decode()
    # another provider, another council and an organisation member without a contract role get nothing
    sdhs = Provider.objects.get(organisation__name="Southdale Home Support CIC")
    ProviderMember.objects.create(provider=sdhs, user=User.objects.get(username="sdhs.bids"),
                                  role=ProviderRole.CONTRACT_LEAD)
    _link("southdale", "SDC-C-001", "southdale home support cic")
    assert _signed_in("sdhs.bids").get(url).status_code == 404
    assert _signed_in("southdale.commissioner").get(url).status_code == 404
    assert _signed_in("evaluator1").get(url).status_code == 403
    # nor through another contract's path
    other = _contract("northfield", "NBC-C-002")
    assert _signed_in("shared.commissioner").get(reverse("contract_evidence", args=[other.pk, payroll.pk])
                                                 ).status_code == 404


def test_a_provider_cannot_submit_or_respond_on_another_providers_contract(world) -> None:
    other = _contract("northfield", "NBC-C-002")  # not linked
    ret = Return.objects.filter(contract=other).first()
    client = _signed_in("brightwater.bids")
    submitted = client.post(reverse("portal_return", args=[other.pk]), {"period_start": _last_period(other)})
    assert submitted.status_code == 404
    assert client.post(reverse("portal_return_respond", args=[other.pk, ret.pk]), {"response": "x"}).status_code == 404
    # nor through its own contract's path with another contract's return
    own = _contract("northfield", "NBC-C-001")
    assert client.post(reverse("portal_return_respond", args=[own.pk, ret.pk]), {"response": "x"}).status_code == 404


# -- "not working for us" --------------------------------------------------------------------------------------------


def test_the_providers_concern_opens_a_review_and_the_councils_decision_shows_to_it(world) -> None:
    c = _contract("northfield", "NBC-C-001")
    assert not c.reviews.exists()
    provider = _signed_in("brightwater.bids")
    concern = {"kind": "provider_inflation_pressure", "description": "Wages rose 9%; the price rose 3%"}
    assert provider.post(reverse("portal_concern", args=[c.pk]), concern).status_code == 302
    review = c.reviews.get()
    assert (review.status, review.trigger) == ("open", "provider_inflation_pressure")
    assert "Wages rose 9%" in review.reason
    # a second concern joins the open review
    spec = {"kind": "provider_specification", "description": "Visits of 15 minutes are too short"}
    assert provider.post(reverse("portal_concern", args=[c.pk]), spec).status_code == 302
    assert c.reviews.count() == 1 and review.provider_concerns.count() == 2
    assert "Under review" in provider.get(reverse("portal_contract", args=[c.pk])).content.decode()

    council = _signed_in("shared.commissioner")
    review_args = [c.pk, review.pk]
    # the council reads every concern the provider raised on the review, the joined one too
    council_page = council.get(reverse("contract_review", args=review_args)).content.decode()
    assert "Visits of 15 minutes are too short" in council_page
    notes = {"meeting_on": "2026-12-01", "attendees": "Both sides",
             "meeting_notes": "Council's internal view: hold firm"}
    assert council.post(reverse("contract_review_meeting", args=review_args), notes).status_code == 302
    decision = {"decision": "no_change", "reason": "The price review clause applies in April"}
    assert council.post(reverse("contract_review_decision", args=review_args), decision).status_code == 302
    page = provider.get(reverse("portal_contract", args=[c.pk])).content.decode()
    assert "The price review clause applies in April" in page
    assert "hold firm" not in page  # the council's meeting notes stay the council's
    assert AuditEntry.objects.filter(action="provider_concern_raised", detail__joined=True).count() == 1


def test_another_provider_cannot_raise_a_concern_on_the_contract(world) -> None:
    c = _contract("northfield", "NBC-C-001")
    response = _signed_in("sdhs.bids").post(reverse("portal_concern", args=[c.pk]),
                                            {"kind": "provider_loss_making", "description": "x"})
    assert response.status_code == 404
    assert not c.reviews.exists()


# -- the home page ---------------------------------------------------------------------------------------------------


def test_home_shows_the_council_returns_to_check_and_concerns_and_the_provider_its_queries_and_returns_due(
        world) -> None:
    from django.utils import timezone

    c = _contract("northfield", "NBC-C-001")
    provider, council = _signed_in("brightwater.bids"), _signed_in("shared.commissioner")
    assert "to check" not in council.get("/").content.decode()
    period = _last_period(c)
    assert provider.post(reverse("portal_return", args=[c.pk]), {"period_start": period}).status_code == 302
    ret = Return.objects.get(contract=c, period_start=period)
    home = council.get("/").content.decode()
    assert "1 provider return to check" in home
    # Northfield's `commissioner` holds no organisation role and manages no contract: not theirs to check
    assert "to check" not in _signed_in("commissioner").get("/").content.decode()
    assert "respond to the council" not in provider.get("/").content.decode()
    check = reverse("contract_return_check", args=[c.pk, ret.pk])
    assert council.post(check, {"status": "queried", "reason": "Why so few?"}).status_code == 302
    assert "to check" not in council.get("/").content.decode()
    assert "1 return queried or rejected: respond to the council" in provider.get("/").content.decode()
    # another provider's people never see it
    assert "respond to the council" not in _signed_in("sdhs.bids").get("/").content.decode()
    responded = provider.post(reverse("portal_return_respond", args=[c.pk, ret.pk]), {"response": "Two left"})
    assert responded.status_code == 302
    assert "respond to the council" not in provider.get("/").content.decode()

    concern = {"kind": "provider_loss_making", "description": "Hourly rate below our cost"}
    assert provider.post(reverse("portal_concern", args=[c.pk]), concern).status_code == 302
    assert "concern from the provider in the open review" in council.get("/").content.decode()

    # a live contract begun 200 days ago with no return counted: its first period's return is due; none once ended
    Return.objects.filter(contract=c).delete()
    today = timezone.localdate()
    Contract.objects.filter(pk=c.pk).update(start=today - dt.timedelta(days=200), end=today + dt.timedelta(days=365),
                                            frequency="quarterly")
    assert "is due" in provider.get("/").content.decode()
    Contract.objects.filter(pk=c.pk).update(end=today - dt.timedelta(days=1))
    assert "is due" not in provider.get("/").content.decode()


# -- query ceilings --------------------------------------------------------------------------------------------------

# The most queries each portal contract page may run (session and user included), however many contracts the provider
# holds and however many returns and concerns each has; the contract and return pages read the returns' evidence
# files in one more query.
CEILINGS = {"portal_contracts": 4, "portal_contract": 12, "portal_return": 12, "portal_concern": 4,
            "contract_return_check": 12}


def _portal_queries(c: Contract) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    latest = Return.objects.filter(contract=c).order_by("-period_start").first()
    pages = {
        "portal_contracts": ("brightwater.bids", reverse("portal_contracts")),
        "portal_contract": ("brightwater.bids", reverse("portal_contract", args=[c.pk])),
        "portal_return": ("brightwater.bids", reverse("portal_return", args=[c.pk])),
        "portal_concern": ("brightwater.bids", reverse("portal_concern", args=[c.pk])),
        "contract_return_check": ("shared.commissioner", reverse("contract_return_check", args=[c.pk, latest.pk])),
    }
    counts = {}
    for name, (who, path) in pages.items():
        client = _signed_in(who)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_portal_contract_pages_cost_the_same_queries_however_many_contracts_and_returns(world) -> None:
    from commonweal.web.providers.models import Concern

    c = _contract("northfield", "NBC-C-001")
    small = _portal_queries(c)
    brightwater = Provider.objects.get(organisation__name="Brightwater Care Ltd")
    lead = User.objects.get(username="brightwater.bids")
    for n in range(12):  # twelve more contracts let to the provider, each with a return
        extra = Contract.objects.get(pk=c.pk)
        extra.pk, extra.reference = None, f"NBC-X-{n:03}"
        extra.save()
        ContractProvider.objects.create(contract=extra, provider=brightwater)
        Return.objects.create(contract=extra, period_start=c.start, period_end=c.start, status="queried",
                              check_reason="Why?", submitted_for="provider")
    last = Return.objects.filter(contract=c).order_by("-period_end").first()
    for n in range(1, 13):  # a year of further queried returns on this one
        start = last.period_end + dt.timedelta(days=n * 31)
        Return.objects.create(contract=c, period_start=start, period_end=start + dt.timedelta(days=30),
                              status="queried", check_reason=f"Query {n}", submitted_for="provider")
    provider = _signed_in("brightwater.bids")
    for n in range(5):
        provider.post(reverse("portal_concern", args=[c.pk]), {"kind": "provider_specification",
                                                               "description": f"Concern {n}"})
    assert Concern.objects.filter(contract=c, raised_by=lead).count() == 5
    large = _portal_queries(c)
    assert large == small
    assert {name: n for name, n in small.items() if n > CEILINGS[name]} == {}, small


# -- the performance ratings before the council publishes them (UK9) --------------------------------------------------


def test_the_provider_sees_the_ratings_before_publication_and_its_comment_reaches_the_uk9_preview(world) -> None:
    from commonweal.web.providers.models import RatingComment

    c = _contract("northfield", "NBC-C-001")
    notice = c.review["performance_notice"]
    assert notice["ratings"], "the demo contract's stored review rates its KPIs"
    provider = _signed_in("brightwater.bids")
    path = reverse("portal_ratings", args=[c.pk])
    page = provider.get(path).content.decode()
    for rating in notice["ratings"]:
        assert rating["kpi"] in page
    # another provider's person, and a council's, find no such page
    assert _signed_in("sdhs.bids").get(path).status_code == 404
    assert _signed_in("shared.commissioner").get(path).status_code == 404
    assert provider.post(path, {"comment": ""}).status_code == 400
    comment = "KPI 2 fell in March because the council paused referrals for three weeks"
    assert provider.post(path, {"comment": comment}).status_code == 302
    kept = RatingComment.objects.get(contract=c)
    assert (kept.period_start.isoformat(), kept.period_end.isoformat()) == (notice["period"]["start"],
                                                                            notice["period"]["end"])
    assert AuditEntry.objects.filter(action="rating_comment_made", actor="brightwater.bids").exists()
    assert comment in provider.get(path).content.decode()
    preview = reverse("notice_preview", args=["northfield", "contract", str(c.pk), "UK9"])
    assert comment in _signed_in("shared.commissioner").get(preview).content.decode()
    # the UK7 preview of the same contract is not about ratings
    other = reverse("notice_preview", args=["northfield", "contract", str(c.pk), "UK7"])
    assert comment not in _signed_in("shared.commissioner").get(other).content.decode()


def test_only_the_contract_lead_comments_on_the_ratings(world) -> None:
    from commonweal.web.providers.models import RatingComment

    c = _contract("northfield", "NBC-C-001")
    brightwater = Provider.objects.get(organisation__name="Brightwater Care Ltd")
    lead = User.objects.get(username="brightwater.bids")
    ProviderMember.objects.filter(provider=brightwater, user=lead, role=ProviderRole.CONTRACT_LEAD).delete()
    ProviderMember.objects.get_or_create(provider=brightwater, user=lead, role=ProviderRole.RETURNS_CONTRIBUTOR)
    client = _signed_in("brightwater.bids")
    assert client.post(reverse("portal_ratings", args=[c.pk]), {"comment": "x"}).status_code == 403
    assert not RatingComment.objects.exists()


def _upload_returns(client: Client, c: Contract, tables: dict[str, str], evidence: list[tuple[str, bytes]]):
    files = {name: SimpleUploadedFile(f"{name}.csv", text.encode()) for name, text in tables.items()}
    return client.post(reverse("portal_returns_upload", args=[c.pk]),
                       {**files, "evidence": [SimpleUploadedFile(name, content) for name, content in evidence]})


def test_the_provider_uploads_its_returns_as_tables_which_the_council_checks_as_any_return(world) -> None:
    """The provider's CSV/XLSX upload (issue #20 point 3): read and checked as the council's upload, each return
    submitted for the council to check, its claims unverified; a claim stated as verified is refused at its row and
    column with nothing saved; a period the council has verified is not replaced; another provider's contract does not
    exist for it."""
    c = _contract("northfield", "NBC-C-001")
    kpi = c.kpis.order_by("code").first()
    measure = sorted(set(c.commitments.values_list("measure", flat=True)))[0]
    period = _last_period(c)
    provider = _signed_in("brightwater.bids")
    assert reverse("portal_returns_upload", args=[c.pk]) in provider.get(
        reverse("portal_contract", args=[c.pk])).content.decode()
    tables = {"kpi_returns": f"period_start,kpi,actual\n{period},{kpi.code},12.5\n",
              "social_value_returns": f"period_start,measure,quantity,evidence,verification,evidence_file\n"
                                      f"{period},{measure},3,Payroll report,verified,payroll.pdf\n",
              "provider_returns": f"period_start,volume\n{period},900\n"}
    before = Return.objects.count(), AuditEntry.objects.count()
    refused = _upload_returns(provider, c, tables, [("payroll.pdf", PDF)])
    html = refused.content.decode()
    assert refused.status_code == 400 and "social_value_returns.csv" in html and "verification" in html
    assert "states each claim as unverified" in html
    assert (Return.objects.count(), AuditEntry.objects.count()) == before
    tables["social_value_returns"] = tables["social_value_returns"].replace(",verified,", ",unverified,")
    response = _upload_returns(provider, c, tables, [("payroll.pdf", PDF)])
    assert response.status_code == 302, response.content.decode()[:3000]
    ret = Return.objects.get(contract=c, period_start=period)
    assert (ret.status, ret.submitted_for, ret.submitted_by.username) == ("submitted", "provider", "brightwater.bids")
    assert ret.results.get(kpi=kpi).actual == Decimal("12.5") and ret.volume == 900
    delivery = ret.deliveries.get(measure=measure)
    assert (delivery.quantity, delivery.verification) == (Decimal(3), "unverified")
    assert Evidence.objects.get(ret=ret).line == measure
    saved = AuditEntry.objects.filter(action="return_saved").order_by("pk").last()
    assert saved.actor == "brightwater.bids" and saved.detail["source"].endswith("(provider)")
    # the council checks it as any return; once verified the provider's upload no longer replaces it
    council = _signed_in("shared.commissioner")
    assert council.post(reverse("contract_return_check", args=[c.pk, ret.pk]),
                        {"status": "verified", "reason": ""}).status_code == 302
    again = _upload_returns(provider, c, tables, [("payroll.pdf", PDF)])
    assert again.status_code == 400 and "can no longer be replaced" in again.content.decode()
    ret.refresh_from_db()
    assert ret.status == "verified" and ret.deliveries.get(measure=measure).quantity == Decimal(3)
    # a contract let to another provider does not exist for it
    southdale = _contract("southdale", "SDC-C-001")
    assert _upload_returns(provider, southdale, tables, []).status_code == 404
