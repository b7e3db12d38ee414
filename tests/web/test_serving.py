"""Production serving: secure settings by default (`check --deploy` clean), `Cache-Control: no-store` on every
response carrying bid, score or price data, and `commonweal web serve` running gunicorn for real."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonweal.web.access import issue_token
from commonweal.web.models import Bid

COMMONWEAL = Path(sys.executable).with_name("commonweal")
PORTS = range(8130, 8140)  # this branch's port range on the shared machine
CHECK_DEPLOY = ("import django; django.setup(); from django.core.management import call_command; "
                "call_command('check', deploy=True, fail_level='WARNING')")


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh production install: no demo relaxation, no debug, SQLite in a temporary folder."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "COMMONWEAL_LOCAL_DEMO", "COMMONWEAL_INSECURE_COOKIES", "COMMONWEAL_DEBUG",
                        "COMMONWEAL_STATIC_ROOT", "COMMONWEAL_SSL_REDIRECT") and not k.startswith("COMMONWEAL_HSTS")}
    env.update(DJANGO_SETTINGS_MODULE="commonweal.web.settings", COMMONWEAL_VAR=str(tmp_path / "var"),
               COMMONWEAL_SECRET_KEY=secrets.token_urlsafe(50), **extra)
    return env


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", CHECK_DEPLOY], check=False, env=_production_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_local_demo_relaxes_only_what_plain_http_needs(tmp_path: Path) -> None:
    """The same check fails under the demo's setting, naming exactly the cookie flags and the https redirect."""
    result = subprocess.run([sys.executable, "-c", CHECK_DEPLOY], check=False,
                            env=_production_env(tmp_path, COMMONWEAL_LOCAL_DEMO="1"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert sorted(set(re.findall(r"\(security\.(W\d+)\)", result.stderr))) == ["W008", "W012", "W016"]


# --- Cache-Control: no-store ----------------------------------------------------------------------------------

def _assert_not_stored(response) -> None:
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


@pytest.mark.db
def test_pages_exports_and_pdfs_with_bid_data_are_never_stored(world, client_for) -> None:
    client = client_for("shared.commissioner")
    tender = world["southdale"]
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    assert bid is not None
    for path in (f"/tenders/{tender.pk}/", f"/tenders/{tender.pk}/results/", f"/tenders/{tender.pk}/results.csv",
                 f"/tenders/{tender.pk}/results.xlsx", f"/tenders/{tender.pk}/summaries/{bid.pk}.pdf"):
        _assert_not_stored(client.get(path))


@pytest.mark.db
def test_api_answers_are_never_stored(world) -> None:
    token = issue_token(User.objects.get(username="shared.commissioner"), "cache test")
    _assert_not_stored(Client().get(f"/api/tenders/{world['southdale'].pk}/results",
                                    HTTP_AUTHORIZATION=f"Bearer {token}"))
    refused = Client().get("/api/tenders", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert refused.status_code == 401 and "no-store" in refused["Cache-Control"]


@pytest.mark.db
def test_the_sign_in_page_and_static_assets_keep_their_caching(world, client_for) -> None:
    """Only what is sent to a signed-in person is marked: the public sign-in page is not, and a static asset,
    answered by WhiteNoise before the middleware, keeps its own cache header even for a signed-in person."""
    assert "no-store" not in Client().get("/sign-in/").get("Cache-Control", "")
    asset = client_for("shared.commissioner").get("/assets/commonweal/commonweal.css")
    assert asset.status_code == 200
    assert "no-store" not in asset["Cache-Control"] and "max-age" in asset["Cache-Control"]


# --- commonweal web serve: gunicorn for real ------------------------------------------------------------------

def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _request(port: int, method: str, path: str, *, https: bool = True, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # the TLS proxy's header (COMMONWEAL_PROXY_SSL_HEADER below); without it the request came over plain http
    sent = {"X-Forwarded-Proto": "https"} if https else {}
    sent.update(headers or {})
    if body is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response, content


def _commonweal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMMONWEAL), "web", *args], check=False, env=env, capture_output=True, text=True,
                          timeout=300)


@contextmanager
def _server(tmp_path: Path, env: dict[str, str], port: int, *args: str) -> Iterator[bytes]:
    """Start `commonweal web ARGS` on PORT, wait (60 s at most) until the sign-in page answers, yield that page, then
    stop it with SIGTERM, gunicorn's graceful shutdown, and check it exited cleanly."""
    log, errors = tmp_path / "access.log", tmp_path / "error.log"
    https = "COMMONWEAL_LOCAL_DEMO" not in env
    with log.open("w") as stdout, errors.open("w") as stderr:
        server = subprocess.Popen([str(COMMONWEAL), "web", *args], env=env, stdout=stdout, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, errors.read_text()
            try:
                page, html = _request(port, "GET", "/sign-in/", https=https)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        assert page.status == 200, page.status
        assert page.getheader("Server") == "gunicorn"  # Django's runserver says WSGIServer
        yield html
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            pytest.fail("gunicorn did not stop within 40 s of SIGTERM")
    assert server.returncode == 0, errors.read_text()
    assert '"GET /sign-in/ HTTP/1.1" 200' in log.read_text()  # the access log goes to stdout


def _assert_hashed_css_long_cached(port: int, html: bytes, *, https: bool) -> None:
    stylesheet = re.search(r'href="(/assets/commonweal/commonweal\.[0-9a-f]{12}\.css)"', html.decode())
    assert stylesheet, "the stylesheet is not served under its content-hashed name"
    css, body = _request(port, "GET", stylesheet.group(1), https=https)
    assert css.status == 200 and css.getheader("Content-Type", "").startswith("text/css") and body
    assert css.getheader("Cache-Control") == "max-age=315360000, public, immutable"


@pytest.mark.db
def test_commonweal_web_serve_runs_gunicorn(tmp_path: Path) -> None:
    port = _free_port()
    env = _production_env(tmp_path, COMMONWEAL_STATIC_ROOT=str(tmp_path / "static"),
                          COMMONWEAL_PROXY_SSL_HEADER="X-Forwarded-Proto")
    refused = _commonweal(env, "serve", "--bind", f"127.0.0.1:{port}")
    assert refused.returncode == 1 and "commonweal web migrate" in refused.stderr, refused.stderr
    assert _commonweal(env, "migrate").returncode == 0
    seeded = _commonweal(env, "demo", "--no-serve")
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"^\s+commissioner\s+(\S+)$", seeded.stdout, re.MULTILINE)
    assert password, seeded.stdout
    refused = _commonweal(env, "serve", "--bind", f"127.0.0.1:{port}")
    assert refused.returncode == 1 and "commonweal web collectstatic" in refused.stderr, refused.stderr
    assert _commonweal(env, "collectstatic").returncode == 0

    with _server(tmp_path, env, port, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2") as html:
        page, form = _request(port, "GET", "/sign-in/")
        assert page.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
        assert "frame-ancestors 'none'" in page.getheader("Content-Security-Policy", "")
        assert page.getheader("X-Frame-Options") == "DENY"
        assert page.getheader("X-Content-Type-Options") == "nosniff"
        csrf_cookie = page.getheader("Set-Cookie", "")
        assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie

        plain, _ = _request(port, "GET", "/sign-in/", https=False)
        assert plain.status == 301 and plain.getheader("Location") == f"https://127.0.0.1:{port}/sign-in/"

        _assert_hashed_css_long_cached(port, html, https=True)

        # signing in works through the proxy (CSRF's origin check, Secure cookies), and the tender list is not stored
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.decode())
        assert token
        csrf = re.search(r"csrftoken=([^;]+)", csrf_cookie)
        assert csrf
        signed_in, _ = _request(
            port, "POST", "/sign-in/",
            body=urlencode({"csrfmiddlewaretoken": token.group(1), "username": "commissioner",
                            "password": password.group(1)}),
            headers={"Cookie": f"csrftoken={csrf.group(1)}", "Origin": f"https://127.0.0.1:{port}"})
        assert signed_in.status == 302, signed_in.status
        session = re.search(r"sessionid=([^;]+)", signed_in.getheader("Set-Cookie", ""))
        assert session and "Secure" in signed_in.getheader("Set-Cookie", "")
        tenders, listing = _request(port, "GET", "/tenders/", headers={"Cookie": f"sessionid={session.group(1)}"})
        assert tenders.status == 200 and b"NBC-ASC-2026-014" in listing
        assert "no-store" in tenders.getheader("Cache-Control", "")


@pytest.mark.db
def test_commonweal_web_demo_serves_with_gunicorn_over_plain_http(tmp_path: Path) -> None:
    """The local demo: migrated, seeded, static files collected under its var folder, the same gunicorn; plain http
    on 127.0.0.1 answers without a redirect and cookies come without the Secure flag, which is all it relaxes."""
    port = _free_port()
    env = _production_env(tmp_path, COMMONWEAL_LOCAL_DEMO="1")
    with _server(tmp_path, env, port, "demo", "--port", str(port)) as html:
        page, _ = _request(port, "GET", "/sign-in/", https=False)
        assert "Secure" not in page.getheader("Set-Cookie", "") and "HttpOnly" in page.getheader("Set-Cookie", "")
        assert "frame-ancestors 'none'" in page.getheader("Content-Security-Policy", "")
        _assert_hashed_css_long_cached(port, html, https=False)
    assert (tmp_path / "var" / "static" / "staticfiles.json").exists()


@pytest.fixture
def _never_serve(monkeypatch):
    """The refusal tests call the command in-process: should a refusal be missing, fail rather than start serving."""
    from commonweal.web.management.commands import serve

    def refuse(self) -> None:
        pytest.fail("serve started gunicorn instead of refusing")

    monkeypatch.setattr(serve._Gunicorn, "run", refuse)


@pytest.mark.usefixtures("_never_serve")
def test_serve_refuses_nonsense_worker_counts() -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        call_command("serve", "--workers", "0")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("serve", "--timeout", "-5")


@pytest.mark.db
@pytest.mark.usefixtures("_never_serve")
def test_serve_refuses_a_missing_front_end_build_or_a_stale_collection(tmp_path: Path, settings) -> None:
    """A page naming a static file the manifest lacks fails, so serve refuses to start rather than serve errors."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.STATIC_ROOT = str(tmp_path / "static")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text(json.dumps(
        {"paths": {"commonweal/commonweal.css": "commonweal/commonweal.0123456789ab.css"}, "version": "1.1"}))
    with pytest.raises(CommandError, match=r"not yet collected .*\(commonweal/favicon\.svg, commonweal/init\.js"):
        call_command("serve")
    settings.STATIC_BUILD = tmp_path / "never-built"
    with pytest.raises(CommandError, match=r"never-built is empty: run scripts/setup\.sh"):
        call_command("serve")
