"""Settings for the UN-ACT portal: one module, driven by environment variables.

Every value that differs between machines comes from the environment, with a
default that suits a developer's laptop and is harmless if forgotten. The README's
configuration table lists them all.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# The test suite runs with production-like settings but needs no secrets.
TESTING = "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string in "
            "production, or DEBUG=1 for local development."
        )
    # Only for development and tests: never used when DEBUG is off.
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS and not TESTING:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. List the site's host names, comma-separated "
        "(ALLOWED_HOSTS=portal.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the site, used in emails and feeds where no request exists.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "UN-ACT")
# Where the "Exit this page" button sends a visitor: a neutral, common site.
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.bbc.com/weather")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "ckeditor",
    "imagekit",
    "django_tasks",
    "django_tasks_db",
    "posts",
    "publications",
    "newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "unact.pagecache.PageCacheMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep files locked.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to per-process memory while Redis is unreachable.
            "BACKEND": "unact.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "unact"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
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
# Serve uploaded media from Django when no web server sits in front (make run,
# small deployments). Large deployments point a web server or object store at it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)

# Email: the console backend prints messages when no SMTP server is configured.
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

# Uploads: Pillow refuses images above this many pixels (decompression bombs).
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_MB", 10) * 1024 * 1024
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

POSTS_PER_PAGE = env_int("POSTS_PER_PAGE", 10)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

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
        "removePlugins": "exportpdf,scayt,wsc,flash,iframe,forms,templates,save,newpage,preview,print",
        "disableNativeSpellChecker": False,
        # The editor's filter mirrors the server's allowlist (posts/richtext.py);
        # the server sanitiser stays the boundary.
        "allowedContent": (
            "h2 h3 h4 p blockquote strong em b i u s sub sup hr br ul ol li"
            " figure figcaption caption thead tbody tfoot tr;"
            " a[!href,title];"
            " img[!src,alt,width,height];"
            " table[summary]; th td[colspan,rowspan,scope];"
        ),
        "filebrowserBrowseUrl": "/admin/posts/image/browse/",
        "filebrowserImageBrowseUrl": "/admin/posts/image/browse/",
        "fullPage": False,
    }
}
# ckeditor.W001 warns that the bundled CKEditor 4 is past its end of life. Every
# stored rich text passes the server-side sanitiser (posts/richtext.py), the
# editor's own filter is restricted, and ckeditor_uploader is not routed.
SILENCED_SYSTEM_CHECKS = ["ckeditor.W001"]

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
# Renditions are made when an image is saved, never on a visitor's request.
IMAGEKIT_CACHEFILE_DIR = "renditions"

# The page cache for anonymous visitors (unact/pagecache.py). 0 switches it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Saving or deleting any of these makes every cached page stale.
PAGE_CACHE_MODELS = {
    "posts.post", "posts.category", "posts.comment", "taggit.tag", "taggit.taggeditem",
}
# Models whose scheduled items (status published, time in the future) appear on their own.
PAGE_CACHE_SCHEDULED = {"posts.Post": "publish_at"}

# Comments on posts (posts app): moderation, spam defences and privacy. The README's
# "Comments" section explains each value.
# Days after publication when a post stops taking comments (0: never closes).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 180)
# At most this many comments from one client IP within the window (held in the cache,
# shared between app servers when REDIS_URL is set).
COMMENTS_RATE_LIMIT = env_int("COMMENTS_RATE_LIMIT", 5)
COMMENTS_RATE_LIMIT_SECONDS = env_int("COMMENTS_RATE_LIMIT_SECONDS", 600)
# More links than this send a comment to moderation ("hold") or to spam ("spam").
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)
COMMENTS_TOO_MANY_LINKS_ACTION = os.environ.get("COMMENTS_TOO_MANY_LINKS_ACTION", "hold")
if COMMENTS_TOO_MANY_LINKS_ACTION not in {"hold", "spam"}:
    raise ImproperlyConfigured("COMMENTS_TOO_MANY_LINKS_ACTION must be “hold” or “spam”.")
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
# Reverse proxies in front of the app that append to X-Forwarded-For. With 0 the
# header is ignored (anyone can forge it) and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Publications: the largest PDF an editor may upload (PUBLICATIONS_MAX_UPLOAD_MB, default 50)
# and the number of publications per page of /publications/.
PUBLICATIONS_MAX_UPLOAD_BYTES = env_int("PUBLICATIONS_MAX_UPLOAD_MB", 50) * 1024 * 1024
PUBLICATIONS_PER_PAGE = env_int("PUBLICATIONS_PER_PAGE", 12)
