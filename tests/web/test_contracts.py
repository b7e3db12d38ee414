"""The contracts area end to end on the demo world: access (organisation roles and the per-contract contract
manager, another organisation's contracts not found), creating a contract from an award only after standstill,
importing a Transparency Code register all or nothing, returns by form and upload recomputing the stored ratings,
the variations check, the renegotiation workflow with actions on the home page, hostile values on every form, and
the register's queries not growing with the register."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonweal.web import documents
from commonweal.web.contracts import data
from commonweal.web.contracts.models import Action, Contract, ContractRole, Evidence, Review, Variation
from commonweal.web.models import AuditEntry, Bid, Tender

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"
TODAY = timezone.localdate()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _contract(reference: str) -> Contract:
    return Contract.objects.get(reference=reference)


def _saved() -> tuple[int, ...]:
    return (*(m.objects.count() for m in apps.get_app_config("contracts").get_models()), AuditEntry.objects.count())


def test_the_demo_holds_contracts_in_every_state(world) -> None:
    ratings = dict(Contract.objects.filter(organisation__slug="northfield").values_list("reference", "rating"))
    assert ratings["NBC-C-001"] == "good"
    assert ratings["NBC-C-002"] == "approaching target"
    assert ratings["NBC-C-003"] == "requires improvement"
    assert ratings["NBC-C-004"] == "inadequate"
    meals = _contract("NBC-C-005")
    assert meals.provider_triggers_fired >= 1
    assert {t["id"] for t in meals.review["triggers"] if t["fired"]} >= {"provider_loss_making",
                                                                          "provider_inflation_pressure"}
    assert "s.52(1)" in _contract("NBC-C-006").review["warnings"][0]
    good = _contract("NBC-C-001")
    assert good.sv_committed > 0 and good.sv_delivered >= good.sv_due > 0
    assert Review.objects.filter(contract__reference="NBC-C-004", status=Review.OPEN).exists()


def test_a_contract_manager_sees_only_the_contracts_they_manage(world) -> None:
    manager = _client("contract.manager")
    page = manager.get(reverse("contracts_register", args=["northfield"])).content.decode()
    assert "NBC-C-004" in page and "NBC-C-001" in page
    assert ContractRole.objects.filter(contract__reference="NBC-C-007").delete()[0] == 1
    page = manager.get(reverse("contracts_register", args=["northfield"])).content.decode()
    assert "NBC-C-007" not in page
    assert manager.get(reverse("contract", args=[_contract("NBC-C-007").pk])).status_code == 403
    assert manager.get(reverse("contract_return", args=[_contract("NBC-C-001").pk])).status_code == 200


def test_another_organisations_contracts_do_not_exist(world) -> None:
    southdale = _contract("SDC-C-001")
    for name in ("viewer", "admin", "commissioner", "contract.manager"):
        client = _client(name)
        assert client.get(reverse("contract", args=[southdale.pk])).status_code == 404, name
        assert client.post(reverse("contract_kpis", args=[southdale.pk]), {}).status_code == 404, name
    # a shared-service commissioner of both councils sees each council's own contracts only on its register
    shared = _client("shared.commissioner").get(reverse("contracts_register", args=["southdale"])).content.decode()
    assert "SDC-C-001" in shared and "NBC-C-001" not in shared


def test_the_register_filters(world) -> None:
    client = _client("viewer")
    url = reverse("contracts_register", args=["northfield"])

    def shown(**query: str) -> set[str]:
        html = client.get(url + "?" + urlencode(query)).content.decode()
        return {c.reference for c in Contract.objects.all() if f">{c.reference}<" in html}

    assert shown(rating="inadequate") == {"NBC-C-004"}
    assert shown(band="over-5m") == {"NBC-C-006"}
    assert shown(vcse="on") == {"NBC-C-002", "NBC-C-005"}
    assert shown(service="Highways") == {"NBC-C-006"}
    assert shown(supplier="coaches") == {"NBC-C-007"}
    assert shown(expiry="6") == set()
    assert client.get(url + "?band=huge").status_code == 400
    export = client.get(reverse("contracts_export", args=["northfield", "csv"]) + "?rating=inadequate")
    assert export.status_code == 200
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("NBC-C-004,")


def _award(tender: Tender, last_day: dt.date) -> None:
    Tender.objects.filter(pk=tender.pk).update(stage="awarded", standstill_last_day=last_day,
                                               award_notice_published=last_day - dt.timedelta(days=10))


def _create_form(lot_id: int, reference: str = "SDC-C-100") -> dict[str, object]:
    return {"lot": str(lot_id), "reference": reference, "service": "Adult social care", "start": "2027-01-04",
            "end": "2030-01-03", "kind": "services", "frequency": "quarterly", "sme": "on",
            "commitments": SimpleUploadedFile("commitments.csv", (EXAMPLE / "commitments.csv").read_bytes()),
            "socialvalue": SimpleUploadedFile("socialvalue.yaml", (EXAMPLE / "socialvalue.yaml").read_bytes())}


def test_a_contract_is_created_from_the_award_only_after_standstill(world) -> None:
    tender = world["southdale"]
    lot = tender.lots.order_by("reference").first()
    client = _client("southdale.commissioner")
    url = reverse("contract_create", args=["southdale"])
    _award(tender, TODAY)  # standstill ends today: the contract may be entered into tomorrow (s.51)
    before = _saved()
    refused = client.post(url, _create_form(lot.pk))
    assert refused.status_code == 400
    assert "Procurement Act 2023 s.51" in refused.content.decode()
    assert _saved() == before
    _award(tender, TODAY - dt.timedelta(days=1))
    made = client.post(url, _create_form(lot.pk))
    assert made.status_code == 302, made.content.decode()[:3000]
    contract = Contract.objects.get(reference="SDC-C-100")
    ranking = next(x for x in tender.stored_evaluation.result["lots"] if x["lot"] == lot.reference)["ranking"]
    winner = Bid.objects.get(lot=lot, bidder=next(r["bidder"] for r in ranking if r["rank"] == 1))
    assert (contract.supplier, contract.value, contract.bid_id) == (winner.bidder, winner.price, winner.pk)
    committed = contract.commitments.all()
    assert committed and {c.measure for c in committed} <= {"EMP-JSA-FISCAL", "VOL-HOUR-ASHE2024",
                                                              "CO2-DESNZ-2024", *(c.measure for c in committed)}
    assert contract.sv_committed == sum((c.quantity * c.proxy).quantize(Decimal("0.01")) for c in committed
                                        if c.proxy is not None)
    assert AuditEntry.objects.filter(action="contract_created", detail__contract="SDC-C-100").exists()
    again = client.post(url, _create_form(lot.pk, "SDC-C-101"))
    assert again.status_code == 400  # the lot has its contract


REGISTER = ("reference,title,department,supplier,value,start_date,end_date,kind,sme,vcse,supplier_registration_number\n"
            "R-1,Grounds maintenance,Environment,Green Spaces Ltd,125000.00,2026-04-01,2028-03-31,services,yes,no,"
            "01234567\n"
            "R-2,Library books,Libraries,Book Supply plc,48000,2026-01-01,2026-12-31,goods,no,no,\n")


def test_a_register_import_is_all_or_nothing_with_each_problem_named(world) -> None:
    client = _client("shared.commissioner")
    url = reverse("contracts_import", args=["northfield"])
    bad = REGISTER + "R-3,Bad row,Environment,,12.345,01/04/2026,2026-03-01,stuff,maybe,no,\n"
    before = _saved()
    response = client.post(url, {"register": SimpleUploadedFile("register.csv", bad.encode())})
    assert response.status_code == 400
    html = response.content.decode()
    for column in ("supplier", "value", "start_date", "kind", "sme"):
        assert f"<td class=\"govuk-table__cell\">{column}</td>" in html, column
    assert _saved() == before
    response = client.post(url, {"register": SimpleUploadedFile("register.csv", REGISTER.encode())})
    assert response.status_code == 302
    imported = Contract.objects.get(reference="R-1")
    assert (imported.supplier_identifier, imported.sme, imported.value) == ("01234567", True, Decimal("125000.00"))
    again = client.post(url, {"register": SimpleUploadedFile("register.csv", REGISTER.encode())})
    assert again.status_code == 400 and "exists already" in again.content.decode()


FOLDERS = Path(__file__).resolve().parents[2] / "examples" / "contracts"


def _folder_files(name: str) -> dict[str, SimpleUploadedFile]:
    folder = FOLDERS / name
    return {stem: SimpleUploadedFile(path.name, path.read_bytes())
            for stem in ("contract", "kpi_returns", "social_value_returns", "provider_returns", "variations")
            for path in [folder / ("contract.yaml" if stem == "contract" else f"{stem}.csv")] if path.exists()}


def test_a_contract_folder_imports_as_the_cli_reads_it(world) -> None:
    from commonweal.services.contracts import review_contracts

    client = _client("shared.commissioner")
    url = reverse("contract_folder_import", args=["northfield"])
    before = _saved()
    broken = _folder_files("healthy-home-care")
    broken["kpi_returns"] = SimpleUploadedFile("kpi_returns.csv", b"period_start,kpi,actual\n2025-13-01,X,abc\n")
    response = client.post(url, broken)
    assert response.status_code == 400 and "kpi_returns.csv" in response.content.decode()
    assert _saved() == before
    assert client.post(url, _folder_files("healthy-home-care")).status_code == 302
    cli = review_contracts(FOLDERS / "healthy-home-care", TODAY)[0]
    imported = Contract.objects.get(reference=cli["contract"]["id"])
    assert imported.rating == cli["rating"]["rating"]
    assert [t["id"] for t in imported.review["triggers"] if t["fired"]] == \
        [t["id"] for t in cli["triggers"] if t["fired"]]
    assert imported.variations.count() == len(cli["variations"])


def test_a_contract_folders_own_policy_is_kept_used_and_labelled_in_the_pack(world) -> None:
    from commonweal.services.contracts import review_contracts

    client = _client("shared.commissioner")
    url = reverse("contract_folder_import", args=["northfield"])
    assert client.post(url, _folder_files("grounds-loss-making")).status_code == 302  # policy: volume share 0.15
    cli = review_contracts(FOLDERS / "grounds-loss-making", TODAY)[0]
    imported = Contract.objects.get(reference=cli["contract"]["id"])
    assert imported.policy == {"volume_deviation_share": "0.15"}
    assert imported.rating == cli["rating"]["rating"]
    assert [t["id"] for t in imported.review["triggers"] if t["fired"]] == \
        [t["id"] for t in cli["triggers"] if t["fired"]]
    own = [p for p in imported.review["policy"] if p["own"]]
    assert own == [{"setting": "volume_deviation_share", "value": "0.15", "default": "0.2", "own": True}]
    # a later change reviews the contract with its own threshold still
    with transaction.atomic():
        data.refresh(Contract.objects.select_for_update().get(pk=imported.pk), TODAY)
    imported.refresh_from_db()
    assert [p for p in imported.review["policy"] if p["own"]] == own
    pack = client.get(reverse("contract_pack", args=[imported.pk])).content.decode()
    assert "This contract&#39;s own value" in pack or "This contract's own value" in pack
    assert pack.count("Commonweal default</td>") == len(imported.review["policy"]) - 1


def test_a_return_recomputes_the_stored_rating_and_triggers(world) -> None:
    contract = _contract("NBC-C-001")
    assert contract.rating == "good"
    client = _client("contract.manager")
    kpis = {k.code: k.pk for k in contract.kpis.all()}
    latest = contract.returns.order_by("-period_start").first()  # redone with every KPI far short of target
    form = {"period_start": latest.period_start.isoformat(), "status": "submitted", "margin_pct": "-4",
            **{f"kpi_{pk}": "70" for pk in kpis.values()}}
    response = client.post(reverse("contract_return", args=[contract.pk]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract.refresh_from_db()
    # the window's mean (97, 97, 97, 70) is 90.25, 4.75 short: beyond the tolerance of 2, within 10
    assert contract.rating == "requires improvement"
    assert contract.period_ratings.order_by("period_start").last().rating == "inadequate"
    assert "provider_loss_making" in {t["id"] for t in contract.review["triggers"] if t["fired"]}
    future = {**form, "period_start": (TODAY.replace(day=1)).isoformat()}
    assert client.post(reverse("contract_return", args=[contract.pk]), future).status_code == 400


def test_an_uploaded_return_loads_every_row_or_none(world) -> None:
    contract = _contract("NBC-C-007")  # monthly; its October return is late
    client = _client("contract.manager")
    url = reverse("contract_returns_upload", args=[contract.pk])
    october = contract.returns.order_by("-period_start").first().period_end + dt.timedelta(days=1)
    good = f"period_start,kpi,actual\n{october},KPI1,96\n{october},KPI2,97\n{october},KPI3,95\n"
    bad = good + f"{october},KPI9,96\n{october.replace(day=2)},KPI1,x\n"
    before = _saved()
    response = client.post(url, {"kpi_returns": SimpleUploadedFile("kpi_returns.csv", bad.encode())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "unknown KPI" in html and "expected a number" in html
    assert _saved() == before
    response = client.post(url, {"kpi_returns": SimpleUploadedFile("kpi_returns.csv", good.encode())})
    assert response.status_code == 302
    assert contract.returns.filter(period_start=october, results__isnull=False).count() == 3


def test_a_variation_is_checked_and_records_whether_a_change_notice_is_needed(world) -> None:
    contract = _contract("NBC-C-003")  # services, £1.85m
    client = _client("contract.manager")
    url = reverse("contract_variations", args=[contract.pk])
    form = {"code": "V1", "agreed_on": TODAY.isoformat(), "description": "Extra hours", "value_change": "92500.00",
            "term_change_months": "0", "ground": "not_substantial", "changes_scope": "no",
            "favours_supplier": "no", "changes_overall_nature": "no", "change_notice_published": "no"}
    assert client.post(url, form).status_code == 302
    small = Variation.objects.get(contract=contract, code="V1")  # 5% of value: within s.75(2)(a)
    assert (small.ground_status, small.change_notice_required) == ("holds", False)
    assert client.post(url, {**form, "code": "V2", "value_change": "370000.00"}).status_code == 302
    large = Variation.objects.get(contract=contract, code="V2")  # 20%: a notice is needed first (s.75(1))
    assert large.change_notice_required is True
    assert any("s.75(1)" in flag for flag in large.flags)
    assert client.post(url, {**form, "code": "V3", "ground": "schedule_8"}).status_code == 400


def test_renegotiation_from_trigger_to_decision_with_actions_on_the_home_page(world) -> None:
    contract = _contract("NBC-C-003")
    client = _client("contract.manager")
    opened = client.post(reverse("contract_review_open", args=[contract.pk]),
                         {"trigger": "kpi_consecutive_misses", "reason": "Three quarters below target"})
    assert opened.status_code == 302
    review = Review.objects.get(contract=contract)
    base = [contract.pk, review.pk]
    option = {"side": "provider", "option": "variation", "legal_basis": "Procurement Act 2023 s.74(1)(b)"}
    assert client.post(reverse("contract_review_option", args=base), option).status_code == 302
    decide = {"decision": "variation", "reason": "Agreed a price review within the contract's clause"}
    early = client.post(reverse("contract_review_decision", args=base), decide)
    assert early.status_code == 400 and "meeting" in early.content.decode()
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    meeting = {"meeting_on": tomorrow, "attendees": "Both sides", "meeting_notes": "Costs reviewed"}
    assert client.post(reverse("contract_review_meeting", args=base), meeting).status_code == 400
    assert client.post(reverse("contract_review_meeting", args=base),
                       {**meeting, "meeting_on": TODAY.isoformat()}).status_code == 302
    not_considered = client.post(reverse("contract_review_decision", args=base), {**decide, "decision": "step_in"})
    assert not_considered.status_code == 400
    assert client.post(reverse("contract_review_decision", args=base), decide).status_code == 302
    action = {"description": "Draft the variation", "owner": "viewer", "due_on": TODAY.isoformat()}
    assert client.post(reverse("contract_review_action", args=base), action).status_code == 302
    review.refresh_from_db()
    assert (review.status, review.decision) == ("decided", "variation")
    home = _client("viewer").get(reverse("home")).content.decode()
    assert "Draft the variation" in home
    done = Action.objects.get(description="Draft the variation")
    assert _client("viewer").post(reverse("contract_action_done", args=[contract.pk, done.pk]),
                                  {"confirm": "yes"}).status_code == 302
    assert "Draft the variation" not in _client("viewer").get(reverse("home")).content.decode()
    actions = [e.action for e in AuditEntry.objects.filter(action__startswith="contract_").order_by("pk")]
    assert actions[-6:] == ["contract_review_opened", "contract_review_option", "contract_review_meeting",
                            "contract_review_decided", "contract_action_added", "contract_action_done"]


def test_late_returns_and_due_actions_show_on_the_managers_home_page(world) -> None:
    home = _client("contract.manager").get(reverse("home")).content.decode()
    assert "Provider to submit a recruitment remedy plan" in home  # due yesterday
    assert "Check the plan against the KPI shortfall" not in home  # due in a fortnight
    assert "NBC-C-007" in home and "is late" in home


def test_the_review_pack_is_served_as_html_with_its_own_styles_and_as_pdf(world) -> None:
    import base64
    import hashlib
    import re

    contract = _contract("NBC-C-004")
    client = _client("viewer")
    html = client.get(reverse("contract_pack", args=[contract.pk]))
    assert html.status_code == 200 and "NBC-C-004" in html.content.decode()
    style = re.search(r"<style>(.*?)</style>", html.content.decode(), re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in html["Content-Security-Policy"]
    assert "script-src" not in html["Content-Security-Policy"]  # default-src 'none': no script runs
    pdf = client.get(reverse("contract_pack_pdf", args=[contract.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


HOSTILE = ["", "x" * 20_000, "a\x00b", "-1", "9" * 400, "1e999999", "NaN", "2026-13-45", "\ud800"]


def _post(client: Client, url: str, values: dict[str, str]) -> int:
    body = urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in values.items()])
    return client.generic("POST", url, body, content_type="application/x-www-form-urlencoded").status_code


def test_hostile_values_on_every_contracts_form(world, settings) -> None:
    """Each contracts form posted with each field hostile in turn, the rest valid: never a server error, and a
    refusal saves nothing."""
    contract = _contract("NBC-C-003")
    review = Review.objects.get(contract__reference="NBC-C-004")
    action = Action.objects.filter(review=review).first()
    inadequate = review.contract
    kpi = contract.kpis.first()
    forms = {
        reverse("contract_manager", args=[contract.pk]): {"username": "viewer"},
        reverse("contract_kpis", args=[contract.pk]): {
            "code": "KPI9", "title": "New", "target": "10", "direction": "lower_is_better", "tolerance": "1",
            "inadequate_beyond": "2", "unit": ""},
        reverse("contract_kpi_exemption", args=[contract.pk]): {"reason": "KPIs cannot measure this"},
        reverse("contract_return", args=[contract.pk]): {
            "period_start": contract.start.isoformat(), "status": "submitted", f"kpi_{kpi.pk}": "96",
            "cost": "100.00", "margin_pct": "2"},
        reverse("contract_variations", args=[contract.pk]): {
            "code": "V9", "agreed_on": TODAY.isoformat(), "description": "x", "value_change": "1.00",
            "term_change_months": "0", "ground": "not_substantial", "changes_scope": "no",
            "favours_supplier": "no", "changes_overall_nature": "no", "change_notice_published": "no"},
        reverse("contract_review_open", args=[contract.pk]): {"reason": "Checking", "trigger": ""},
        reverse("contract_review_meeting", args=[inadequate.pk, review.pk]): {
            "meeting_on": TODAY.isoformat(), "attendees": "Both", "meeting_notes": "Notes"},
        reverse("contract_review_option", args=[inadequate.pk, review.pk]): {
            "side": "council", "option": "step_in", "legal_basis": "Clause 30", "notes": ""},
        reverse("contract_review_action", args=[inadequate.pk, review.pk]): {
            "description": "Do it", "owner": "viewer", "due_on": TODAY.isoformat()},
        reverse("contract_review_decision", args=[inadequate.pk, review.pk]): {
            "decision": "remedy_plan", "reason": "Agreed"},
        reverse("contract_action_done", args=[inadequate.pk, action.pk]): {"confirm": "yes"},
    }
    client = _client("shared.commissioner")
    wrong = []
    for url, valid in forms.items():
        # the valid form first (so a hostile value that happens to be valid cannot make it a duplicate)
        before = _saved()
        accepted = _post(client, url, valid)
        if accepted != 302 or _saved() == before:
            wrong.append(f"{url}: the valid form was not accepted ({accepted})")
        for key in valid:
            for bad in HOSTILE:
                before = _saved()
                status = _post(client, url, {**valid, key: bad})
                if status >= 500:
                    wrong.append(f"{url} {key}={bad[:20]!r}: {status}")
                elif status == 400 and _saved() != before:
                    wrong.append(f"{url} {key}={bad[:20]!r}: refused but saved")
    # a return's evidence files: refused by name, size or content, with the whole return; nothing saved or stored
    url = reverse("contract_return", args=[contract.pk])
    valid = forms[url]
    for label, name, upload in (("empty", "e.pdf", b""), ("garbage", "e.pdf", bytes(range(256)) * 8),
                                ("text as PDF", "e.pdf", b"just some text"), ("broken zip", "e.docx",
                                b"PK\x03\x04" + b"\x00" * 200), ("wrong extension", "e.exe", b"%PDF-1.4\n"),
                                ("over the size limit", "e.pdf",
                                 b"%PDF-" + b"x" * settings.COMMONWEAL_UPLOAD_MAX_BYTES)):
        before = _saved()
        status = client.post(url, {**valid, f"kpi_{kpi.pk}_file": SimpleUploadedFile(name, upload)}).status_code
        stored = settings.COMMONWEAL_MEDIA_ROOT / "northfield" / "contracts"
        if status != 400 or _saved() != before or stored.exists():
            wrong.append(f"contract_return evidence {label}: {status}")
    # the same files among a returns upload's evidence files refuse the whole upload
    upload = reverse("contract_returns_upload", args=[contract.pk])
    table = f"period_start,kpi,actual\n{contract.start.isoformat()},{kpi.code},96\n".encode()
    too_big = b"%PDF-" + b"x" * settings.COMMONWEAL_UPLOAD_MAX_BYTES
    for label, name, content in (("empty", "e.pdf", b""), ("text as PDF", "e.pdf", b"just some text"),
                                 ("wrong extension", "e.exe", b"%PDF-1.4\n"), ("too big", "e.pdf", too_big)):
        before = _saved()
        status = client.post(upload, {"kpi_returns": SimpleUploadedFile("k.csv", table), "evidence": [
            SimpleUploadedFile("ok.pdf", b"%PDF-1.4\n"), SimpleUploadedFile(name, content)]}).status_code
        if status != 400 or _saved() != before:
            wrong.append(f"contract_returns_upload evidence {label}: {status}")
    # deleting an evidence file: each hostile confirmation refused with nothing deleted, then the valid one
    kept = documents.store(f"northfield/contracts/{contract.pk}", "e.pdf", b"%PDF-1.4\n%%EOF\n")
    evidence = Evidence.objects.create(ret=contract.returns.filter(status="submitted").first(), line="", name="e.pdf",
                                       added_by=User.objects.get(username="shared.commissioner"), **kept.fields())
    url = reverse("contract_evidence_delete", args=[contract.pk, evidence.pk])
    for bad in HOSTILE:
        before = _saved()
        status = _post(client, url, {"confirm": bad})
        if status != 400 or _saved() != before:
            wrong.append(f"{url} confirm={bad[:20]!r}: {status}")
    if _post(client, url, {"confirm": "yes"}) != 302 or Evidence.objects.filter(pk=evidence.pk).exists():
        wrong.append(f"{url}: the valid form was not accepted")
    for name in ("contract_create", "contracts_import", "contract_folder_import"):
        url = reverse(name, args=["northfield"])
        for label, upload in (("empty", b""), ("garbage", bytes(range(256)) * 8), ("broken xlsx", b"PK\x03\x04" +
                              b"\x00" * 200), ("NUL", b"\x00" * 100)):
            before = _saved()
            files = {"register": SimpleUploadedFile("r.xlsx" if label == "broken xlsx" else "r.csv", upload),
                     "commitments": SimpleUploadedFile("c.csv", upload),
                     "contract": SimpleUploadedFile("contract.yaml", upload),
                     "kpi_returns": SimpleUploadedFile("k.xlsx" if label == "broken xlsx" else "k.csv", upload)}
            status = client.post(url, {**files, "lot": "1", "reference": "X"}).status_code
            if status != 400 or _saved() != before:
                wrong.append(f"{name} {label}: {status}")
    assert wrong == []


def test_the_register_page_queries_do_not_grow_with_the_register(world) -> None:
    client = _client("viewer")
    url = reverse("contracts_register", args=["northfield"])
    board = reverse("contracts_dashboard", args=["northfield"])
    manager = _client("contract.manager")

    def count(page: str = url, who: Client = client) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert who.get(page).status_code == 200
        return len(queries)

    small, small_board, small_home = count(), count(board), count(reverse("home"), manager)
    template = _contract("NBC-C-001")
    Contract.objects.bulk_create(
        Contract(organisation=template.organisation, reference=f"BULK-{i:04d}", title="Bulk", supplier="Bulk Ltd",
                 value=Decimal(1000 * i), start=template.start, end=template.end, kind="goods",
                 frequency="quarterly", service=f"Service {i % 7}") for i in range(300))
    for c in Contract.objects.filter(reference__startswith="BULK-")[:50]:
        ContractRole.objects.create(contract=c, user=User.objects.get(username="contract.manager"))
    assert count() == small
    assert count(board) == small_board
    assert count(reverse("home"), manager) == small_home
    assert small <= 12  # session, user, organisation, membership roles, three for the page, the navigation's
