"""cecloud settings: one module, every value from the environment with safe embedded defaults.

Embedded default (no env): SQLite (WAL), local-memory cache, eager Celery, dev payment gateway,
console SMS. Production profile (CECLOUD_ENV=production): refuses DEBUG, the default secret
key, captcha test mode, console/file SMS and any payment gateway but a configured Alipay. See
.env.example for every variable.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CECLOUD_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


CECLOUD_ENV = env("CECLOUD_ENV", "development")  # development | test | production
DEFAULT_SECRET_KEY = "cecloud-insecure-development-key-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", CECLOUD_ENV == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

CAPTCHA_TEST_MODE = env_bool("CECLOUD_CAPTCHA_TEST_MODE", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "captcha",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # cecloud's apps, in layer order (docs/architecture.md): each imports only the ones above it here.
    "cecloud.core",
    "cecloud.notifications",
    "cecloud.registry",
    "cecloud.infocenter",
    "cecloud.accounts",
    "cecloud.training",
    "cecloud.catalog",
    "cecloud.learning",
    "cecloud.exams",
    "cecloud.billing",
    "cecloud.certificates",
    "cecloud.classroom",
    "cecloud.oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (django-csp), then Permissions-Policy and no-store (static files are answered above).
    "csp.middleware.CSPMiddleware",
    "cecloud.core.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle timeout, then the staff gates (2FA, password expiry) before the first-login password change.
    "cecloud.accounts.security_middleware.IdleTimeoutMiddleware",
    "cecloud.accounts.security_middleware.StaffSecurityMiddleware",
    "cecloud.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cecloud" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cecloud.core.context_processors.platform",
                "cecloud.accounts.context_processors.session_timeout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cecloud.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "0")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, locks -------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "cecloud"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cecloud"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", CECLOUD_ENV == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS in the production profile (`manage.py check --deploy` passes with the defaults; the embedded
# default serves plain HTTP). Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 (the proxy
# sends X-Forwarded-Proto), or SECURE_SSL_REDIRECT=0 if the proxy redirects to HTTPS itself.
_production = CECLOUD_ENV == "production"
X_FRAME_OPTIONS = env("X_FRAME_OPTIONS", "DENY" if _production else "SAMEORIGIN")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _production)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if _production else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _production)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _production)
if env("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs); required in production
# behind a proxy (SECURE_PROXY_SSL_HEADER), or every visitor would share the proxy's address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# Permissions-Policy (cecloud/core/security_headers.py): features no page uses are denied. Camera and microphone
# stay denied unless PERMISSIONS_POLICY_CAMERA=self (e.g. for face verification during study).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": ["self"],
    "camera": ["self"] if env("PERMISSIONS_POLICY_CAMERA") == "self" else [],
    "display-capture": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": ["self"] if env("PERMISSIONS_POLICY_MICROPHONE") == "self" else [],
    "midi": [],
    "payment": [],
    "picture-in-picture": ["self"],
    "usb": [],
}

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cecloud.accounts.backends.RegistryBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "cecloud.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "cecloud.accounts.validators.StrengthValidator"},
    {"NAME": "cecloud.accounts.validators.NotIdSuffixValidator"},
    {"NAME": "cecloud.accounts.validators.CommonPasswordValidator"},
    {"NAME": "cecloud.accounts.password_policy.PasswordHistoryValidator"},  # staff only
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:after_login"
LOGOUT_REDIRECT_URL = "home"

# Staff accounts (unit HR, bureau, operator), 等保 2.0 level 3 (cecloud/accounts/otp.py, staff.py):
# their own login page, TOTP two-factor (always on in production), password expiry and reuse history.
CECLOUD_STAFF_2FA = env_bool("CECLOUD_STAFF_2FA", True)
CECLOUD_STAFF_2FA_MAX_FAILURES = int(env("CECLOUD_STAFF_2FA_MAX_FAILURES", "5"))  # wrong codes before a lockout
CECLOUD_STAFF_2FA_LOCKOUT_MINUTES = int(env("CECLOUD_STAFF_2FA_LOCKOUT_MINUTES", "15"))
CECLOUD_STAFF_RECOVERY_CODES = int(env("CECLOUD_STAFF_RECOVERY_CODES", "10"))
CECLOUD_STAFF_PASSWORD_MAX_AGE_DAYS = int(env("CECLOUD_STAFF_PASSWORD_MAX_AGE_DAYS", "90"))  # 0 = never expires
CECLOUD_STAFF_PASSWORD_HISTORY = int(env("CECLOUD_STAFF_PASSWORD_HISTORY", "5"))  # last N passwords not reusable
OTP_TOTP_ISSUER = "江苏工勤继续教育"  # the account name shown in the authenticator app
# Wrong codes are limited by the fixed lockout above (cecloud/accounts/otp.py), not by django-otp's back-off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Idle sessions end on the server after this many minutes without a request; pages warn a few minutes before.
CECLOUD_IDLE_TIMEOUT_STAFF_MINUTES = int(env("CECLOUD_IDLE_TIMEOUT_STAFF_MINUTES", "30"))
CECLOUD_IDLE_TIMEOUT_LEARNER_MINUTES = int(env("CECLOUD_IDLE_TIMEOUT_LEARNER_MINUTES", "120"))
CECLOUD_IDLE_WARNING_MINUTES = int(env("CECLOUD_IDLE_WARNING_MINUTES", "5"))

# django-axes: lock an account (by login name) after repeated failures.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
# Lock by account, not by IP: thousands of workers of one unit share an office NAT address.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cecloud.accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# The lockout key is the normalised login name (cecloud/core/login_name.py): `320106 1979…`, a tab,
# full-width digits or a lower-case x are the same account for the backend, so for the lockout too.
AXES_USERNAME_CALLABLE = "cecloud.accounts.lockout.axes_username"
# The client address behind trusted proxies (TRUSTED_PROXIES, cecloud/core/clientip.py).
AXES_CLIENT_IP_CALLABLE = "cecloud.core.clientip.client_ip"
# A failure while locked does not push the unlock time back: the time shown on the lockout page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Throttles (cecloud/core/throttle.py): sliding windows in the cache (Redis in production), each
# "<count>/<seconds>" (or 10m, 1h, 1d; "off" disables), overridable one by one as THROTTLE_<NAME>.
# Login: failed password checks only (successes are taken back). Per client IP the allowance is
# generous because a whole unit's workers may share one office NAT address (a rush of a thousand
# logins in 15 minutes with one in ten mistyped is ~100 failures); per IP + account it is tight;
# the account itself is locked by django-axes above whatever the address.
_THROTTLE_DEFAULTS = {
    "login_ip": "200/15m",  # failed logins per client IP
    "login_ip_account": "10/1h",  # failed logins per client IP and login name
    "recover_ip": "60/10m",  # 找回密码 form posts per client IP (every step)
    "recover_id": "5/1h",  # failed 核认身份 (name + ID) per ID number, from anywhere
    "apply_ip": "50/1h",  # 人员信息 application form posts per client IP (an office may help many apply)
    "captcha_ip": "60/1m",  # captcha refreshes per client IP
    "heartbeat_user": "30/1m",  # player heartbeats per learner (one every 12 s; bursts on seek/retry)
    "attention_user": "20/1m",  # attention-check answers per learner
}
THROTTLE_RATES = {name: env(f"THROTTLE_{name.upper()}") or rate for name, rate in _THROTTLE_DEFAULTS.items()}
for _name, _rate in THROTTLE_RATES.items():  # a typo must stop the start, not answer 500 at the first request
    _count, _, _window = _rate.strip().lower().partition("/")
    if _rate.strip().lower() not in {"off", "0"} and not (
        _count.strip().isdigit() and int(_count) > 0 and _window.strip().rstrip("smhd").strip().isdigit()
    ):
        raise ImproperlyConfigured(f"THROTTLE_{_name.upper()}={_rate!r}: expected '<count>/<seconds>' such as '20/600'")

# django-simple-captcha
CAPTCHA_LENGTH = 4
CAPTCHA_IMAGE_SIZE = (110, 38)
CAPTCHA_FONT_SIZE = 28
CAPTCHA_TIMEOUT = 5
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)

# --- i18n / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # made at start-up (cecloud/core/local_dirs.py), not here
STATICFILES_DIRS = [BASE_DIR / "cecloud" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SERVE_PUBLIC_MEDIA = env_bool("SERVE_PUBLIC_MEDIA", False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE: dict = {}

# --- Platform ---------------------------------------------------------------------------------
CECLOUD_SITE_NAME = "江苏工勤人员继续教育云平台"
CECLOUD_HOTLINE = env("CECLOUD_HOTLINE", "4000968823")
CECLOUD_PUBLIC_BASE_URL = env("CECLOUD_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Catalog videos (requirements S4, cecloud/catalog): HLS renditions after each upload when ffmpeg is installed ("auto")
# or never ("off"); 试听 serves the first CECLOUD_PREVIEW_SECONDS of media of a course's first chapter,
# within a window of CECLOUD_PREVIEW_WINDOW_MINUTES (wall clock) once a day per learner and course.
CECLOUD_VIDEO_HLS = env("CECLOUD_VIDEO_HLS", "auto")
CECLOUD_PREVIEW_SECONDS = int(env("CECLOUD_PREVIEW_SECONDS", "120"))
CECLOUD_PREVIEW_WINDOW_MINUTES = int(env("CECLOUD_PREVIEW_WINDOW_MINUTES", "10"))

# Online learning (requirements S5, cecloud/learning/services/playback_rules.py): heartbeat period (s) sent to the player,
# tolerance on the server clock, attention checks every "min-max" seconds of playback ("off" disables;
# Every uploaded .xlsx is bounded before it is parsed (cecloud/core/spreadsheet.py check_xlsx_upload):
# decompressed size (MB), compression ratio, zip members, rows, columns, cells and shared strings.
# A profile's values override "default"; the registry import takes 300,000-row files.
SPREADSHEET_UPLOAD_LIMITS = {
    "default": {
        "max_unzipped_mb": int(env("XLSX_UPLOAD_MAX_UNZIPPED_MB", "50")),
        "max_ratio": 200,
        "max_members": 500,
        "max_rows": int(env("XLSX_UPLOAD_MAX_ROWS", "50000")),
        "max_columns": 200,
        "max_cells": 2_000_000,
        "max_shared_strings": 1_000_000,
    },
    "registry": {
        "max_unzipped_mb": int(env("REGISTRY_IMPORT_MAX_UNZIPPED_MB", "1024")),
        "max_rows": int(env("REGISTRY_IMPORT_MAX_ROWS", "1000000")),
        "max_cells": 20_000_000,
        "max_shared_strings": 10_000_000,
    },
}
# the development/demo default is short so that checks are seen on the 3–6 s demo chapters).
CECLOUD_HEARTBEAT_SECONDS = float(env("CECLOUD_HEARTBEAT_SECONDS", "12"))
CECLOUD_HEARTBEAT_TOLERANCE = float(env("CECLOUD_HEARTBEAT_TOLERANCE", "1.1"))
CECLOUD_ATTENTION_CHECK_SECONDS = env(
    "CECLOUD_ATTENTION_CHECK_SECONDS", "8-15" if CECLOUD_ENV == "development" else "600-1200"
)
CECLOUD_STUDY_GATE_CACHE_SECONDS = int(env("CECLOUD_STUDY_GATE_CACHE_SECONDS", "60"))
# PostgreSQL: commit heartbeats without waiting for the WAL flush (a crash loses at most the last beats).
CECLOUD_HEARTBEAT_ASYNC_COMMIT = env_bool("CECLOUD_HEARTBEAT_ASYNC_COMMIT", True)
# Benchmarks only (bench/heartbeat.py): enables the authenticated no-op JSON endpoint used as a baseline.
CECLOUD_BENCH_ENDPOINTS = env_bool("CECLOUD_BENCH_ENDPOINTS", False)

# SMS (requirements S1): console | file | aliyun
SMS_BACKEND = env("SMS_BACKEND", "console")
SMS_FILE_PATH = env("SMS_FILE_PATH", str(VAR_DIR / "sms.log"))
SMS_ALIYUN_ACCESS_KEY_ID = env("SMS_ALIYUN_ACCESS_KEY_ID")
SMS_ALIYUN_ACCESS_KEY_SECRET = env("SMS_ALIYUN_ACCESS_KEY_SECRET")
SMS_ALIYUN_SIGN_NAME = env("SMS_ALIYUN_SIGN_NAME", "江苏工勤继续教育")
SMS_ALIYUN_ENDPOINT = env("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
# Template codes per message: "verify_code=SMS_1,application_approved=SMS_2,..." (see notifications/sms_templates.py)
SMS_ALIYUN_TEMPLATE_CODES = env("SMS_ALIYUN_TEMPLATE_CODES")
SMS_ALIYUN_TIMEOUT = float(env("SMS_ALIYUN_TIMEOUT", "5"))

# Payments (requirements S3): the dev gateway unless Alipay merchant keys are configured.
ALIPAY_APP_ID = env("ALIPAY_APP_ID")
ALIPAY_SELLER_ID = env("ALIPAY_SELLER_ID")
ALIPAY_APP_PRIVATE_KEY_PATH = env("ALIPAY_APP_PRIVATE_KEY_PATH")
ALIPAY_PUBLIC_KEY_PATH = env("ALIPAY_PUBLIC_KEY_PATH")
ALIPAY_GATEWAY_URL = env("ALIPAY_GATEWAY_URL", "https://openapi.alipay.com/gateway.do")
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", "alipay" if ALIPAY_APP_ID else "dev")
ALIPAY_TIMEOUT = float(env("ALIPAY_TIMEOUT", "10"))

# Invoices (requirements S3): local | nuonuo
INVOICE_ISSUER = env("INVOICE_ISSUER", "local")
INVOICE_SELLER_NAME = env("INVOICE_SELLER_NAME", "江苏工勤人员继续教育云平台运营单位")
INVOICE_SELLER_TAX_NUMBER = env("INVOICE_SELLER_TAX_NUMBER", "91320000MA1CEC001E")
INVOICE_SELLER_ADDRESS_PHONE = env("INVOICE_SELLER_ADDRESS_PHONE", "南京市 4000968823")
INVOICE_TAX_RATE = env("INVOICE_TAX_RATE", "0.06")
NUONUO_APP_KEY = env("NUONUO_APP_KEY")
NUONUO_APP_SECRET = env("NUONUO_APP_SECRET")
NUONUO_ACCESS_TOKEN = env("NUONUO_ACCESS_TOKEN")
NUONUO_API_URL = env("NUONUO_API_URL", "https://sdk.nuonuo.com/open/v1/services")
NUONUO_TOKEN_URL = env("NUONUO_TOKEN_URL", "https://open.nuonuo.com/accessToken")
NUONUO_CLERK = env("NUONUO_CLERK", "开票员")
NUONUO_INVOICE_LINE = env("NUONUO_INVOICE_LINE", "p")
NUONUO_GOODS_CODE = env("NUONUO_GOODS_CODE", "3070201020000000000")
NUONUO_TIMEOUT = float(env("NUONUO_TIMEOUT", "15"))
# Billing jobs (cecloud/billing/tasks.py): expire unpaid orders, reconcile with the gateway, retry invoices.
CELERY_BEAT_SCHEDULE["billing-expire-orders"] = {"task": "billing.orders_expire_sweep", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["billing-reconcile-pending"] = {"task": "billing.orders_reconcile", "schedule": 600.0}
CELERY_BEAT_SCHEDULE["billing-retry-invoices"] = {"task": "billing.invoices_retry", "schedule": 900.0}

# Certificates (requirements S7): Ed25519 key signing the QR payload (base64 of the raw 32 bytes or PEM text, or a
# PEM file); development generates var/cert_signing_key.pem once. Previous public keys stay trusted.
CERT_SIGNING_KEY = env("CERT_SIGNING_KEY")
CERT_SIGNING_KEY_PATH = env("CERT_SIGNING_KEY_PATH")
CERT_PREVIOUS_PUBLIC_KEYS = env("CERT_PREVIOUS_PUBLIC_KEYS")
CERT_VERIFY_RATE_LIMIT = env("CERT_VERIFY_RATE_LIMIT", "20/600")  # public lookups per client IP (a throttle rate)
CELERY_BEAT_SCHEDULE["certificates-issue-missing"] = {"task": "certificates.issue_missing", "schedule": 1800.0}

# Audit trail (cecloud/core/audit.py): entries are kept at least 180 days (a system check refuses less);
# the daily purge deletes only entries older than this.
CECLOUD_AUDIT_RETENTION_DAYS = int(env("CECLOUD_AUDIT_RETENTION_DAYS", "180"))
CELERY_BEAT_SCHEDULE["core-audit-purge"] = {"task": "core.audit_purge", "schedule": 24 * 3600.0}

# --- Content-Security-Policy (django-csp 4) ---------------------------------------------------
# One strict policy in every profile (development and tests see a violation as production would): scripts,
# styles, fonts and frames only from this site, no inline script, style or event-handler attribute, no eval.
# Images may be data: URIs (captcha, QR codes); media and hls.js's worker use blob: URLs (MediaSource).
# Forms post here, and 立即支付 is a form whose answer redirects to the Alipay gateway (form-action covers
# that redirect). CSP_REPORT_URI, when set, receives violation reports.
from csp.constants import NONE, SELF  # noqa: E402

_csp_form_action = [SELF]
if PAYMENT_GATEWAY == "alipay":
    from urllib.parse import urlsplit  # noqa: E402

    _gateway = urlsplit(ALIPAY_GATEWAY_URL)
    _csp_form_action.append(f"{_gateway.scheme}://{_gateway.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "media-src": [SELF, "blob:"],
        "worker-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": _csp_form_action,
        "frame-ancestors": [NONE],
    }
}
if env("CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = env("CSP_REPORT_URI")

# --- Logging (structured JSON lines) ---------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}


# --- Production guard ---------------------------------------------------------------------------
def check_production_settings() -> None:
    problems = []
    if DEBUG:
        problems.append("DEBUG must be off")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY must be set to a long random value")
    if not CECLOUD_STAFF_2FA:
        problems.append("CECLOUD_STAFF_2FA cannot be turned off: staff accounts need two-factor login")
    if CAPTCHA_TEST_MODE:
        problems.append("CECLOUD_CAPTCHA_TEST_MODE must be off")
    if not REDIS_URL:
        problems.append("REDIS_URL must be set (sessions, rate limits and tasks are shared by every process)")
    if env("SECURE_PROXY_SSL_HEADER") and not TRUSTED_PROXIES:
        problems.append("TRUSTED_PROXIES must list the proxies when SECURE_PROXY_SSL_HEADER is set")
    for proxy in TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            problems.append(f"TRUSTED_PROXIES: {proxy!r} is not an IP address or network")
    if SMS_BACKEND in {"console", "file"}:
        problems.append("SMS_BACKEND must be a real provider (aliyun), not console/file")
    if PAYMENT_GATEWAY != "alipay":
        problems.append("PAYMENT_GATEWAY must be alipay (the dev cashier opens classes without payment)")
    elif not (ALIPAY_APP_ID and ALIPAY_APP_PRIVATE_KEY_PATH and ALIPAY_PUBLIC_KEY_PATH):
        problems.append("ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY_PATH and ALIPAY_PUBLIC_KEY_PATH must be set")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if CECLOUD_ENV == "production":
    check_production_settings()
