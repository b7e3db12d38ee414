"""A return's evidence files beyond the return form: uploaded with the CSV/XLSX return tables (each attached to the
line of the row that names it, or to the one return the tables hold; a file the store refuses refuses everything),
and deleted by the council's contract writers or the provider that added them while the return is not verified
(audited, the stored file removed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonweal.web.contracts.models import Contract, Evidence, Return
from commonweal.web.models import AuditEntry

pytestmark = pytest.mark.db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _saved() -> tuple[int, ...]:
    return (*(m.objects.count() for m in apps.get_app_config("contracts").get_models()), AuditEntry.objects.count())


def _periods(c: Contract) -> tuple[dt.date, dt.date]:
    """The contract's last returned period and the one after it (over, and late on the demo's NBC-C-007)."""
    last = c.returns.order_by("-period_start").first()
    return last.period_start, last.period_end + dt.timedelta(days=1)


def _upload(client: Client, c: Contract, tables: dict[str, str], evidence: list[tuple[str, bytes]]):
    files = {name: SimpleUploadedFile(f"{name}.csv", text.encode()) for name, text in tables.items()}
    return client.post(reverse("contract_returns_upload", args=[c.pk]),
                       {**files, "evidence": [SimpleUploadedFile(name, content) for name, content in evidence]})


def test_an_upload_attaches_each_named_file_to_its_line_and_a_loose_one_to_its_only_return(world, settings) -> None:
    c = Contract.objects.get(reference="NBC-C-007")
    _, october = _periods(c)
    tables = {"kpi_returns": f"period_start,kpi,actual,evidence_file\n{october},KPI1,96,rota.pdf\n"
                             f"{october},KPI2,97,\n{october},KPI3,95,rota.pdf\n",
              # a costs and volumes row's file is evidence for the whole return
              "provider_returns": f"period_start,volume,evidence_file\n{october},1000,costs.pdf\n"}
    response = _upload(_client("contract.manager"), c, tables,
                       [("rota.pdf", PDF + b"rota"), ("costs.pdf", PDF + b"costs"), ("letter.pdf", PDF)])
    assert response.status_code == 302, response.content.decode()[:3000]
    ret = Return.objects.get(contract=c, period_start=october)
    found = sorted((e.line, e.name) for e in Evidence.objects.filter(ret=ret))
    # the file two rows name is evidence for both lines; the one no row names is the whole return's
    assert found == [("", "costs.pdf"), ("", "letter.pdf"), ("KPI1", "rota.pdf"), ("KPI3", "rota.pdf")]
    rota = Evidence.objects.filter(name="rota.pdf").first()
    assert rota.stored_as.startswith(f"northfield/contracts/{c.pk}/returns/{october.isoformat()}/")
    assert (settings.COMMONWEAL_MEDIA_ROOT / rota.stored_as).read_bytes() == PDF + b"rota"
    saved = AuditEntry.objects.filter(action="return_saved").order_by("pk").last()
    assert sorted(e["name"] for e in saved.detail["evidence"]) == ["costs.pdf", "letter.pdf", "rota.pdf",
                                                                   "rota.pdf"]

    # listed beside their lines (and the whole return's) on the return's page, served only to the contract's people
    page = _client("shared.commissioner").get(reverse("contract_return_check", args=[c.pk, ret.pk])).content.decode()
    letter = Evidence.objects.get(name="letter.pdf")
    url = reverse("contract_evidence", args=[c.pk, letter.pk])
    assert url in page and page.index("Evidence for the whole return") < page.index(url)
    assert reverse("contract_evidence", args=[c.pk, rota.pk]) in page
    assert reverse("contract_evidence_delete", args=[c.pk, letter.pk]) in page  # the return is not yet verified
    served = _client("viewer").get(url)
    assert served.status_code == 200 and served.content == PDF
    assert _client("southdale.commissioner").get(url).status_code == 404
    assert _client("evaluator1").get(url).status_code == 403
    assert _client("brightwater.bids").get(url).status_code == 404  # NBC-C-007 is not let to Brightwater


def test_a_file_the_store_refuses_refuses_the_whole_upload_and_stores_nothing(world, settings) -> None:
    c = Contract.objects.get(reference="NBC-C-007")
    _, october = _periods(c)
    tables = {"kpi_returns": f"period_start,kpi,actual,evidence_file\n{october},KPI1,96,rota.pdf\n"}
    before = _saved()
    response = _upload(_client("contract.manager"), c, tables,
                       [("rota.pdf", PDF), ("minutes.pdf", b"just some text, not a PDF")])
    html = response.content.decode()
    assert response.status_code == 400 and "minutes.pdf" in html and "is not a PDF" in html
    assert 'href="#evidence"' in html
    assert _saved() == before and not Return.objects.filter(contract=c, period_start=october).exists()
    assert not (settings.COMMONWEAL_MEDIA_ROOT / "northfield").exists()
    # a file of a kind the store never takes is refused by the form, by name, before anything reads it
    response = _upload(_client("contract.manager"), c, tables, [("rota.pdf", PDF), ("run.exe", PDF)])
    assert response.status_code == 400 and _saved() == before


def test_with_several_periods_each_file_is_named_by_its_row_or_nothing_is_saved(world, settings) -> None:
    c = Contract.objects.get(reference="NBC-C-007")
    september, october = _periods(c)
    rows = f"period_start,kpi,actual,evidence_file\n{september},KPI1,96,\n{october},KPI1,96,rota.pdf\n"
    manager = _client("contract.manager")
    before = _saved()
    # a loose file with returns for two periods: which return it is for would be a guess
    loose = _upload(manager, c, {"kpi_returns": rows}, [("rota.pdf", PDF), ("letter.pdf", PDF)])
    assert loose.status_code == 400 and "no row names this evidence file" in loose.content.decode()
    # a row naming a file that was not uploaded, and two files of one name
    missing = _upload(manager, c, {"kpi_returns": rows.replace(",96,\n", ",96,minutes.pdf\n")}, [("rota.pdf", PDF)])
    assert missing.status_code == 400 and "expected the name of an evidence file" in missing.content.decode()
    twice = _upload(manager, c, {"kpi_returns": rows}, [("rota.pdf", PDF), ("rota.pdf", PDF + b"2")])
    assert twice.status_code == 400 and "two evidence files have this name" in twice.content.decode()
    assert _saved() == before and not (settings.COMMONWEAL_MEDIA_ROOT / "northfield").exists()

    response = _upload(manager, c, {"kpi_returns": rows}, [("rota.pdf", PDF)])
    assert response.status_code == 302
    assert [(e.ret.period_start, e.line) for e in Evidence.objects.select_related("ret")] == [(october, "KPI1")]


def _delete(client: Client, c: Contract, evidence: Evidence, confirm: bool = True):
    return client.post(reverse("contract_evidence_delete", args=[c.pk, evidence.pk]),
                       {"confirm": "yes"} if confirm else {})


def test_the_councils_writers_delete_a_file_until_the_return_is_verified(
        world, settings, django_capture_on_commit_callbacks) -> None:
    c = Contract.objects.get(reference="NBC-C-007")
    _, october = _periods(c)
    tables = {"kpi_returns": f"period_start,kpi,actual,evidence_file\n{october},KPI1,96,rota.pdf\n"
                             f"{october},KPI2,97,rota.pdf\n{october},KPI3,95,\n"}
    assert _upload(_client("contract.manager"), c, tables, [("rota.pdf", PDF), ("letter.pdf", PDF + b"l")]
                   ).status_code == 302
    first, second = Evidence.objects.filter(name="rota.pdf").order_by("line")
    letter = Evidence.objects.get(name="letter.pdf")
    stored = settings.COMMONWEAL_MEDIA_ROOT / first.stored_as
    page = reverse("contract_evidence_delete", args=[c.pk, first.pk])
    # who may: the contract's writers; its readers see the file but may not delete it; others find nothing
    assert _client("viewer").get(page).status_code == 403
    assert _client("evaluator1").get(page).status_code == 403
    assert _client("southdale.commissioner").get(page).status_code == 404
    assert _client("brightwater.bids").get(page).status_code == 404
    confirm = _client("shared.commissioner").get(page)
    assert confirm.status_code == 200 and "rota.pdf" in confirm.content.decode()
    before = _saved()
    assert _delete(_client("viewer"), c, first).status_code == 403
    assert _delete(_client("contract.manager"), c, first, confirm=False).status_code == 400
    assert _saved() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(_client("contract.manager"), c, first)
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=first.pk).exists()
    entry = AuditEntry.objects.filter(action="evidence_deleted").get()
    assert entry.actor == "contract.manager" and entry.detail == {
        "contract": "NBC-C-007", "period_start": october.isoformat(), "line": "KPI1", "name": "rota.pdf",
        "sha256": first.sha256, "side": "council"}
    assert stored.exists()  # the same file is still KPI2's evidence
    with django_capture_on_commit_callbacks(execute=True):
        assert _delete(_client("shared.commissioner"), c, second).status_code == 302
    assert not stored.exists()
    assert reverse("contract_evidence", args=[c.pk, first.pk]) not in _client("shared.commissioner").get(
        reverse("contract_return_check", args=[c.pk, letter.ret_id])).content.decode()

    # once verified, the file stays, with the reason
    ret = Return.objects.get(pk=letter.ret_id)
    assert _client("shared.commissioner").post(reverse("contract_return_check", args=[c.pk, ret.pk]),
                                               {"status": "verified", "reason": ""}).status_code == 302
    shown = _client("shared.commissioner").get(reverse("contract_evidence_delete", args=[c.pk, letter.pk]))
    assert shown.status_code == 200 and "can no longer be deleted" in shown.content.decode()
    assert 'name="confirm"' not in shown.content.decode()
    before = _saved()
    refused = _delete(_client("shared.commissioner"), c, letter)
    assert refused.status_code == 400 and "This return is verified" in refused.content.decode()
    assert _saved() == before and (settings.COMMONWEAL_MEDIA_ROOT / letter.stored_as).exists()


def test_the_provider_deletes_only_the_files_it_added_to_its_own_unverified_return(
        world, settings, django_capture_on_commit_callbacks) -> None:
    from commonweal.web.models import Membership
    from commonweal.web.providers.models import Provider, ProviderMember, ProviderRole

    c = Contract.objects.get(reference="NBC-C-001")  # let to Brightwater by the demo
    brightwater = Provider.objects.get(organisation__name="Brightwater Care Ltd")
    contributor = User.objects.create_user("brightwater.returns")
    Membership.objects.create(user=contributor, organisation=brightwater.organisation, role="")
    ProviderMember.objects.create(provider=brightwater, user=contributor, role=ProviderRole.RETURNS_CONTRIBUTOR)
    latest = c.returns.order_by("-period_start").first()
    kpi = c.kpis.order_by("code").first()
    submitted = _client("brightwater.bids").post(reverse("portal_return", args=[c.pk]), {
        "period_start": latest.period_start.isoformat(), f"kpi_{kpi.pk}": "96",
        f"kpi_{kpi.pk}_file": SimpleUploadedFile("rota.pdf", PDF + b"mine")})
    assert submitted.status_code == 302
    mine = Evidence.objects.get(name="rota.pdf")
    # a file the council added to the same return is not the provider's to delete
    theirs = Evidence.objects.create(ret=mine.ret, line="", name="council.pdf", added_by=User.objects.get(
        username="shared.commissioner"), kind="pdf", size=1, sha256=mine.sha256, stored_as=mine.stored_as)
    assert _client("brightwater.returns").get(reverse("contract_evidence_delete", args=[c.pk, theirs.pk])
                                              ).status_code == 403
    assert _delete(_client("brightwater.returns"), c, theirs).status_code == 403
    # another council's provider finds nothing
    assert _delete(_client("sdhs.bids"), c, mine).status_code == 404
    portal = _client("brightwater.returns").get(reverse("portal_contract", args=[c.pk])).content.decode()
    assert reverse("contract_evidence_delete", args=[c.pk, mine.pk]) in portal

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(_client("brightwater.returns"), c, mine)
    assert response.status_code == 302 and response["Location"] == reverse("portal_contract", args=[c.pk])
    assert not Evidence.objects.filter(pk=mine.pk).exists()
    assert AuditEntry.objects.get(action="evidence_deleted").detail["side"] == "provider"
    # the council's record of the same content keeps the stored file
    assert (settings.COMMONWEAL_MEDIA_ROOT / theirs.stored_as).exists()
