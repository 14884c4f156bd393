"""Settings for the UN-ACT portal: one module, driven by environment variables.

Every value that differs between machines comes from the environment, with a
default that suits a developer's laptop and is harmless if forgotten. Each setting
is assigned once, in its group below; docs/deploying.md lists every environment
variable. A production start that lacks a required value stops with one line
(ImproperlyConfigured, printed by manage.py and unact/wsgi.py without a traceback).
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from error


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def env_required(name, message, *, development):
    """The variable's value; missing, it stops a production start with `message`.

    With DEBUG on, and in the tests, the development value stands in.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(message)
    return development


# ---------------------------------------------------------------------------
# The site: mode, secrets, host names and its one public origin
# ---------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=False)
# The test suite runs with production-like settings but needs no secrets.
TESTING = "pytest" in sys.modules

SECRET_KEY = env_required(
    "SECRET_KEY",
    "SECRET_KEY is not set. Set SECRET_KEY to a long random string in production, "
    "or DEBUG=1 for local development.",
    # Only for development and tests: never used when DEBUG is off.
    development="dev-only-insecure-key-never-use-in-production",
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS and not TESTING:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. List the site's host names, comma-separated "
        "(ALLOWED_HOSTS=portal.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The site's one public origin (scheme://host[:port]). Every absolute address the
# portal writes starts with it: links in emails, canonical and og:url, JSON-LD,
# feeds, the sitemap and robots.txt; never a request's Host header. In development
# it follows the server's port (PORT, as `PORT=8101 make run` sets it).
SITE_URL = env_required(
    "SITE_URL",
    "SITE_URL is not set. Give the site's public address (SITE_URL=https://portal.example.org).",
    development=f"http://127.0.0.1:{env_int('PORT', 8000) if DEBUG else 8000}",
).rstrip("/")
_site_url = urlsplit(SITE_URL)
if (
    _site_url.scheme not in {"http", "https"}
    or not _site_url.hostname
    or _site_url.path
):
    raise ImproperlyConfigured(
        f"SITE_URL must be an origin such as https://portal.example.org, not {SITE_URL!r}."
    )
SITE_NAME = os.environ.get("SITE_NAME", "UN-ACT")
# The one django.contrib.sites row (redirects hang on it); migrate gives it SITE_URL's host.
SITE_ID = 1
# Where the "Exit this page" button sends a visitor: a neutral, common site.
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.bbc.com/weather")
# The admin lives at /<ADMIN_URL>; a less obvious address keeps scripted noise away
# (the log-in lock-out below is the real protection).
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
# Staff sign in through the admin, and land on it when the sign-in form's `next` is
# missing or leads off the site (Django's default, /accounts/profile/, is a 404 here).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# ---------------------------------------------------------------------------
# Applications, middleware, templates
# ---------------------------------------------------------------------------
INSTALLED_APPS = [
    # The admin with its index grouped by role (unact/adminsite.py).
    "unact.adminsite.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Redirects from old addresses (unact/redirects.py), on the one Site SITE_URL names.
    "django.contrib.sites",
    "django.contrib.redirects",
    # Two-factor sign-in for the admin (unact/twofactor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Revisions of posts, publications and campaigns (unact/revisions.py).
    "reversion",
    "django.contrib.humanize",
    "taggit",
    "ckeditor",
    "imagekit",
    "django_tasks",
    "django_tasks_db",
    "unact",
    "posts",
    "publications",
    "newsletter",
    # Editable pages, the menus and the front page's introduction (unact/pages/).
    "unact.pages",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Near the top, so every response (static files too) carries the CSP and the
    # other headers of unact/security.py.
    "unact.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "unact.middleware.TextGZipMiddleware",  # Django's, for text only
    "django.middleware.http.ConditionalGetMiddleware",
    # The language of a page is the one its address names (unact/i18n.py).
    "unact.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A cache hit is answered here: what follows is needed only to render a page.
    "unact.pagecache.PageCacheMiddleware",
    # Answers a 404 (from any view below) with a redirect to an item's new address;
    # inside the page cache, which stores neither.
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (unact/twofactor.py).
    "django_otp.middleware.OTPMiddleware",
    # Outside the admin, a session without its required second factor is a visitor.
    "unact.twofactor.SecondFactorOnThePublicSiteMiddleware",
    # Before any view or CSRF check reads a request body (unact/publicforms.py).
    "unact.publicforms.PublicPostLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "unact.middleware.ReadableMethodNotAllowedMiddleware",
    # django-axes must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unact.urls"
WSGI_APPLICATION = "unact.wsgi.application"

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
                "unact.context_processors.site",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------
# A production start names its database: with DEBUG off, DATABASE_URL must be set
# (make serve sets it to the local SQLite file when it is not given). Set
# REQUIRE_DATABASE_URL=0 to accept the SQLite default anyway.
if (
    not DEBUG
    and not TESTING
    and env_bool("REQUIRE_DATABASE_URL", default=True)
    and not os.environ.get("DATABASE_URL")
):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Name the production database "
        "(DATABASE_URL=postgres://user:pass@host:5432/unact)."
    )
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL")
        or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep files locked.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# How the portal reaches PostgreSQL: "session" (directly, or a pooler in session mode)
# or "transaction" (PgBouncer's pool_mode = transaction, where consecutive
# transactions of one connection may run on different server sessions). Django's
# server-side cursors (QuerySet.iterator()) live in a session, so transaction pooling
# needs them off (docs/deploying.md, "Connection pooling").
DATABASE_POOL_MODE = (
    os.environ.get("DATABASE_POOL_MODE", "session").strip().lower() or "session"
)
if DATABASE_POOL_MODE not in {"session", "transaction"}:
    raise ImproperlyConfigured(
        f"DATABASE_POOL_MODE must be “session” or “transaction”, not {DATABASE_POOL_MODE!r}."
    )
if DATABASE_POOL_MODE == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache (Redis when REDIS_URL is set) and background tasks
# ---------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to per-process memory while Redis is unreachable.
            "BACKEND": "unact.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "unact"),
            # A cache that is down must cost a request a second at most, never hang it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# {% cache %} fragments (the page frame: header, footer), the same for every visitor
# and keyed by language: kept in each process's memory, which a deploy empties.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
}

TASKS = {
    "default": {
        # TASKS_BACKEND=immediate runs background work inline (development without
        # a worker); the database backend lets workers on any machine share it.
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASKS_BACKEND", "database") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# ---------------------------------------------------------------------------
# Accounts, log-in and sessions
# ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, except that the demo account never signs in, nor stays
    # signed in, with DEBUG off (unact/auth.py).
    "unact.auth.ModelBackend",
]
# Brute-force protection of the admin log-in (django-axes): after AXES_FAILURE_LIMIT
# failures for one username from one IP address, that pair waits AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "unact.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "unact.security.client_ip"
AXES_USERNAME_CALLABLE = "unact.security.axes_username"
AXES_VERBOSE = False
# Reverse proxies in front of the app that append to X-Forwarded-For (comments' rate
# limit and the log-in lock-out read the client's address through them). With 0 the
# header is ignored (anyone can forge it) and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Two-factor sign-in (unact/twofactor.py): with it on, the admin opens only to staff who
# gave a one-time code from an authenticator app (or a recovery code) with their
# password. On whenever DEBUG is off, so `make run`'s demo account signs in with its
# password alone in development only. The test suite turns it on where it tests it.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", default=not DEBUG and not TESTING)
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = SITE_NAME

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# SESSION_ENGINE=cache keeps sessions in the shared cache (REDIS_URL) only;
# cached_db reads them from the cache and writes through to the database.
SESSION_ENGINE = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}.get(os.environ.get("SESSION_ENGINE", "db"), os.environ.get("SESSION_ENGINE", "db"))

# ---------------------------------------------------------------------------
# HTTPS, cookies and security headers (docs/security.md)
# ---------------------------------------------------------------------------
# The site runs behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
# Load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies: HTTPS-only in production (SECURE_COOKIES=0 for plain HTTP on loopback).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env_bool(
    "SECURE_COOKIES", default=True
)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Gone when the browser closes (Django keeps it a year): a page with a comment form
# should leave no lasting trace on a shared phone.
CSRF_COOKIE_AGE = None
# A form whose token fails comes back with what was typed (unact.views.csrf_failure).
CSRF_FAILURE_VIEW = "unact.views.csrf_failure"

# Browser features no page of the portal uses are switched off for it and for every
# frame (Permissions-Policy); the video players keep what they need to play.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}
# Cross-Origin-Resource-Policy: pages are read by this origin only; static files and
# media "cross-origin", since newsletters in webmail and feed readers show the images.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4). Public pages: our own origin only, no
# inline script or style; the click-to-load video players are the only frames.
CSP_VIDEO_HOSTS = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]
# Media served from object storage or a CDN is the one other image host.
_media_hosts = (
    [os.environ["STORAGE_PUBLIC_URL"]] if os.environ.get("STORAGE_PUBLIC_URL") else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *_media_hosts],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", *_media_hosts],
        "frame-src": CSP_VIDEO_HOSTS,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Under the admin, CKEditor 4 needs inline scripts and styles (and breaks when a
# nonce is added, since a nonce voids 'unsafe-inline'), data: images for its
# icons, and same-origin frames for its editing area and the image browser.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_media_hosts],
        "frame-src": ["'self'", *CSP_VIDEO_HOSTS],
    }
}

# Checks silenced on purpose; each has its reason here and in docs/security.md, and
# tests/test_hardening.py pins this list.
SILENCED_SYSTEM_CHECKS = [
    # django-ckeditor warns that the bundled CKEditor 4.22.1 is past its end of life.
    # docs/security.md lists each known CVE, its precondition and why it does not
    # apply here; tests/test_hardening.py fails if the editor configuration enables one.
    "ckeditor.W001",
    # HSTS preload is a request to browser vendors that cannot be undone quickly;
    # an operator opts in with SECURE_HSTS_PRELOAD=1 once every subdomain is HTTPS.
    "security.W021",
]

# ---------------------------------------------------------------------------
# Languages, time zone, formats
# ---------------------------------------------------------------------------
# English is the default and keeps its addresses without a prefix; every other language
# lives under its code (/th/, /km/...; unact/urls.py, docs/translation.md). Each name is
# written in its own script, as the language switcher shows it.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("km", "ខ្មែរ"),
    ("lo", "ລາວ"),
    ("my", "မြန်မာ"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("zh-hans", "简体中文"),
]
# The languages of the public site: only those whose catalogue (locale/<code>/) is
# complete, which tests/test_i18n.py checks. The others are reachable only in the admin,
# where Django's own translations cover staff who choose them.
PUBLIC_LANGUAGES = ["en", "km", "lo", "my", "th", "vi", "zh-hans"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates follow the visitor's language: templates use DATE_FORMAT / DATETIME_FORMAT,
# and English keeps the portal's "30 November 2026" (unact/formats/en/formats.py);
# Burmese and Lao, for which Django has no month names, write dates in digits
# (unact/formats/my/, unact/formats/lo/).
FORMAT_MODULE_PATH = ["unact.formats"]

# ---------------------------------------------------------------------------
# Static files, uploaded media and uploads
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# collectstatic's destination (WhiteNoise serves it); tests and the benchmark point
# it elsewhere.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Uploaded media: images and PDFs display in the browser; anything else downloads.
MEDIA_INLINE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
}
# Media on S3-compatible object storage (django-storages) when a bucket is named,
# so several app servers share one media store.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "unact.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Public pages are cached; signed URLs would expire inside them.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", default=False),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
# Serve uploaded media from Django when no web server sits in front (make run,
# small deployments) and no bucket holds it. Large deployments point a web server
# or object store at it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True) and not AWS_STORAGE_BUCKET_NAME

# Pillow refuses images above this many pixels (decompression bombs).
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_MB", 10) * 1024 * 1024
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body from anyone but signed-in staff may be this large, and carry no file
# (413 otherwise, before it is read). A comment of 5,000 Thai letters is about 45 KB.
PUBLIC_POST_MAX_BYTES = env_int("PUBLIC_POST_MAX_KB", 64) * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o644
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
# Renditions are made when an image is saved, never on a visitor's request.
IMAGEKIT_CACHEFILE_DIR = "renditions"

# ---------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------
# The console backend prints messages when no SMTP server is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "UN-ACT <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---------------------------------------------------------------------------
# Rich text editor (CKEditor 4, admin only; docs/security.md)
# ---------------------------------------------------------------------------
CKEDITOR_CONFIGS = {
    "default": {
        "toolbar": "Editorial",
        "toolbar_Editorial": [
            ["Format"],
            ["Bold", "Italic", "-", "RemoveFormat"],
            ["NumberedList", "BulletedList", "-", "Blockquote"],
            ["Link", "Unlink"],
            ["Image", "Table", "HorizontalRule"],
            ["Undo", "Redo"],
            ["Source", "Maximize"],
        ],
        "format_tags": "p;h2;h3;h4",
        "height": 360,
        "width": "100%",
        # Plugins that send text to third parties or run Flash never load.
        # dialogadvtab (CVE-2021-26271) and the paste-upload widgets go too.
        "removePlugins": (
            "exportpdf,scayt,wsc,flash,iframe,forms,templates,save,newpage,preview,print,"
            "dialogadvtab,uploadimage,uploadwidget"
        ),
        "disableNativeSpellChecker": False,
        # The editor's filter mirrors the server's allowlist (unact/richtext.py);
        # the server sanitiser stays the boundary.
        "allowedContent": (
            "h2 h3 h4 p blockquote strong em b i u s sub sup hr br ul ol li"
            " figure figcaption caption thead tbody tfoot tr;"
            " a[!href,title];"
            " img[!src,alt,width,height];"
            " table[summary]; th td[colspan,rowspan,scope];"
        ),
        # The admin URL is configurable (ADMIN_URL), so the browser's address is reversed.
        "filebrowserBrowseUrl": reverse_lazy("image-browser"),
        "filebrowserImageBrowseUrl": reverse_lazy("image-browser"),
        "fullPage": False,
        # CVE-2024-43411 needs the version notification; it stays off.
        "versionCheck": False,
    }
}
TAGGIT_CASE_INSENSITIVE = True

# ---------------------------------------------------------------------------
# Page cache for anonymous visitors (unact/pagecache.py)
# ---------------------------------------------------------------------------
# 0 switches it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# How long browsers (max-age) and shared caches such as a proxy or CDN (s-maxage) may
# keep an anonymous page without asking again: an edit reaches a visitor behind a
# shared cache within PAGE_CACHE_SHARED_MAX_AGE seconds (docs/caching.md).
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 0)
PAGE_CACHE_SHARED_MAX_AGE = env_int("PAGE_CACHE_SHARED_MAX_AGE", 60)
# Saving or deleting any of these makes every cached page stale. Publications
# (dated by day) and sent newsletter campaigns (the public archive) are content too.
PAGE_CACHE_MODELS = {
    "posts.post", "posts.category", "posts.comment", "taggit.tag", "taggit.taggeditem",
    "publications.publication", "publications.country", "newsletter.campaign",
    "newsletter.campaignedition",
    "pages.page", "pages.frontpage",
}  # fmt: skip
# Models whose published items appear or disappear on their own, and the fields whose
# future values are those moments: the publication time (a publication dated in the
# future appears at the start of its day) and the unpublishing time. Cached pages are
# rendered afresh from the earliest of them.
PAGE_CACHE_SCHEDULED = {
    "posts.Post": ("publish_at", "unpublish_at"),
    "publications.Publication": ("publication_date", "unpublish_at"),
    "pages.Page": ("publish_at", "unpublish_at"),
}
# Rows of these models are on a page only with these values: adding or deleting one
# without them (a comment held for moderation, or spam) leaves cached pages alone.
PAGE_CACHE_VISIBLE_WHEN = {"posts.comment": {"status": "approved"}}
# Routes /bench/ceiling/, the benchmark's fixed 20 KB page (bench/page_bench.py).
# Only the benchmark sets it; production never does.
BENCH_CEILING_VIEW = env_bool("BENCH_CEILING_VIEW", default=False)

# ---------------------------------------------------------------------------
# Posts and comments (posts app; docs explain each value)
# ---------------------------------------------------------------------------
POSTS_PER_PAGE = env_int("POSTS_PER_PAGE", 10)
# Days after publication when a post stops taking comments (0: never closes).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 180)
# Comment threads per page of a post (replies stay with their thread), as WordPress does.
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
# At most this many comments from one client IP within the window (held in the cache,
# shared between app servers when REDIS_URL is set).
COMMENTS_RATE_LIMIT = env_int("COMMENTS_RATE_LIMIT", 5)
COMMENTS_RATE_LIMIT_SECONDS = env_int("COMMENTS_RATE_LIMIT_SECONDS", 600)
# More links than this send a comment to moderation ("hold") or to spam ("spam").
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)
COMMENTS_TOO_MANY_LINKS_ACTION = os.environ.get(
    "COMMENTS_TOO_MANY_LINKS_ACTION", "hold"
)
if COMMENTS_TOO_MANY_LINKS_ACTION not in {"hold", "spam"}:
    raise ImproperlyConfigured(
        "COMMENTS_TOO_MANY_LINKS_ACTION must be “hold” or “spam”."
    )
# The signed timestamp: a form sent sooner than this after it was shown, or later
# than the maximum age, is refused.
COMMENTS_MIN_FORM_SECONDS = env_int("COMMENTS_MIN_FORM_SECONDS", 3)
COMMENTS_MAX_FORM_AGE_SECONDS = env_int("COMMENTS_MAX_FORM_AGE_SECONDS", 24 * 60 * 60)
# Commenters' IP addresses and user agents are erased after this many days by
# `manage.py purge_comment_data`, which also deletes spam older than that.
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 30)
# Failed notification emails are tried again this many times, this far apart.
COMMENTS_EMAIL_RETRIES = env_int("COMMENTS_EMAIL_RETRIES", 3)
COMMENTS_EMAIL_RETRY_SECONDS = env_int("COMMENTS_EMAIL_RETRY_SECONDS", 300)
# The same for the emails of review before publishing (unact/review_tasks.py).
REVIEW_EMAIL_RETRIES = env_int("REVIEW_EMAIL_RETRIES", 3)
REVIEW_EMAIL_RETRY_SECONDS = env_int("REVIEW_EMAIL_RETRY_SECONDS", 300)

# ---------------------------------------------------------------------------
# Publications (publications app)
# ---------------------------------------------------------------------------
# The largest PDF an editor may upload, and the number of publications per page.
PUBLICATIONS_MAX_UPLOAD_BYTES = env_int("PUBLICATIONS_MAX_UPLOAD_MB", 50) * 1024 * 1024
PUBLICATIONS_PER_PAGE = env_int("PUBLICATIONS_PER_PAGE", 12)

# ---------------------------------------------------------------------------
# Newsletter (newsletter app). Durations in seconds unless named otherwise.
# ---------------------------------------------------------------------------
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE_DAYS", 7) * 24 * 3600
NEWSLETTER_CONFIRMATIONS_PER_DAY = env_int("NEWSLETTER_CONFIRMATIONS_PER_DAY", 3)
NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR = env_int("NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR", 10)
NEWSLETTER_IP_RETENTION_DAYS = env_int("NEWSLETTER_IP_RETENTION_DAYS", 30)
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 200)
# Pause between two batches of one campaign: the sending rate limit.
NEWSLETTER_BATCH_DELAY = env_int("NEWSLETTER_BATCH_DELAY", 0)
# How long a worker's claim on a batch lasts without renewal; a killed worker's
# rows become claimable again after this.
NEWSLETTER_CLAIM_LEASE = env_int("NEWSLETTER_CLAIM_LEASE", 120)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 5)
NEWSLETTER_RETRY_BASE_DELAY = env_int("NEWSLETTER_RETRY_BASE_DELAY", 60)
NEWSLETTER_FROM_EMAIL = (
    os.environ.get("NEWSLETTER_FROM_EMAIL", "") or DEFAULT_FROM_EMAIL
)
# A confirmation email that fails (mail server down) is retried by the worker this
# many times, 1x, 2x, 3x... this many seconds apart.
NEWSLETTER_CONFIRMATION_RETRIES = env_int("NEWSLETTER_CONFIRMATION_RETRIES", 6)
NEWSLETTER_CONFIRMATION_RETRY_SECONDS = env_int(
    "NEWSLETTER_CONFIRMATION_RETRY_SECONDS", 60
)

# ---------------------------------------------------------------------------
# Search (unact/search/)
# ---------------------------------------------------------------------------
# docs/search.md. On PostgreSQL, English documents are indexed with this text-search
# configuration (stemming and stop words), the other languages with "simple"; run
# `manage.py rebuild_search_index` after changing it. On SQLite: whole words, the same
# word splitting, no stemming.
SEARCH_CONFIG = os.environ.get("SEARCH_CONFIG", "english")
SEARCH_RESULTS_PER_PAGE = env_int("SEARCH_RESULTS_PER_PAGE", 10)
# Longer queries are cut to this many characters (and the page says so).
SEARCH_MAX_QUERY_LENGTH = env_int("SEARCH_MAX_QUERY_LENGTH", 200)
