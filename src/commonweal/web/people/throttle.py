"""Sign-in throttling with django-axes' database handler: the counts live in the database, so every worker shares
them and they survive a restart. Failures are counted per user name (from any address) and per address (across
any user names, which slows password spraying), each with its own limit (settings.py, Commonweal defaults)."""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse


class Handler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Axes compares its largest count with one limit (AXES_FAILURE_LIMIT, the per-user-name limit); the
        address has its own limit, so its count is scaled to the user name's: locked exactly when it reaches
        COMMONWEAL_LOGIN_MAX_FAILURES_PER_ADDRESS. The querysets follow AXES_LOCKOUT_PARAMETERS' order."""
        by_name, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.COMMONWEAL_LOGIN_MAX_FAILURES_PER_ADDRESS
        return max(int(by_name), int(scaled))


def username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The user name as counted: case-folded (so `Viewer` and `viewer` share a count) and cut to the column's 255
    characters (an oversized name is counted, never a database error)."""
    given = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(given).strip().casefold()[:255]


def client_address(request: HttpRequest) -> str:
    """The connection's address, or behind COMMONWEAL_PROXY_COUNT trusted proxies the address the outermost proxy
    saw (X-Forwarded-For's entries from the right are the ones the proxies added; the ones left of them are
    whatever the client sent, so they are never trusted)."""
    proxies = settings.COMMONWEAL_PROXY_COUNT
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    if len(forwarded) < proxies:
        return remote
    try:  # the attempts table stores an IP address: anything else would be a database error
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def lockout_response(request: HttpRequest, original: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """Axes' middleware calls this on a locked-out sign-in. The sign-in view has already answered with its own page
    (the GOV.UK error summary, status 429), which is kept."""
    if original is not None and original.status_code == 429:
        return original
    return HttpResponse("Too many failed sign-in attempts. Try again later.", status=429,
                        content_type="text/plain; charset=utf-8")
