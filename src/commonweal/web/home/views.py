"""The home area: each of the person's organisations with what needs their attention there (`attention`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from commonweal.web.home import attention
from commonweal.web.views import page, scoped


@scoped
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Each of the person's organisations with what needs their attention there."""
    homes = attention.homes(request.user)
    return page(request, "web/home/home.html", "Home", homes=homes)


@scoped
@require_safe
def organisation_home(request: HttpRequest, slug: str) -> HttpResponse:
    (home,) = attention.homes(request.user, slug)
    return page(request, "web/home/home.html", home.organisation.name, homes=[home], organisation=home.organisation)

