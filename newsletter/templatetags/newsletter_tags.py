from django import template

from ..forms import SignupForm

register = template.Library()


@register.inclusion_tag("includes/newsletter_signup.html", takes_context=True)
def newsletter_signup(context, source="footer"):
    """The signup form of the footer (or another place), unbound."""
    return {
        "form": SignupForm(initial={"source": source}, prefix_id=f"{source}-signup"),
        "done": False,
        "limited": False,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
