"""reverse(), memoised, for the links every page repeats.

A list page links to each post, category and publication several times, and every page
to a dozen fixed pages in its header and footer; Django's reverse() costs tens of
microseconds a call, which added up to a millisecond a page. A URL depends only on the
view, its arguments, the URLconf, the script prefix and the active language (/th/...),
so it is memoised under all of them. A changed ROOT_URLCONF or ADMIN_URL (tests) empties the memo.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def reverse_memo(viewname, *args):
    """reverse(viewname, args=args) for string or number arguments (a slug, say): used by
    get_absolute_url and the `{% link %}` tag."""
    return _reverse_args(
        viewname, args, get_urlconf(), get_script_prefix(), get_language()
    )


@lru_cache(maxsize=4096)
def _reverse_args(viewname, args, urlconf, _script_prefix, _language):
    return reverse(viewname, urlconf=urlconf, args=args)


def _clear(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "ADMIN_URL", "PUBLIC_LANGUAGES"):
        _reverse_args.cache_clear()


setting_changed.connect(_clear, dispatch_uid="unact-urlcache")
