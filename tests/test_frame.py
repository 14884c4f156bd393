"""The page frame: header and footer fragments rendered once per language ({% memo %})."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from .factories import CategoryFactory, PostFactory, PublicationFactory


def render(source, **context):
    return Template("{% load frame %}" + source).render(Context(context))


def test_memo_renders_once_per_key_and_language():
    template = Template("{% load frame i18n %}{% memo colour %}{{ colour }} {{ other }}{% endmemo %}")
    assert template.render(Context({"colour": "red", "other": "first"})) == "red first"
    # Same key: the fragment is not rendered again (which is why only keys may vary).
    assert template.render(Context({"colour": "red", "other": "second"})) == "red first"
    assert template.render(Context({"colour": "blue", "other": "third"})) == "blue third"
    with translation.override("fr"):
        assert template.render(Context({"colour": "red", "other": "fourth"})) == "red fourth"


def test_memo_output_is_escaped_once():
    assert render("{% memo %}{{ text }}{% endmemo %}", text="<b>&") == "&lt;b&gt;&amp;"


@pytest.mark.parametrize("inner", ["{% block x %}{% endblock %}", "{% csrf_token %}"])
def test_memo_refuses_what_varies_per_page_or_visitor(inner):
    with pytest.raises(TemplateSyntaxError, match="cannot hold"):
        render("{% memo %}" + inner + "{% endmemo %}")


def test_a_changed_setting_empties_the_memo(settings):
    template = Template("{% load frame %}{% memo %}{{ value }}{% endmemo %}")
    assert template.render(Context({"value": "before"})) == "before"
    settings.QUICK_EXIT_URL = "https://example.org/weather"
    assert template.render(Context({"value": "after"})) == "after"


@pytest.mark.django_db
def test_the_navigation_marks_the_current_section_only():
    CategoryFactory(slug="news", name="News")
    CategoryFactory(slug="blog", name="Blog")
    PostFactory()
    PublicationFactory()
    expected = {
        "/": "Home",
        reverse("posts:category", args=["news"]): "News",
        reverse("posts:category", args=["blog"]): "Blog",
        reverse("publications:list"): "Publications",
        reverse("newsletter:page"): "Newsletter",
        "/safety/": None,
        "/search/?q=hotline": None,
    }
    client = Client()
    for _round in range(2):  # the second time from the memo
        for url, current in expected.items():
            html = client.get(url).content.decode()
            nav = re.search(r'<ul class="nav">(.*?)</ul>', html, re.DOTALL).group(1)
            marked = re.findall(r'aria-current="page">([^<]+)<', nav)
            assert marked == ([current] if current else []), url


# {% translate %} of a constant, memoised (unact/templatetags/i18n.py) -------------------

TRANSLATE_CASES = [
    '{% translate "January" %}',
    '{% translate "January" as month %}[{{ month }}]',
    '{% translate "May" context "long month name" %}',
    '{% translate "January" noop %}',
    '{% translate "january"|upper %}',
    "{% translate word %}",
    '{% translate "100%% <b>sure</b> & done" %}',
    '{% autoescape off %}{% translate "a <i>b</i>" %}{% endautoescape %}',
    "{% for w in words %}{% translate w %},{% endfor %}",
]


@pytest.mark.parametrize("source", TRANSLATE_CASES)
def test_memoised_translate_renders_what_djangos_does(source):
    from django.template import Engine

    djangos = Engine(libraries={"i18n": "django.templatetags.i18n"})
    ours = Engine(libraries={"i18n": "unact.templatetags.i18n"})
    context = {"word": "February", "words": ["March", "<April>"]}
    template = ours.from_string("{% load i18n %}" + source)  # one node across languages
    for language in ("en", "de", "fr", "de"):
        with translation.override(language):
            expected = djangos.from_string("{% load i18n %}" + source).render(Context(context))
            assert template.render(Context(context)) == expected, (language, source)
            assert template.render(Context(context)) == expected, (language, source)  # from the memo


def test_site_templates_get_the_memoised_translate_and_follow_the_language():
    template = Template('{% load i18n %}{% translate "January" %}')
    assert type(template.nodelist[-1]).__module__ == "unact.templatetags.i18n"
    assert template.render(Context()) == "January"
    with translation.override("de"):
        assert template.render(Context()) == "Januar"
    assert template.render(Context()) == "January"


def test_only_the_intended_i18n_override_is_left_out_of_the_template_checks():
    from unact.templates import DjangoTemplates

    clash = {"posts_tags": "newsletter.templatetags.newsletter_tags"}
    backend = DjangoTemplates({"NAME": "t", "DIRS": [], "APP_DIRS": True, "OPTIONS": {"libraries": clash}})
    messages = [warning.msg for warning in backend.check() if warning.id == "templates.W003"]
    assert len(messages) == 1 and messages[0].startswith("'posts_tags' is used")
    assert backend.engine.libraries["i18n"] == "unact.templatetags.i18n"
