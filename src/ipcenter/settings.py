"""Django settings, read from the environment (see README "Configuration").

The defaults are the embedded set-up of `make run`: SQLite, Huey on SQLite, files on the local
disk, e-mail to the console. Production sets DATABASE_URL, REDIS_URL, IPCENTER_SECRET_KEY and
IPCENTER_SECURE=1.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from huey import RedisHuey, SqliteHuey

from ipcenter.lib.env import EnvError, env_bool, env_choice, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("IPCENTER_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("IPCENTER_DEBUG", False)
SECURE = env_bool("IPCENTER_SECURE", False)
SECRET_KEY = env_str("IPCENTER_SECRET_KEY", "")
if not SECRET_KEY:
    if SECURE:
        raise EnvError("IPCENTER_SECRET_KEY must be set when IPCENTER_SECURE=1")
    # Embedded default only: a fixed development key is fine on 127.0.0.1, never with SECURE.
    SECRET_KEY = "embedded-default-insecure-key-set-IPCENTER_SECRET_KEY"  # noqa: S105

ALLOWED_HOSTS = env_list("IPCENTER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("IPCENTER_CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies whose X-Forwarded-For is believed for the client address in the audit log.
IPCENTER_TRUSTED_PROXIES = frozenset(env_list("IPCENTER_TRUSTED_PROXIES", []))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules.apps.AutodiscoverRulesConfig",
    "huey.contrib.djhuey",
    "ninja",
    "ipcenter.accounts",
    "ipcenter.centers",
    "ipcenter.audit",
    "ipcenter.idempotency",
    "ipcenter.documents",
    "ipcenter.notifications",
    "ipcenter.filings",
    "ipcenter.preexam",
    "ipcenter.navigation",
    "ipcenter.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ipcenter.accounts.middleware.UserLanguageMiddleware",
    "ipcenter.api_guard.ApiGuardMiddleware",
    "ipcenter.accounts.middleware.StaffTotpMiddleware",
    "ipcenter.audit.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ipcenter.urls"
WSGI_APPLICATION = "ipcenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipcenter.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ipcenter.sqlite3'}"),
        conn_max_age=env_int("IPCENTER_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes. A transaction takes the write lock
    # when it begins (IMMEDIATE): a deferred one that reads, then writes, fails at once with
    # "database is locked" when another writer is active, whatever the busy timeout.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;"
    options["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: 5 failures for one user name from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("IPCENTER_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("IPCENTER_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The same client address as the audit log (X-Forwarded-For only from trusted proxies).
AXES_CLIENT_IP_CALLABLE = "ipcenter.audit.middleware.request_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# TOTP for staff roles: "required" (production default), "optional" or "off".
IPCENTER_STAFF_TOTP = env_choice("IPCENTER_STAFF_TOTP", "required", ("required", "optional", "off"))
OTP_TOTP_ISSUER = "ipcenter"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("IPCENTER_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("IPCENTER_MEDIA_ROOT", str(VAR_DIR / "media")))

# Files: the local disk by default, any S3-compatible store when IPCENTER_S3_BUCKET is set.
_S3_BUCKET = env_str("IPCENTER_S3_BUCKET", "")
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if _S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            "endpoint_url": env_str("IPCENTER_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("IPCENTER_S3_REGION", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

IPCENTER_MAX_UPLOAD_BYTES = env_int("IPCENTER_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
# DOCX and XLSX uploads are unpacked and counted before any parser opens them (ZIP bombs).
IPCENTER_ARCHIVE_MAX_UNPACKED_BYTES = (
    env_int("IPCENTER_ARCHIVE_MAX_UNPACKED_MB", 50, minimum=1) * 1024 * 1024
)
IPCENTER_ARCHIVE_MAX_ENTRIES = env_int("IPCENTER_ARCHIVE_MAX_ENTRIES", 1000, minimum=1)
IPCENTER_ARCHIVE_MAX_RATIO = env_int("IPCENTER_ARCHIVE_MAX_RATIO", 100, minimum=1)
# What the patent reader takes from one document (the parsed text is stored and shown).
IPCENTER_DOCUMENT_MAX_PARAGRAPHS = env_int("IPCENTER_DOCUMENT_MAX_PARAGRAPHS", 20000, minimum=1)
IPCENTER_DOCUMENT_MAX_CHARS = env_int("IPCENTER_DOCUMENT_MAX_CHARS", 2_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The patent corpus's search index: "embedded" (tantivy + a vector index in IPCENTER_SEARCH_DIR,
# one machine) or "milvus" (IPCENTER_MILVUS_URI: a Milvus Lite file or a server URL).
IPCENTER_SEARCH_BACKEND = env_choice("IPCENTER_SEARCH_BACKEND", "embedded", ("embedded", "milvus"))
IPCENTER_SEARCH_DIR = Path(env_str("IPCENTER_SEARCH_DIR", str(VAR_DIR / "search")))
IPCENTER_MILVUS_URI = env_str("IPCENTER_MILVUS_URI", str(VAR_DIR / "milvus.db"))
# Largest corpus file an analyst may upload on the imports page (the CLI has no limit).
IPCENTER_CORPUS_MAX_UPLOAD_BYTES = (
    env_int("IPCENTER_CORPUS_MAX_UPLOAD_MB", 200, minimum=1) * 1024 * 1024
)
# What an uploaded corpus ZIP may unpack to (the weekly USPTO files unpack to about 1 GB).
IPCENTER_CORPUS_MAX_UNPACKED_BYTES = (
    env_int("IPCENTER_CORPUS_MAX_UNPACKED_MB", 4096, minimum=1) * 1024 * 1024
)
# Records written (and indexed) per transaction of an import; the resume point moves per batch.
IPCENTER_CORPUS_BATCH_SIZE = env_int("IPCENTER_CORPUS_BATCH_SIZE", 500, minimum=1)

# Background jobs: Huey on SQLite in the embedded default, on Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL", "")
HUEY_IMMEDIATE = env_bool("IPCENTER_JOBS_IMMEDIATE", False)
# A running job writes a heartbeat at each stage or batch; one silent for longer than this lost
# its worker, and the sweep (every minute) queues it again (ipcenter.lib.jobs).
IPCENTER_JOB_STALE_SECONDS = env_int("IPCENTER_JOB_STALE_SECONDS", 120, minimum=10)
if REDIS_URL:
    HUEY = RedisHuey("ipcenter", url=REDIS_URL, immediate=HUEY_IMMEDIATE)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = SqliteHuey("ipcenter", filename=str(VAR_DIR / "huey.sqlite3"), immediate=HUEY_IMMEDIATE)

EMAIL_BACKEND = env_str("IPCENTER_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("IPCENTER_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("IPCENTER_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("IPCENTER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("IPCENTER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("IPCENTER_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("IPCENTER_FROM_EMAIL", "ipcenter <noreply@ipcenter.invalid>")
IPCENTER_PUBLIC_URL = env_str("IPCENTER_PUBLIC_URL", "http://127.0.0.1:8000")

# Cookies and transport. SECURE turns on what needs HTTPS; the rest holds everywhere.
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE:
    SECURE_SSL_REDIRECT = env_bool("IPCENTER_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("IPCENTER_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
