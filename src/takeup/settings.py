"""Takeup's one settings module, read from the environment.

With nothing set it serves the embedded SQLite database under var/ with a development secret
generated into var/. Production sets SECRET_KEY (which turns DEBUG off unless DEBUG says otherwise),
ALLOWED_HOSTS and DATABASE_URL.
"""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("TAKEUP_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret() -> str:
    """A per-checkout secret kept in var/, so development sessions survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret()
DEBUG = _env_bool("DEBUG", default="SECRET_KEY" not in os.environ)
# Django's technical 404 and 500 pages instead of the styled ones while DEBUG is on.
TAKEUP_TECHNICAL_ERRORS = _env_bool("TAKEUP_TECHNICAL_ERRORS", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "takeup.organisations",
    "takeup.catalogue",
    "takeup.ledger",
    "takeup.campaigns",
    "takeup.insight",
    "takeup.benchmark",
    "takeup.briefing",
    "takeup.webcheck",
    "takeup.principles",
    "takeup.outreach",
    "takeup.alerts",
    "takeup.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "takeup.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "takeup.core.dbrouting.ReplicaReadsMiddleware",
    "takeup.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "takeup.middleware.StyledErrorPagesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "takeup.urls"
WSGI_APPLICATION = "takeup.wsgi.application"
ASGI_APPLICATION = "takeup.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "takeup.organisations.context_processors.shell",
            ],
            "libraries": {"takeup": "takeup.templatetags.takeup"},
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'takeup.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # Off by default, as in Django: the check is a round trip on every request. Turn it on
        # (CONN_HEALTH_CHECKS=1) where the database restarts under a running site.
        conn_health_checks=_env_bool("CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers carry on while an import writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536;",
        "transaction_mode": "IMMEDIATE",
    }

# Read replicas (streaming standbys of the primary), comma-separated: GET pages read from them,
# everything else from the primary (core/dbrouting.py). A test run points them at its own
# test database on the replica, which the primary streams to it.
for _n, _url in enumerate(u for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u):
    DATABASES[f"replica{_n + 1}"] = dj_database_url.parse(
        _url.strip(), conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES[f"replica{_n + 1}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["takeup.core.dbrouting.ReplicaRouter"]
# How long after a write someone's reads stay on the primary.
TAKEUP_READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "10"))

# Behind PgBouncer in transaction pooling mode (Debian's 1.18 keeps no prepared statements
# across transactions), nothing is prepared on the server: psycopg's automatic preparing is off,
# and so is the redirect's prepared statement (docs/operations.md).
TAKEUP_PGBOUNCER = _env_bool("PGBOUNCER", False)
TAKEUP_SERVER_PREPARE = not TAKEUP_PGBOUNCER
if TAKEUP_PGBOUNCER and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: five failures for one email address from one client locks it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "organisations/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = _env_bool("AXES_ENABLED", True)
AXES_CLIENT_IP_CALLABLE = "takeup.core.clients.client_address_for_axes"
# Failed sign-ins from one address across user names before it too must wait the cool-off.
TAKEUP_SIGN_IN_FAILURES_PER_ADDRESS = 20

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
# Files kept while they wait, never served: an upload waiting to be confirmed, a send's list of
# recipients. Every web process and worker must see the same files: a filesystem they share by
# path (MEDIA_ROOT, the default), or an S3-compatible bucket (STORAGE=s3; docs/operations.md).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "location": "takeup",
            "default_acl": None,
            "file_overwrite": False,
        },
    }

# Sessions live in the database, so any web process can answer any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "takeup_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "takeup_csrftoken"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Takeup <no-reply@takeup.invalid>")

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of every PDF at INFO.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
NINJA_PAGINATION_PER_PAGE = 100

# Called by the worker each minute with the time (core/ticks.py); each decides what is due.
TAKEUP_SCHEDULE = [
    "takeup.briefing.tasks.briefings_due",
    "takeup.principles.tasks.searches_due",
    "takeup.alerts.tasks.alerts_due",
    "takeup.organisations.tasks.workers_due",
]
# A worker says it is alive every TAKEUP_WORKER_BEAT_SECONDS; a task still running for a worker
# quiet for TAKEUP_WORKER_LOST_SECONDS is queued again.
TAKEUP_WORKER_BEAT_SECONDS = 10
TAKEUP_WORKER_LOST_SECONDS = int(os.environ.get("WORKER_LOST_SECONDS", "90"))
# Run for every new organisation, in order: each app sets up what a new organisation starts with.
TAKEUP_ORGANISATION_SETUP = ["takeup.catalogue.services.catalogue_defaults_create"]
FORM_RENDERER = "takeup.forms.GovukFormRenderer"
# Run when an organisation's unit costs change, so that figures priced with them are repriced.
TAKEUP_UNIT_COSTS_CHANGED = ["takeup.ledger.services.month_totals_refresh_organisation"]
# What explains a service's figures, for its page: campaigns and notes as chart bands, and breaks
# in the series nothing explains. The ledger asks; campaigns answers (the ledger cannot import it).
TAKEUP_SERVICE_NOTES = "takeup.campaigns.queries.service_notes"
# Results shown beside the website check's (each returns a titled list of pass/fail rows).
TAKEUP_WEBSITE_BESIDE = ["takeup.principles.reports.phone_summary"]
# More markers for a service's take-up chart: (start, end, label) for its dates.
TAKEUP_SERVICE_BANDS = ["takeup.principles.queries.stage_bands"]
# Figures shown beside a service's digital take-up (its assisted-digital estimate).
TAKEUP_SERVICE_BESIDE_TAKE_UP = ["takeup.outreach.reports.assisted_beside_take_up"]
# Digital engagement measures for the take-up overview, beside transactions: each returns a
# dict (label, live, then, started, ended) for an organisation and period, or None.
TAKEUP_ENGAGEMENT = ["takeup.alerts.reports.engagement"]
# When each service's campaigns ran, for its forecast to fit them as temporary effects.
TAKEUP_SERVICE_CAMPAIGNS = "takeup.campaigns.queries.campaign_windows"
# Satisfaction and completion from the exit survey, per service and quarter, for the public pages.
TAKEUP_PUBLIC_SURVEY = "takeup.insight.reports.survey_by_service_quarter"
# Alerts (decision 0017). Links in emails start with SITE_URL. "email" sends alerts through
# Django's email settings; "notify" through GOV.UK Notify (texts and letters always do).
TAKEUP_SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
TAKEUP_ALERTS_BACKEND = os.environ.get("ALERTS_BACKEND", "email")
# Below Notify's default limit of 3,000 a minute, per worker.
TAKEUP_ALERTS_PER_MINUTE = int(os.environ.get("ALERTS_PER_MINUTE", "2400"))
# A delivery a worker has held this long without finishing is taken back (the worker stopped).
TAKEUP_ALERTS_LEASE_SECONDS = int(os.environ.get("ALERTS_LEASE_SECONDS", "300"))
TAKEUP_NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
TAKEUP_NOTIFY_BASE_URL = os.environ.get(
    "NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
TAKEUP_NOTIFY_EMAIL_TEMPLATE = os.environ.get("NOTIFY_EMAIL_TEMPLATE", "")
TAKEUP_NOTIFY_SMS_TEMPLATE = os.environ.get("NOTIFY_SMS_TEMPLATE", "")
TAKEUP_NOTIFY_LETTER_TEMPLATE = os.environ.get("NOTIFY_LETTER_TEMPLATE", "")
TAKEUP_NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
# Where /go/ redirects count arrivals when traffic is heavy (decision 10); empty: the database.
TAKEUP_REDIS_URL = os.environ.get("REDIS_URL", "")
# Survey answers taken from one website a minute before the rest are refused (abuse limit).
# Behind a proxy: the header it writes the client's address into, and how many proxies there are.
TAKEUP_CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
TAKEUP_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))
# An upload larger than this is refused before it is read (core/uploads.py).
TAKEUP_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Uploads larger than this are read and imported by the worker, with progress on the page.
TAKEUP_INLINE_READ_BYTES = int(os.environ.get("INLINE_READ_BYTES", str(1_000_000)))
CSRF_FAILURE_VIEW = "takeup.core.uploads.csrf_failure"
FILE_UPLOAD_HANDLERS = [
    "takeup.core.uploads.RefuseLargeUploads",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
TAKEUP_SURVEY_PER_MINUTE = int(os.environ.get("SURVEY_RESPONSES_PER_MINUTE", "600"))
# One visitor answers once; a few more allow for a shared address (a library's computers).
TAKEUP_SURVEY_PER_CLIENT_PER_MINUTE = int(os.environ.get("SURVEY_RESPONSES_PER_CLIENT", "20"))
# Notify (alerts)
# What the campaign page shows beside each text, letter or email activity: its sends to a list
# (campaigns cannot import alerts). Each is called once with the organisation and the activities.
TAKEUP_ACTIVITY_BESIDE = ["takeup.alerts.sends.activity_sends_beside"]
