from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

from ..forms import SignupForm

register = template.Library()


@register.simple_tag
def newsletter_signup(source="footer"):
    """The signup form of the footer (or another place), unbound.

    It carries no CSRF token (README "The CSRF token"), so its markup is the same for
    every visitor: rendered once per process, language and place.
    """
    return _unbound_signup(str(source), translation.get_language(), get_urlconf(), get_script_prefix())


@lru_cache(maxsize=64)
def _unbound_signup(source, _language, _urlconf, _script_prefix):
    form = SignupForm(initial={"source": source}, prefix_id=f"{source}-signup")
    return render_to_string("includes/newsletter_signup.html", {"form": form, "done": False, "limited": False})


def _clear(**kwargs):
    _unbound_signup.cache_clear()


setting_changed.connect(_clear, dispatch_uid="newsletter-signup-memo")
