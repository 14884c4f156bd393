import json
import re

import pytest
from django.urls import reverse

from .factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


def _json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_every_page_has_quick_exit_canonical_and_feed_links(client):
    post = PostFactory()
    for url in ("/", "/posts/", post.get_absolute_url(), "/safety/", "/no-such-page/"):
        html = client.get(url).content.decode()
        assert "data-quick-exit" in html and "Exit this page" in html, url
        assert 'rel="alternate" type="application/rss+xml"' in html, url
        assert '<link rel="canonical" href="http' in html, url
        assert re.search(r'<html lang="en">', html), url


def test_front_page_describes_the_organization(client):
    (data,) = _json_ld(client.get("/").content.decode())
    assert data["@type"] == "Organization" and data["url"].startswith("http")


def test_post_page_has_social_tags_and_article_data(client):
    post = PostFactory(
        title="Why </script><script>alert(1)</script> matters",
        category=CategoryFactory(name="Blog", slug="blog"),
        with_image=True,
        tags=["COMMIT"],
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    (data,) = _json_ld(html)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == post.title
    assert data["image"]["url"].startswith("http") and data["keywords"] == ["COMMIT"]
    assert '<meta property="og:type" content="article">' in html
    assert 'property="og:image" content="http' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{post.get_absolute_url()}">' in html


def test_news_posts_are_news_articles(client):
    post = PostFactory(category=CategoryFactory(name="News", slug="news"))
    (data,) = _json_ld(client.get(post.get_absolute_url()).content.decode())
    assert data["@type"] == "NewsArticle"


def test_safety_page_is_honest_about_history(client):
    html = client.get(reverse("safety")).content.decode()
    assert "cannot delete your browser history" in html
