"""The portal's languages: which language a request is in, and its page in the others.

English keeps every address it had (no prefix); each other public language lives under
its code (/th/, /km/...). See docs/translation.md.

- A public page's language is the one its address names, never a cookie or a header:
  one address, one language, so any cache (ours, a proxy's, a CDN's) holds the right
  page and a shared link opens in the language it was shared in.
- The first visit to the English front page from outside the site may follow the
  browser's Accept-Language to that language's front page; nothing is remembered.
- The admin follows the staff member's choice (Django's language cookie, set by its
  set_language view) or their browser, among all of LANGUAGES.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import (
    LocalePrefixPattern,
    Resolver404,
    URLResolver,
    clear_url_caches,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import format_html
from django.utils.http import escape_leading_slashes
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

_PREFIX = re.compile(r"^/([a-z]{2,3}(?:-[a-z]{2,4})?)(?:/|$)")


def public_languages():
    """(code, name) of each language the public site is in, English first."""
    public = set(settings.PUBLIC_LANGUAGES) | {settings.LANGUAGE_CODE}
    return [(code, name) for code, name in settings.LANGUAGES if code in public]


def language_from_path(path):
    """The public language a path's prefix names (not English, which has none), or None."""
    match = _PREFIX.match(path)
    if (
        match
        and match[1] != settings.LANGUAGE_CODE
        and match[1] in settings.PUBLIC_LANGUAGES
    ):
        return match[1]
    return None


def language_from_accept_header(header):
    """The public language the browser prefers most, or None (English, or none of ours)."""
    public = {code for code, _name in public_languages()}
    for accepted, _quality in parse_accept_lang_header(header[:500]):
        if accepted == "*":
            break
        try:
            code = get_supported_language_variant(accepted)
        except LookupError:
            continue
        if code in public:
            return None if code == settings.LANGUAGE_CODE else code
    return None


def path_in_language(path, language):
    """An English (unprefixed) address of the public site as a visitor of `language`
    opens it: under that language's prefix, so the page around English content stays
    in the visitor's language (as lists link English editions on a Thai page)."""
    if language == settings.LANGUAGE_CODE or language not in settings.PUBLIC_LANGUAGES:
        return path
    script_prefix = get_script_prefix()
    return f"{script_prefix}{language}/{path.removeprefix(script_prefix)}"


class PublicLanguagePrefix(LocalePrefixPattern):
    """i18n_patterns' prefix, empty for English and for a language that is not public:
    staff who use the admin in Khmer before the site is in Khmer still get (and send
    in emails) addresses that work."""

    @property
    def language_prefix(self):
        language = translation.get_language() or settings.LANGUAGE_CODE
        if (
            language == settings.LANGUAGE_CODE
            or language not in settings.PUBLIC_LANGUAGES
        ):
            return ""
        return f"{language}/"


def public_patterns(*urls):
    """i18n_patterns(*urls, prefix_default_language=False), with PublicLanguagePrefix."""
    return [
        URLResolver(PublicLanguagePrefix(prefix_default_language=False), list(urls))
    ]


def _admin_prefix():
    return "/" + settings.ADMIN_URL


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the language of a public page taken from its
    address alone (see the module's docstring)."""

    def process_request(self, request):
        path = request.path_info
        if path.startswith(_admin_prefix()):
            # Staff: Django's own choice (language cookie, then Accept-Language).
            language = translation.get_language_from_request(request)
        else:
            language = language_from_path(path) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        if (
            path == "/"
            and request.method in ("GET", "HEAD")
            and self._arrives_from_outside(request)
        ):
            preferred = language_from_accept_header(
                request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            )
            if preferred:
                with translation.override(preferred):
                    response = HttpResponseRedirect(reverse("home"))
                # Each browser's own answer: no shared cache may keep it.
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ("Accept-Language",))
                return response
        if path.startswith(f"/{settings.LANGUAGE_CODE}/") and request.method in (
            "GET",
            "HEAD",
        ):
            # /en/posts/ is the English page's address without its prefix. Leading
            # slashes escaped: /en//evil.example/ must not lead to //evil.example/.
            target = escape_leading_slashes(path[len(settings.LANGUAGE_CODE) + 1 :])
            query = request.META.get("QUERY_STRING", "")
            return HttpResponseRedirect(
                request.META.get("SCRIPT_NAME", "")
                + target
                + (f"?{query}" if query else "")
            )
        return None

    @staticmethod
    def _arrives_from_outside(request):
        """Typed, bookmarked or followed from another site; not a click on this site's
        own "English" link (Sec-Fetch-Site, or the Referer where a browser lacks it)."""
        site = request.META.get("HTTP_SEC_FETCH_SITE")
        if site is not None:
            return site in ("none", "cross-site")
        referer = request.META.get("HTTP_REFERER", "")
        return not referer.startswith(settings.SITE_URL + "/")

    def process_response(self, request, response):
        # Only the front page (its first visit) and the admin depend on the browser's
        # languages; every other page's language is in its address.
        if request.path_info == "/" or request.path_info.startswith(_admin_prefix()):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def language_alternates(request):
    """The page `request` shows, in each public language: [{code, name, path}], English
    first; [] when only English is on. A page that is not found leads to each language's
    front page."""
    languages = tuple(public_languages())
    if len(languages) < 2 or request is None:
        return []
    return _alternates(
        # A path the pages' catch-all took but no page has (unact.pages.views) is
        # not found, as an address no pattern matches.
        "/" if getattr(request, "no_page_here", False) else request.path_info,
        translation.get_language(),
        languages,
        get_urlconf(),
        get_script_prefix(),
    )


# Paths come from content (a post's slug), so the memo is bounded.
@lru_cache(maxsize=4096)
def _alternates(path, current, languages, urlconf, _script_prefix):
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        match = None
    alternates = []
    for code, name in languages:
        with translation.override(code):
            if match is None or not match.view_name:
                url = reverse("home", urlconf=urlconf)
            else:
                url = reverse(
                    match.view_name,
                    urlconf=urlconf,
                    args=match.args,
                    kwargs=match.kwargs,
                )
        alternates.append(
            {
                "code": code,
                "name": name,
                "path": url,
                "is_current": code == current,
                "in_head": True,
            }
        )
    if len({alternate["path"] for alternate in alternates}) < len(alternates):
        return []  # a page outside the languages' addresses (it has no other language)
    return alternates


def _clear(setting, **kwargs):
    if setting in (
        "ROOT_URLCONF",
        "ADMIN_URL",
        "LANGUAGES",
        "PUBLIC_LANGUAGES",
        "LANGUAGE_CODE",
    ):
        _alternates.cache_clear()
    if setting in ("PUBLIC_LANGUAGES", "LANGUAGE_CODE"):
        # The resolver keeps each language's prefix once it has used it (tests switch
        # languages on and off; a running site does not).
        clear_url_caches()


setting_changed.connect(_clear, dispatch_uid="unact-i18n")


def content_lang_attr(language=None):
    """` lang="xx"` for content written in `language` (the site's language when left
    out: content that has no edition in the page's language) on a page in another
    language, so that screen readers and browsers read it as what it is; nothing on a
    page in the content's own language."""
    language = language or settings.LANGUAGE_CODE
    if translation.get_language() == language:
        return ""
    return format_html(' lang="{}"', language)
