"""The contracts pages: the register (filters, CSV/XLSX export), the dashboard, creating a contract from an awarded
tender or importing a register, a contract's page (KPIs, returns, variations, review pack) and the renegotiation
workflow (review, meeting, options, decision, actions). Thin: each view validates its form, calls
`commonweal.web.contracts.data` and renders."""

from __future__ import annotations

import base64
import hashlib
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.io.errors import InputError
from commonweal.web.access import Forbidden, Refused, organisations_for
from commonweal.web.contracts import data, forms
from commonweal.web.contracts.models import Return
from commonweal.web.documents import attach
from commonweal.web.forms import form_errors, input_problems, refused_errors
from commonweal.web.views import page, scoped, today

GET_POST = ["GET", "HEAD", "POST"]


def _refused(refused: Refused, default: str) -> list[dict[str, str]]:
    return refused_errors(refused.problems, refused.fields, {}, default)


# -- the register and dashboard --------------------------------------------------------------------------------------


@scoped
@require_safe
def contracts(request: HttpRequest) -> HttpResponse:
    """The organisations whose contracts the person may see (the navigation's entry to the area)."""
    found = []
    for organisation in organisations_for(request.user):
        try:
            found.append(data.register_access(request.user, organisation.slug))
        except Forbidden:
            continue
    return page(request, "web/contracts/organisations.html", "Contracts", registers=found)


def _filters(request: HttpRequest) -> tuple[forms.FilterForm, data.Filters, int]:
    form = forms.FilterForm(request.GET)
    if not form.is_valid():
        return form, data.Filters(), 1
    c = form.cleaned_data
    return (
        form,
        data.Filters(
            status=c["status"],
            service=c["service"],
            supplier=c["supplier"],
            rating=c["rating"],
            expiry=int(c["expiry"]) if c["expiry"] else None,
            band=c["band"],
            sme=c["sme"],
            vcse=c["vcse"],
        ),
        c["page"] or 1,
    )


@scoped
@require_safe
def register(request: HttpRequest, slug: str) -> HttpResponse:
    access = data.register_access(request.user, slug)
    form, filters, number = _filters(request)
    found = data.register(access, filters, today(), number)
    query = request.GET.copy()
    query.pop("page", None)
    return page(
        request,
        "web/contracts/register.html",
        f"{access.organisation.name}: contracts",
        status=400 if form.errors else 200,
        access=access,
        form=form,
        register=found,
        errors=form_errors(form),
        query=query.urlencode(),
        services=[(s, s) for s in found.services],
    )


EXPORT_HEADER = (
    "Reference",
    "Title",
    "Service",
    "Supplier",
    "Supplier identifier",
    "SME",
    "VCSE",
    "Value (£)",
    "Start",
    "End",
    "End of maximum term",
    "Rating (reg 39(5))",
    "Triggers fired",
    "Social value committed (£)",
    "Social value delivered, verified (£)",
)


@scoped
@require_safe
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    from commonweal.io.export import csv_bytes, xlsx_bytes

    if fmt not in ("csv", "xlsx"):
        raise Http404("contracts are exported as csv or xlsx")
    access = data.register_access(request.user, slug)
    form, filters, _ = _filters(request)
    if form.errors:
        return register(request, slug)
    rows = data.export(access, filters, today(), fmt)
    if fmt == "csv":
        response = HttpResponse(csv_bytes(EXPORT_HEADER, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            xlsx_bytes("Contracts", EXPORT_HEADER, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    attach(response, f"{slug}-contracts.{fmt}")
    return response


@scoped
@require_safe
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    access = data.register_access(request.user, slug)
    return page(
        request,
        "web/contracts/dashboard.html",
        f"{access.organisation.name}: contracts dashboard",
        access=access,
        board=data.dashboard(access, today()),
    )


# -- creating and importing ------------------------------------------------------------------------------------------


@scoped
@require_http_methods(GET_POST)
def create(request: HttpRequest, slug: str) -> HttpResponse:
    access = data.commissioner_access(request.user, slug)
    lots = data.awardable(access)
    choices = [(lot.pk, f"{tender.reference} {tender.title}, lot {lot.reference}: {lot.title}") for tender, lot in lots]
    form = forms.CreateForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        lots=choices,
    )
    errors: list[dict[str, str]] = []
    problems: list[Any] = []
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
        else:
            c = form.cleaned_data
            new = data.NewContract(
                c["reference"],
                c["service"],
                c["start"],
                c["end"],
                c["maximum_end"],
                c["kind"],
                c["frequency"],
                c["sme"],
                c["vcse"],
            )
            try:
                made = data.create_from_tender(
                    request.user, slug, c["lot"], new, form.files_read(("commitments", "socialvalue")), today()
                )
            except InputError as exc:
                problems, errors = input_problems(exc, files=True)
            except Refused as refused:
                errors = _refused(refused, "lot")
            else:
                messages.success(request, f"Contract {made.reference} created from the award")
                return redirect("contract", made.pk)
    standstill = {lot.pk: data.standstill_problem(tender, today()) for tender, lot in lots}
    return page(
        request,
        "web/contracts/create.html",
        f"Create a contract for {access.organisation.name}",
        status=400 if errors else 200,
        access=access,
        form=form,
        lots=lots,
        standstill=standstill,
        errors=errors,
        problems=problems,
    )


@scoped
@require_http_methods(GET_POST)
def import_register(request: HttpRequest, slug: str) -> HttpResponse:
    access = data.commissioner_access(request.user, slug)
    errors: list[dict[str, str]] = []
    problems: list[Any] = []
    if request.method == "POST":
        form = forms.RegisterUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = form_errors(form)
        else:
            name, content = form.files_read(("register",))["register"]
            try:
                count = data.import_register(request.user, slug, name, content, today())
            except InputError as exc:
                problems, errors = input_problems(exc, files=True)
            else:
                messages.success(request, f"{count} contracts imported from {name}")
                return redirect("contracts_register", slug)
    return page(
        request,
        "web/contracts/import.html",
        f"Import a contracts register for {access.organisation.name}",
        status=400 if errors else 200,
        access=access,
        errors=errors,
        problems=problems,
    )


@scoped
@require_http_methods(GET_POST)
def import_folder(request: HttpRequest, slug: str) -> HttpResponse:
    access = data.commissioner_access(request.user, slug)
    errors: list[dict[str, str]] = []
    problems: list[Any] = []
    if request.method == "POST":
        form = forms.FolderUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = form_errors(form)
        else:
            try:
                made = data.import_contract_folder(request.user, slug, form.files_read(forms.FOLDER_FILES), today())
            except InputError as exc:
                problems, errors = input_problems(exc, files=True)
            else:
                messages.success(request, f"Contract {made.reference} imported from its contract folder")
                return redirect("contract", made.pk)
    return page(request, "web/contracts/import_folder.html", f"Import a contract folder for {access.organisation.name}",
                status=400 if errors else 200, access=access, errors=errors, problems=problems)


# -- one contract ----------------------------------------------------------------------------------------------------


def _contract_page(
    request: HttpRequest, access: data.ContractAccess, status: int = 200, **context: Any
) -> HttpResponse:
    return page(
        request,
        "web/contracts/contract.html",
        str(access.contract),
        status=status,
        access=access,
        view=data.contract(access),
        members=data.managers_choices(access),
        **context,
    )


@scoped
@require_safe
def contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _contract_page(request, data.contract_access(request.user, contract_id))


@scoped
@require_http_methods(["POST"])
def manager(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=True)
    form = forms.ManagerForm(request.POST)
    if form.is_valid():
        try:
            data.give_manager(access, form.cleaned_data["username"])
        except Refused as refused:
            return _contract_page(request, access, 400, errors=_refused(refused, "username"))
        messages.success(request, f"{form.cleaned_data['username']} now manages this contract")
        return redirect("contract", contract_id)
    return _contract_page(request, access, 400, errors=form_errors(form))


@scoped
@require_http_methods(GET_POST)
def kpis(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=request.method == "POST")
    form = forms.KpiForm(request.POST if request.method == "POST" else None)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                data.save_kpi(
                    access,
                    data.KpiValues(
                        c["code"],
                        c["title"],
                        c["target"],
                        c["direction"],
                        c["tolerance"],
                        c["inadequate_beyond"],
                        c["unit"],
                    ),
                    today(),
                )
            except Refused as refused:
                errors = _refused(refused, "code")
            else:
                messages.success(request, f"KPI {c['code']} saved; the contract's ratings are updated")
                return redirect("contract_kpis", contract_id)
        else:
            errors = form_errors(form)
    return page(
        request,
        "web/contracts/kpis.html",
        f"KPIs: {access.contract}",
        status=400 if errors else 200,
        access=access,
        view=data.contract(access),
        form=form,
        errors=errors,
    )


@scoped
@require_http_methods(["POST"])
def kpi_exemption(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=True)
    form = forms.ExemptionForm(request.POST)
    if not form.is_valid():
        return page(
            request,
            "web/contracts/kpis.html",
            f"KPIs: {access.contract}",
            status=400,
            access=access,
            view=data.contract(access),
            form=forms.KpiForm(),
            errors=form_errors(form),
        )
    data.record_kpi_exemption(access, form.cleaned_data["reason"], today())
    messages.success(request, "The s.52(1) reason is recorded")
    return redirect("contract_kpis", contract_id)


def _return_form(access: data.ContractAccess, request: HttpRequest) -> forms.ReturnForm:
    view = data.contract(access)
    measures = sorted({c.measure for c in view.commitments})
    posting = request.method == "POST"
    return forms.ReturnForm(request.POST if posting else None, request.FILES if posting else None,
                            kpis=[(k.pk, k.code) for k in view.kpis], measures=measures)


@scoped
@require_http_methods(GET_POST)
def new_return(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=True)
    form = _return_form(access, request)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            values = form.values()
            try:
                saved = data.save_return(access, values, today())
            except Refused as refused:
                errors = _refused(refused, "period_start")
            else:
                messages.success(
                    request,
                    f"Return for the period starting {saved.period_start.isoformat()} saved; "
                    "ratings and triggers are updated",
                )
                return redirect("contract", contract_id)
        else:
            errors = form_errors(form)
    return page(
        request,
        "web/contracts/return.html",
        f"Enter a return: {access.contract}",
        status=400 if errors else 200,
        access=access,
        form=form,
        errors=errors,
        statuses=Return.STATUSES,
    )


@scoped
@require_safe
def evidence(request: HttpRequest, contract_id: int, evidence_id: int) -> HttpResponse:
    """A return's evidence file as stored, to the council's contract people and the contract's provider only."""
    from commonweal.web import documents

    found = data.evidence_file(request.user, contract_id, evidence_id)
    return documents.response(found.kind, found.stored_as, f"evidence-{found.pk}")


@scoped
@require_http_methods(GET_POST)
def delete_evidence(request: HttpRequest, contract_id: int, evidence_id: int) -> HttpResponse:
    """Delete a return's evidence file added by mistake, after a confirmation: the council's contract writers or the
    provider that added it, while the return is not verified (`data.evidence_to_delete`)."""
    target = data.evidence_to_delete(request.user, contract_id, evidence_id)
    form = forms.ConfirmForm(request.POST if request.method == "POST" else None)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
        else:
            try:
                data.delete_evidence(request.user, contract_id, evidence_id)
            except Refused as refused:
                errors = _refused(refused, "confirm")
            else:
                messages.success(request, f"The evidence file {target.evidence.name} is deleted")
                if target.by_provider:
                    return redirect("portal_contract", contract_id)
                return redirect("contract_return_check", contract_id, target.ret.pk)
    return page(request, "web/contracts/evidence_delete.html", f"Delete the evidence file {target.evidence.name}",
                status=400 if errors else 200, target=target, errors=errors)


@scoped
@require_http_methods(GET_POST)
def upload_returns(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=True)
    return returns_upload(
        request, lambda files, evidence: data.upload_returns(access, files, today(), evidence),
        lambda count: f"{count} period(s) of returns loaded; ratings and triggers are updated", "contract",
        "web/contracts/returns_upload.html", access=access, title=f"Upload returns: {access.contract}")


def returns_upload(request: HttpRequest, load: Callable[[dict[str, tuple[str, bytes]], list[tuple[str, bytes]]], int],
                   loaded: Callable[[int], str], then: str, template: str, *, access: Any, title: str
                   ) -> HttpResponse:
    """The returns upload's page, the council's and the provider's (`providers.views.portal_returns_upload`): the
    tables and evidence files read by `forms.ReturnsUploadForm`, given to `load` (the data layer's upload), its
    problems listed by file, row and column, its refusals at their field; on success to the contract's page `then`."""
    errors: list[dict[str, str]] = []
    problems: list[Any] = []
    if request.method == "POST":
        form = forms.ReturnsUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = form_errors(form)
        else:
            try:
                count = load(form.files_read(forms.RETURN_FILES), form.several_read("evidence"))
            except InputError as exc:
                problems, errors = input_problems(exc, files=True)
            except Refused as refused:
                errors = _refused(refused, "evidence")
            else:
                messages.success(request, loaded(count))
                return redirect(then, access.contract.pk)
    return page(request, template, title, status=400 if errors else 200, access=access, errors=errors,
                problems=problems)


@scoped
@require_http_methods(GET_POST)
def variations(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=request.method == "POST")
    form = forms.VariationForm(request.POST if request.method == "POST" else None)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            values = data.VariationValues(
                c["code"],
                c["agreed_on"],
                c["description"],
                c["value_change"],
                c["term_change_months"],
                c["ground"],
                c["schedule_8_paragraph"],
                c["changes_scope"] == "yes",
                c["favours_supplier"] == "yes",
                c["changes_overall_nature"] == "yes",
                c["linked_to"],
                c["change_notice_published"] == "yes",
            )
            try:
                made = data.record_variation(access, values, today())
            except Refused as refused:
                errors = _refused(refused, "code")
            else:
                notice = (
                    "a contract change notice is needed"
                    if made.change_notice_required
                    else "no contract change notice is needed"
                )
                messages.success(request, f"Variation {made.code} logged: the ground {made.ground_status}; {notice}")
                return redirect("contract_variations", contract_id)
        else:
            errors = form_errors(form)
    return page(
        request,
        "web/contracts/variations.html",
        f"Variations: {access.contract}",
        status=400 if errors else 200,
        access=access,
        view=data.contract(access),
        form=form,
        errors=errors,
    )


@scoped
@require_safe
def review_pack(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The two-sided review pack from the stored review (the CLI's pack, the same template)."""
    from commonweal.io.reports.contract_review import contract_review_html

    access = data.contract_access(request.user, contract_id)
    html = contract_review_html(access.contract.review)
    response = HttpResponse(html)
    # the printable pack carries its own stylesheet inline (as its PDF does): allow exactly that block, by hash,
    # and no script at all
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                      for s in styles)
    style_src = hashes or "'none'"
    response["Content-Security-Policy"] = (f"default-src 'none'; style-src {style_src}; img-src 'self' data:; "
                                           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    return response


@scoped
@require_safe
def review_pack_pdf(request: HttpRequest, contract_id: int) -> HttpResponse:
    from commonweal.io.reports.contract_review import contract_review_html
    from commonweal.io.reports.render import write_pdf

    access = data.contract_access(request.user, contract_id)
    with tempfile.TemporaryDirectory(prefix="commonweal-pdf-") as tmp:
        pdf = write_pdf(contract_review_html(access.contract.review), Path(tmp) / "pack.pdf").read_bytes()
    response = HttpResponse(pdf, content_type="application/pdf")
    attach(response, f"review-pack-{access.contract.pk}.pdf")
    return response


# -- reviews ---------------------------------------------------------------------------------------------------------


@scoped
@require_http_methods(GET_POST)
def open_review(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=True)
    form = forms.OpenReviewForm(request.POST if request.method == "POST" else None)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                made = data.open_review(access, form.cleaned_data["reason"], form.cleaned_data["trigger"], today())
            except Refused as refused:
                errors = _refused(refused, "trigger")
            else:
                messages.success(request, "Review opened")
                return redirect("contract_review", contract_id, made.pk)
        else:
            errors = form_errors(form)
    return page(
        request,
        "web/contracts/review_open.html",
        f"Open a review: {access.contract}",
        status=400 if errors else 200,
        access=access,
        form=form,
        errors=errors,
        chosen=request.GET.get("trigger", ""),
        trigger_choices=[("", "None: opened by hand")] + [(t["id"], t["title"]) for t in data.fired_triggers(access)],
    )


def _review_page(
    request: HttpRequest, access: data.ContractAccess, review_id: int, status: int = 200, **context: Any
) -> HttpResponse:
    found = data.review(access, review_id)
    return page(
        request,
        "web/contracts/review.html",
        f"Review of {access.contract.reference}",
        status=status,
        access=access,
        review=found,
        options=list(found.options.all()),
        actions=list(found.actions.select_related("owner")),
        option_choices=[(i, t) for i, t, _ in data.options_catalogue()],
        decision_choices=[(i, t) for i, t, _ in data.options_catalogue()] + [("no_change", "No change")],
        members_choices=[(m, m) for m in data.managers_choices(access)],
        recommended=access.contract.review.get("recommended_actions", []),
        **context,
    )


@scoped
@require_safe
def review(request: HttpRequest, contract_id: int, review_id: int) -> HttpResponse:
    return _review_page(request, data.contract_access(request.user, contract_id), review_id)


def _review_post(
    request: HttpRequest, contract_id: int, review_id: int, form_class: type, act: Any, default: str, done: str
) -> HttpResponse:
    access = data.contract_access(request.user, contract_id, change=True)
    form = form_class(request.POST)
    if not form.is_valid():
        return _review_page(request, access, review_id, 400, errors=form_errors(form))
    try:
        act(access, form.cleaned_data)
    except Refused as refused:
        return _review_page(request, access, review_id, 400, errors=_refused(refused, default))
    messages.success(request, done)
    return redirect("contract_review", contract_id, review_id)


@scoped
@require_http_methods(["POST"])
def meeting(request: HttpRequest, contract_id: int, review_id: int) -> HttpResponse:
    return _review_post(
        request,
        contract_id,
        review_id,
        forms.MeetingForm,
        lambda a, c: data.record_meeting(a, review_id, c["meeting_on"], c["attendees"], c["meeting_notes"], today()),
        "meeting_on",
        "Meeting recorded",
    )


@scoped
@require_http_methods(["POST"])
def option(request: HttpRequest, contract_id: int, review_id: int) -> HttpResponse:
    return _review_post(
        request,
        contract_id,
        review_id,
        forms.OptionForm,
        lambda a, c: data.add_option(a, review_id, c["side"], c["option"], c["legal_basis"], c["notes"]),
        "option",
        "Option recorded",
    )


@scoped
@require_http_methods(["POST"])
def decision(request: HttpRequest, contract_id: int, review_id: int) -> HttpResponse:
    return _review_post(
        request,
        contract_id,
        review_id,
        forms.DecisionForm,
        lambda a, c: data.decide(a, review_id, c["decision"], c["reason"], today()),
        "decision",
        "Decision recorded",
    )


@scoped
@require_http_methods(["POST"])
def action(request: HttpRequest, contract_id: int, review_id: int) -> HttpResponse:
    return _review_post(
        request,
        contract_id,
        review_id,
        forms.ActionForm,
        lambda a, c: data.add_action(a, review_id, c["description"], c["owner"], c["due_on"]),
        "owner",
        "Action added",
    )


@scoped
@require_http_methods(["POST"])
def action_done(request: HttpRequest, contract_id: int, action_id: int) -> HttpResponse:
    access = data.contract_access(request.user, contract_id)
    form = forms.ConfirmForm(request.POST)
    if not form.is_valid():
        return _contract_page(request, access, 400, errors=form_errors(form))
    try:
        data.complete_action(access, action_id, today())
    except Refused as refused:
        return _contract_page(request, access, 400, errors=_refused(refused, "confirm"))
    messages.success(request, "Action marked done")
    return redirect("contract", contract_id)
