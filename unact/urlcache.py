"""reverse() for the slugged pages that lists link to many times over.

A list page links to each post, category and publication several times; Django's
reverse() costs tens of microseconds a call, which added up to a millisecond a page.
A URL depends only on the view, the slug, the URLconf and the script prefix, so it is
memoised under all four. A changed ROOT_URLCONF (tests) empties the memo.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_slug(viewname, slug):
    return _reverse_slug(viewname, slug, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=4096)
def _reverse_slug(viewname, slug, urlconf, _script_prefix):
    return reverse(viewname, urlconf=urlconf, kwargs={"slug": slug})


def _clear(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "ADMIN_URL"):
        _reverse_slug.cache_clear()


setting_changed.connect(_clear, dispatch_uid="unact-urlcache")
