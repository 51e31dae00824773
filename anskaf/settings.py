"""anskaf settings: everything configurable comes from environment variables (see .env.example)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("ANSKAF_DEMO", False)
VAR_DIR = Path(env_str("ANSKAF_VAR_DIR", str(BASE_DIR / "var")))
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE or env_bool("ANSKAF_TESTING")):
        raise ImproperlyConfigured("SECRET_KEY must be set (see .env.example)")
    SECRET_KEY = "insecure-development-key-only-for-demo-and-tests"

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
    "anskaf.api",
    "anskaf.web",
    "anskaf.portfolio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anskaf.web.middleware.RequestIdMiddleware",
    "anskaf.web.middleware.ContentSecurityPolicyMiddleware",
    # Outside everything that may fail on /api/, so even those errors come back as JSON.
    "anskaf.api.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
                "anskaf.web.context_processors.task_count",
                "anskaf.orgs.context_processors.login_options",
                "anskaf.orgs.context_processors_admin.admin",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if url:
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses any login while the username+address is locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Refuses password logins when ANSKAF_LOCAL_LOGIN is off (see "Single sign-on" below).
    "anskaf.orgs.oidc.PasswordLoginSwitch",
    "anskaf.orgs.backends.DemoAwareModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:my_tasks"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
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
    AUTHENTICATION_BACKENDS.append("anskaf.orgs.oidc.AnskafOIDCBackend")
elif not ANSKAF_LOCAL_LOGIN:
    raise ImproperlyConfigured(
        "ANSKAF_LOCAL_LOGIN=false leaves no way to log in: set up single sign-on "
        "(OIDC_RP_CLIENT_ID and the rest, see README) or turn password login back on"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# django-axes logs every login at INFO (username masked): only its warnings (failed logins,
# lockouts) go to the log.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
