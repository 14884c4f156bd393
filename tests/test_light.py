"""Light and findable: video facades in rich text, <picture> renditions, sitemap lastmod,
structured data and link previews for publications and the newsletter archive."""

import json
import re

import pytest

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from unact.video import facade_iframes

from .factories import CampaignFactory, PostFactory, PublicationFactory, image_upload

pytestmark = pytest.mark.django_db

YOUTUBE = '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Safe &amp; sound"></iframe>'


def test_an_iframe_alone_in_its_paragraph_becomes_a_facade():
    html = facade_iframes(f"<p>Before</p><p>{YOUTUBE}</p><p>After</p>")
    assert "<iframe" not in html
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert (
        'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    )  # works without JavaScript
    assert 'data-title="Safe &amp; sound"' in html  # escaped once, not twice
    assert "<p><figure" not in html and html.startswith("<p>Before</p><figure")


def test_an_iframe_inside_text_becomes_a_link_and_vimeo_links_to_its_page():
    html = facade_iframes(
        '<p>See <iframe src="https://player.vimeo.com/video/76979871" title="Talk"></iframe> here.</p>'
    )
    assert "<iframe" not in html and "<figure" not in html
    assert (
        '<a href="https://vimeo.com/76979871" rel="noopener">Watch the video: Talk</a>'
        in html
    )


def test_an_unknown_player_address_becomes_a_plain_link():
    html = facade_iframes(
        '<iframe src="https://www.youtube-nocookie.com/embed/not-an-id" title="x"></iframe>'
    )
    assert "<iframe" not in html and "<figure" not in html
    assert 'href="https://www.youtube-nocookie.com/embed/not-an-id"' in html


def test_text_without_iframes_is_unchanged():
    body = "<p>No video <strong>here</strong>.</p>"
    assert facade_iframes(body) == body


def test_post_bodies_render_no_iframe(client):
    post = PostFactory(body=f"<p>{YOUTUBE}</p>")
    assert (
        "<iframe" in post.body
    )  # the sanitiser keeps it; rendering turns it into a facade
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<iframe" not in html and 'class="video-facade"' in html


def test_picture_offers_webp_then_jpeg_with_sizes_and_dimensions():
    post = PostFactory(
        featured_image=image_upload(width=1600, height=1200),
        image_alt="A shelter's garden",
    )
    html = Template("{% load posts_tags %}{% responsive_image post %}").render(
        Context({"post": post})
    )
    assert re.search(
        r'<picture><source type="image/webp" srcset="[^"]+\.webp 480w, [^"]+\.webp 960w, [^"]+\.webp 1440w" sizes=',
        html,
    )
    assert re.search(r'<img src="[^"]+\.jpg" srcset="[^"]+\.jpg 480w, ', html)
    assert (
        'width="960" height="720"' in html and 'alt="A shelter&#x27;s garden"' in html
    )
    assert 'loading="lazy"' in html
    eager = Template(
        "{% load posts_tags %}{% responsive_image post eager=True %}"
    ).render(Context({"post": post}))
    assert 'fetchpriority="high"' in eager and "lazy" not in eager


def test_webp_renditions_are_made_when_the_image_is_saved(media_root):
    from PIL import Image

    post = PostFactory(
        featured_image=image_upload(width=1000, height=500), image_alt="x"
    )
    for spec in (post.image_480_webp, post.image_960_webp):
        path = media_root / spec.name
        assert path.exists(), (
            "renditions are made on save, never on a visitor's request"
        )
        with Image.open(path) as image:
            assert image.format == "WEBP"


def test_publication_covers_use_the_same_picture(client, media_root):
    publication = PublicationFactory(cover=image_upload(width=900, height=1200))
    html = client.get(reverse("publications:list")).content.decode()
    assert '<picture><source type="image/webp"' in html
    detail = client.get(publication.get_absolute_url()).content.decode()
    assert "image/webp" in detail and "Cover of" in detail


def test_rendition_files_are_cached_for_a_year(client, media_root):
    post = PostFactory(featured_image=image_upload(), image_alt="x")
    response = client.get(post.image_480_webp.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]


def test_every_sitemap_entry_has_a_lastmod(client):
    from newsletter.models import Campaign

    PostFactory(tags=["helpline"])
    PublicationFactory()
    CampaignFactory(status=Campaign.Status.SENT, sent_at=timezone.now())
    xml = client.get("/sitemap.xml").content.decode()
    urls = re.findall(r"<url>(.*?)</url>", xml, flags=re.DOTALL)
    assert len(urls) >= 8
    assert all("<lastmod>" in url for url in urls), [
        url for url in urls if "<lastmod>" not in url
    ]
    assert "/newsletter/archive/" in xml and "/publications/" in xml


def structured_data(html):
    return [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.DOTALL
        )
    ]


def test_a_report_has_report_json_ld_and_a_cover_preview(client, media_root):
    publication = PublicationFactory(
        kind="annual-report",
        cover=image_upload(width=900, height=1200),
        countries=["TH"],
    )
    html = client.get(publication.get_absolute_url()).content.decode()
    (data,) = structured_data(html)
    assert data["@type"] == "Report" and data["name"] == publication.title
    assert data["image"]["url"].endswith(".jpg") and data["image"]["width"] == 640
    assert '<meta property="og:image" content="http://' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert html.count('rel="canonical"') == 1


def test_a_brochure_is_a_creative_work(client):
    publication = PublicationFactory(kind="brochure")
    (data,) = structured_data(
        client.get(publication.get_absolute_url()).content.decode()
    )
    assert data["@type"] == "CreativeWork"


def test_a_newsletter_edition_is_a_publication_issue(client):
    from newsletter.models import Campaign

    campaign = CampaignFactory(status=Campaign.Status.SENT, sent_at=timezone.now())
    html = client.get(campaign.get_absolute_url()).content.decode()
    (data,) = structured_data(html)
    assert data["@type"] == "PublicationIssue" and data["name"] == campaign.subject
    assert f'<meta property="og:title" content="{campaign.subject}">' in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/posts/",
        "/publications/",
        "/newsletter/",
        "/newsletter/archive/",
        "/safety/",
    ],
)
def test_every_page_links_every_feed_and_has_its_own_preview_title(client, url):
    html = client.get(url).content.decode()
    for feed in (reverse("feed"), reverse("feed-atom"), reverse("publications:feed")):
        assert f'href="{feed}"' in html
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert f'<meta property="og:title" content="{title}">' in html or url == "/"


def test_personal_newsletter_links_are_not_canonical(client):
    from newsletter.tokens import unsubscribe_token

    from .factories import SubscriberFactory

    subscriber = SubscriberFactory()
    html = client.get(
        reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber.pk)])
    ).content.decode()
    assert 'rel="canonical"' not in html and "og:url" not in html


def test_later_pages_of_a_list_are_their_own_canonical(client, settings):
    settings.POSTS_PER_PAGE = 2
    PostFactory.create_batch(3)
    html = client.get("/posts/?page=2").content.decode()
    assert 'rel="canonical" href="http://127.0.0.1:8000/posts/?page=2"' in html


def test_thai_tag_pages_work(client):
    post = PostFactory(tags=["การค้ามนุษย์"])
    html = client.get(post.get_absolute_url()).content.decode()
    tag_url = re.search(r'class="tag" href="([^"]+)"', html).group(1)
    assert client.get(tag_url).status_code == 200
