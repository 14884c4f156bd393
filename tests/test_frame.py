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
