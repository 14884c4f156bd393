"""Django's template backend, with Django's `i18n` library replaced by ours.

`{% load i18n %}` loads unact/templatetags/i18n.py: Django's library with the
`{% translate %}` of a constant memoised. Two libraries under one name is what system
check templates.W003 warns about; this override is on purpose, so that one warning (and
only that one) is left out, and any other clash of names is still reported.
"""

from django.template.backends import django

I18N = "unact.templatetags.i18n"


class DjangoTemplates(django.DjangoTemplates):
    def __init__(self, params):
        options = params.get("OPTIONS", {})
        params = {**params, "OPTIONS": {**options, "libraries": {**options.get("libraries", {}), "i18n": I18N}}}
        super().__init__(params)

    def _check_for_template_tags_with_the_same_name(self):
        intended = f"'i18n' is used for multiple template tag modules: 'django.templatetags.i18n', '{I18N}'"
        return [warning for warning in super()._check_for_template_tags_with_the_same_name() if warning.msg != intended]
