"""anskaf settings: everything configurable comes from environment variables (see .env.example)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from anskaf.observability.logs import check_format as _log_check_format
from anskaf.observability.logs import logging_config as _logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anskaf")
    except PackageNotFoundError:
        return "unknown"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("ANSKAF_DEMO", False)
VAR_DIR = Path(env_str("ANSKAF_VAR_DIR", str(BASE_DIR / "var")))


def _secret_key() -> str:
    """SECRET_KEY, else the file SECRET_KEY_FILE, else the local key $ANSKAF_VAR_DIR/secret_key.

    The local key is written (random, mode 0600) the first time demo or debug mode needs one,
    so every command on this installation - `make run` and the `anskaf` commands in a second
    shell - signs with the same key (ADR 0017). Production sets SECRET_KEY or SECRET_KEY_FILE.
    """
    key = env_str("SECRET_KEY").strip()
    if key:
        return key
    named = env_str("SECRET_KEY_FILE").strip()
    path = Path(named) if named else VAR_DIR / "secret_key"
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if named:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE {named} does not exist") from None
    except OSError as exc:
        raise ImproperlyConfigured(f"cannot read the secret key in {path} ({exc.strerror})") from None
    if key:
        return key
    if env_bool("ANSKAF_TESTING"):
        return "insecure-key-only-for-the-tests"
    if not (DEBUG or DEMO_MODE):
        raise ImproperlyConfigured(
            f"SECRET_KEY must be set (see .env.example), or SECRET_KEY_FILE; or run `make run` "
            f"(demo mode) once, which keeps a generated key in {path}")
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(50) + "\n")
    try:
        os.link(draft, path)  # atomic; the first of two processes starting at once wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "mozilla_django_oidc",
    "axes",
    "anskaf.orgs",
    "anskaf.audit",
    "anskaf.cases",
    "anskaf.meetings",
    "anskaf.api",
    "huey.contrib.djhuey",
    "anskaf.notifications",
    "anskaf.web",
    "anskaf.documents",
    "anskaf.portfolio",
    "anskaf.discussion",
    "anskaf.installation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anskaf.web.middleware.RequestIdMiddleware",
    "anskaf.web.middleware.RequestMetricsMiddleware",
    # A fresh cache of the people's roles for each request, around everything that asks.
    "anskaf.orgs.middleware.AccessCacheMiddleware",
    # After WhiteNoise (static files stay cacheable); sees the user the inner layers set.
    "anskaf.web.middleware.NoStoreMiddleware",
    "anskaf.web.middleware.ContentSecurityPolicyMiddleware",
    # Outside everything that may fail on /api/, so even those errors come back as JSON.
    "anskaf.api.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The installation's operator sees the installation's pages only (ADR 0030).
    "anskaf.installation.middleware.OperatorConfinementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anskaf.urls"
WSGI_APPLICATION = "anskaf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The task and unread counts in one query; the viewer's roles (board link,
                # admin flag) come from its cached snapshot (ADR 0041).
                "anskaf.web.context_processors.navigation",
                "anskaf.orgs.context_processors.login_options",
                "anskaf.orgs.context_processors.organisation_name",
                "anskaf.orgs.context_processors_admin.admin",
                "anskaf.meetings.context_processors.board",
            ],
        },
    },
]


def require_extra(module: str, extra: str, because: str) -> None:
    """Stop start-up with the install command when an optional dependency is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ImproperlyConfigured(f"{because}, which needs the {extra} extra: "
                                   f"pip install 'anskaf[{extra}]' (from a checkout: "
                                   f"pip install -e '.[{extra}]')")


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        if url.startswith(("postgres://", "postgresql://", "pgsql://")):
            require_extra("psycopg", "postgres", "DATABASE_URL names PostgreSQL")
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
        config.setdefault("TEST", {})["NAME"] = env_str("DATABASE_TEST_NAME") or None
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "anskaf.sqlite3")),
        "OPTIONS": {
            # Writers queue on the database lock instead of failing mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; "
                "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
        # A file, not memory: concurrent test writers then queue on the real lock.
        "TEST": {"NAME": env_str("SQLITE_TEST_PATH", str(VAR_DIR / "test_anskaf.sqlite3"))},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

# Every validator Django ships. They judge the passwords people choose (the administration's
# person form); the demo accounts' password "demo" is set by the demo loader, not chosen, and
# those accounts log in only in demo mode (orgs.backends.DemoAwareModelBackend).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses any login while the username+address is locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Refuses password logins when ANSKAF_LOCAL_LOGIN is off (see "Single sign-on" below).
    "anskaf.orgs.oidc.PasswordLoginSwitch",
    "anskaf.orgs.backends.DemoAwareModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:my_tasks"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "da"
# Danish only until the UI's texts are translated: with English offered, an English browser got
# Danish pages with English month and day names (a page in two languages, WCAG 3.1.2).
LANGUAGES = [("da", "Dansk")]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "anskaf" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not env_bool("ANSKAF_TESTING")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("ANSKAF_TESTING")

# --- documents (README "Dokumenter", docs/drift.md) -----------------------------------------
# Local disk under var/documents unless ANSKAF_S3_BUCKET names an S3-compatible bucket.
ANSKAF_DOCUMENTS_DIR = Path(env_str("ANSKAF_DOCUMENTS_DIR", str(VAR_DIR / "documents")))
if env_str("ANSKAF_S3_BUCKET"):
    require_extra("storages", "s3", "ANSKAF_S3_BUCKET is set")
    require_extra("boto3", "s3", "ANSKAF_S3_BUCKET is set")
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("ANSKAF_S3_BUCKET"),
            "endpoint_url": env_str("ANSKAF_S3_ENDPOINT_URL") or None,
            "region_name": env_str("ANSKAF_S3_REGION") or None,
            "access_key": env_str("ANSKAF_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("ANSKAF_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("ANSKAF_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,
            "querystring_auth": True,  # never public URLs; anskaf streams every download itself
            "file_overwrite": False,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(ANSKAF_DOCUMENTS_DIR), "base_url": None,
                    "file_permissions_mode": 0o640, "directory_permissions_mode": 0o750},
    }
ANSKAF_DOCUMENT_MAX_BYTES = env_int("ANSKAF_DOCUMENT_MAX_MB", 50) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
ANSKAF_CLAMD_SOCKET = env_str("ANSKAF_CLAMD_SOCKET")
ANSKAF_CLAMD_HOST = env_str("ANSKAF_CLAMD_HOST")
ANSKAF_CLAMD_PORT = env_int("ANSKAF_CLAMD_PORT", 3310)
ANSKAF_CLAMD_TIMEOUT = env_int("ANSKAF_CLAMD_TIMEOUT", 30)
ANSKAF_JOURNAL_ADAPTER = env_str("ANSKAF_JOURNAL_ADAPTER")

# --- audit anchors, keys and backups (docs/drift.md, ADR 0023) -------------------------------
# The key directory holds what must live outside the database and outside backups: the anchor
# signing keys. The anchor log is append-only JSON lines; ship it off the machine as well.
ANSKAF_KEY_DIR = Path(env_str("ANSKAF_KEY_DIR", str(VAR_DIR / "keys")))
# Where the worker writes a municipality's complete export before it is offboarded from a page
# or the API (`anskaf org offboard -o FILE` writes where it is told). It holds all of the
# municipality's data: keep it as private as the database, and hand each file over (drift.md).
ANSKAF_EXPORT_DIR = Path(env_str("ANSKAF_EXPORT_DIR", str(VAR_DIR / "exports")))
ANSKAF_ANCHOR_LOG = Path(env_str("ANSKAF_ANCHOR_LOG", str(VAR_DIR / "audit-anchors.jsonl")))
ANSKAF_ANCHOR_MINUTES = env_int("ANSKAF_ANCHOR_MINUTES", 5)
# Who else hears of a failed anchor or verification run (besides each organisation's
# information security consultants and administrators): the operator's addresses.
ANSKAF_OPERATOR_EMAILS = env_list("ANSKAF_OPERATOR_EMAILS")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# `manage.py check --deploy` (run by make test with production settings) warns about three
# things that are the reverse proxy's or the municipality's to decide, not anskaf's: the
# redirect from http to https (the proxy does it, docs/drift.md), and HSTS for every subdomain
# of the municipality's domain and for the browsers' preload list.
SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W005", "security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None

# --- login safety (see docs/drift.md "Log ind") ---------------------------------------------
# A session ends when the browser closes, and at the latest ANSKAF_SESSION_HOURS after login.
SESSION_COOKIE_AGE = env_int("ANSKAF_SESSION_HOURS", 10) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Lax, not Strict: the provider's redirect back to /oidc/callback/ must carry the session.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# HSTS only where the site runs on HTTPS (SECURE_COOKIES); 0 turns it off.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if SESSION_COOKIE_SECURE else 0
if SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("ANSKAF_SESSION_HOURS must be at least 1")

# django-axes: after ANSKAF_LOGIN_FAILURE_LIMIT failed logins for one username from one
# address, that combination is locked for ANSKAF_LOGIN_COOLOFF_MINUTES (each new try during
# the lockout starts the wait again). A successful login clears the count.
AXES_FAILURE_LIMIT = env_int("ANSKAF_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ANSKAF_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_ENABLE_ADMIN = False
# SSO callbacks are no password guesses (the provider throttles its own logins).
AXES_WHITELIST_CALLABLE = "anskaf.orgs.oidc.axes_whitelist"
# Behind the reverse proxy every request comes from the proxy: use the address it saw.
AXES_CLIENT_IP_CALLABLE = "anskaf.orgs.oidc.forwarded_client_ip" if env_bool("BEHIND_PROXY") else None
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME.total_seconds() <= 0:
    raise ImproperlyConfigured(
        "ANSKAF_LOGIN_FAILURE_LIMIT and ANSKAF_LOGIN_COOLOFF_MINUTES must be at least 1"
    )

ANSKAF_API_PAGE_SIZE = 50
ANSKAF_API_MAX_PAGE_SIZE = 200

# --- single sign-on: OpenID Connect (README "Single sign-on", docs/decisions/0005) ---------
# On when OIDC_RP_CLIENT_ID is set. Authorization code flow with PKCE (S256) and a nonce.


def _oidc_role_map(raw: str) -> dict[str, list[str]]:
    """ "Anskaf.Coordinator=coordinator,Anskaf.IT=it" -> {claim value: [role keys]}."""
    from anskaf.orgs.choices import Role

    mapping: dict[str, list[str]] = {}
    for pair in raw.split(","):
        if not pair.strip():
            continue
        value, sep, role = pair.rpartition("=")
        value, role = value.strip(), role.strip()
        if not sep or not value or role not in Role.values:
            raise ImproperlyConfigured(
                f"ANSKAF_OIDC_ROLE_MAP: {pair.strip()!r} is not claimvalue=rolekey with one of "
                f"the role keys {', '.join(Role.values)}"
            )
        mapping.setdefault(value, []).append(role)
    return mapping


OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT") or None
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATE_CLASS = "anskaf.orgs.oidc.SsoLoginView"
OIDC_CALLBACK_CLASS = "anskaf.orgs.oidc.SsoCallbackView"
ANSKAF_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
ANSKAF_OIDC_ORGANISATION = env_str("ANSKAF_OIDC_ORGANISATION")
ANSKAF_OIDC_ROLE_CLAIM = env_str("ANSKAF_OIDC_ROLE_CLAIM", "roles")
ANSKAF_OIDC_ROLE_MAP = _oidc_role_map(env_str("ANSKAF_OIDC_ROLE_MAP"))
ANSKAF_OIDC_USERNAME_CLAIM = env_str("ANSKAF_OIDC_USERNAME_CLAIM", "preferred_username")
ANSKAF_OIDC_BUTTON_LABEL = env_str("ANSKAF_OIDC_BUTTON_LABEL", "Log ind med kommunens login")
# Password login (the embedded default). Off: only SSO; the model backend refuses passwords.
ANSKAF_LOCAL_LOGIN = env_bool("ANSKAF_LOCAL_LOGIN", True)

if ANSKAF_OIDC_ENABLED:
    _required = ["OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT",
                 "ANSKAF_OIDC_ORGANISATION"]
    if not OIDC_RP_SIGN_ALGO.startswith("HS"):
        _required.append("OIDC_OP_JWKS_ENDPOINT")
    _missing = [name for name in _required if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(
            f"OIDC_RP_CLIENT_ID is set, so single sign-on is on, but {', '.join(_missing)} "
            "is not set (see README, Single sign-on)"
        )
    if OIDC_RP_SIGN_ALGO not in {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                                 "HS256", "HS384", "HS512"}:
        raise ImproperlyConfigured(f"OIDC_RP_SIGN_ALGO {OIDC_RP_SIGN_ALGO!r} is not supported")
elif not ANSKAF_LOCAL_LOGIN and not env_bool("ANSKAF_SSO_IN_DATABASE"):
    raise ImproperlyConfigured(
        "ANSKAF_LOCAL_LOGIN=false leaves no way to log in: set up single sign-on "
        "(OIDC_RP_CLIENT_ID and the rest, see README; or ANSKAF_SSO_IN_DATABASE=true when "
        "every municipality registers its own provider in anskaf) or turn password login back on"
    )
# Always listed: it logs in nobody unless the SSO callback hands it the provider of the
# municipality the login started for (a provider registered in anskaf, or the one above).
AUTHENTICATION_BACKENDS.append("anskaf.orgs.oidc.AnskafOIDCBackend")

# --- each municipality its own settings (issue 18, docs/decisions/0031) ----------------------
# Installation defaults; a municipality's administrator may set its own under Administration.
ANSKAF_ARCHIVE_AUTHORITY = env_str("ANSKAF_ARCHIVE_AUTHORITY")
ANSKAF_ACCESSIBILITY_URL = env_str("ANSKAF_ACCESSIBILITY_URL")
# The KITOS_* variables are the installation's KITOS. With several municipalities, name the one
# they belong to (its slug); a municipality with credentials of its own always uses those.
# Read here, once; anskaf.portfolio.kitos.config(organisation) is the only reader (ADR 0035).
KITOS_ORGANISATION = env_str("KITOS_ORGANISATION")
KITOS_URL = env_str("KITOS_URL")
KITOS_EMAIL = env_str("KITOS_EMAIL")
KITOS_PASSWORD = env_str("KITOS_PASSWORD")
KITOS_ORGANIZATION_UUID = env_str("KITOS_ORGANIZATION_UUID")
KITOS_TIMEOUT = env_int("KITOS_TIMEOUT", 10)  # seconds per call (connect, and each read)
# The worker sends to KITOS (ADR 0035). A failed attempt is tried again after
# KITOS_RETRY_DELAY seconds, three times longer each time (at most 6 hours between), until
# KITOS_RETRY_ATTEMPTS attempts have failed in a row; then it waits for a person or
# `anskaf manage kitos_retry --all`. The defaults try for about a day.
KITOS_RETRY_ATTEMPTS = env_int("KITOS_RETRY_ATTEMPTS", 10)
KITOS_RETRY_DELAY = env_int("KITOS_RETRY_DELAY", 60)
for _name in ("KITOS_TIMEOUT", "KITOS_RETRY_ATTEMPTS", "KITOS_RETRY_DELAY"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
# Addresses an administrator types (a provider's issuer, a KITOS address) are fetched by the
# server; they may not name this machine or a private network unless this is on (tests, a
# provider or KITOS on the installation's own network).
ANSKAF_ALLOW_LOCAL_ADDRESSES = env_bool("ANSKAF_ALLOW_LOCAL_ADDRESSES", env_bool("ANSKAF_TESTING"))

# --- notifications: e-mail, the outbox and the background worker (docs/decisions/0008) ----
# Links in e-mails point here (no trailing slash), e.g. https://anskaf.haderslev.dk
ANSKAF_BASE_URL = env_str("ANSKAF_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not ANSKAF_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"ANSKAF_BASE_URL must start with http:// or https://, not "
                               f"{ANSKAF_BASE_URL!r}")
# Django's SMTP backend, configured by Django's own names. Without EMAIL_HOST, e-mails are
# written to the worker's log instead (development and demo).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "anskaf@localhost")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one")
if not 0 < EMAIL_PORT < 65536 or EMAIL_TIMEOUT <= 0:
    raise ImproperlyConfigured("EMAIL_PORT must be 1-65535 and EMAIL_TIMEOUT at least 1")
# The domain in each message's Message-ID.
ANSKAF_MAIL_DOMAIN = DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "anskaf.local"
# Delivery: attempts before a message is marked failed; the first retry waits this many
# seconds, each next one twice as long (at most 6 hours).
ANSKAF_MAIL_MAX_ATTEMPTS = env_int("ANSKAF_MAIL_MAX_ATTEMPTS", 8)
ANSKAF_MAIL_RETRY_SECONDS = env_int("ANSKAF_MAIL_RETRY_SECONDS", 60)
# Deadlines: days past the due date before the coordinator, then management, are told;
# reminders repeat every ANSKAF_REMINDER_REPEAT_DAYS days. The daily digest goes at this hour.
ANSKAF_DEADLINE_ESCALATE_COORDINATOR_DAYS = env_int("ANSKAF_DEADLINE_ESCALATE_COORDINATOR_DAYS", 3)
ANSKAF_DEADLINE_ESCALATE_MANAGEMENT_DAYS = env_int("ANSKAF_DEADLINE_ESCALATE_MANAGEMENT_DAYS", 10)
ANSKAF_REMINDER_REPEAT_DAYS = env_int("ANSKAF_REMINDER_REPEAT_DAYS", 7)
ANSKAF_DIGEST_HOUR = env_int("ANSKAF_DIGEST_HOUR", 7)
# Trials and the deployment test: the reminder and digest jobs run every minute instead of at
# their hour. They stay keyed (one reminder per moment, one digest per person per day).
ANSKAF_JOBS_EVERY_MINUTE = env_bool("ANSKAF_JOBS_EVERY_MINUTE", False)
for _name in ("ANSKAF_MAIL_MAX_ATTEMPTS", "ANSKAF_MAIL_RETRY_SECONDS",
              "ANSKAF_DEADLINE_ESCALATE_COORDINATOR_DAYS", "ANSKAF_DEADLINE_ESCALATE_MANAGEMENT_DAYS",
              "ANSKAF_REMINDER_REPEAT_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
if not 0 <= ANSKAF_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("ANSKAF_DIGEST_HOUR must be 0-23")


def _lead_days(raw: str) -> tuple[int, ...]:
    """Contract and DPA lead times: distinct whole days >= 1, comma-separated ("90,30,7")."""
    try:
        days = [int(part) for part in raw.split(",")]
    except ValueError:
        raise ImproperlyConfigured(f"ANSKAF_CONTRACT_REMINDER_DAYS must be whole days separated "
                                   f"by commas, like 90,30,7, not {raw!r}") from None
    if not days or min(days) < 1 or len(set(days)) != len(days):
        raise ImproperlyConfigured(f"ANSKAF_CONTRACT_REMINDER_DAYS must list distinct days of at "
                                   f"least 1, not {raw!r}")
    return tuple(sorted(days, reverse=True))


# Contract notice dates and DPA oversight dates: reminded this many days before; after the date
# the reminder repeats every ANSKAF_REMINDER_REPEAT_DAYS until the decision or oversight is in.
ANSKAF_CONTRACT_REMINDER_DAYS = _lead_days(env_str("ANSKAF_CONTRACT_REMINDER_DAYS", "90,30,7"))

# The task queue (huey): SQLite next to the database by default; Redis when REDIS_URL is set,
# for several workers on several machines. Tests run tasks at once (immediate mode).
REDIS_URL = env_str("REDIS_URL")
# /readyz fails when no worker has run its heartbeat task (every minute) for this many seconds.
ANSKAF_HEARTBEAT_MAX_AGE = env_int("ANSKAF_HEARTBEAT_MAX_AGE", 300)
_HUEY_COMMON = {
    "name": env_str("ANSKAF_HUEY_NAME", "anskaf"),
    "immediate": env_bool("ANSKAF_HUEY_IMMEDIATE", env_bool("ANSKAF_TESTING")),
    "utc": False,  # crontab times (the daily digest) are local time
}
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL must be a redis:// URL, not {REDIS_URL!r}")
    require_extra("redis", "redis", "REDIS_URL is set")
    HUEY = {**_HUEY_COMMON, "huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY = {**_HUEY_COMMON, "huey_class": "huey.SqliteHuey",
            "filename": env_str("ANSKAF_HUEY_FILE", str(VAR_DIR / "huey.sqlite3"))}

# Django's cache: the viewer (ADR 0041), the task count (ADR 0011), model hashes and the case
# page's fragments (ADR 0042). Every key holds a version read from the database, so a
# per-process cache is correct behind a load balancer and neither ever serves a stale entry;
# Redis (REDIS_URL) shares the work between processes and servers. The per-process cache
# holds one viewer per active person plus fragments: room for a large municipality per worker.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": _HUEY_COMMON["name"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "LOCATION": "anskaf", "OPTIONS": {"MAX_ENTRIES": env_int(
                              "ANSKAF_CACHE_ENTRIES", 20000)}}}

# --- logs, metrics, error reports (docs/drift.md "Overvågning", ADR 0025) ---------------------
# Each log line has time, level, logger and request id: plain text, or LOG_FORMAT=json for one
# JSON object per line. The request id is the X-Request-ID the proxy sent (when sane) or a new
# one; the response returns it, and the worker's lines for a task the request enqueued carry it.
try:
    LOG_FORMAT = _log_check_format(env_str("LOG_FORMAT", "plain"))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
LOGGING = _logging_config(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO").upper())
# django-axes logs every login at INFO (username masked): only its warnings (failed logins,
# lockouts) go to the log.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
# WeasyPrint narrates every PDF ("Step 1 - Fetching and parsing HTML" ...) at INFO, and huey
# every periodic task ("Enqueueing ...", "Executing ...") each minute: only their warnings and
# errors (a failed task, with its traceback) reach the log. LOG_LEVEL=DEBUG shows them all.
for _noisy in ("weasyprint", "fontTools", "huey"):
    LOGGING["loggers"][_noisy] = {"level": "DEBUG" if LOGGING["root"]["level"] == "DEBUG"
                                  else "WARNING"}

# /metrics (Prometheus text format) answers only with `Authorization: Bearer $METRICS_TOKEN`;
# without METRICS_TOKEN it does not exist (404).
METRICS_TOKEN = env_str("METRICS_TOKEN").strip()

# Errors to Sentry when SENTRY_DSN is set (the sentry extra: pip install 'anskaf[sentry]').
SENTRY_DSN = env_str("SENTRY_DSN").strip()
if SENTRY_DSN:
    require_extra("sentry_sdk", "sentry", "SENTRY_DSN is set")
    from anskaf.observability import sentry as _sentry

    _sentry.configure(dsn=SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT"),
                      release=f"anskaf@{_package_version()}")
