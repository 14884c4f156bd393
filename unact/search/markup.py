"""The markup of the results page that is built in Python, all of it here, with format_html:
the results, the filter links and the <mark> around matching words.

A results page repeats an item for each of its results and a link for each type,
category, kind and year that matches (26 for "trafficking" on the benchmark data).
Through template loops these cost 0.6 ms of CPU a page, here 0.3 ms (docs/search.md,
"Speed"). The markup is what the template loops wrote. format_html escapes every
value; only values already safe pass unchanged (a highlighted title or excerpt, made
by `marked`, and the <time> of site_tags.timestamp).
"""

from django.conf import settings
from django.utils import formats
from django.utils.html import format_html, format_html_join

from unact.templatetags.site_tags import timestamp

RESULT = """<li><article class="search-result">
        <p class="search-type">{}</p>
        <h2 class="search-title"><a href="{}">{}</a></h2>
        <p class="meta">{}</p>
        {}
      </article></li>"""
SNIPPET = '<p class="snippet">{}</p>'
FACET = """<h3>{}</h3>
    <ul class="facet">
      {}
    </ul>
    """
OPTION = '<li><a href="{}"{}>{} <span class="facet-count">({})</span></a></li>'
# The attribute of the selected option, safe once (format_html escapes its value).
CURRENT = format_html(' aria-current="{}"', "true")


def marked(pieces):
    """(text, is_match) pieces as HTML: each escaped, the matches in <mark>.

    One format_html for the whole text (one per piece cost twice as much).
    """
    if not pieces:
        return format_html("{}", "")
    return format_html("".join("<mark>{}</mark>" if is_match else "{}" for _text, is_match in pieces),
                       *[text for text, _is_match in pieces])  # fmt: skip


def result_items(results):
    """The <li> of each result (queries.Result)."""
    return format_html_join(
        "",
        RESULT,
        (
            (
                result.label,
                result.url,
                result.title_html,
                timestamp(result.date),
                format_html(SNIPPET, result.snippet_html) if result.snippet_html else "",
            )
            for result in results
        ),
    )


def facet_groups(facets):
    """The filter groups of views._facet_links: a heading and a list of links each."""
    # A count as {{ count }} writes it: grouped only with USE_THOUSAND_SEPARATOR.
    number = formats.localize if settings.USE_THOUSAND_SEPARATOR else str
    return format_html_join(
        "",
        FACET,
        (
            (
                facet["heading"],
                format_html_join(
                    "",
                    OPTION,
                    (
                        (
                            option["href"],
                            CURRENT if option["selected"] else "",
                            option["label"],
                            number(option["count"]),
                        )
                        for option in facet["options"]
                    ),
                ),
            )
            for facet in facets
        ),
    )
