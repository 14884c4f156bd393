"""Django's i18n template library, with `{% translate "constant" %}` memoised.

Put in place of Django's `i18n` library by the template backend (unact/templates.py), so
every `{% load i18n %}` gets it: every tag and filter is Django's own, except that a
`{% translate %}` of a constant string (no variable, filter, context or noop) keeps its
rendered text per language and autoescaping, on the node. Rendering one cost about sixty
Python calls (resolving the literal, a lazy gettext, localize, escaping); a page renders
twenty to forty of them. The text depends only on the message, the language and the
translation catalogues, which are loaded once per process. makemessages reads the
template source, so extraction is unchanged. A changed setting (tests) empties the memos
(frame.keep_rendered).
"""

from django import template
from django.template.base import Variable, render_value_in_context
from django.templatetags import i18n as django_i18n
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

from .frame import keep_rendered

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class TranslateNode(django_i18n.TranslateNode):
    def _memo_setup(self):
        var = self.filter_expression.var
        self.memoisable = (
            not self.noop
            and self.message_context is None
            and not self.filter_expression.filters
            and isinstance(var, Variable)
            and var.literal is not None
        )
        keep_rendered(self)

    def _translated(self, context):
        # Django's TranslateNode.render, without storing the value.
        self.filter_expression.var.translate = not self.noop
        if self.message_context:
            self.filter_expression.var.message_context = self.message_context.resolve(context)
        value = render_value_in_context(self.filter_expression.resolve(context), context)
        # Percent signs in template text are doubled, so they are not format flags.
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        return mark_safe(value) if is_safe else value  # nosec B308 B703: Django's own logic

    def render(self, context):
        if self.memoisable:
            key = (translation.get_language(), context.autoescape)
            try:
                value = self.rendered[key]
            except KeyError:
                value = self.rendered[key] = self._translated(context)
        else:
            value = self._translated(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    """Django's {% translate %} (see django.templatetags.i18n.do_translate), memoised."""
    node = django_i18n.do_translate(parser, token)
    node.__class__ = TranslateNode
    node._memo_setup()
    return node

