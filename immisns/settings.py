"""Settings for immisns, read from the environment.

Every value has an embedded default that works on a developer's machine with
no servers (SQLite under var/, a filesystem Celery broker, console e-mail).
Production sets DEBUG=false, which makes SECRET_KEY and FIELD_ENCRYPTION_KEY
mandatory. A malformed value stops start-up with a message naming the variable.
"""

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IMMISNS_VAR_DIR", BASE_DIR / "var"))
# SQLite, the filesystem broker and uploads live here; it must exist before they open.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name) or default
    scheme = urlsplit(raw).scheme
    if scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}; got {raw!r}")
    return raw


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "immisns-development-only-secret-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "checks",
    "posts",
    "replies",
    # Holds only the migrations that first made the checks' and the replies' tables.
    "moderation",
    "public",
    "audit",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before sessions and views: a NUL in the address never reaches a query (immisns.bounds).
    "immisns.bounds.BoundedAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.RememberActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.AdminInlineStylesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "accounts.middleware.NoStoreWhenSignedInMiddleware",
]

ROOT_URLCONF = "immisns.urls"
WSGI_APPLICATION = "immisns.wsgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
                "posts.context_processors.publishing_banner",
                "posts.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
_database_url = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'immisns.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
try:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # A file, not memory, so that a worker process started by a test sees the
    # same test database as the test itself.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-immisns.sqlite3")}
else:
    # The console's queries are short index reads whose plans PostgreSQL can cost at over 100,000 (a LIMIT over a
    # large table), which sets off its JIT compiler: 30 ms of compiling for a query that runs in a few. Off, as
    # for most web applications; a URL's own "options" come first.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"-c jit=off {_options.get('options', '')}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_url("CACHE_URL", "locmem://", schemes=("locmem", "redis", "rediss"))
if CACHE_URL.startswith("locmem") and not DEBUG:
    # allauth keeps the login rate limits in this cache: per process, they would not hold.
    raise ImproperlyConfigured(
        "CACHE_URL must name Redis (redis://host:6379/1) when DEBUG is false, "
        "so that login rate limits are shared by every web process"
    )
if CACHE_URL.startswith("locmem"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login (django-allauth): administrators create people; nobody signs up.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapters.NoSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins are counted per login name (key) and, separately and far higher, per address (ip):
# an office signs in from behind one proxy, and one person's typos must not lock out colleagues.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "50/5m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/m/key",
}
MFA_ADAPTER = "accounts.adapters.SecondFactorAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "immisns"

# Internationalisation: the console speaks Japanese, English on request.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Bounded work per request (docs/architecture.md, "Security"). Form fields: at most 5 MB and 2,000 fields
# (the composer's longest text, 63,206 characters, is under 0.6 MB even URL-encoded);
# files: at most 4 images of 50 MB each, refused by declared and streamed size
# (immisns/uploads.py) before Django reads them; files over 2.5 MB stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 4
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_FILE_BYTES = 50 * 1024 * 1024  # posts.images.MAX_UPLOAD_BYTES
UPLOAD_MAX_REQUEST_BYTES = DATA_UPLOAD_MAX_NUMBER_FILES * UPLOAD_MAX_FILE_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_HANDLERS = [
    "immisns.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "uploads")
(VAR_DIR / "uploads").mkdir(exist_ok=True)

# E-mail: printed to the console in development.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)


def _site_url_from_addr(addr: str) -> str:
    """The address `make run` serves at (ADDR, host:port or a port), as a link people can open."""
    host, _colon, port = addr.rpartition(":")
    if not _colon:
        host, port = "", addr
    if host in ("", "0.0.0.0", "[::]", "::"):
        host = "127.0.0.1"  # listening everywhere: this machine's own address opens it
    return f"http://{host}:{port}"


# Where links in e-mails point; on the embedded defaults, where `make run` serves (ADDR).
SITE_URL = env_str("SITE_URL", _site_url_from_addr(os.environ.get("ADDR") or "127.0.0.1:8000"))
# Where the agency publishes the operating policy (the exported public pages):
# footers write {policy_url}, and every published post carries this address.
PUBLIC_POLICY_URL = env_url("PUBLIC_POLICY_URL", "https://www.moj.go.jp/isa/", schemes=("https", "http"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "immisns <noreply@localhost>")


# Secrets at rest: Fernet keys, newest first, comma-separated for rotation.
def _fernet_keys() -> list[str]:
    keys = env_list("FIELD_ENCRYPTION_KEY", "")
    if not keys:
        if not DEBUG:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is false")
        digest = hashlib.sha256(("field-encryption:" + SECRET_KEY).encode()).digest()
        return [base64.urlsafe_b64encode(digest).decode()]
    for key in keys:
        try:
            if len(base64.urlsafe_b64decode(key.encode())) != 32:
                raise ValueError
        except ValueError:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
                "(32 url-safe base64-encoded bytes each)"
            ) from None
    return keys


FIELD_ENCRYPTION_KEYS = _fernet_keys()

# Celery: Redis in production; a filesystem broker that needs no server by default.
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", "filesystem://", schemes=("filesystem", "redis", "rediss", "memory"))
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
        # How long a worker waits before it looks at the folder again when the folder is empty
        # or all its threads are taken. At kombu's default (1 s) a worker started at most one
        # round of tasks a second: short tasks (e-mails) queued faster than they were taken.
        "polling_interval": 0.1,
    }
    CELERY_BROKER_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery-results").mkdir(exist_ok=True)
    _default_result_backend = f"file://{VAR_DIR / 'celery-results'}"
else:
    # Tasks must finish well inside the visibility timeout, or Redis would
    # hand an unacknowledged task to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "queue_order_strategy": "priority"}
    _default_result_backend = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env_url(
    "CELERY_RESULT_BACKEND", _default_result_backend, schemes=("file", "redis", "rediss", "cache")
)
CELERY_RESULT_EXPIRES = 3600
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Publishing's tasks (and the sweep that sends them) have a queue of their own, which every
# worker reads as well as the default one: a backlog of other work (e-mails, listening, reach)
# is not handed out ahead of a due post's task. Redis reads the queues in this order, the
# publishing queue first; the filesystem broker takes them in turn.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in ("publishing", CELERY_TASK_DEFAULT_QUEUE)
]
CELERY_TASK_ROUTES = {
    name: {"queue": "publishing"} for name in ("posts.publish_targets", "posts.reconcile_target", "posts.sweep")
}

# Platform application keys (the per-account tokens live encrypted in the database).
X_API_KEY = env_str("X_API_KEY", "")
X_API_SECRET = env_str("X_API_SECRET", "")
FACEBOOK_GRAPH_API_VERSION = env_str("FACEBOOK_GRAPH_API_VERSION", "v23.0")
# Facebook Login for connecting Pages (accounts.connections); the Page tokens it yields live in the database.
FACEBOOK_APP_ID = env_str("FACEBOOK_APP_ID", "")
FACEBOOK_APP_SECRET = env_str("FACEBOOK_APP_SECRET", "")
# Pages in a Business portfolio also need business_management from the person who signs in.
FACEBOOK_PAGE_IN_BUSINESS_PORTFOLIO = env_bool("FACEBOOK_PAGE_IN_BUSINESS_PORTFOLIO", False)
# How long a sign-in on X or Facebook may take, from "Connect" to the callback (or the PIN).
CONNECT_FLOW_SECONDS = env_int("CONNECT_FLOW_SECONDS", 600, minimum=60)
if not FACEBOOK_GRAPH_API_VERSION.startswith("v"):
    raise ImproperlyConfigured(f"FACEBOOK_GRAPH_API_VERSION must look like v23.0, not {FACEBOOK_GRAPH_API_VERSION!r}")

# Benchmarks only: every platform request goes to a fake platform at this origin
# (http://127.0.0.1:PORT, tests/fakes/loopback.py). Refused when DEBUG is off.
PLATFORM_API_ORIGIN = env_str("PLATFORM_API_ORIGIN", "")
if PLATFORM_API_ORIGIN and not DEBUG:
    raise ImproperlyConfigured("PLATFORM_API_ORIGIN points the platforms at a fake; it is refused when DEBUG is off")

# Publishing (posts.publishing): how often the sweep looks for due targets, how
# long a claimed target may stay "publishing" before it is reconciled, retries.
PUBLISHING_SWEEP_SECONDS = env_int("PUBLISHING_SWEEP_SECONDS", 5, minimum=1)
# The sweep reads, marks and sends due targets in batches of this many, until none is left.
PUBLISHING_SWEEP_BATCH = env_int("PUBLISHING_SWEEP_BATCH", 1000, minimum=1)
PUBLISHING_STALE_SECONDS = env_int("PUBLISHING_STALE_SECONDS", 300, minimum=1)
PUBLISHING_MAX_ATTEMPTS = env_int("PUBLISHING_MAX_ATTEMPTS", 5, minimum=1)
PUBLISHING_BACKOFF_SECONDS = env_int("PUBLISHING_BACKOFF_SECONDS", 30, minimum=1)
PUBLISHING_REQUEST_TIMEOUT = env_int("PUBLISHING_REQUEST_TIMEOUT", 20, minimum=1)
# A publish task whose time passed this long ago while its target is still
# scheduled counts as lost by the broker and is sent again.
PUBLISHING_REQUEUE_SECONDS = env_int("PUBLISHING_REQUEUE_SECONDS", 60, minimum=1)
# One send (look-up, image uploads and the post itself) must end within this many
# seconds of its start: the adapters give every request only the time that is left.
# Celery's threads pool ignores task time limits, so this is what bounds a send.
PUBLISHING_SEND_DEADLINE_SECONDS = env_int("PUBLISHING_SEND_DEADLINE_SECONDS", 60, minimum=1)
# A 429 waits until the reset the platform names, but at least this long (the
# platform's clock and ours may disagree by a little).
PUBLISHING_RATE_LIMIT_FLOOR_SECONDS = env_int("PUBLISHING_RATE_LIMIT_FLOOR_SECONDS", 2, minimum=0)
# A target whose outcome is unknown is reconciled only once no worker can still be
# sending it: the stale threshold must be safely above the send deadline (twice it),
# and, when DEBUG is off, above the prefork pool's hard task time limit too.
if PUBLISHING_STALE_SECONDS < 2 * PUBLISHING_SEND_DEADLINE_SECONDS:
    raise ImproperlyConfigured(
        f"PUBLISHING_STALE_SECONDS ({PUBLISHING_STALE_SECONDS}) must be at least twice "
        f"PUBLISHING_SEND_DEADLINE_SECONDS ({PUBLISHING_SEND_DEADLINE_SECONDS})"
    )
if PUBLISHING_STALE_SECONDS <= CELERY_TASK_TIME_LIMIT and not DEBUG:
    raise ImproperlyConfigured("PUBLISHING_STALE_SECONDS must exceed the task time limit (180 s)")
# Database connections (posts.publishing, immisns.capacity). Django keeps one
# connection per thread; a worker process has its Celery threads
# (CELERY_WORKER_CONCURRENCY, the worker's --concurrency) plus one shared pool of
# PUBLISHING_SEND_THREADS threads that make the platform calls. The deployment's
# shape (DEPLOY_WORKERS worker processes, DEPLOY_WEB_WORKERS gunicorn workers, one
# beat) is checked against PostgreSQL's max_connections when a worker starts.
# The send pool is larger than the 21 accounts, so one post to all of them goes
# out in one wave rather than two.
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 8, minimum=1)
PUBLISHING_SEND_THREADS = env_int("PUBLISHING_SEND_THREADS", 24, minimum=1)
DEPLOY_WORKERS = env_int("DEPLOY_WORKERS", 2, minimum=1)
DEPLOY_WEB_WORKERS = env_int("DEPLOY_WEB_WORKERS", 3, minimum=1)
# Listening (replies.listening): what the public writes is polled (the console
# sits on a closed network, so no webhooks). X bills every item read: each X
# account stops for the day at its budget; the cost per item is an estimate
# shown beside the count in the admin.
LISTENING_POLL_SECONDS = env_int("LISTENING_POLL_SECONDS", 120, minimum=10)
LISTENING_X_DAILY_READ_BUDGET = env_int("LISTENING_X_DAILY_READ_BUDGET", 2000, minimum=0)
LISTENING_X_COST_PER_ITEM = float(env_str("LISTENING_X_COST_PER_ITEM", "0.005"))
# Replies are read under the posts published this many days back (X recent search: 7 days).
LISTENING_POST_DAYS = env_int("LISTENING_POST_DAYS", 7, minimum=1)
# Reach (reports.collection): each published post's figures for REACH_POST_DAYS days and each account's
# followers, polled once per UTC day per item. X bills every object read (pay-per-use prices are settings,
# USD; set both to the owner's-reads price where the app's owner reads its own posts), and each X account
# stops for the day at REACH_X_DAILY_READ_BUDGET objects, with a note.
REACH_COLLECT_SECONDS = env_int("REACH_COLLECT_SECONDS", 3 * 3600, minimum=60)
REACH_POST_DAYS = env_int("REACH_POST_DAYS", 30, minimum=1)
REACH_X_DAILY_READ_BUDGET = env_int("REACH_X_DAILY_READ_BUDGET", 500, minimum=0)
REACH_X_POST_READ_COST = float(env_str("REACH_X_POST_READ_COST", "0.005"))
REACH_X_USER_READ_COST = float(env_str("REACH_X_USER_READ_COST", "0.010"))
CONNECTIONS_VERIFY_SECONDS = env_int("CONNECTIONS_VERIFY_SECONDS", 24 * 3600, minimum=60)
# Coordinated spam (replies.coordinated): copies of one text count within this many hours of each
# other; texts shorter than this many characters, once courtesies are taken out, never count.
LISTENING_SPAM_WINDOW_HOURS = env_int("LISTENING_SPAM_WINDOW_HOURS", 72, minimum=1)
LISTENING_SPAM_MIN_CHARS = env_int("LISTENING_SPAM_MIN_CHARS", 20, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "publishing-sweep": {"task": "posts.sweep", "schedule": float(PUBLISHING_SWEEP_SECONDS)},
    # The task's name from before replies left moderation (replies/tasks.py), kept for queued messages.
    "listening-poll": {"task": "moderation.poll_all", "schedule": float(LISTENING_POLL_SECONDS)},
    # Every connection checked once a day with one cheap read (accounts.connections.connection_verify).
    "reach-collect": {"task": "reports.collect_all", "schedule": float(REACH_COLLECT_SECONDS)},
    # A closed month's reach kept for the monthly report (reports.ReachMonth) soon after the month closes;
    # once it is kept, a run reads two small tables and stops.
    "reach-months": {"task": "reports.store_closed_month", "schedule": 6 * 3600.0},
    "connections-verify": {"task": "accounts.verify_connections", "schedule": float(CONNECTIONS_VERIFY_SECONDS)},
}

# Security: strict when DEBUG is off (manage.py check --deploy stays clean).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. Scripts
# and styles come from /static/ only (htmx from django-htmx; its settings are a <meta>
# tag, with its inline indicator styles turned off and the styles in immisns.css).
# The TOTP set-up page shows its QR code as a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Tokens and keys are redacted from every record of every logger (immisns/log_redaction.py),
# urllib3, oauthlib and requests-oauthlib at DEBUG included.
LOGGING_CONFIG = "immisns.log_redaction.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "immisns.log_redaction.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The demo mode: seed_demo creates demo people only when this is on.
DEMO_MODE = env_bool("IMMISNS_DEMO", DEBUG and _database_url.startswith("sqlite"))
# With DEBUG on, Django answers a missing page with its technical page (the URL table and
# settings); the demo shows the console's own "Page not found" instead.
if DEMO_MODE:
    MIDDLEWARE.append("immisns.not_found.OwnNotFoundPageMiddleware")
