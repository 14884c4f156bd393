"""The search page's repeated markup, built in Python.

A results page repeats a facet link for every category, kind and year that matches,
and an item for each result; through the template engine they cost more than the
query itself. Same markup as a template would give, every value escaped once.
"""

from django import template
from django.conf import settings
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from .site_tags import timestamp

register = template.Library()


@register.simple_tag
def search_facets(facets):
    """The filter groups of search.views._facet_links: a heading and a list of links each."""
    # Counts as {{ count }} writes them: digits, grouped only with USE_THOUSAND_SEPARATOR.
    number = formats.localize if settings.USE_THOUSAND_SEPARATOR else str
    parts = []
    for facet in facets:
        parts.append(f'<h3>{conditional_escape(facet["heading"])}</h3>\n    <ul class="facet">\n      ')
        for option in facet["options"]:
            current = ' aria-current="true"' if option["selected"] else ""
            parts.append(
                f'<li><a href="{escape(option["href"])}"{current}>{conditional_escape(option["label"])}'
                f' <span class="facet-count">({number(option["count"])})</span></a></li>'
            )
        parts.append("\n    </ul>\n    ")
    return mark_safe("".join(parts))  # nosec B308 B703: every value above is escaped


@register.simple_tag
def search_result_items(results):
    """The <li> of each result (queries.Result: title and snippet come as safe HTML)."""
    return mark_safe(  # nosec B308 B703: labels and URLs escaped; *_html built escaped by queries.marks_to_html
        "".join(
            f'<li><article class="search-result">\n'
            f'        <p class="search-type">{conditional_escape(result.label)}</p>\n'
            f'        <h2 class="search-title"><a href="{escape(result.url)}">{conditional_escape(result.title_html)}</a></h2>\n'
            f'        <p class="meta">{timestamp(result.date)}</p>\n'
            + (f'        <p class="snippet">{conditional_escape(result.snippet_html)}</p>\n' if result.snippet_html else "")
            + "      </article></li>"
            for result in results
        )
    )
