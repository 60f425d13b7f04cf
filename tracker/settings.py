"""Settings, read from the environment only (see the README's configuration table)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from tracker.env import (
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_seconds_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "anymail",
    "jurisdictions",
    "tracker.monitoring",
    "tracker.measures",
    "tracker.alerts",
    "tracker.apikeys",
    "tracker.public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (the admin's) under gunicorn, where Django does not.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tracker.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A curator still on a one-time password is sent to change it first.
    "jurisdictions.passwords.OneTimePasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tracker" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        "DATABASE_URL", env_str("DATABASE_URL", "sqlite:///var/db.sqlite3"), base_dir=BASE_DIR
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A file, not memory, so a Celery worker started by a test can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}"
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tracker"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from here (after collectstatic) and warns when it is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own console handler on "django" (DEBUG only) printed every line it logs a
    # second time beside the root's, under `make run`: its records go to the root only.
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}

# Security. HSTS and secure cookies only when not in DEBUG (local HTTP would break).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# Email (curator digests and alerts about disabled subscriptions).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")
# Seconds an SMTP connection may take: a key request sends its mail while the visitor waits.
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 10.0)
# A hosted provider through django-anymail: EMAIL_BACKEND names its backend (for example
# anymail.backends.postmark.EmailBackend) and these give its keys; only what is set is
# passed. Amazon SES takes its credentials and region from boto3's own AWS_* variables.
# WEBHOOK_SECRET ("user:password") is the basic auth of the tracking webhooks under
# /anymail/: without it their bounce and complaint reports are ignored (anyone could send them).
ANYMAIL = {
    name: value
    for name in (
        "POSTMARK_SERVER_TOKEN",
        "MAILGUN_API_KEY",
        "MAILGUN_SENDER_DOMAIN",
        "MAILGUN_API_URL",
        "MAILGUN_WEBHOOK_SIGNING_KEY",
        "AMAZON_SES_CONFIGURATION_SET_NAME",
        "WEBHOOK_SECRET",
    )
    if (value := env_str(f"ANYMAIL_{name}", ""))
}
# Where the public pages tell people to write (webhook subscriptions, larger API quotas).
CONTACT_EMAIL = env_str("CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
CURATOR_EMAILS = env_list("CURATOR_EMAILS", [])

# Celery: broker and results on the same Redis. Periodic schedules live in tracker/celery.py.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker whose resident memory passes this (MB) shuts down warmly to be restarted; 0: off.
WORKER_MAX_RSS_MB = env_int("WORKER_MAX_RSS_MB", 1024, minimum=0)
WORKER_RSS_CHECK_SECONDS = env_float("WORKER_RSS_CHECK_SECONDS", 5.0)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Celery's Django fixup closes the DB connection after every task unless told to reuse it;
# with a task per delivery or check that is a new PostgreSQL connection each time.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)

# Health: beat is stale when its last tick is older than this.
HEALTH_BEAT_MAX_AGE_SECONDS = env_int("HEALTH_BEAT_MAX_AGE_SECONDS", 180, minimum=1)

# Outbound HTTP (tracker/lib/http.py), shared by source checks and webhooks.
OUTBOUND_ALLOW_HTTP = env_bool("OUTBOUND_ALLOW_HTTP", False)
# Non-public networks that may be reached anyway (CIDRs, e.g. 127.0.0.0/8 in tests);
# by default every loopback, private, link-local, CGNAT and reserved address is refused.
OUTBOUND_ALLOWED_NETWORKS = env_networks("OUTBOUND_ALLOWED_NETWORKS")
OUTBOUND_CONNECT_TIMEOUT = env_float("OUTBOUND_CONNECT_TIMEOUT", 5.0)
OUTBOUND_READ_TIMEOUT = env_float("OUTBOUND_READ_TIMEOUT", 15.0)
OUTBOUND_DEADLINE_SECONDS = env_float("OUTBOUND_DEADLINE_SECONDS", 60.0)
OUTBOUND_MAX_BYTES = env_int("OUTBOUND_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
OUTBOUND_USER_AGENT = env_str(
    "OUTBOUND_USER_AGENT", f"KratomStatusTracker/1.0 (+{SITE_URL}/about/)"
)

# Source monitoring (tracker/monitoring): see the README's "Source monitoring" section.
# Largest response read from a source; a longer one is a failed check (the door's cap).
MONITORING_MAX_BYTES = env_int("MONITORING_MAX_BYTES", OUTBOUND_MAX_BYTES, minimum=1024)
# Per-host politeness through Redis: one request at a time per host, spaced this far apart.
# What one check may cost (a page we do not control may be built to cost the most it can).
MONITORING_HTML_MAX_TAGS = env_int("MONITORING_HTML_MAX_TAGS", 50_000, minimum=100)
MONITORING_HTML_MAX_DEPTH = env_int("MONITORING_HTML_MAX_DEPTH", 1000, minimum=10)
MONITORING_PDF_MAX_PAGES = env_int("MONITORING_PDF_MAX_PAGES", 1000, minimum=1)
MONITORING_PDF_MAX_EXPANSION_BYTES = env_int(
    "MONITORING_PDF_MAX_EXPANSION_BYTES", 20 * 1024 * 1024, minimum=1024 * 1024
)
MONITORING_MAX_TEXT_CHARS = env_int("MONITORING_MAX_TEXT_CHARS", 5_000_000, minimum=1000)
# Big pages and PDFs parsed at once per worker process; the rest wait (within the deadline).
MONITORING_HEAVY_EXTRACTIONS = env_int("MONITORING_HEAVY_EXTRACTIONS", 2, minimum=1)
MONITORING_POLITENESS = env_bool("MONITORING_POLITENESS", True)
MONITORING_HOST_SPACING_SECONDS = env_float("MONITORING_HOST_SPACING_SECONDS", 2.0)
# How long a check waits for a busy host before giving its turn back (retried shortly).
MONITORING_HOST_WAIT_SECONDS = env_float("MONITORING_HOST_WAIT_SECONDS", 10.0)
# A new text is re-fetched after this delay and must be the same before a proposal is made.
MONITORING_CONFIRM_DELAY_SECONDS = env_int("MONITORING_CONFIRM_DELAY_SECONDS", 120, minimum=0)
# A text that returns to one of this many recent texts is recorded, not proposed again.
MONITORING_RECENT_SNAPSHOTS = env_int("MONITORING_RECENT_SNAPSHOTS", 5, minimum=1)
# A page that loses more than this fraction of its text fails the check (maintenance page).
MONITORING_SHRINK_RATIO = env_float("MONITORING_SHRINK_RATIO", 0.5)
MONITORING_FLAG_AFTER_FAILURES = env_int("MONITORING_FLAG_AFTER_FAILURES", 5, minimum=1)
# Failures back off exponentially from this base, up to the source's own interval.
MONITORING_BACKOFF_BASE_SECONDS = env_int("MONITORING_BACKOFF_BASE_SECONDS", 300, minimum=1)
MONITORING_JITTER_FRACTION = env_float("MONITORING_JITTER_FRACTION", 0.1)
# Most checks the dispatcher queues per tick, and how long a queued or running check
# keeps its source from being queued again.
MONITORING_DISPATCH_BATCH = env_int("MONITORING_DISPATCH_BATCH", 200, minimum=1)
# Sources checked one after another per queued task (shares Celery's per-message cost).
MONITORING_CHECKS_PER_TASK = env_int("MONITORING_CHECKS_PER_TASK", 10, minimum=1)
MONITORING_CHECK_LEASE_SECONDS = env_int("MONITORING_CHECK_LEASE_SECONDS", 600, minimum=60)
MONITORING_CHECK_RETENTION_DAYS = env_int("MONITORING_CHECK_RETENTION_DAYS", 90, minimum=1)
# Weighted kratom-term hits in the changed lines at which a proposal is "high" relevance.
MONITORING_RELEVANCE_HIGH = env_int("MONITORING_RELEVANCE_HIGH", 3, minimum=1)

# Measures (tracker/measures): the legislation and rulemaking providers. A provider without
# its key is off (the Federal Register needs none: an empty URL turns it off); the URLs
# default to the providers' own and may point at a mirror.
OPENSTATES_API_KEY = env_str("OPENSTATES_API_KEY", "")
OPENSTATES_API_URL = env_str("OPENSTATES_API_URL", "https://v3.openstates.org")
# The default Open States key allows 10 requests a minute and 250 a day.
OPENSTATES_REQUESTS_PER_MINUTE = env_int("OPENSTATES_REQUESTS_PER_MINUTE", 10, minimum=1)
OPENSTATES_REQUESTS_PER_DAY = env_int("OPENSTATES_REQUESTS_PER_DAY", 250, minimum=1)
LEGISCAN_API_KEY = env_str("LEGISCAN_API_KEY", "")
LEGISCAN_API_URL = env_str("LEGISCAN_API_URL", "https://api.legiscan.com/")
# LegiScan's public API allows 30,000 queries a month: 1,000 a day.
LEGISCAN_REQUESTS_PER_DAY = env_int("LEGISCAN_REQUESTS_PER_DAY", 1000, minimum=1)
FEDERAL_REGISTER_API_URL = env_str(
    "FEDERAL_REGISTER_API_URL", "https://www.federalregister.gov/api/v1"
)
CONGRESS_API_KEY = env_str("CONGRESS_API_KEY", "")
CONGRESS_API_URL = env_str("CONGRESS_API_URL", "https://api.congress.gov/v3")
# api.data.gov allows 5,000 requests an hour per key.
CONGRESS_REQUESTS_PER_DAY = env_int("CONGRESS_REQUESTS_PER_DAY", 5000, minimum=1)
# A provider run holds its provider this long past its last request (renewed by each one):
# a run killed with its worker frees the provider when it ends.
MEASURES_RUN_LEASE_SECONDS = env_int("MEASURES_RUN_LEASE_SECONDS", 300, minimum=5)
# A first run (no cursor yet) looks back this many days.
MEASURES_FIRST_RUN_DAYS = env_int("MEASURES_FIRST_RUN_DAYS", 365, minimum=1)

# Curator review (jurisdictions/services.py, tracker/monitoring/services/).
CURATORS_GROUP = "Curators"
# Who manages API keys and webhook subscriptions (jurisdictions/permissions.py).
OPERATORS_GROUP = "Operators"
# A change to or from any of these product rules needs a second curator's approval.
FOUR_EYES_RULES = env_list("FOUR_EYES_RULES", ["banned"])
# A jurisdiction not re-verified for this long is listed as stale in the admin.
VERIFICATION_STALE_DAYS = env_int("VERIFICATION_STALE_DAYS", 90, minimum=1)
# The curators' worklist puts first a scheduled change taking effect within this many days.
WORKLIST_UPCOMING_DAYS = env_int("WORKLIST_UPCOMING_DAYS", 30, minimum=1)
# Opening a proposal claims it for this long.
PROPOSAL_CLAIM_MINUTES = env_int("PROPOSAL_CLAIM_MINUTES", 30, minimum=1)
# Webhook alerts (tracker/alerts). See the README's "Webhook alerts" section.
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 15.0)
# Delays after each failed attempt; one attempt more than delays, then the subscription is
# disabled. The default spans about three days.
WEBHOOK_RETRY_SCHEDULE = env_seconds_list(
    "WEBHOOK_RETRY_SCHEDULE", [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
)
WEBHOOK_RETRY_JITTER = env_float("WEBHOOK_RETRY_JITTER", 0.2)
if not 0 <= WEBHOOK_RETRY_JITTER < 1:
    raise ImproperlyConfigured("WEBHOOK_RETRY_JITTER must be a fraction from 0 to below 1")
# How long a queued or claimed delivery is left alone before the sweeper sends it again
# (a lost broker message, a worker killed mid-send). Must outlast one send.
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 300, minimum=1)
if WEBHOOK_LEASE_SECONDS <= 2 * WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "WEBHOOK_LEASE_SECONDS must be more than twice WEBHOOK_TIMEOUT_SECONDS"
    )
WEBHOOK_LOG_RETENTION_DAYS = env_int("WEBHOOK_LOG_RETENTION_DAYS", 30, minimum=1)
# Deliveries per Celery task, and requests in flight per worker process.
WEBHOOK_BATCH_SIZE = env_int("WEBHOOK_BATCH_SIZE", 50, minimum=1)
WEBHOOK_SEND_CONCURRENCY = env_int("WEBHOOK_SEND_CONCURRENCY", 64, minimum=1)
WEBHOOK_SWEEP_LIMIT = env_int("WEBHOOK_SWEEP_LIMIT", 5000, minimum=1)
# Delivery outcomes (webhooks and mail) are committed together, at most this many per
# transaction: those that end while the previous group commits.
WEBHOOK_OUTCOME_GROUP = env_int("WEBHOOK_OUTCOME_GROUP", 50, minimum=1)
# Public pages and API (jurisdictions/): response cache, rate limits, security headers.
# Cached responses are keyed by a data generation the status service bumps on commit;
# each web process re-reads it at most every PUBLIC_CACHE_GENERATION_CHECK seconds.
PUBLIC_CACHE_GENERATION_CHECK = env_float("PUBLIC_CACHE_GENERATION_CHECK", 1.0)
PUBLIC_CACHE_TIMEOUT = env_int("PUBLIC_CACHE_TIMEOUT", 3600, minimum=1)
PUBLIC_CACHE_MAX_AGE = env_int("PUBLIC_CACHE_MAX_AGE", 60, minimum=0)
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600, minimum=1)
API_RATE_LIMIT_WINDOW = env_int("API_RATE_LIMIT_WINDOW", 60, minimum=1)
# Public pages, feeds and badges share one per-client limit (a 304 is not counted).
PAGE_RATE_LIMIT = env_int("PAGE_RATE_LIMIT", 300, minimum=1)
PAGE_RATE_LIMIT_WINDOW = env_int("PAGE_RATE_LIMIT_WINDOW", 60, minimum=1)
# Per API key (Authorization: Bearer), in the same window; each item of a batch check counts.
API_KEY_RATE_LIMIT = env_int("API_KEY_RATE_LIMIT", 60000, minimum=1)
# The batch check without a key: items per client per window, apart from API_RATE_LIMIT, so
# that a whole batch (1,000 items) can be tried without a key.
API_CHECK_ANONYMOUS_LIMIT = env_int("API_CHECK_ANONYMOUS_LIMIT", 2000, minimum=1)
API_CHECK_ANONYMOUS_WINDOW = env_int("API_CHECK_ANONYMOUS_WINDOW", 3600, minimum=1)
# Self-serve keys (/sellers/): the daily quota a key gets, how long the emailed link is
# valid, and how many requests one client and one address may make.
API_KEY_FREE_DAILY_QUOTA = env_int("API_KEY_FREE_DAILY_QUOTA", 100_000, minimum=1)
# Email alerts (tracker/alerts/email_services.py): how long a confirmation link works, how
# many subscribe requests a client may send per window and an address may receive per day,
# and the mailto: of every alert's List-Unsubscribe header (read by a person).
EMAIL_ALERT_LINK_MAX_AGE = env_int("EMAIL_ALERT_LINK_MAX_AGE", 48 * 3600, minimum=60)
EMAIL_ALERT_RATE_LIMIT = env_int("EMAIL_ALERT_RATE_LIMIT", 10, minimum=1)
EMAIL_ALERT_RATE_LIMIT_WINDOW = env_int("EMAIL_ALERT_RATE_LIMIT_WINDOW", 3600, minimum=1)
EMAIL_ALERT_ADDRESS_LIMIT = env_int("EMAIL_ALERT_ADDRESS_LIMIT", 3, minimum=1)
EMAIL_UNSUBSCRIBE_ADDRESS = "mailto:" + env_str("EMAIL_UNSUBSCRIBE_ADDRESS", CONTACT_EMAIL)
API_KEY_LINK_MAX_AGE = env_int("API_KEY_LINK_MAX_AGE", 86400, minimum=60)
API_KEY_REQUEST_RATE_LIMIT = env_int("API_KEY_REQUEST_RATE_LIMIT", 10, minimum=1)
API_KEY_REQUEST_RATE_LIMIT_WINDOW = env_int("API_KEY_REQUEST_RATE_LIMIT_WINDOW", 3600, minimum=1)
API_KEY_REQUEST_ADDRESS_LIMIT = env_int("API_KEY_REQUEST_ADDRESS_LIMIT", 3, minimum=1)
CORRECTION_RATE_LIMIT = env_int("CORRECTION_RATE_LIMIT", 5, minimum=1)
CORRECTION_RATE_LIMIT_WINDOW = env_int("CORRECTION_RATE_LIMIT_WINDOW", 3600, minimum=1)
# Admin login: this many failures per account, or per client, within the window lock both
# out until the oldest failure is a window old (tracker/admin_login.py).
ADMIN_LOGIN_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 10, minimum=1)
ADMIN_LOGIN_FAILURE_WINDOW = env_int("ADMIN_LOGIN_FAILURE_WINDOW", 900, minimum=1)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
RATE_LIMIT_PROXY_COUNT = env_int("RATE_LIMIT_PROXY_COUNT", 0, minimum=0)
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
)
