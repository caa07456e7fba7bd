"""Django settings: every value comes from the environment (or a local `.env`).

`docs/configuration.md` documents each variable. Test mode (`TESTING=True`, which pytest's
configuration in pyproject.toml and `manage.py test` set) overrides what must never leave the
process: the database is sqlite whatever DATABASE_URL says (unless TEST_DATABASE_URL asks for a
PostgreSQL run of the whole suite), e-mail stays in memory, and no payment or e-mail provider is called.
"""

import sys
from pathlib import Path

import dj_database_url
from decouple import Csv, config

BASE_DIR = Path(__file__).resolve().parent

# Chosen explicitly by whoever runs the tests (pyproject.toml's pytest `env`, manage.py's `test`),
# never guessed from what happens to be imported.
TESTING = config("TESTING", default=False, cast=bool)

DEBUG = config("DEBUG", default=False, cast=bool)

SECRET_KEY = config("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-local-only-key-never-used-with-debug-off"  # noqa: S105
    else:
        # One clear line and no traceback: a deployed stage without its key must not start.
        sys.exit("SECRET_KEY is not set: set the SECRET_KEY environment variable (or DEBUG=True for a local run).")

ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="127.0.0.1,localhost", cast=Csv())
CSRF_TRUSTED_ORIGINS = config("CSRF_TRUSTED_ORIGINS", default="", cast=Csv())
ORGANIZATION = config("ORGANIZATION", default="Writing Sessions")
APP_VERSION = config("APP_VERSION", default="0.1.0")
APP_COMMIT = config("APP_COMMIT", default="")  # set by deploy.sh on the function: the commit it shipped

INSTALLED_APPS = [
    "app.core.admin_site.AdminConfig",  # django.contrib.admin, registered lazily when served
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # `runserver` leaves static files to WhiteNoise. Only DEBUG runs use runserver: deployed
    # stages skip importing WhiteNoise at start-up (app/core/static.py loads it when needed).
    *(["whitenoise.runserver_nostatic"] if DEBUG else []),
    "django.contrib.staticfiles",
    "rest_framework",
    "app.core",
    "app.security",
    "app.accounts",
    "app.bookings",
    "app.store",
    "app.retreats",
    "app.web",
    "app.staff",
    "simple_history",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "app.security.middleware.RequestGuardMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "app.core.static.LazyWhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language cookie, else Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "app.urls"
WSGI_APPLICATION = "app.wsgi.application"

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
                "app.web.context.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        config("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=config("DB_CONN_MAX_AGE", default=60, cast=int),
        conn_health_checks=True,
    )
}
# Every PostgreSQL connection gives up on a statement, or on waiting for a row lock, after these
# (0: never). Lambda stops a request at 30 s: a stuck query must end first, answered as a retryable
# 409 "busy" (app/core/errors.py). A long migration may need DB_STATEMENT_TIMEOUT_SECONDS=0.
DB_STATEMENT_TIMEOUT_SECONDS = config("DB_STATEMENT_TIMEOUT_SECONDS", default=10, cast=float)
DB_LOCK_TIMEOUT_SECONDS = config("DB_LOCK_TIMEOUT_SECONDS", default=5, cast=float)
# After a refused connection, this process does not try again for this long (answering 503): no
# connection storm while the database restarts (app/core/postgres_backoff/base.py). 0: no back-off.
DB_CONNECT_BACKOFF_SECONDS = config("DB_CONNECT_BACKOFF_SECONDS", default=1.0, cast=float)
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["default"]["ENGINE"] = "app.core.postgres_backoff"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={int(DB_STATEMENT_TIMEOUT_SECONDS * 1000)} "
        f"-c lock_timeout={int(DB_LOCK_TIMEOUT_SECONDS * 1000)}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Local runs: concurrent writers wait for the lock (up to 20 s) instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
if TESTING:
    # Whatever DATABASE_URL says, tests never touch the real database server. TEST_DATABASE_URL is
    # the one opt-in: the whole suite on a PostgreSQL server of its own (the pipelines' second job);
    # pytest-django creates and drops `test_<name>` (one per xdist worker) there.
    TEST_DATABASE_URL = config("TEST_DATABASE_URL", default="")
    if TEST_DATABASE_URL:
        DATABASES = {"default": dj_database_url.parse(TEST_DATABASE_URL)}
    else:
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "test-db.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "app.security.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]
AUTO_ACTIVATE_USER = config("AUTO_ACTIVATE_USER", default=False, cast=bool)
ACTIVATION_URL = config("ACTIVATION_URL", default="http://127.0.0.1:8000/activate?token={{token}}")
FORGOT_PASSWORD_URL = config("FORGOT_PASSWORD_URL", default="http://127.0.0.1:8000/reset-password?token={{token}}")
ACTIVATION_TOKEN_LIFETIME_HOURS = config("ACTIVATION_TOKEN_LIFETIME_HOURS", default=48, cast=int)
PASSWORD_RESET_TOKEN_LIFETIME_MINUTES = config("PASSWORD_RESET_TOKEN_LIFETIME_MINUTES", default=60, cast=int)
# An API token lives this long; it is renewed (one UPDATE) only when less than
# AUTH_TOKEN_RENEW_BELOW_HOURS of its life is left, so ordinary requests never write.
AUTH_TOKEN_LIFETIME_HOURS = config("AUTH_TOKEN_LIFETIME_HOURS", default=24 * 7, cast=int)
AUTH_TOKEN_RENEW_BELOW_HOURS = config("AUTH_TOKEN_RENEW_BELOW_HOURS", default=24, cast=int)
# However often it is used, a token dies this many days after it was issued: log in again.
AUTH_TOKEN_MAX_AGE_DAYS = config("AUTH_TOKEN_MAX_AGE_DAYS", default=30, cast=int)
SIGNUP_TICKETS = config("SIGNUP_TICKETS", default=0, cast=int)  # welcome tickets, given once at activation
EMAIL_CHANGE_URL = config("EMAIL_CHANGE_URL", default="http://127.0.0.1:8000/confirm-email?token={{token}}")
EMAIL_CHANGE_TOKEN_LIFETIME_HOURS = config("EMAIL_CHANGE_TOKEN_LIFETIME_HOURS", default=24, cast=int)

# --- E-mail -----------------------------------------------------------------------------
EMAIL_SERVICE = config("EMAIL_SERVICE", default=False, cast=bool)  # send through Sendinblue
SENDINBLUE_API_KEY = config("SENDINBLUE_API_KEY", default="")
SENDINBLUE_API_HOST = config("SENDINBLUE_API_HOST", default="https://api.brevo.com/v3")
SENDINBLUE_TIMEOUT_SECONDS = config("SENDINBLUE_TIMEOUT_SECONDS", default=10, cast=float)
CONFIRM_SIGN_UP = config("CONFIRM_SIGN_UP", default=0, cast=int)  # Sendinblue template ids
FORGOT_PASSWORD = config("FORGOT_PASSWORD", default=0, cast=int)
INVOICE = config("INVOICE", default=0, cast=int)
RESERVATION_CANCELLED = config("RESERVATION_CANCELLED", default=0, cast=int)
RESERVATION_CONFIRMED = config("RESERVATION_CONFIRMED", default=0, cast=int)  # every booking, with its .ics
RETREAT_CONFIRMED = config("RETREAT_CONFIRMED", default=0, cast=int)  # a paid retreat seat, every date in its .ics
RETREAT_WAITLIST_OFFER = config("RETREAT_WAITLIST_OFFER", default=0, cast=int)
RETREAT_REMINDER = config("RETREAT_REMINDER", default=0, cast=int)
RETREAT_FOLLOW_UP = config("RETREAT_FOLLOW_UP", default=0, cast=int)
RETREAT_CANCELLED = config("RETREAT_CANCELLED", default=0, cast=int)
RESERVATION_MOVED = config("RESERVATION_MOVED", default=0, cast=int)
WAITLIST_OFFER = config("WAITLIST_OFFER", default=0, cast=int)
SESSION_REMINDER = config("SESSION_REMINDER", default=0, cast=int)
CONFIRM_EMAIL_CHANGE = config("CONFIRM_EMAIL_CHANGE", default=0, cast=int)
EMAIL_CHANGE_NOTICE = config("EMAIL_CHANGE_NOTICE", default=0, cast=int)
# The same e-mails in French (members whose `language` is fr); 0: the English template, with a warning.
CONFIRM_SIGN_UP_FR = config("CONFIRM_SIGN_UP_FR", default=0, cast=int)
FORGOT_PASSWORD_FR = config("FORGOT_PASSWORD_FR", default=0, cast=int)
INVOICE_FR = config("INVOICE_FR", default=0, cast=int)
RESERVATION_CANCELLED_FR = config("RESERVATION_CANCELLED_FR", default=0, cast=int)
RESERVATION_CONFIRMED_FR = config("RESERVATION_CONFIRMED_FR", default=0, cast=int)
RETREAT_CONFIRMED_FR = config("RETREAT_CONFIRMED_FR", default=0, cast=int)
RETREAT_WAITLIST_OFFER_FR = config("RETREAT_WAITLIST_OFFER_FR", default=0, cast=int)
RETREAT_REMINDER_FR = config("RETREAT_REMINDER_FR", default=0, cast=int)
RETREAT_FOLLOW_UP_FR = config("RETREAT_FOLLOW_UP_FR", default=0, cast=int)
RETREAT_CANCELLED_FR = config("RETREAT_CANCELLED_FR", default=0, cast=int)
RESERVATION_MOVED_FR = config("RESERVATION_MOVED_FR", default=0, cast=int)
WAITLIST_OFFER_FR = config("WAITLIST_OFFER_FR", default=0, cast=int)
SESSION_REMINDER_FR = config("SESSION_REMINDER_FR", default=0, cast=int)
CONFIRM_EMAIL_CHANGE_FR = config("CONFIRM_EMAIL_CHANGE_FR", default=0, cast=int)
EMAIL_CHANGE_NOTICE_FR = config("EMAIL_CHANGE_NOTICE_FR", default=0, cast=int)
EMAIL_BACKEND = config("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = config("DEFAULT_FROM_EMAIL", default="noreply@example.com")
SERVER_EMAIL = config("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_HOST = config("EMAIL_HOST", default="localhost")
EMAIL_PORT = config("EMAIL_PORT", default=587, cast=int)
EMAIL_HOST_USER = config("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = config("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = config("EMAIL_USE_TLS", default=True, cast=bool)
EMAIL_TIMEOUT = config("EMAIL_TIMEOUT", default=10, cast=int)


def _parse_admins(value: str) -> list[tuple[str, str]]:
    """`"Ann <ann@example.com>, bob@example.com"` -> [("Ann", "ann@example.com"), ("bob@example.com", ...)]."""
    admins = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, address = item.rpartition("<")
        address = address.rstrip(">").strip() if address.endswith(">") else item
        admins.append((name.strip() or address, address))
    return admins


ADMINS = _parse_admins(config("ADMINS", default=""))
MANAGERS = ADMINS

# --- Payments (Paysafe) -----------------------------------------------------------------
# "paysafe", or "test" for local runs (app/integrations/test_gateway.py, refused with DEBUG off).
PAYMENT_GATEWAY = config("PAYMENT_GATEWAY", default="paysafe")
PAYSAFE_BASE_URL = config("PAYSAFE_BASE_URL", default="https://api.test.paysafe.com/")
PAYSAFE_VAULT_URL = config("PAYSAFE_VAULT_URL", default="customervault/v1/")
PAYSAFE_CARD_URL = config("PAYSAFE_CARD_URL", default="cardpayments/v1/")
PAYSAFE_ACCOUNT_NUMBER = config("PAYSAFE_ACCOUNT_NUMBER", default="")
PAYSAFE_USER = config("PAYSAFE_USER", default="")
PAYSAFE_PASSWORD = config("PAYSAFE_PASSWORD", default="")
PAYSAFE_TIMEOUT_SECONDS = config("PAYSAFE_TIMEOUT_SECONDS", default=20, cast=float)
STORE_CURRENCY = config("STORE_CURRENCY", default="CAD")
# Sales taxes, each computed on the discounted subtotal and shown on its own line (docs/configuration.md):
# "NAME:percent" pairs, names in English (French names come from the catalog: GST -> TPS, QST -> TVQ).
STORE_TAXES = config("STORE_TAXES", default="GST:5,QST:9.975")
# The seller's registration number of each tax, printed on orders and receipts: "GST:123456789RT0001,QST:...".
STORE_TAX_NUMBERS = config("STORE_TAX_NUMBERS", default="")
# The seller on receipts: its legal name (ORGANIZATION when empty) and postal address.
STORE_SELLER_NAME = config("STORE_SELLER_NAME", default="")
STORE_SELLER_ADDRESS = config("STORE_SELLER_ADDRESS", default="")

# --- Bookings ---------------------------------------------------------------------------
RESERVATION_CANCEL_DEADLINE_HOURS = config("RESERVATION_CANCEL_DEADLINE_HOURS", default=24, cast=int)
# A virtual retreat's video link is given from this many minutes before each date's start (docs/retreats.md).
RETREAT_LINK_MINUTES_BEFORE = config("RETREAT_LINK_MINUTES_BEFORE", default=15, cast=int)
# Retreat reminders go this many days before the first date; the follow-up this many hours after the last.
RETREAT_REMINDER_DAYS = config("RETREAT_REMINDER_DAYS", default=7, cast=int)
RETREAT_FOLLOW_UP_HOURS = config("RETREAT_FOLLOW_UP_HOURS", default=24, cast=int)
# Where members open the pages: the links in e-mails (offers, reminders) and the calendar UIDs' domain.
SITE_URL = config("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Reminders go this many hours before a session (send_reminders, docs/bookings.md).
REMINDER_HOURS = config("REMINDER_HOURS", default="24,2", cast=Csv(cast=int))
# A freed seat is held for the first member waiting this long, but never later than
# WAITLIST_CUTOFF_MINUTES before the start; after the cutoff freed seats are public.
WAITLIST_HOLD_MINUTES = config("WAITLIST_HOLD_MINUTES", default=720, cast=int)
WAITLIST_CUTOFF_MINUTES = config("WAITLIST_CUTOFF_MINUTES", default=120, cast=int)

# --- Internationalization (docs/i18n.md) -----------------------------------------------------
# English and French; a request's language comes from the language cookie (the switcher on every
# page), else Accept-Language, else LANGUAGE_CODE. E-mails use the member's own `language`.
LANGUAGE_CODE = config("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "app" / "locale"]  # one project catalog; the .mo files are built, never committed
TIME_ZONE = config("TIME_ZONE", default="America/Montreal")
USE_I18N = True
USE_TZ = True


# --- Static files and media -------------------------------------------------------------
STATIC_URL = config("STATIC_URL", default="/static/")
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = config("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(config("MEDIA_ROOT", default=str(BASE_DIR / "media")))
AWS_STORAGE_BUCKET_NAME = config("AWS_STORAGE_BUCKET_NAME", default="")  # the media bucket
AWS_S3_REGION_NAME = config("AWS_S3_REGION_NAME", default="") or None
AWS_S3_CUSTOM_DOMAIN = config("AWS_S3_CUSTOM_DOMAIN", default="") or None
AWS_LOCATION = config("AWS_MEDIA_LOCATION", default="media")
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = config("AWS_QUERYSTRING_AUTH", default=True, cast=bool)
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage"}
        if AWS_STORAGE_BUCKET_NAME
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# The package ships only the hashed copies that {% static %} links to (smaller Lambda zip).
WHITENOISE_KEEP_ONLY_HASHED_FILES = not (DEBUG or TESTING)

# --- Security ---------------------------------------------------------------------------
# TLS terminates at API Gateway, which tells the function the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = config("SECURE_SSL_REDIRECT", default=not DEBUG, cast=bool)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = config("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000, cast=int)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True, cast=bool)
SECURE_HSTS_PRELOAD = config("SECURE_HSTS_PRELOAD", default=True, cast=bool)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DEFAULT_EXCEPTION_REPORTER_FILTER = "app.core.reporting.RedactingExceptionReporterFilter"
CSRF_FAILURE_VIEW = "app.security.csrf.csrf_failure"  # JSON for /api/, Django's page elsewhere
# Client identity (app/security/client.py): on Lambda, the source IP API Gateway saw; elsewhere
# REMOTE_ADDR, or with N proxies of your own in front, the address the outermost one appended.
TRUSTED_PROXY_COUNT = config("TRUSTED_PROXY_COUNT", default=0, cast=int)
# Login lock-out (app/security/login.py), shared by every container through the database.
# One client on one account; one client on any accounts; every client on one account (under attack:
# each client's budget on it shrinks, a client without failures still logs in).
LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT = config("LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT", default=20, cast=int)
LOGIN_FAILURES_PER_ADDRESS = config("LOGIN_FAILURES_PER_ADDRESS", default=50, cast=int)
LOGIN_ACCOUNT_UNDER_ATTACK_AFTER = config("LOGIN_ACCOUNT_UNDER_ATTACK_AFTER", default=100, cast=int)
LOGIN_FAILURES_PER_CLIENT_UNDER_ATTACK = config("LOGIN_FAILURES_PER_CLIENT_UNDER_ATTACK", default=5, cast=int)
LOGIN_LOCKOUT_MINUTES = config("LOGIN_LOCKOUT_MINUTES", default=15, cast=int)
# Coupon codes refused per member and per client in the last hour before none is checked (guessing).
COUPON_FAILURES_PER_MEMBER = config("COUPON_FAILURES_PER_MEMBER", default=30, cast=int)
COUPON_FAILURES_PER_CLIENT = config("COUPON_FAILURES_PER_CLIENT", default=30, cast=int)
# Input limits (app/security/middleware.py, parsers.py): larger bodies get a 413.
REQUEST_MAX_BYTES = config("REQUEST_MAX_BYTES", default=1024 * 1024, cast=int)
UPLOAD_MAX_BYTES = config("UPLOAD_MAX_BYTES", default=6 * 1024 * 1024, cast=int)  # Lambda's own payload limit
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
JSON_MAX_DEPTH = 32

# Content-Security-Policy on every response (django-csp): scripts and styles from this origin only,
# inline ones only with the response's nonce. The checkout page adds the Paysafe.js origin.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Member pages (app/web) ---------------------------------------------------------------
LOGIN_URL = "login"  # the route's name (app/web/urls.py): every page link is a named route
CSRF_COOKIE_HTTPONLY = True  # no script reads it: every form posts the token as a hidden field
# Pages' CSRF failures (Django's own page has an inline style); /api/ answers JSON (app/security/csrf.py).
HTML_CSRF_FAILURE_VIEW = "app.web.views.common.csrf_failure"
SESSION_COOKIE_AGE = config("SESSION_COOKIE_AGE", default=14 * 24 * 3600, cast=int)
# Paysafe.js hosted card fields on /store/checkout/: enabled when the browser API key is set.
PAYSAFE_JS_URL = config("PAYSAFE_JS_URL", default="https://hosted.paysafe.com/js/v1/latest/paysafe.min.js")
PAYSAFE_JS_API_KEY = config("PAYSAFE_JS_API_KEY", default="")  # the public single-use-token key
PAYSAFE_JS_ENVIRONMENT = config("PAYSAFE_JS_ENVIRONMENT", default="TEST")  # TEST or LIVE
# --- Staff tools (app/staff: history, exports, CORS; docs/configuration.md) -----------------
# Front ends on these origins may call the API; empty: none; "*": any. Cookies are not sent
# cross-origin unless CORS_ALLOW_CREDENTIALS, which start-up refuses with "*" (app/staff/checks.py).
CORS_ALLOWED_ORIGINS = config("CORS_ALLOWED_ORIGINS", default="", cast=Csv())
CORS_ALLOW_ALL_ORIGINS = "*" in CORS_ALLOWED_ORIGINS
CORS_ALLOWED_ORIGINS = [origin for origin in CORS_ALLOWED_ORIGINS if origin != "*"]
CORS_ALLOW_CREDENTIALS = config("CORS_ALLOW_CREDENTIALS", default=False, cast=bool)
CORS_URLS_REGEX = r"^/api/.*$"
# Exports go to the media bucket (a signed link) instead of the response: Lambda returns 6 MB at most.
STAFF_EXPORTS_TO_STORAGE = config("STAFF_EXPORTS_TO_STORAGE", default=bool(AWS_STORAGE_BUCKET_NAME), cast=bool)
SIMPLE_HISTORY_REVERT_DISABLED = True  # a revert from the history would bypass the services' rules

# --- Cache (throttling) -----------------------------------------------------------------
# Process-local by design: no GET ever writes to the database, so throttle counters do not
# live there. On Lambda each warm container counts for itself (see docs/architecture.md).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST framework ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "app.accounts.authentication.ExpiringTokenAuthentication",
        "app.security.session_auth.SessionAuthentication",  # DRF's, with a translated, coded CSRF refusal
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "app.core.pagination.LimitOffsetPagination",
    # django-filter on every list, refusing unknown and malformed parameters (app/core/filters.py),
    # loaded with the first request that sends a filter (app/core/filtering.py).
    "DEFAULT_FILTER_BACKENDS": ["app.core.filtering.ListFilterBackend"],
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["app.security.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "app.security.throttles.AnonRateThrottle",
        "app.security.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": config("THROTTLE_ANON", default="120/min"),
        "user": config("THROTTLE_USER", default="600/min"),
        "login": config("THROTTLE_LOGIN", default="10/min"),
        "signup": config("THROTTLE_SIGNUP", default="10/hour"),
        "password_reset": config("THROTTLE_PASSWORD_RESET", default="5/hour"),
        "email_sent": config("THROTTLE_EMAIL_PER_ADDRESS", default="5/hour"),
    },
    "EXCEPTION_HANDLER": "app.core.errors.json_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "app.core.schema.LazyAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{ORGANIZATION} API",
    "DESCRIPTION": "Accounts, workplaces, time slots, reservations and the store.",
    "VERSION": APP_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "DEFAULT_GENERATOR_CLASS": "app.core.openapi.SchemaGenerator",  # applies the views' annotations first
    "ENUM_NAME_OVERRIDES": {
        "ErrorCodeEnum": "app.core.openapi.ERROR_CODES",  # the `code` of every error
        # answered both by a retreat's seat and by the option bought with it: one name for the two
        "RetreatReservationStatusEnum": "app.retreats.models.RetreatReservation.Status",
    },
}

# --- Logging: stdout only (CloudWatch on Lambda); request bodies are never logged ----------
LOG_LEVEL = config("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {
            "handlers": ["stdout", "mail_admins"] if ADMINS else ["stdout"],
            "level": "ERROR",
            "propagate": False,
        },
        "app": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        # urllib3's debug lines carry request paths, and Paysafe's paths carry the account number.
        "urllib3": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}

TEST_RUNNER = "app.core.test_runner.PytestTestRunner"  # `manage.py test` runs the pytest suite

if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    SENDINBLUE_API_KEY = ""
    SENDINBLUE_API_HOST = "http://127.0.0.1:9/v3"  # nothing listens: a test that forgets to fake it fails
    PAYSAFE_USER = PAYSAFE_PASSWORD = PAYSAFE_ACCOUNT_NUMBER = ""
    AWS_STORAGE_BUCKET_NAME = ""
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    SECURE_SSL_REDIRECT = False
    LOGGING["root"]["level"] = LOGGING["loggers"]["app"]["level"] = "WARNING"  # type: ignore[index]
