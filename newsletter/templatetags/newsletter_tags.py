from django import template

from ..forms import SignupForm

register = template.Library()


@register.inclusion_tag("includes/newsletter_signup.html")
def newsletter_signup(source="footer"):
    """The signup form of the footer (or another place), unbound. It carries no CSRF token
    (docs/caching.md, "Public forms"), so base.html caches it once per language ({% cache %})."""
    return {
        "form": SignupForm(initial={"source": source}, prefix_id=f"{source}-signup"),
        "done": False,
        "limited": False,
    }
