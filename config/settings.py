"""Taskboard settings. The environment is read here and nowhere else.

With no DATABASE_URL/REDIS_URL the app runs embedded: SQLite and the in-memory
channel layer. With them set it uses PostgreSQL and Redis.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-dev-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "channels",
    "accounts",
    "board",
    "discussion",
    "notifications",
    "realtime",
    "ninja",
    "idempotency",
    "api",
    "axes",
    "ops",
]

MIDDLEWARE = [
    # First: probes get no HTTPS redirect, session, CSRF or host check (ops/middleware.py).
    "ops.middleware.OpsEndpointsMiddleware",
    # A span per request when OpenTelemetry tracing is on (ops/tracing.py).
    "ops.http_tracing.HttpTracingMiddleware",
    "ops.http_metrics.HttpMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ops.static_files.StaticFilesMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Request id, user and board on every log line (ops/log_context.py).
    "ops.log_context.LogContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "realtime.middleware.RealtimeOriginMiddleware",
    "board.middleware.DatabaseUnavailableMiddleware",
    "board.middleware.ArchivedBoardMiddleware",
    # Last, as django-axes asks: it turns a throttled sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.signup",
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
# PostgreSQL time limits, so that no board wedges behind a stuck transaction: a write
# waits at most DB_LOCK_TIMEOUT_MS for a row lock and DB_STATEMENT_TIMEOUT_MS for any
# statement, a transaction left idle (a frozen worker) is ended after
# DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, and a new connection gives up after
# DB_CONNECT_TIMEOUT seconds. A write that hits one is answered `unavailable` (503).
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "5000"))
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "15000"))
DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = int(
    os.environ.get("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "10000")
)
# Under ASGI every request runs its sync code in a thread of its own, so persistent
# connections (CONN_MAX_AGE) pile up, one per thread, until garbage collection. A
# pool instead: a worker process holds at most DB_POOL_MAX_SIZE connections (and keeps
# DB_POOL_MIN_SIZE open); a request that finds none free within DB_POOL_TIMEOUT
# seconds is answered `unavailable`.
DB_POOL_MIN_SIZE = int(os.environ.get("DB_POOL_MIN_SIZE", "2"))
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "10"))
DB_POOL_TIMEOUT = float(os.environ.get("DB_POOL_TIMEOUT", "3"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        pool={
            "min_size": DB_POOL_MIN_SIZE,
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": DB_POOL_TIMEOUT,
        },
        connect_timeout=DB_CONNECT_TIMEOUT,
        options=" ".join(
            [
                f"-c lock_timeout={DB_LOCK_TIMEOUT_MS}",
                f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
                f"-c idle_in_transaction_session_timeout={DB_IDLE_IN_TRANSACTION_TIMEOUT_MS}",
            ]
        ),
    )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead
            # of one failing with "database is locked" half-way through.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
# Each process subscribes once per board (realtime/hub.py) and fans out in-process.
# Capacity: a channel holding more than this drops new messages silently. A hub
# drains its channel at once, so a full one means a stuck process; sockets heal gaps
# by seq from the event log. group_expiry: membership older than this is forgotten;
# hubs re-join every CHANNEL_GROUP_REJOIN_SECONDS (well under the expiry) so wall
# displays never drop out, and the channel of a process that died (killed, never
# leaving its groups) is gone from every group within the expiry, instead of
# collecting each broadcast for a day.
CHANNEL_LAYER_CAPACITY = int(os.environ.get("CHANNEL_LAYER_CAPACITY", "1000"))
CHANNEL_LAYER_EXPIRY = int(os.environ.get("CHANNEL_LAYER_EXPIRY", "30"))
CHANNEL_GROUP_EXPIRY = int(os.environ.get("CHANNEL_GROUP_EXPIRY", "120"))
CHANNEL_GROUP_REJOIN_SECONDS = float(
    os.environ.get("CHANNEL_GROUP_REJOIN_SECONDS", str(max(1.0, CHANNEL_GROUP_EXPIRY / 4)))
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.redis_layer.RedisChannelLayer",
            "CONFIG": {
                # channels_redis blocks in BZPOPMIN for 5 s; redis-py 8's default 5 s read
                # timeout would fail every idle receive (django/channels_redis#422).
                "hosts": [{"address": REDIS_URL, "socket_timeout": 10}],
                "capacity": CHANNEL_LAYER_CAPACITY,
                "expiry": CHANNEL_LAYER_EXPIRY,
                "group_expiry": CHANNEL_GROUP_EXPIRY,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {
                "capacity": CHANNEL_LAYER_CAPACITY,
                "expiry": CHANNEL_LAYER_EXPIRY,
                "group_expiry": CHANNEL_GROUP_EXPIRY,
            },
        }
    }

# The API's rate limits count in the cache, so with Redis every worker process shares them.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "taskboard",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# HTTP API (issue 5). Writes per minute per token (or per session user); 0 turns it off.
API_WRITE_RATE_PER_MINUTE = int(os.environ.get("API_WRITE_RATE_PER_MINUTE", "120"))
# How long a remembered Idempotency-Key answers retries before it may be reused.
API_IDEMPOTENCY_KEY_HOURS = int(os.environ.get("API_IDEMPOTENCY_KEY_HOURS", "24"))

# Content-Security-Policy (django-csp 4; config/csp.py adds this host's ws:/wss: origin).
# No page runs inline script or eval: behaviour lives in static/js/, htmx runs with
# allowEval off, and ninja's Swagger page and the admin load only their own files.
# Styles too come only from our files: no template, htmx (its indicator styles are off)
# nor Swagger UI needs an inline <style> or style="" attribute, so no 'unsafe-inline'.
# CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only instead, to
# try a change without blocking; CSP_REPORT_URI names where browsers post violations.
_CSP_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": env_list("CSP_REPORT_URI") or None,
    }
}
_CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
CONTENT_SECURITY_POLICY = None if _CSP_REPORT_ONLY else _CSP_POLICY
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP_POLICY if _CSP_REPORT_ONLY else None

AUTH_USER_MODEL = "accounts.User"
# AxesStandaloneBackend refuses a throttled sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]
# Sign-in throttle (django-axes), on the login page and the admin's: after
# LOGIN_FAILURE_LIMIT failures for one account, or from one client address, sign-ins
# there are refused for LOGIN_LOCKOUT_MINUTES, counted from the latest failure.
# Attempts live in the database: admins see and clear them in the admin (Access attempts)
# or with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.throttle.login_account_key"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.login_locked_out"
AXES_RESET_ON_SUCCESS = True
# No row per successful sign-in; failures are what the throttle counts.
AXES_DISABLE_ACCESS_LOG = True
# Password-reset emails per hour, per address and per client address (0: no limit).
# Over either, the answer is the same "check your email" page, and no email goes out.
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", "3")
)
PASSWORD_RESET_PER_CLIENT_PER_HOUR = int(os.environ.get("PASSWORD_RESET_PER_CLIENT_PER_HOUR", "10"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "board_list"
LOGOUT_REDIRECT_URL = "login"

# Who may register (accounts/signup.py, docs/configuration.md): `open`, `invite-only`
# (only with an invitation) or `domains` (addresses at SIGNUP_DOMAINS, or an invitation).
# A system check refuses an unknown mode, and `domains` without domains.
SIGNUP_MODE = os.environ.get("SIGNUP_MODE", "open").strip().lower()
SIGNUP_DOMAINS = env_list("SIGNUP_DOMAINS")
# Verification emails per address per hour, the one sent at sign-up included (0: no limit).
VERIFICATION_EMAILS_PER_HOUR = int(os.environ.get("VERIFICATION_EMAILS_PER_HOUR", "3"))

# Email: the console by default (mails are printed to the log). EMAIL_URL configures it
# all at once (dj-email-url: `submission://user:password@smtp.example.com:587`), or the
# usual Django variables one by one; the URL wins. A send gives up after EMAIL_TIMEOUT s.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For django.core.mail.backends.filebased.EmailBackend: the directory mails are written to.
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "taskboard@localhost")
# The public address of the site, for links in emails sent without a request (the
# notifications worker), and the worker's poll interval.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
NOTIFICATION_WORKER_POLL_SECONDS = float(os.environ.get("NOTIFICATION_WORKER_POLL_SECONDS", "5"))
if os.environ.get("EMAIL_URL"):
    _email = dj_email_url.parse(os.environ["EMAIL_URL"])
    if "EMAIL_BACKEND" not in _email:
        raise ImproperlyConfigured(
            "EMAIL_URL has an unknown scheme: use smtp://, submission:// (STARTTLS on 587), "
            "smtp://…?ssl=1, console:// or dummy://."
        )
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or EMAIL_HOST
    EMAIL_PORT = _email["EMAIL_PORT"] or EMAIL_PORT
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or EMAIL_TIMEOUT
    DEFAULT_FROM_EMAIL = _email.get("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# daphne serves no static files: WhiteNoise does. In production it serves the collected
# files with far-future caching of hashed names; with DEBUG on it reads static/ directly.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Board pages and wall displays render at most this many cards per column; the rest
# are a click away ("Show all"). Counts always cover every card.
BOARD_PAGE_CARDS_PER_COLUMN = int(os.environ.get("BOARD_PAGE_CARDS_PER_COLUMN", "100"))

# Board sockets (docs/protocol.md#limits): frames a socket may send (a burst, then a
# rate per second; a resume costs more the more it replays), bytes a peer may leave
# unread before it is closed with 1013, sockets per person (or display key) in each
# worker process, and how often open sockets check their rights again.
REALTIME_RATE_BURST = int(os.environ.get("REALTIME_RATE_BURST", "30"))
REALTIME_RATE_PER_SECOND = float(os.environ.get("REALTIME_RATE_PER_SECOND", "10"))
REALTIME_SEND_BUFFER_BYTES = int(os.environ.get("REALTIME_SEND_BUFFER_BYTES", str(4 * 2**20)))
REALTIME_SOCKETS_PER_PERSON = int(os.environ.get("REALTIME_SOCKETS_PER_PERSON", "25"))
REALTIME_ACCESS_RECHECK_SECONDS = float(os.environ.get("REALTIME_ACCESS_RECHECK_SECONDS", "30"))
# How often each process's hub compares a board's seq with what it delivered, sends
# JSON sockets a heartbeat, and delivers from the log what the channel layer lost.
REALTIME_HEARTBEAT_SECONDS = float(os.environ.get("REALTIME_HEARTBEAT_SECONDS", "5"))

# Prometheus metrics at /metrics (ops/metrics.py), for `Authorization: Bearer <token>`;
# with no token /metrics answers 404 (with DEBUG on it is open, for local development).
# prometheus-client itself reads PROMETHEUS_MULTIPROC_DIR: set it to an empty directory
# shared by the workers of one host or pod and /metrics sums them all.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Events older than this many per board cannot be replayed; a client further
# behind gets a fresh snapshot instead.
EVENT_REPLAY_LIMIT = int(os.environ.get("EVENT_REPLAY_LIMIT", "1000"))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# LOG_FORMAT=json: one JSON object per line, with the request id, user id, board id and
# socket connection id where known (ops/log_format.py); anything else: plain text.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ops.log_format.JsonFormatter"}},
    "filters": {
        "over_capacity_once_a_minute": {
            "()": "realtime.log_filters.OncePerInterval",
            "seconds": 60,
            "contains": "over capacity",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "loggers": {"channels_redis.core": {"filters": ["over_capacity_once_a_minute"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
