"""The spend pages: the organisation's imports and uploads, an import's progress and report (every rejected row
and its reason), the mapping screen, the spend report with filters, the look-alike supplier review, the
community partner finder with lotting advice, and the organisation's local postcode areas. Every POST through a
form in `forms.py`; every read and change through `spend.data`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.io import charts
from commonweal.web.access import Refused, organisation_access
from commonweal.web.documents import attach
from commonweal.web.public import data as public_data
from commonweal.web.spend import data, forms
from commonweal.web.spend.models import SpendImport
from commonweal.web.views import page, scoped

# Rejected rows listed on an import's page; every one of them is in the page's CSV download (Commonweal default).
SHOWN_REJECTIONS = 500


@scoped
@require_safe
def spend_home(request: HttpRequest) -> HttpResponse:
    return page(request, "web/spend/home.html", "Spend", organisations=data.organisations(request.user))


def _overview(request: HttpRequest, slug: str, form: forms.UploadForm, status: int = 200) -> HttpResponse:
    organisation, found = data.imports(request.user, slug)
    _, stored = data.figures(request.user, slug)
    return page(request, "web/spend/overview.html", f"{organisation.name}: spend", status=status,
                organisation=organisation, imports=found, stored=stored, form=form, errors=form.summary(),
                may_write=data.may_write(request.user, organisation))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _overview(request, slug, forms.UploadForm())
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        organisation_access(request.user, slug, *data.WRITERS)
        return _overview(request, slug, form, status=400)
    upload = form.cleaned_data["spend_file"]
    job = data.upload(request.user, slug, upload.name, form.content)
    messages.success(request, f"{job.file_name} is queued for import")
    return redirect("spend_import", slug, job.pk)


@scoped
@require_safe
def spend_import(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    organisation, job = data.spend_import(request.user, slug, import_id)
    report: dict[str, Any] = job.report or {}
    rejections = report.get("rejections", [])
    return page(request, "web/spend/import.html", f"Import of {job.file_name}", organisation=organisation, job=job,
                report=report, rejections=rejections[:SHOWN_REJECTIONS],
                more=max(len(rejections) - SHOWN_REJECTIONS, 0),
                working=job.status in (SpendImport.PENDING, SpendImport.RUNNING),
                percent=min(100, int(100 * job.rows_done / max(job.rows_expected, 1))))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def mapping(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    organisation, job = data.spend_import(request.user, slug, import_id)
    organisation_access(request.user, slug, *data.WRITERS)
    headers = _headers(job)
    form = forms.MappingForm(headers, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            data.state_mapping(request.user, slug, import_id, form.column_map())
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"{job.file_name} is queued for import with the columns you stated")
            return redirect("spend_import", slug, job.pk)
    return page(request, "web/spend/mapping.html", f"State the columns of {job.file_name}",
                status=400 if form.errors else 200, organisation=organisation, job=job, form=form,
                errors=form.summary(), headers=headers, fields=data.MAPPED_FIELDS)


def _headers(job: SpendImport) -> list[str]:
    """The column choices: the cells of the stated header row, or of the widest of the sample's rows."""
    rows: list[list[str]] = job.sample or []
    stated = (job.column_map or {}).get("header_row")
    if stated and stated <= len(rows):
        return [c.strip() for c in rows[stated - 1]]
    widest: list[str] = max(rows, key=lambda r: sum(1 for c in r if c.strip()), default=[])
    return [c.strip() for c in widest]


@scoped
@require_safe
def report(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, stored = data.figures(request.user, slug)
    form = forms.ReportFilterForm(request.GET or None)
    months, services = data.filter_choices(stored)
    figures: dict[str, Any] | None = None
    chart_svgs: dict[str, str] = {}
    if stored is not None and (not request.GET or form.is_valid()):
        cleaned = form.cleaned_data if request.GET else {}
        filters = data.Filters(cleaned.get("period_from", ""), cleaned.get("period_to", ""),
                               cleaned.get("service_area", ""))
        figures = data.filtered_report(stored, filters)
        if figures["series"]:
            chart_svgs["series"] = charts.svg(charts.shares_over_time(figures["series"]))
        if figures["top_suppliers"]:
            chart_svgs["top"] = charts.svg(charts.top_suppliers(figures["top_suppliers"]))
    return page(request, "web/spend/report.html", f"{organisation.name}: where the money goes",
                status=400 if form.errors else 200, organisation=organisation, stored=stored, form=form,
                errors=form.summary(), figures=figures, charts=chart_svgs, months=months, services=services)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def reviews(request: HttpRequest, slug: str) -> HttpResponse:
    form = forms.ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            data.decide_review(request.user, slug, d["left"], d["right"], d["decision"] == "same", d["reason"])
        except Refused as refused:
            form.refused(refused.problems, tuple("left" for _ in refused.problems))
        else:
            messages.success(request, f"Decision recorded: '{d['left']}' and '{d['right']}'")
            return redirect("spend_reviews", slug)
    elif request.method == "POST":
        organisation_access(request.user, slug, *data.WRITERS)
    organisation, candidates, decided = data.reviews(request.user, slug)
    return page(request, "web/spend/reviews.html", f"{organisation.name}: look-alike supplier names",
                status=400 if form.errors else 200, organisation=organisation, candidates=candidates,
                decided=decided, form=form, errors=form.summary(), may_write=data.may_write(request.user, organisation))


@scoped
@require_safe
def partners(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = data.readable(request.user, slug)
    form = forms.PartnersForm(request.GET or None)
    advice = None
    if request.GET and form.is_valid():
        d = form.cleaned_data
        try:
            advice = data.partners(request.user, slug, d["service"], d["value"], d["lots"], d["local_areas"])
        except Refused as refused:
            form.refused(refused.problems, tuple("service" for _ in refused.problems))
    # the organisation's own local areas fill the field until the person states others
    return page(request, "web/spend/partners.html", f"{organisation.name}: community partners and lots",
                status=400 if form.errors else 200, organisation=organisation, form=form, errors=form.summary(),
                advice=advice, registered=public_data.registered_candidates(organisation),
                local_default=", ".join(data.local_areas(organisation)))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def local_areas(request: HttpRequest, slug: str) -> HttpResponse:
    form = forms.LocalAreasForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        organisation_access(request.user, slug, *data.SETTERS)
        if form.is_valid():
            try:
                data.set_local_areas(request.user, slug, form.cleaned_data["areas"])
            except Refused as refused:
                form.refused(refused.problems, refused.fields)
            else:
                messages.success(request, "The local postcode areas are saved; the spend figures' local share "
                                          "follows them")
                return redirect("spend_local_areas", slug)
    organisation, setting = data.local_areas_setting(request.user, slug)
    return page(request, "web/spend/local_areas.html", f"{organisation.name}: local postcode areas",
                status=400 if form.errors else 200, organisation=organisation, setting=setting, form=form,
                errors=form.summary(), may_set=data.may_write(request.user, organisation, data.SETTERS))


@scoped
@require_safe
def rejections(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """Every rejected row of an import and its reason, as CSV (formula injection neutralised)."""
    from commonweal.io.export import csv_bytes

    _, job = data.spend_import(request.user, slug, import_id)
    rows = [(r.get("sheet", ""), r["row"], r["column"] or "", r["reason"])
            for r in (job.report or {}).get("rejections", [])]
    response = HttpResponse(csv_bytes(("sheet", "row", "column", "reason"), rows),
                            content_type="text/csv; charset=utf-8")
    attach(response, f"import-{job.pk}-rejected-rows.csv")
    return response
