"""The public pages (no sign-in): the councils publishing, each council's upcoming opportunities with the lots
suited to SMEs and VCSEs, its downloads (CSV, OCDS), registering interest, its contracts register (CSV, JSON) and
each published contract; and the council's own pipeline pages
in the workspace (commissioners). Reads and writes go through `public.data`; every POST through `public.forms`."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.io.export import csv_bytes
from commonweal.io.ocds.write import dumps
from commonweal.web.access import NotFound, Refused
from commonweal.web.contracts.data import STATUSES, Filters
from commonweal.web.documents import attach
from commonweal.web.forms import GovukErrors
from commonweal.web.public import data, forms
from commonweal.web.public.models import Status
from commonweal.web.views import page, scoped


def _cacheable(request: HttpRequest, tag: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """A public answer: a weak ETag over the published data it shows (the page's body differs by its CSP nonce),
    `304 Not Modified` when the visitor has it already, and `Cache-Control: public` for COMMONWEAL_PUBLIC_MAX_AGE
    seconds (a signed-in visitor's copy is made `no-store` by `web.security.NoStoreMiddleware` all the same)."""
    etag = f'W/"{tag}"'
    response = get_conditional_response(request, etag=etag) or render()
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.COMMONWEAL_PUBLIC_MAX_AGE)
    return response


def _found(read: Callable[[], data.CouncilPage]) -> data.CouncilPage:
    try:
        return read()
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    councils = data.councils()
    tag = data.tag_of([(c.slug, c.name) for c in councils])
    return _cacheable(
        request, tag, lambda: page(request, "web/public/index.html", "Council opportunities", councils=councils)
    )


@require_safe
def council(request: HttpRequest, slug: str) -> HttpResponse:
    found = _found(lambda: data.council_page(slug))
    return _cacheable(
        request, found.etag(), lambda: page(request, "web/public/council.html", found.name, council=found)
    )


@require_safe
def opportunity(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    found = _found(lambda: data.opportunity(slug, opportunity_id))
    return _cacheable(
        request,
        found.etag(),
        lambda: page(
            request,
            "web/public/opportunity.html",
            found.opportunities[0].title,
            council=found,
            opportunity=found.opportunities[0],
        ),
    )


@require_safe
def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("opportunities are downloaded as csv or json (OCDS)")
    found = _found(lambda: data.council_page(slug))

    def render() -> HttpResponse:
        if fmt == "csv":
            response = HttpResponse(
                csv_bytes(data.CSV_HEADER, data.csv_rows(found)), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(dumps(data.ocds_package(found), indent=True), content_type="application/json")
        attach(response, f"{found.slug}-opportunities.{fmt}")
        return response

    return _cacheable(request, f"{found.etag()}-{fmt}", render)


def _register(request: HttpRequest, slug: str, whole: bool = False
              ) -> tuple[forms.ContractFilterForm, data.ContractsPage]:
    """The filters from the query string and the register they select (every published contract when they are
    not valid, beside their errors): the page asked for, or every page (`whole`, a download)."""
    form = forms.ContractFilterForm(request.GET)
    valid = form.is_valid()
    chosen = form.filters() if valid else Filters()
    number = None if whole else (form.cleaned_data["page"] or 1) if valid else 1
    try:
        return form, data.contracts_page(slug, chosen, timezone.localdate(), number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _filters_only(request: HttpRequest) -> str:
    """The query string without its page: the filters a download or another page keeps."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
def contracts(request: HttpRequest, slug: str) -> HttpResponse:
    form, found = _register(request, slug)
    if form.errors:
        return page(request, "web/public/contracts.html", f"{found.name}: contracts register", status=400,
                    register=found, form=form, errors=form.summary(), statuses=STATUSES, query="")
    return _cacheable(
        request,
        found.etag(),
        lambda: page(request, "web/public/contracts.html", f"{found.name}: contracts register", register=found,
                     form=form, errors=[], statuses=STATUSES, query=_filters_only(request)),
    )


@require_safe
def contract(request: HttpRequest, slug: str, contract_id: int) -> HttpResponse:
    try:
        found = data.published_contract(slug, contract_id, timezone.localdate())
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    shown = found.contracts[0]
    return _cacheable(
        request,
        found.etag(),
        lambda: page(request, "web/public/contract.html", f"{shown.reference} {shown.title}", register=found,
                     contract=shown),
    )


@require_safe
def contracts_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The register as shown (the same filters) as CSV or plain JSON."""
    if fmt not in ("csv", "json"):
        raise Http404("the contracts register is downloaded as csv or json")
    form, found = _register(request, slug, whole=True)
    if form.errors:
        return HttpResponse("; ".join(e["text"] for e in form.summary()), status=400,
                            content_type="text/plain; charset=utf-8")

    def render() -> HttpResponse:
        if fmt == "csv":
            body = csv_bytes(data.CONTRACTS_HEADER, data.contract_rows(found))
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        else:
            records = {"council": found.name, "as_at": found.as_at, "contracts": data.contract_records(found)}
            response = HttpResponse(json.dumps(records, indent=2, ensure_ascii=False),
                                    content_type="application/json")
        attach(response, f"{found.slug}-contracts.{fmt}")
        return response

    return _cacheable(request, f"{found.etag()}-{fmt}", render)


@require_http_methods(["GET", "HEAD", "POST"])
def register_interest(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    found = _found(lambda: data.opportunity(slug, opportunity_id))
    form = forms.InterestForm(request.POST if request.method == "POST" else None)
    done = throttled = False
    if form.is_valid():
        try:
            given = form.cleaned_data
            data.register_interest(
                slug,
                opportunity_id,
                request.META.get("REMOTE_ADDR", ""),
                organisation_name=given["organisation_name"],
                kind=given["kind"],
                purpose=given["purpose"],
                contact_name=given["contact_name"],
                email=given["email"],
                message=given["note"],
            )
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Refused as refused:
            throttled = isinstance(refused, data.Throttled)
            form.refused(refused.problems, refused.fields)
        else:
            done = True
    response = page(
        request,
        "web/public/registered.html" if done else "web/public/interest.html",
        "Interest registered" if done else "Register your interest",
        status=429 if throttled else 400 if form.errors else 200,
        council=found,
        opportunity=found.opportunities[0],
        form=form,
        errors=form.summary(),
    )
    add_never_cache_headers(response)  # a form with its CSRF token, or one visitor's confirmation
    return response


# -- the council's pipeline (workspace) ----------------------------------------------------------------------------


def _pipeline_page(request: HttpRequest, slug: str, form: forms.OpportunityForm) -> HttpResponse:
    return page(
        request,
        "web/public/pipeline.html",
        "Opportunities",
        status=400 if form.errors else 200,
        pipeline=data.pipeline(request.user, slug),
        form=form,
        errors=form.summary(),
        statuses=[(s.value, s.label) for s in (Status.DRAFT, Status.PLANNED, Status.OPEN)],
    )


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def pipeline(request: HttpRequest, slug: str) -> HttpResponse:
    form = forms.OpportunityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        data.pipeline(request.user, slug)  # the access check comes before the form's answer
    if form.is_valid():
        given = form.cleaned_data
        try:
            created = data.create_opportunity(
                request.user, slug, given["title"], given["overview"], given["closes_on"], given["status"],
                given["tender"],
            )
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"{created.title} is saved ({Status(created.status).label.lower()})")
            return redirect("opportunity", slug, created.pk)
    return _pipeline_page(request, slug, form)


def _detail_page(request: HttpRequest, slug: str, opportunity_id: int, form: GovukErrors | None = None) -> HttpResponse:
    errors = form.summary() if form is not None else []
    return page(
        request,
        "web/public/detail.html",
        "Opportunity",
        status=400 if errors else 200,
        detail=data.opportunity_detail(request.user, slug, opportunity_id),
        form=form,
        errors=errors,
        statuses=Status.choices,
    )


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def opportunity_detail(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    if request.method != "POST":
        return _detail_page(request, slug, opportunity_id)
    data.opportunity_detail(request.user, slug, opportunity_id)  # access first
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            data.set_status(request.user, slug, opportunity_id, form.cleaned_data["status"])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"The opportunity is now {Status(form.cleaned_data['status']).label.lower()}")
            return redirect("opportunity", slug, opportunity_id)
    return _detail_page(request, slug, opportunity_id, form)


@scoped
@require_http_methods(["POST"])
def opportunity_lot(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    data.opportunity_detail(request.user, slug, opportunity_id)  # access first
    form = forms.LotForm(request.POST)
    if form.is_valid():
        suited = form.cleaned_data["suited"]
        data.add_lot(
            request.user, slug, opportunity_id, form.cleaned_data["title"], "smes" in suited, "vcses" in suited
        )
        messages.success(request, f"Lot {form.cleaned_data['title']} is added")
        return redirect("opportunity", slug, opportunity_id)
    return _detail_page(request, slug, opportunity_id, form)


@scoped
@require_http_methods(["POST"])
def opportunity_tender(request: HttpRequest, slug: str, opportunity_id: int) -> HttpResponse:
    """Link an opportunity to the council's tender it leads to (or to none)."""
    data.opportunity_detail(request.user, slug, opportunity_id)  # access first
    form = forms.TenderLinkForm(request.POST)
    if form.is_valid():
        try:
            tender = data.link_tender(request.user, slug, opportunity_id, form.cleaned_data["tender"])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"The opportunity now leads to {tender}" if tender else
                             "The opportunity now leads to no tender")
            return redirect("opportunity", slug, opportunity_id)
    return _detail_page(request, slug, opportunity_id, form)
