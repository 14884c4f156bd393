"""Form widgets that write their HTML directly, for forms shown on busy public pages.

Django renders each widget through templates (input.html including attrs.html, a loop
and two conditions per attribute): for the comment form under every post, that cost
more than the rest of the form. These widgets give the same markup as Django's own
templates, value and attributes escaped the same way, without the template engine.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attributes(attrs):
    """django/forms/widgets/attrs.html: True gives a bare name, False leaves it out."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class DirectInputMixin:
    """django/forms/widgets/input.html, for inputs that use that template unchanged."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_html = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
        return mark_safe(  # nosec B308 B703: every value is escaped above
            f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f"{value_html}{_attributes(widget['attrs'])}>"
        )


class TextInput(DirectInputMixin, forms.TextInput):
    pass


class EmailInput(DirectInputMixin, forms.EmailInput):
    pass


class HiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class CheckboxInput(DirectInputMixin, forms.CheckboxInput):
    pass


class Textarea(forms.Textarea):
    """django/forms/widgets/textarea.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(  # nosec B308 B703: name, attributes and text are escaped
            f'<textarea name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>\n{text}</textarea>'
        )
