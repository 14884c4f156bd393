"""The page frame's template tags: `{% memo %}` and `{% nav_section %}`.

Every page repeats the same header and footer: some forty `{% translate %}`, `{% static %}`
and `{% link %}` tags whose output depends only on the language, the URLconf and the
settings. Rendered each time, they were a third of a list page's Python work with the
page cache off. `{% memo %}` renders such a fragment once per process and language:

    {% memo section %} ... {% endmemo %}

The output is kept on the node itself, keyed by the active language, the URLconf, the
script prefix and the values of the variables named after `memo` (here `section`).
Anything else the fragment shows must be the same for every request: translations,
static and reversed URLs, settings, an unbound form without a token (the footer's
signup). Never put content, the request or anything per visitor inside (a
`{% block %}` or `{% csrf_token %}` inside is refused when the template is parsed).
A changed setting (tests) empties every memo.
"""

import weakref

from django import template
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import mark_safe

from unact.urlcache import reverse_memo

register = template.Library()

MAX_VARIANTS = 64  # per fragment: languages × the few values of its key
_NODES = weakref.WeakSet()


def keep_rendered(node):
    """Give a template node a memo of its output (node.rendered, a dict), which a changed
    setting (tests) empties: {% memo %} here, {% translate %} in ./i18n.py."""
    node.rendered = {}
    _NODES.add(node)


class MemoNode(template.Node):
    # No {% block %} inside (refused at parse time), so {% extends %}'s search for blocks,
    # on every render, need not walk the fragment.
    child_nodelists = ()

    def __init__(self, nodelist, key_variables):
        self.nodelist = nodelist
        self.key_variables = key_variables
        keep_rendered(self)

    def render(self, context):
        key = (
            translation.get_language(), get_urlconf(), get_script_prefix(),
            *(variable.resolve(context) for variable in self.key_variables),
        )  # fmt: skip
        try:
            return self.rendered[key]
        except KeyError:
            pass
        output = mark_safe(self.nodelist.render(context))  # nosec B308 B703: the template's own output
        if len(self.rendered) >= MAX_VARIANTS:
            self.rendered.clear()
        self.rendered[key] = output
        return output


@register.tag
def memo(parser, token):
    """{% memo [variable ...] %}…{% endmemo %}: see the module's docstring."""
    key_variables = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    for forbidden in (BlockNode, CsrfTokenNode):
        if nodelist.get_nodes_by_type(forbidden):
            raise template.TemplateSyntaxError(f"{{% memo %}} cannot hold a {forbidden.__name__}: its output varies.")
    return MemoNode(nodelist, key_variables)


@register.simple_tag(takes_context=True)
def nav_section(context):
    """Which item of the main navigation the page belongs to ("" for none): a memo key."""
    request = context.get("request")
    if request is None:
        return ""
    match = request.resolver_match
    if match is not None and match.app_name == "publications":
        return "publications"
    for section, url in (
        ("home", reverse_memo("home")),
        ("news", reverse_memo("posts:category", "news")),
        ("blog", reverse_memo("posts:category", "blog")),
        ("newsletter", reverse_memo("newsletter:page")),
    ):
        if request.path == url:
            return section
    return ""


def _clear(**kwargs):
    for node in list(_NODES):
        node.rendered.clear()


setting_changed.connect(_clear, dispatch_uid="unact-frame-memo")
