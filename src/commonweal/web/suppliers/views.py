"""The suppliers area's pages: thin views over `suppliers.data`; every POST through a form in `forms.py`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.web.access import Refused
from commonweal.web.forms import form_errors, refused_errors
from commonweal.web.suppliers import data, forms
from commonweal.web.views import page, scoped


@scoped
@require_safe
def watchlists(request: HttpRequest) -> HttpResponse:
    return page(request, "web/suppliers/watchlists.html", "Supplier watchlists",
                watchlists=data.watchlists(request.user))


@scoped
@require_safe
def watchlist(request: HttpRequest, slug: str) -> HttpResponse:
    found = data.watchlist(request.user, slug)
    return page(request, "web/suppliers/watchlists.html", f"{found.organisation.name}: supplier watchlist",
                watchlists=[found], organisation=found.organisation, suggested=data.suggested(found))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def add(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = data.may_change(request.user, slug)
    # a suggestion from the contracts register links here with the supplier's name filled in
    form = forms.AddSupplierForm(request.POST if request.method == "POST" else None,
                                 initial={"name": request.GET.get("name", "")[:200]})
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                watched = data.add(request.user, slug, form.fields_for_data())
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "name")
            else:
                messages.success(request, f"{watched.name} is on the watchlist: upload its accounts next")
                return redirect("supplier", slug, watched.pk)
        else:
            errors = form_errors(form)
    return page(request, "web/suppliers/add.html", "Add a supplier to the watchlist", status=400 if errors else 200,
                organisation=organisation, form=form, errors=errors)


@scoped
@require_safe
def supplier(request: HttpRequest, slug: str, supplier_id: int) -> HttpResponse:
    found = data.supplier(request.user, slug, supplier_id)
    return page(request, "web/suppliers/supplier.html", found.supplier.name, found=found,
                organisation=found.organisation, dependence=data.dependence)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def accounts(request: HttpRequest, slug: str, supplier_id: int) -> HttpResponse:
    organisation = data.may_change(request.user, slug)
    found = data.supplier(request.user, slug, supplier_id)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        form = forms.AccountsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            name, content = form.files_read(["accounts"])["accounts"]
            try:
                years = data.upload_accounts(request.user, slug, supplier_id, name, content,
                                             form.cleaned_data["unit"])
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "accounts")
            else:
                messages.success(request, f"Accounts for the year{'s' if len(years) > 1 else ''} ending "
                                          f"{', '.join(years)} saved and the supplier reassessed")
                return redirect("supplier", slug, supplier_id)
        else:
            errors = form_errors(form)
    return page(request, "web/suppliers/accounts.html", f"Upload accounts: {found.supplier.name}",
                status=400 if errors else 200, organisation=organisation, found=found, errors=errors)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def dependency(request: HttpRequest, slug: str, supplier_id: int) -> HttpResponse:
    organisation = data.may_change(request.user, slug)
    found = data.supplier(request.user, slug, supplier_id)
    watched = found.supplier
    initial = {"tier": watched.tier, "critical": "yes" if watched.critical else "no",
               "service_area": watched.service_area,
               **{k: "" if getattr(watched, k) is None else str(getattr(watched, k))
                  for k in ("annual_contract_value", "council_spend_with_supplier", "council_spend_in_service_area")}}
    form = forms.DependencyForm(request.POST if request.method == "POST" else None)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            data.change_dependency(request.user, slug, supplier_id, form.fields_for_data())
            messages.success(request, f"The dependency on {watched.name} is recorded and the supplier reassessed")
            return redirect("supplier", slug, supplier_id)
        errors = form_errors(form)
    return page(request, "web/suppliers/dependency.html", f"Dependency: {watched.name}", status=400 if errors else 200,
                organisation=organisation, found=found, form=form, values=form.data if form.is_bound else initial,
                errors=errors)
