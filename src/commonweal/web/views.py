"""What every area's pages share: `page` (render with the base layout), `scoped` (sign-in required; the access
layer's NotFound and Forbidden become 404 and 403 pages), `not_yet`, `today`; and the pages that belong to no area:
signing in and out, and the error pages. An area's own pages live in its package (`web/tenders/views.py`,
`web/people/views.py`, `web/home/views.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from commonweal.web import api, forms
from commonweal.web.access import Forbidden, NotFound

View = Callable[..., HttpResponse]


def page(request: HttpRequest, template: str, title: str, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("field_errors", forms.field_errors(context.get("errors") or []))
    return render(request, template, {"title": title, **context}, status=status)


def scoped(view: View) -> View:
    """Sign-in required; the data layer's NotFound and Forbidden become 404 and 403 pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            response = page(request, "web/forbidden.html", "You cannot see this page", status=403, reason=str(exc))
            assert isinstance(response, HttpResponse)
            return response

    return wrapper


def today() -> dt.date:
    return timezone.localdate()


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in. Failures are counted in the database by django-axes (`commonweal.web.people.throttle`): per user
    name and per address, each with its limit and lockout time (settings.py, Commonweal defaults)."""
    errors: list[dict[str, str]] = []
    username = ""
    status = 200
    if request.method == "POST":
        form = forms.SignInForm(request.POST)
        username = form.data.get("username", "")[:forms.USERNAME_MAX_CHARS]
        if not form.is_valid():
            errors = forms.form_errors(form)
            status = 400
        else:
            username = form.cleaned_data["username"]
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is not None:
                login(request, user)
                target = form.cleaned_data["next"]
                if not url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False):
                    target = reverse("home")
                return redirect(target)
            if getattr(request, "axes_locked_out", False):
                minutes = settings.COMMONWEAL_LOGIN_LOCKOUT_SECONDS // 60
                errors.append({"text": f"Too many failed attempts. Try again in {minutes} minutes.",
                               "href": "#username"})
                status = 429
            else:
                errors.append({"text": "Enter a correct user name and password", "href": "#username"})
                status = 400
    next_page = request.GET.get("next", request.POST.get("next", ""))
    return page(request, "web/sign_in.html", "Sign in", status=status, errors=errors, username=username,
                next=next_page if forms.text_problem(next_page) is None else "")


@require_http_methods(["POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def forbidden(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF failures get the service's own page rather than Django's (and the API its JSON error)."""
    if api.is_api(request):
        return api.json_error(403, "CSRF check failed")
    response = page(request, "web/forbidden.html", "You cannot do that", status=403,
                    reason="The form had expired or came from another site. Go back, reload the page and try again.")
    return HttpResponseForbidden(response.content)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if api.is_api(request):
        return api.json_error(404, "Not Found")
    return page(request, "web/forbidden.html", "Page not found", status=404,
                reason="There is no such page, or it belongs to an organisation you are not a member of")


def server_error(request: HttpRequest) -> HttpResponse:
    if api.is_api(request):
        return api.json_error(500, "Sorry, there is a problem with the service. Nothing was saved.")
    return page(request, "web/forbidden.html", "Sorry, there is a problem with the service", status=500,
                reason="Try again later. Nothing you entered has been lost if you saw no error on the form")

