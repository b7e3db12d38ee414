"""Security headers Django 5.2 does not set itself: a Content Security Policy with a per-request nonce, and
`Cache-Control: no-store` on everything a signed-in person or an API client is sent."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Only our own scripts run (plus GOV.UK Frontend's one-line inline `js-enabled` script, by nonce)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY.format(nonce=nonce))
        return response


class NoStoreMiddleware:
    """Bid, score and price data must not stay in a browser's or a proxy's cache (a shared council PC, the back
    button after signing out). Rather than trusting each view to say so, every response to a signed-in person and
    every API response is marked `no-store`, with `Vary: Cookie`. Static assets never reach this middleware:
    WhiteNoise, earlier in MIDDLEWARE, answers them first, with their long cache header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # urls.py mounts the API at /api/; its bearer-token clients are not session users
        if (user is not None and user.is_authenticated) or request.path_info.startswith("/api/"):
            add_never_cache_headers(response)
            patch_vary_headers(response, ("Cookie",))
        return response
