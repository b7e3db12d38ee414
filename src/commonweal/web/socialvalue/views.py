"""The social value pages: thin views that check the form, call `socialvalue.data` and render. Upload problems
are listed with file, row and column, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.domain.lifecycle import Role
from commonweal.domain.socialvalue.core_values import DEFAULT_CORE_VALUE_LIMIT
from commonweal.domain.socialvalue.maturity import LEVELS, QUESTIONS, SOLACE_2018
from commonweal.domain.socialvalue.rollup import AsAt
from commonweal.io.errors import InputError
from commonweal.services.member_report import benchmark_figure, figure_image
from commonweal.web.access import NotFound, Refused, organisation_access
from commonweal.web.documents import attach
from commonweal.web.forms import input_problems
from commonweal.web.socialvalue import data, forms, report, sources
from commonweal.web.views import page, scoped, today

GET_POST = ["GET", "HEAD", "POST"]


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    """A POST's data and files (even when empty: an empty form is refused, not shown afresh); nothing for a GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


@scoped
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return page(request, "web/socialvalue/index.html", "Social value", organisations=data.organisations(request.user))


@scoped
@require_safe
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    found = data.overview(request.user, slug)
    return page(request, "web/socialvalue/overview.html", f"{found.organisation.name}: social value", view=found)


# -- core values ----------------------------------------------------------------------------------------------------


def _core_value_form(request: HttpRequest, slug: str, initial: dict[str, Any] | None = None) -> Any:

    organisation = organisation_access(request.user, slug)
    library = data.library_for(organisation)
    outcomes = sorted({m.outcome for m in library.measures})
    choices = [(m.id, f"{m.id}: {m.name}") for m in library.measures]
    posted = request.POST if request.method == "POST" else None
    return organisation, library, forms.CoreValueForm(posted, initial=initial, outcomes=outcomes, measures=choices)


def _save_core_value(request: HttpRequest, slug: str, value_id: int | None, initial: dict[str, Any] | None,
                     title: str) -> HttpResponse:
    organisation, library, form = _core_value_form(request, slug, initial)
    if request.method == "POST":

        organisation_access(request.user, slug, Role.COMMISSIONER)
        if form.is_valid():
            try:
                saved = data.save_core_value(request.user, slug, value_id, form.cleaned_data["title"],
                                             form.cleaned_data["outcomes"], form.cleaned_data["measures"],
                                             form.cleaned_data["proportionality"])
            except Refused as refused:
                form.refused(refused.problems, refused.fields)
            else:
                messages.success(request, f"Core value {saved.title} saved")
                return redirect("sv_overview", slug)
    return page(request, "web/socialvalue/core_value.html", title, status=400 if form.errors else 200,
                organisation=organisation, library=library, form=form, errors=form.summary(), value_id=value_id,
                limit=DEFAULT_CORE_VALUE_LIMIT)


@scoped
@require_http_methods(GET_POST)
def core_value_new(request: HttpRequest, slug: str) -> HttpResponse:

    organisation_access(request.user, slug, Role.COMMISSIONER)
    return _save_core_value(request, slug, None, None, "Add a core value")


@scoped
@require_http_methods(GET_POST)
def core_value(request: HttpRequest, slug: str, value_id: int) -> HttpResponse:
    organisation_access(request.user, slug, Role.COMMISSIONER)
    _, found = data.core_value(request.user, slug, value_id)
    initial = {"title": found.title, "outcomes": found.outcomes, "measures": found.measures,
               "proportionality": found.proportionality}
    return _save_core_value(request, slug, value_id, initial, f"Core value: {found.title}")


@scoped
@require_http_methods(["POST"])
def core_value_remove(request: HttpRequest, slug: str, value_id: int) -> HttpResponse:
    organisation_access(request.user, slug, Role.COMMISSIONER)
    _, found = data.core_value(request.user, slug, value_id)
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        try:
            removed = data.remove_core_value(request.user, slug, value_id)
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"Core value {removed} removed")
            return redirect("sv_overview", slug)
    view = data.overview(request.user, slug)
    return page(request, "web/socialvalue/overview.html", f"{view.organisation.name}: social value", status=400,
                view=view, errors=[{"text": e["text"], "href": f"#remove-{found.pk}"} for e in form.summary()])


# -- the measures library and PPN 002 -------------------------------------------------------------------------------


@scoped
@require_safe
def measures(request: HttpRequest, slug: str) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    organisation, library, found = data.search_measures(request.user, slug, query)
    return page(request, "web/socialvalue/measures.html", f"{organisation.name}: measures library",
                organisation=organisation, library=library, measures=found, query=query)


@scoped
@require_http_methods(GET_POST)
def library_import(request: HttpRequest, slug: str) -> HttpResponse:

    organisation = organisation_access(request.user, slug, Role.COMMISSIONER)
    form = forms.LibraryImportForm(*_posted(request))
    problems: list[Any] = []
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if not form.is_valid():
            errors = form.summary()
        else:
            upload = form.upload("library")
            assert upload is not None
            try:
                library = data.import_library(request.user, slug, *upload, form.cleaned_data["name"],
                                              form.cleaned_data["version"])
            except InputError as exc:
                problems, errors = input_problems(exc, "library")
            else:
                messages.success(request, f"{len(library.measures)} measures imported; only {organisation.name} "
                                          "can see them")
                return redirect("sv_measures", slug)
    return page(request, "web/socialvalue/library_import.html", f"Import {organisation.name}'s own library",
                status=400 if errors else 200, organisation=organisation, errors=errors, problems=problems)


@scoped
@require_http_methods(GET_POST)
def ppn002(request: HttpRequest, slug: str) -> HttpResponse:
    form = forms.ModelImportForm(*_posted(request))
    problems: list[Any] = []
    errors: list[dict[str, str]] = []
    if request.method == "POST":

        organisation_access(request.user, slug, Role.COMMISSIONER)
        if not form.is_valid():
            errors = form.summary()
        else:
            upload = form.upload("model")
            assert upload is not None
            try:
                rows = data.import_ppn002(request.user, slug, *upload)
            except InputError as exc:
                problems, errors = input_problems(exc, "model")
            else:
                messages.success(request, f"The Social Value Model's {rows} rows imported")
                return redirect("sv_ppn002", slug)
    view = data.ppn002(request.user, slug)
    return page(request, "web/socialvalue/ppn002.html", "The Social Value Model (PPN 002)",
                status=400 if errors else 200, view=view, organisation=view.organisation, errors=errors,
                problems=problems)


# -- a tender's measures --------------------------------------------------------------------------------------------


@scoped
@require_http_methods(GET_POST)
def tender(request: HttpRequest, tender_id: int) -> HttpResponse:
    view = data.tender_measures(request.user, tender_id)
    measures = sorted({m for v in view.core_values for m in v.measures})
    form = forms.TenderMeasureForm(request.POST if request.method == "POST" else None,
                                   core_values=[(v.pk, v.title) for v in view.core_values], measures=measures)
    if request.method == "POST":
        view.access.require(Role.COMMISSIONER)
        if form.is_valid():
            try:
                chosen = data.select_measure(request.user, tender_id, form.cleaned_data["core_value"],
                                             form.cleaned_data["measure"], form.cleaned_data["relevance"],
                                             form.cleaned_data["proportionality"])
            except Refused as refused:
                form.refused(refused.problems, refused.fields)
            else:
                messages.success(request, f"Bidders will be asked for {chosen.measure_id}")
                return redirect("sv_tender", tender_id)
    return page(request, "web/socialvalue/tender.html", f"{view.access.tender.reference}: social value",
                status=400 if form.errors else 200, view=view, form=form, errors=form.summary())


@scoped
@require_http_methods(["POST"])
def tender_remove(request: HttpRequest, tender_id: int, selection_id: int) -> HttpResponse:
    view = data.tender_measures(request.user, tender_id)
    view.access.require(Role.COMMISSIONER)
    if not any(s.pk == selection_id for s in view.selected):
        raise NotFound("no such measure on this tender")
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        try:
            removed = data.remove_measure(request.user, tender_id, selection_id)
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"Bidders will no longer be asked for {removed}")
            return redirect("sv_tender", tender_id)
    measures = sorted({m for v in view.core_values for m in v.measures})
    empty = forms.TenderMeasureForm(core_values=[(v.pk, v.title) for v in view.core_values], measures=measures)
    return page(request, "web/socialvalue/tender.html", f"{view.access.tender.reference}: social value",
                status=400, view=view, form=empty,
                errors=[{"text": e["text"], "href": f"#remove-{selection_id}"} for e in form.summary()])


# -- commitments and delivery over time ------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[forms.PeriodForm, AsAt]:
    current = sources.financial_year(today())
    form = forms.PeriodForm(request.GET if "year" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form, AsAt(form.cleaned_data["year"], form.cleaned_data["quarter"])
    if not form.is_bound:
        form = forms.PeriodForm(initial={"year": current.year, "quarter": current.quarter})
    return form, current


@scoped
@require_safe
def delivery(request: HttpRequest, slug: str) -> HttpResponse:
    form, as_at = _period(request)
    view = data.rollup(request.user, slug, as_at)
    return page(request, "web/socialvalue/delivery.html", f"{view.organisation.name}: social value over time",
                status=400 if form.errors else 200, view=view, form=form, errors=form.summary() if form.is_bound
                else [])


@scoped
@require_http_methods(GET_POST)
def contract_record(request: HttpRequest, slug: str) -> HttpResponse:

    organisation = organisation_access(request.user, slug, Role.COMMISSIONER)
    form = forms.ContractForm(*_posted(request))
    problems: list[Any] = []
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if not form.is_valid():
            errors = form.summary()
        else:
            commitments = form.upload("commitments")
            assert commitments is not None
            try:
                saved = data.record_contract(request.user, slug, form.cleaned_data["title"],
                                             form.cleaned_data["supplier"], form.cleaned_data["first_year"],
                                             commitments, form.upload("returns"))
            except InputError as exc:
                problems, errors = input_problems(exc, "commitments")
            except Refused as refused:
                form.refused(refused.problems, refused.fields)
                errors = form.summary()
            else:
                messages.success(request, f"{saved.title}'s social value recorded")
                return redirect("sv_delivery", slug)
    return page(request, "web/socialvalue/contract.html", "Record a contract's social value",
                status=400 if errors else 200, organisation=organisation, form=form, errors=errors,
                problems=problems)


# -- SROI -----------------------------------------------------------------------------------------------------------


@scoped
@require_http_methods(GET_POST)
def sroi(request: HttpRequest, slug: str) -> HttpResponse:
    form = forms.SroiForm(*_posted(request))
    problems: list[Any] = []
    errors: list[dict[str, str]] = []
    if request.method == "POST":

        organisation_access(request.user, slug, Role.COMMISSIONER)
        if not form.is_valid():
            errors = form.summary()
        else:
            upload = form.upload("impact_map")
            assert upload is not None
            try:
                saved = data.add_programme(request.user, slug, *upload)
            except InputError as exc:
                problems, errors = input_problems(exc, "impact_map")
            else:
                return redirect("sv_sroi_programme", slug, saved.pk)
    organisation, found, may_change = data.programmes(request.user, slug)
    return page(request, "web/socialvalue/sroi.html", f"{organisation.name}: social return on investment",
                status=400 if errors else 200, organisation=organisation, programmes=found, may_change=may_change,
                errors=errors, problems=problems)


@scoped
@require_safe
def sroi_programme(request: HttpRequest, slug: str, programme_id: int) -> HttpResponse:
    organisation, found = data.programme(request.user, slug, programme_id)
    return page(request, "web/socialvalue/sroi_programme.html", f"SROI: {found.name}", organisation=organisation,
                programme=found, result=found.result)


# -- maturity -------------------------------------------------------------------------------------------------------


@scoped
@require_http_methods(GET_POST)
def maturity(request: HttpRequest, slug: str) -> HttpResponse:
    form = forms.MaturityForm(request.POST if request.method == "POST" else None,
                              initial={"taken_on": today().isoformat()})
    if request.method == "POST":

        organisation_access(request.user, slug, Role.COMMISSIONER)
        if form.is_valid():
            try:
                result = data.record_maturity(request.user, slug, form.cleaned_data["taken_on"],
                                              {q.id: form.cleaned_data[q.id] for q in QUESTIONS})
            except Refused as refused:
                form.refused(refused.problems, refused.fields)
            else:
                messages.success(request, f"Self-assessment saved: '{result.level}'")
                return redirect("sv_maturity", slug)
    view = data.maturity(request.user, slug)
    figure = benchmark_figure(view.latest.level if view.latest else None)
    return page(request, "web/socialvalue/maturity.html", f"{view.organisation.name}: social value maturity",
                status=400 if form.errors else 200, view=view, form=form, errors=form.summary(),
                questions=QUESTIONS, levels=LEVELS, figure=figure, figure_src=figure_image(figure),
                benchmark=SOLACE_2018)


# -- the member report ----------------------------------------------------------------------------------------------


@scoped
@require_safe
def member_report(request: HttpRequest, slug: str) -> HttpResponse:
    form, as_at = _period(request)
    built = report.build(request.user, slug, as_at)
    return page(request, "web/socialvalue/report.html", f"{built.organisation.name}: social value report",
                status=400 if form.errors else 200, report=built, form=form,
                errors=form.summary() if form.is_bound else [],
                images={s.id: figure_image(s.figure) for s in built.sections if s.figure})


@scoped
@require_safe
def member_report_download(request: HttpRequest, slug: str, document: str) -> HttpResponse:
    _, as_at = _period(request)
    if document not in report.FORMATS:
        raise NotFound("no such format")
    content, content_type, name = report.download(request.user, slug, as_at, document)
    response = HttpResponse(content, content_type=content_type)
    attach(response, name)
    return response
