"""Django settings for the Commonweal workspace.

Environment:
- DATABASE_URL: PostgreSQL for shared deployments (`postgres://user@host:5432/name`); SQLite under `var/` when unset.
- COMMONWEAL_SECRET_KEY: required when COMMONWEAL_DEBUG is off and no `var/secret_key` exists; otherwise one is
  generated once into `var/secret_key` (never committed).
- COMMONWEAL_VAR: where the SQLite database and the generated secret live (default: `var/` in the checkout).
- COMMONWEAL_ALLOWED_HOSTS: comma-separated host names (default: localhost and 127.0.0.1).
- COMMONWEAL_LOCAL_DEMO=1 (or its older name COMMONWEAL_INSECURE_COOKIES=1): plain http on the loopback address,
  set by `commonweal web demo` only: cookies without the Secure flag, no redirect to https.
- COMMONWEAL_STATIC_ROOT: where `commonweal web collectstatic` puts the static files (hashed names, compressed);
  unset, WhiteNoise serves them straight from the source folders (tests, development).
- COMMONWEAL_HSTS_SECONDS, COMMONWEAL_HSTS_INCLUDE_SUBDOMAINS, COMMONWEAL_HSTS_PRELOAD, COMMONWEAL_SSL_REDIRECT,
  COMMONWEAL_PROXY_SSL_HEADER: see "Security" below and docs/deploy.md.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

WEB_DIR = Path(__file__).resolve().parent
REPO_DIR = WEB_DIR.parents[2]
VAR_DIR = Path(os.environ.get("COMMONWEAL_VAR", REPO_DIR / "var"))

DEBUG = os.environ.get("COMMONWEAL_DEBUG") == "1"
# The local demo serves plain http on 127.0.0.1; everything else is assumed to be behind TLS.
LOCAL_DEMO = "1" in (os.environ.get("COMMONWEAL_LOCAL_DEMO"), os.environ.get("COMMONWEAL_INSECURE_COOKIES"))


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        # a mistyped security switch must stop the start, not silently turn the setting off
        raise ImproperlyConfigured(f"{name}={os.environ[name]!r}: expected 1 or 0")
    return value in ("1", "true", "yes", "on")


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
    "axes",
    "commonweal.web.apps.WebConfig",
    "commonweal.web.suppliers.apps.SuppliersConfig",
    "commonweal.web.socialvalue.apps.SocialValueConfig",
    "commonweal.web.contracts.apps.ContractsConfig",
    "commonweal.web.publishing.apps.PublishingConfig",
    "commonweal.web.providers.apps.ProvidersConfig",
    "commonweal.web.public.apps.PublicConfig",
    "commonweal.web.spend.apps.SpendConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "commonweal.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "commonweal.web.security.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, as django-axes asks: it turns a lockout flagged during sign-in into the lockout response
    "axes.middleware.AxesMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _env_flag("COMMONWEAL_PG_PREPARED", True):
    # Parameters sent apart from the SQL (server-side binding) and a statement prepared once it has run
    # `prepare_threshold` times on a connection (psycopg's own default, 5): PostgreSQL then skips parsing and
    # planning the queries every page repeats. Django leaves both off for connection poolers: behind a PgBouncer in
    # transaction mode set COMMONWEAL_PG_PREPARED=0 (docs/deploy.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Several server workers write to one file: each transaction takes the write lock when it begins (IMMEDIATE,
    # so two writers never deadlock upgrading read locks), waits up to the busy timeout for it (Commonweal default
    # 20 s, COMMONWEAL_SQLITE_TIMEOUT), and WAL lets readers carry on while one writer writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("COMMONWEAL_SQLITE_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    # Tests use a file too (not Django's shared in-memory database), so threads in the concurrency tests meet
    # the same locking as server workers do.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-commonweal.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's default password hashers (PBKDF2 first) and validators.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out sign-in before Django's own backend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

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
# Production: `commonweal web collectstatic` copies them into STATIC_ROOT with content-hashed names (so WhiteNoise
# sends them with a ten-year cache header) and gzip/Brotli copies; the local demo collects into var/static. Without a
# STATIC_ROOT (tests, development) WhiteNoise serves them from the folders above with a short cache.
STATIC_ROOT = os.environ.get("COMMONWEAL_STATIC_ROOT") or (str(VAR_DIR / "static") if LOCAL_DEMO else None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if STATIC_ROOT
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = STATIC_ROOT is None

# Security: secure by default (`check --deploy` is clean, tests/web/test_serving.py). The local demo relaxes only
# what plain http on the loopback address needs: the Secure cookie flag and the redirect to https.
SESSION_COOKIE_SECURE = not LOCAL_DEMO
CSRF_COOKIE_SECURE = not LOCAL_DEMO
SECURE_SSL_REDIRECT = _env_flag("COMMONWEAL_SSL_REDIRECT", not LOCAL_DEMO)
# HSTS as the GOV.UK Service Manual's "Using HTTPS" recommends: max-age=31536000, includeSubDomains; preload.
# Django sends it on https responses only. A first roll-out may start with a short COMMONWEAL_HSTS_SECONDS.
SECURE_HSTS_SECONDS = int(os.environ.get("COMMONWEAL_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("COMMONWEAL_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_flag("COMMONWEAL_HSTS_PRELOAD", True)
# Behind a TLS reverse proxy: the header it sets to "https" on requests that came in over TLS (for example
# X-Forwarded-Proto). The proxy must overwrite the header on every request, or a client could claim https.
if proxy_header := os.environ.get("COMMONWEAL_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # Commonweal default: a working day
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sign-in throttling (django-axes, its database handler: the counts live in the database, so every worker shares
# them and they survive a restart). Commonweal defaults: 5 failed sign-ins for one user name (from any address), or
# 20 from one address (across any user names, which slows password spraying; higher, because an office shares an
# address), lock that user name or address out for 15 minutes.
COMMONWEAL_LOGIN_MAX_FAILURES = int(os.environ.get("COMMONWEAL_LOGIN_MAX_FAILURES", "5"))
COMMONWEAL_LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("COMMONWEAL_LOGIN_MAX_FAILURES_PER_ADDRESS", "20"))
COMMONWEAL_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("COMMONWEAL_LOGIN_LOCKOUT_SECONDS", "900"))
# providers area: Commonweal default, at most 5 registrations of interest an hour from one address (the public form
# needs no sign-in, so this keeps a script from filling a council's list)
COMMONWEAL_INTEREST_PER_HOUR = int(os.environ.get("COMMONWEAL_INTEREST_PER_HOUR", "5"))
# providers area: Commonweal default, public pages may be cached for 5 minutes (a newly published opportunity shows
# within that time)
COMMONWEAL_PUBLIC_MAX_AGE = int(os.environ.get("COMMONWEAL_PUBLIC_MAX_AGE", "300"))
# Commonweal default: each server process keeps the 64 public contracts register pages it built most recently
# (`public.data`, each rebuilt when what it shows changes; about 0.1 MB each); 0 keeps none.
COMMONWEAL_PUBLIC_PAGES_KEPT = int(os.environ.get("COMMONWEAL_PUBLIC_PAGES_KEPT", "64"))
# tenders area: the tender builder's most rows of each kind (Commonweal defaults, generous: a council tender has 20-40
# criteria; "Add another" adds a row up to these and is refused beyond them)
COMMONWEAL_BUILDER_MAX_ROWS = {
    kind: int(os.environ.get(f"COMMONWEAL_BUILDER_MAX_{name}", default))
    for kind, name, default in (("lot", "LOTS", "20"), ("group", "GROUPS", "20"), ("criterion", "CRITERIA", "100"),
                                ("gate", "GATES", "30"), ("descriptor", "SCORES", "20"),
                                ("element", "ELEMENTS", "30"))
}
AXES_HANDLER = "commonweal.web.people.throttle.Handler"
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_FAILURE_LIMIT = COMMONWEAL_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = datetime.timedelta(seconds=COMMONWEAL_LOGIN_LOCKOUT_SECONDS)
AXES_RESET_ON_SUCCESS = False  # a correct password must not wipe out a spraying address's count
# Attempts during a lockout are refused without being written: a flood cannot grow the attempts table (axes appends
# each failure's request data to its row), and the lockout ends a fixed time after the failure that caused it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "commonweal.web.people.throttle.lockout_response"
AXES_USERNAME_CALLABLE = "commonweal.web.people.throttle.username"
AXES_ENABLE_ADMIN = False
# Behind a reverse proxy set COMMONWEAL_PROXY_COUNT to the number of proxies in front of the service: the client's
# address is then read from X-Forwarded-For (that many entries from the right, the ones the proxies added);
# otherwise the connection's own address (REMOTE_ADDR), which a client cannot forge.
COMMONWEAL_PROXY_COUNT = int(os.environ.get("COMMONWEAL_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "commonweal.web.people.throttle.client_address"

# One-time links (Commonweal defaults): an invitation works for 7 days, a password reset link for 1 day.
COMMONWEAL_INVITATION_DAYS = int(os.environ.get("COMMONWEAL_INVITATION_DAYS", "7"))
COMMONWEAL_RESET_LINK_HOURS = int(os.environ.get("COMMONWEAL_RESET_LINK_HOURS", "24"))
# The service's address, put in front of the links `commonweal web invite` prints (pages use the request's own).
COMMONWEAL_BASE_URL = os.environ.get("COMMONWEAL_BASE_URL", "http://127.0.0.1:8000")

# Commonweal default: uploaded tender folder files are read whole, so each is capped at 10 MB.
COMMONWEAL_UPLOAD_MAX_BYTES = int(os.environ.get("COMMONWEAL_UPLOAD_MAX_BYTES", str(10 * 1000 * 1000)))
# Commonweal default: a field taking several files (a returns upload's evidence files) takes at most 20, each
# under the byte limit above (Django's own DATA_UPLOAD_MAX_NUMBER_FILES, 100, caps a whole request).
COMMONWEAL_UPLOAD_MAX_FILES = int(os.environ.get("COMMONWEAL_UPLOAD_MAX_FILES", "20"))
# Spend files: each organisation's uploads and spend store live under this folder; a spend file may be up to 500 MB
# (Commonweal default: a county's year of payments is about 60 MB as CSV).
COMMONWEAL_SPEND_DIR = os.environ.get("COMMONWEAL_SPEND_DIR", str(VAR_DIR / "spend"))
COMMONWEAL_SPEND_UPLOAD_MAX_BYTES = int(os.environ.get("COMMONWEAL_SPEND_UPLOAD_MAX_BYTES", str(500 * 1000 * 1000)))
# The spend worker's lease (Commonweal defaults): a running import tells the database it is alive at least every
# quarter of the lease; one silent for the whole lease (its worker killed, the machine restarted) is queued again, and
# failed with its reason once it has been started this many times.
COMMONWEAL_SPEND_LEASE_SECONDS = float(os.environ.get("COMMONWEAL_SPEND_LEASE_SECONDS", "120"))
COMMONWEAL_SPEND_MAX_ATTEMPTS = int(os.environ.get("COMMONWEAL_SPEND_MAX_ATTEMPTS", "3"))
# where untrusted documents (bid documents, contract returns' evidence files) are stored, one folder per organisation
# (`commonweal.web.documents`); never served as static files
COMMONWEAL_MEDIA_ROOT = Path(os.environ.get("COMMONWEAL_MEDIA_ROOT", VAR_DIR / "media"))
# Commonweal default: free text (rationales, reasons, declarations) is at most 10,000 characters
COMMONWEAL_TEXT_MAX_CHARS = int(os.environ.get("COMMONWEAL_TEXT_MAX_CHARS", "10000"))

# Commonweal default: each server process keeps the rebuilt results of its 32 most recently viewed tenders in memory
# (`commonweal.web.evaluations`); 0 keeps none.
COMMONWEAL_EVALUATION_CACHE_SIZE = int(os.environ.get("COMMONWEAL_EVALUATION_CACHE_SIZE", "32"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
CSRF_FAILURE_VIEW = "commonweal.web.views.forbidden"
# The spend store (`commonweal spend import`) the suppliers area reads council spend from, when a deployment has
# one; blank: dependency figures are entered by hand only.
COMMONWEAL_SPEND_DB = os.environ.get("COMMONWEAL_SPEND_DB", "")
