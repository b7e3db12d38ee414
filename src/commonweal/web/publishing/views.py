"""The publishing pages: the duty calendar, a notice's readable preview with its check, its release package, and
recording its publication; the organisation's OCID prefix; a tender's and a contract's notice facts. Thin: every
read and change is `publishing.data` or a source's (`publishing.sources`); every POST goes through a form in
`forms.py`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.domain.lifecycle import Role
from commonweal.domain.notices.duties import financial_year_label
from commonweal.domain.notices.kinds import NoticeType
from commonweal.domain.notices.preview import readable
from commonweal.io.export import csv_bytes
from commonweal.io.ocds.write import dumps
from commonweal.web.access import Forbidden, NotFound, Refused, organisation_access
from commonweal.web.documents import attach
from commonweal.web.forms import form_errors, refused_errors
from commonweal.web.public import data as public_data
from commonweal.web.publishing import data, forms
from commonweal.web.publishing.sources import TenderSource
from commonweal.web.views import page, scoped, today


def _now() -> dt.datetime:
    return timezone.now().astimezone(dt.UTC).replace(microsecond=0)


@scoped
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return page(request, "web/publishing/index.html", "Publishing", organisations=data.organisations(request.user))


@scoped
@require_safe
def calendar(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, rows = data.calendar(request.user, slug, today())
    found = data.publishing_settings(organisation)
    return page(request, "web/publishing/calendar.html", f"{organisation.name}: notices due",
                organisation=organisation, rows=rows, settings=found, today=today())


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def settings(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_access(request.user, slug, Role.COMMISSIONER)
    found = data.publishing_settings(organisation)
    initial = {"ocid_prefix": found.ocid_prefix, "buyer_identifier": found.buyer_identifier} if found else {}
    form = forms.SettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data.save_settings(request.user, slug, form.cleaned_data["ocid_prefix"], form.cleaned_data["buyer_identifier"])
        messages.success(request, "The OCID prefix and identifier are saved: notices built from now on use them")
        return redirect("publishing", slug)
    values = form.data if request.method == "POST" else initial
    return page(request, "web/publishing/settings.html", f"{organisation.name}: publishing settings",
                status=400 if form.errors else 200, organisation=organisation, values=values,
                errors=form_errors(form))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def facts(request: HttpRequest, slug: str, tender_id: int) -> HttpResponse:
    access, found = data.tender_facts(request.user, slug, tender_id)
    form = forms.FactsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        cleaned = dict(form.cleaned_data)
        cleaned["above_threshold"] = cleaned["above_threshold"] == "yes"
        data.save_tender_facts(request.user, slug, tender_id, cleaned)
        messages.success(request, f"The notice facts for {access.tender.reference} are saved")
        return redirect("publishing", slug)
    if request.method == "POST":
        values: dict[str, Any] = dict(form.data.items())
    elif found is not None:
        values = {name: getattr(found, name) for name in data.FACT_FIELDS}
        values["above_threshold"] = "yes" if found.above_threshold else "no"
        values = {k: (v.isoformat() if isinstance(v, dt.date) else ("" if v is None else v))
                  for k, v in values.items()}
    else:
        values = {}
    suggested = 0
    if request.method != "POST" and not values.get("engagement_description"):
        values["engagement_description"], suggested = _engagement_suggestion(request, slug, tender_id)
    return page(request, "web/publishing/facts.html", f"Notice facts: {access.tender.reference}",
                status=400 if form.errors else 200, slug=slug, tender=access.tender, values=values, suggested=suggested,
                errors=form_errors(form, {"above_threshold": "above_threshold", "category": "category",
                                          "procedure": "procedure"}))


def _engagement_suggestion(request: HttpRequest, slug: str, tender_id: int) -> tuple[str, int]:
    """The UK2 notice's one place for how suppliers take part is the engagement's description (reg 17(2)(f); the
    notice has no field for who registered): prefilled with how many registered, for the council's commissioners
    to edit (Commonweal default wording; nothing is saved until they save the form)."""
    try:
        count = len(public_data.engagement_invitees(request.user, slug, tender_id)[1])
    except (Forbidden, NotFound):  # only the council's commissioners read its registrations
        return "", 0
    if not count:
        return "", 0
    return (f"{count} organisation{'s' if count > 1 else ''} registered interest through the council's public "
            "opportunities page and will be invited to take part."), count


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def contract_facts(request: HttpRequest, slug: str, contract_id: int) -> HttpResponse:
    access, found = data.contract_facts(request.user, slug, contract_id)
    form = forms.ContractFactsForm(request.POST if request.method == "POST" else None)
    flags = ("above_threshold", "public_service_mutual", "supported_employment_provider")
    if request.method == "POST" and form.is_valid():
        cleaned = dict(form.cleaned_data)
        cleaned.update({name: cleaned[name] == "yes" for name in flags})
        data.save_contract_facts(request.user, slug, contract_id, cleaned)
        messages.success(request, f"The notice facts for {access.contract.reference} are saved")
        return redirect("publishing", slug)
    if request.method == "POST":
        values: dict[str, Any] = dict(form.data.items())
    elif found is not None:
        values = {name: getattr(found, name) for name in data.CONTRACT_FACT_FIELDS}
        values.update({name: "yes" if values[name] else "no" for name in flags})
        values = {k: (v.isoformat() if isinstance(v, dt.date) else ("" if v is None else str(v)))
                  for k, v in values.items()}
    else:
        values = {}
    return page(request, "web/publishing/contract_facts.html", f"Notice facts: {access.contract.reference}",
                status=400 if form.errors else 200, slug=slug, contract=access.contract, values=values,
                errors=form_errors(form, {name: name for name in flags}))


def _built(request: HttpRequest, slug: str, source: str, key: str, code: str) -> tuple[Any, data.Built]:
    organisation = organisation_access(request.user, slug)
    subject = data.source_for(source)
    notice = data.notice_code(code, subject.notices)
    built = subject.build(request.user, key, notice, _now())
    if built.organisation_id != organisation.pk:
        raise NotFound("no such notice in this organisation")
    return organisation, built


def _preview(request: HttpRequest, slug: str, source: str, key: str, code: str, status: int = 200,
             errors: list[dict[str, str]] | None = None, posted: dict[str, str] | None = None) -> HttpResponse:
    organisation, built = _built(request, slug, source, key, code)
    kind = built.code.kind
    return page(request, "web/publishing/preview.html", f"{kind.name} ({kind.code})", status=status,
                organisation=organisation, built=built, kind=kind,
                sections=[readable(r) for r in built.releases or ([built.release] if built.release else [])],
                source=source, key=key, errors=errors or [], posted=posted or {},
                may_record=_may_record(request, source, key),
                provider_comments=_provider_comments(request, source, key, built.code),
                invitees=_invitees(request, slug, source, key, built.code))


def _provider_comments(request: HttpRequest, source: str, key: str, code: NoticeType) -> list[Any]:
    """Providers area: the provider's comments on the ratings a contract performance notice (UK9) publishes."""
    if source != "contract" or code is not NoticeType.UK9:
        return []
    from commonweal.web.contracts.data import contract_access
    from commonweal.web.providers.data import rating_comments

    return rating_comments(contract_access(request.user, int(key)))


def _invitees(request: HttpRequest, slug: str, source: str, key: str,
              code: NoticeType) -> list[public_data.Invitee] | None:
    """Beside a tender's preliminary market engagement notice, for the council's commissioners: who registered
    interest in the opportunities leading to it (None: not shown)."""
    if source != TenderSource.name or code is not NoticeType.UK2 or not key.isdigit():
        return None
    try:
        return public_data.engagement_invitees(request.user, slug, int(key))[1]
    except Forbidden:  # the tender's own commissioners and viewers see the notice, not the council's contacts
        return None


def _may_record(request: HttpRequest, source: str, key: str) -> bool:
    try:
        data.source_for(source).may_record(request.user, key)
    except Forbidden:  # the form is simply not shown
        return False
    return True


@scoped
@require_safe
def preview(request: HttpRequest, slug: str, source: str, key: str, code: str) -> HttpResponse:
    return _preview(request, slug, source, key, code)


@scoped
@require_safe
def download(request: HttpRequest, slug: str, source: str, key: str, code: str) -> HttpResponse:
    organisation, built = _built(request, slug, source, key, code)
    if built.package is None or built.errors:  # nothing to take away until the notice builds and checks clean
        return _preview(request, slug, source, key, code, status=409)
    data.record_download(request.user, organisation, source, key, built.code)
    response = HttpResponse(dumps(built.package, indent=True), content_type="application/json")
    attach(response, f"{built.release['id'] if built.release else code}.json")
    return response


@scoped
@require_http_methods(["POST"])
def record(request: HttpRequest, slug: str, source: str, key: str, code: str) -> HttpResponse:
    organisation_access(request.user, slug)
    subject = data.source_for(source)
    notice = data.notice_code(code, subject.notices)
    subject.may_record(request.user, key)
    form = forms.RecordForm(request.POST)
    posted = {k: str(v) for k, v in form.data.items() if k in form.fields}
    if not form.is_valid():
        return _preview(request, slug, source, key, code, status=400, errors=form_errors(form), posted=posted)
    try:
        subject.record(request.user, key, notice, form.cleaned_data["published_on"],
                       form.cleaned_data["notice_identifier"], today())
    except Refused as refused:
        return _preview(request, slug, source, key, code, status=400, posted=posted,
                        errors=refused_errors(refused.problems, refused.fields, {}, "published_on"))
    messages.success(request, f"{NoticeType(code).kind.name} recorded as published")
    return redirect("publishing", slug)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def failures(request: HttpRequest, slug: str, contract_id: int) -> HttpResponse:
    access, found = data.failures(request.user, slug, contract_id)
    form = forms.FailureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data.record_failure(request.user, slug, contract_id, form.cleaned_data, today())
        messages.success(request, f"The performance failure is recorded for {access.contract.reference}: its next "
                                  "performance notice reports it")
        return redirect("performance_failures", slug, contract_id)
    values: dict[str, Any] = dict(form.data.items()) if request.method == "POST" else {}
    return page(request, "web/publishing/failures.html", f"Performance failures: {access.contract.reference}",
                status=400 if form.errors else 200, slug=slug, contract=access.contract, failures=found,
                values=values, penalty_items=[{"value": v, "text": t, "checked": values.get("penalty_type") == v}
                                              for v, t in forms.PENALTY_TYPES],
                errors=form_errors(form, {"penalty_type": "penalty_type"}))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def pipeline(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    organisation, found = data.pipeline_year(request.user, slug, year)
    form = forms.PipelineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data.save_pipeline_year(request.user, slug, year, form.cleaned_data["pays_over_threshold"] == "yes",
                                form.cleaned_data["lead_months"])
        messages.success(request, f"The pipeline record for {financial_year_label(year)} is saved")
        return redirect("publishing", slug)
    if request.method == "POST":
        values: dict[str, Any] = dict(form.data.items())
    elif found is not None:
        values = {"pays_over_threshold": "yes" if found.pays_over_threshold else "no",
                  "lead_months": "" if found.lead_months is None else str(found.lead_months)}
    else:
        values = {}
    return page(request, "web/publishing/pipeline.html",
                f"Pipeline notice, financial year {financial_year_label(year)}",
                status=400 if form.errors else 200, organisation=organisation, year=year, values=values,
                errors=form_errors(form, {"pays_over_threshold": "pays_over_threshold"}))


def _last_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before `day`'s: the period a monthly spend file covers, shown first."""
    end = day.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _period(request: HttpRequest) -> tuple[forms.PeriodForm, dt.date, dt.date]:
    start, end = _last_month(today())
    form = forms.PeriodForm(request.GET if "start" in request.GET or "end" in request.GET
                            else {"start": start.isoformat(), "end": end.isoformat()})
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


@scoped
@require_safe
def transparency(request: HttpRequest, slug: str) -> HttpResponse:
    form, start, end = _period(request)
    if form.errors:  # the period asked cannot be read: say so, and compute nothing
        organisation = organisation_access(request.user, slug, *data.TRANSPARENCY_READERS)
        found = None
    else:
        found = data.transparency(request.user, slug, start, end)
        organisation = found.organisation
    return page(request, "web/publishing/transparency.html", f"{organisation.name}: transparency files",
                status=400 if form.errors else 200, organisation=organisation, found=found,
                values=dict(form.data.items()), errors=form_errors(form), start=start, end=end,
                files=TRANSPARENCY_FILE_NAMES)


#: Each transparency file's name in words, with what it implements.
TRANSPARENCY_FILE_NAMES = {
    "spend-over-500": "Expenditure exceeding £500 (Local Government Transparency Code 2015)",
    "contracts-over-5000": "Contracts exceeding £5,000 in force on the period's last day (Transparency Code 2015)",
    "payments-over-30000": "Payments of more than £30,000 under public contracts (Procurement Act 2023 s.70)",
    "unlinked-payments-over-30000": "Payments of more than £30,000 not linked to a contract, and why",
}


@scoped
@require_safe
def transparency_download(request: HttpRequest, slug: str, file: str, fmt: str) -> HttpResponse:
    if file not in TRANSPARENCY_FILE_NAMES or fmt not in ("csv", "xlsx"):
        raise NotFound("no such transparency file")
    form, start, end = _period(request)
    if form.errors:
        return transparency(request, slug)
    found = data.transparency(request.user, slug, start, end)
    data.record_transparency_download(request.user, found.organisation, file, fmt, start, end)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(found.tables.content(file, fmt), content_type=content_type)
    attach(response, f"{found.organisation.slug}-{file}-{start.isoformat()}-{end.isoformat()}.{fmt}")
    return response


@scoped
@require_safe
def invitees(request: HttpRequest, slug: str, tender_id: int) -> HttpResponse:
    """The preliminary market engagement's invitation list (CSV), for the council's commissioners; audited."""
    tender, found = public_data.engagement_invitees(request.user, slug, tender_id)
    public_data.record_invitees_download(request.user, tender, len(found))
    response = HttpResponse(csv_bytes(public_data.INVITEES_HEADER, public_data.invitee_rows(found)),
                            content_type="text/csv; charset=utf-8")
    attach(response, f"{slug}-tender-{tender.pk}-engagement-invitations.csv")
    return response
