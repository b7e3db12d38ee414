"""Django settings for the Commonweal workspace.

Environment:
- DATABASE_URL: PostgreSQL for shared deployments (`postgres://user@host:5432/name`); SQLite under `var/` when unset.
- COMMONWEAL_SECRET_KEY: required when COMMONWEAL_DEBUG is off and no `var/secret_key` exists; otherwise one is
  generated once into `var/secret_key` (never committed).
- COMMONWEAL_VAR: where the SQLite database and the generated secret live (default: `var/` in the checkout).
- COMMONWEAL_ALLOWED_HOSTS: comma-separated host names (default: localhost and 127.0.0.1).
- COMMONWEAL_INSECURE_COOKIES=1: send session and CSRF cookies over plain http (local demo only).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

WEB_DIR = Path(__file__).resolve().parent
REPO_DIR = WEB_DIR.parents[2]
VAR_DIR = Path(os.environ.get("COMMONWEAL_VAR", REPO_DIR / "var"))

DEBUG = os.environ.get("COMMONWEAL_DEBUG") == "1"


def _secret_key() -> str:
    if key := os.environ.get("COMMONWEAL_SECRET_KEY"):
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("COMMONWEAL_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "commonweal.web.apps.WebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "commonweal.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "commonweal.web.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [WEB_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "commonweal.web.jinja.environment", "autoescape": True},
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'commonweal.sqlite3'}"
DATABASES = {"default": dj_database_url.config(default=_default_sqlite, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's default password hashers (PBKDF2 first) and validators.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tenders"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# Static files are served under /assets/ (GOV.UK Frontend's default $govuk-assets-path): the app's own files and
# build/static/, which scripts/setup.sh fills from node_modules (installed from the npm registry): GOV.UK
# Frontend's CSS compiled from its Sass with Commonweal's typeface, and its script. Nothing is fetched at run time.
STATIC_URL = "/assets/"
STATIC_BUILD = Path(os.environ.get("COMMONWEAL_STATIC_BUILD", REPO_DIR / "build" / "static"))
STATICFILES_DIRS = [STATIC_BUILD]
# collectstatic target for production (optional: WhiteNoise serves straight from the finders otherwise)
STATIC_ROOT = os.environ.get("COMMONWEAL_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True

# Security
SESSION_COOKIE_SECURE = os.environ.get("COMMONWEAL_INSECURE_COOKIES") != "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # Commonweal default: a working day
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Commonweal defaults: five failed sign-ins for one user name from one address lock it out for 15 minutes.
COMMONWEAL_LOGIN_MAX_FAILURES = int(os.environ.get("COMMONWEAL_LOGIN_MAX_FAILURES", "5"))
COMMONWEAL_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("COMMONWEAL_LOGIN_LOCKOUT_SECONDS", "900"))

# Commonweal default: uploaded tender folder files are read whole, so each is capped at 10 MB.
COMMONWEAL_UPLOAD_MAX_BYTES = int(os.environ.get("COMMONWEAL_UPLOAD_MAX_BYTES", str(10 * 1000 * 1000)))
# Commonweal default: free text (rationales, reasons, declarations) is at most 10,000 characters
COMMONWEAL_TEXT_MAX_CHARS = int(os.environ.get("COMMONWEAL_TEXT_MAX_CHARS", "10000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
CSRF_FAILURE_VIEW = "commonweal.web.views.forbidden"
