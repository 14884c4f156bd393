"""The cards of the lists, written in Python: posts/markup.py's post_card (checked by what
it shows), and {% publication_card %} (its former template is kept here as
OLD_PUBLICATION_CARD until the publications app changes it)."""

import re
import struct
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.template import TemplateDoesNotExist, engines
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from posts.markup import post_card
from posts.models import Post
from publications.templatetags.publications_tags import publication_card

from .factories import CategoryFactory, PostFactory, PublicationFactory, image_upload

pytestmark = pytest.mark.django_db

OLD_PUBLICATION_CARD = """{% load i18n posts_tags site_tags %}{% with url=publication.get_absolute_url kind=publication.get_kind_display %}<article class="pub-card">
  <a class="pub-cover" href="{{ url }}" tabindex="-1" aria-hidden="true">
    {% if publication.cover %}{% picture publication.cover_renditions sizes="(max-width: 30rem) calc(100vw - 2rem), 15rem" eager=eager default_index=0 %}
    {% else %}<span class="pub-cover-blank">{{ kind }}</span>{% endif %}
  </a>
  <div class="pub-card-body">
    <p class="pub-kind">{{ kind }}</p>
    <h2 class="card-title"><a href="{{ url }}">{{ publication.title }}</a></h2>
    <p class="meta">{% timestamp publication.publication_date %}{% if publication.document %} · {% translate "PDF" %}, {{ publication.file_size|filesizeformat }}{% elif publication.video_embed_url %} · {% translate "Video" %}{% endif %}</p>
    {% if publication.summary %}<p class="teaser">{{ publication.summary|truncatewords:30 }}</p>{% endif %}
  </div>
</article>{% endwith %}
"""

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BREAKOUT = '"><img src=x onerror=alert(1)>'
BREAKOUT_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
LONG_SUMMARY = " ".join(f"word{number}" for number in range(1, 61))


def same_markup(html):
    """The markup with whitespace runs made one space and none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def old_publication_card(publication, eager=False):
    template = engines["django"].from_string(OLD_PUBLICATION_CARD)
    return template.render({"publication": publication, "eager": eager})


def full_post(**kwargs):
    """A post with an image, a category, three comments and a content warning."""
    fields = {
        "with_image": True,
        "title": "Safe migration in Lao PDR",
        "category": CategoryFactory(name="Field notes", slug="field-notes"),
        "content_warning": "Describes forced labour",
        "summary": LONG_SUMMARY,
        **kwargs,
    }
    post = PostFactory(**fields)
    Post.objects.filter(pk=post.pk).update(comment_count=3)
    return Post.objects.select_related("category").get(pk=post.pk)


def bare_post(**kwargs):
    fields = {
        "category": None,
        "title": "A plain post",
        "summary": "Short summary.",
        **kwargs,
    }
    return PostFactory(**fields)


def pdf_publication(**kwargs):
    fields = {
        "title": "Recruitment fees in the Mekong",
        "kind": "research-report",
        "external_url": "",
        "document": ContentFile(b"%PDF-1.4\n%%EOF\n", name="report.pdf"),
        "file_size": 730_800,
        "cover": image_upload("cover.jpg", width=640, height=900),
        "summary": LONG_SUMMARY,
        "publication_date": date(2016, 8, 25),
        **kwargs,
    }
    return PublicationFactory(**fields)


def video_publication(**kwargs):
    fields = {
        "title": "Voices of survivors",
        "kind": "video",
        "external_url": "https://youtu.be/dQw4w9WgXcQ",
        "summary": "A short film.",
        **kwargs,
    }
    return PublicationFactory(**fields)


# Posts -----------------------------------------------------------------------------------


def test_post_card_with_image_category_comments_and_warning():
    post = full_post()
    html = post_card(post)
    url = post.get_absolute_url()
    assert html.startswith('<article class="card">') and html.endswith("</article>")
    assert (
        f'<a class="card-image" href="{url}" tabindex="-1" aria-hidden="true"><picture>'
        in html
    )
    assert (
        'alt="Officials at a regional meeting" loading="lazy" decoding="async">' in html
    )
    assert 'sizes="(max-width: 760px) 100vw, 240px"' in html
    assert (
        f'<h2 class="card-title"><a href="{url}">Safe migration in Lao PDR</a></h2>'
        in html
    )
    local = timezone.localtime(post.publish_at)
    assert f'<time datetime="{local.isoformat(timespec="seconds")}">' in html
    assert ' · <a href="/posts/category/field-notes/">Field notes</a>' in html
    assert f' · <a href="{url}#comments">3 comments</a>' in html
    content_warning = "<strong>Content warning:</strong> Describes forced labour"
    assert f'<p class="content-warning">{content_warning}</p>' in html
    # teaser: 45 words and an ellipsis.
    assert '<p class="teaser">word1 word2 ' in html and " word45…</p>" in html
    assert (
        f'<p><a class="read-more" href="{url}">Read More<span class="visually-hidden">'
        " about “Safe migration in Lao PDR”</span></a></p>"
    ) in html


def test_post_card_of_the_first_post_fetches_its_image_at_once():
    post = full_post()
    html = post_card(post, eager=True)
    assert 'fetchpriority="high"' in html and 'loading="lazy"' not in html


def test_post_card_without_image_category_comments_or_warning():
    post = bare_post()
    html = post_card(post)
    assert "card-image" not in html and "<picture" not in html
    assert " · " not in html and "#comments" not in html
    assert "content-warning" not in html and "Content warning" not in html
    assert '<p class="teaser">Short summary.</p>' in html


def test_post_card_counts_one_comment():
    post = bare_post()
    Post.objects.filter(pk=post.pk).update(comment_count=1)
    post.refresh_from_db()
    assert f'<a href="{post.get_absolute_url()}#comments">1 comment</a>' in post_card(
        post
    )


@pytest.mark.parametrize("hostile", [SCRIPT, BREAKOUT])
def test_post_card_escapes_every_text(hostile):
    escaped = SCRIPT_ESCAPED if hostile == SCRIPT else BREAKOUT_ESCAPED
    post = full_post(
        title=f"Title {hostile}",
        summary=f"Summary {hostile}",
        content_warning=f"Warning {hostile}",
        image_alt=f"Alt {hostile}",
        category=CategoryFactory(name=f"Category {hostile}", slug="hostile"),
    )
    html = post_card(post)
    assert hostile not in html
    assert "<script" not in html and "<img src=x" not in html
    for text in (
        f'<a href="{post.get_absolute_url()}">Title {escaped}</a>',
        f'<p class="teaser">Summary {escaped}</p>',
        f"</strong> Warning {escaped}</p>",
        f'alt="Alt {escaped}"',
        f'<a href="/posts/category/hostile/">Category {escaped}</a>',
        f"about “Title {escaped}”</span>",
    ):
        assert text in html


def test_post_card_escapes_ampersands_and_quotes_once():
    post = bare_post(
        title="Fish & rice: “a ‘fair’ deal” 'now'", content_warning="A & B"
    )
    html = post_card(post)
    assert "Fish &amp; rice: “a ‘fair’ deal” &#x27;now&#x27;</a>" in html
    assert "</strong> A &amp; B</p>" in html
    assert "&amp;amp;" not in html


# Publications ----------------------------------------------------------------------------


def test_publication_card_with_pdf_and_cover():
    publication = pdf_publication()
    html = publication_card(publication)
    url = publication.get_absolute_url()
    assert html.startswith('<article class="pub-card">') and html.endswith("</article>")
    assert (
        f'<a class="pub-cover" href="{url}" tabindex="-1" aria-hidden="true">' in html
    )
    assert "<picture>" in html and 'alt=""' in html and 'loading="lazy"' in html
    assert 'sizes="(max-width: 30rem) calc(100vw - 2rem), 15rem"' in html
    assert "pub-cover-blank" not in html
    assert '<p class="pub-kind">Research report</p>' in html
    assert (
        f'<h2 class="card-title"><a href="{url}">Recruitment fees in the Mekong</a></h2>'
        in html
    )
    assert (
        '<p class="meta"><time datetime="2016-08-25">25 August 2016</time> · PDF, 713.7\xa0KB</p>'
    ) in html
    # truncatewords:30: thirty words, a space and an ellipsis.
    assert '<p class="teaser">word1 word2 ' in html and " word30 …</p>" in html
    assert same_markup(html) == same_markup(old_publication_card(publication))


def test_publication_card_of_the_first_publication_fetches_its_cover_at_once():
    publication = pdf_publication()
    html = publication_card(publication, eager=True)
    assert 'fetchpriority="high"' in html and 'loading="lazy"' not in html
    assert same_markup(html) == same_markup(
        old_publication_card(publication, eager=True)
    )


def test_publication_card_with_video_and_no_cover():
    publication = video_publication()
    html = publication_card(publication)
    assert "<picture" not in html
    assert '<span class="pub-cover-blank">Video</span>' in html
    assert '<p class="pub-kind">Video</p>' in html
    assert "</time> · Video</p>" in html and "PDF" not in html
    assert '<p class="teaser">A short film.</p>' in html
    assert same_markup(html) == same_markup(old_publication_card(publication))


def test_publication_card_without_cover_file_or_summary():
    publication = PublicationFactory(
        kind="brief", summary="", external_url="https://example.org/brief"
    )
    publication.summary = ""  # save() fills a blank summary from the description
    html = publication_card(publication)
    assert '<span class="pub-cover-blank">Brief</span>' in html
    assert re.search(r'<p class="meta"><time datetime="[\d-]+">[^<]+</time></p>', html)
    assert "teaser" not in html
    assert same_markup(html) == same_markup(old_publication_card(publication))


def test_publication_card_with_pdf_but_no_cover():
    publication = pdf_publication(cover="", file_size=None, summary="Short.")
    html = publication_card(publication)
    assert '<span class="pub-cover-blank">Research report</span>' in html
    assert " · PDF, 0\xa0bytes</p>" in html  # as filesizeformat writes an unknown size
    assert same_markup(html) == same_markup(old_publication_card(publication))


@pytest.mark.parametrize("hostile", [SCRIPT, BREAKOUT])
def test_publication_card_escapes_every_text(hostile):
    escaped = SCRIPT_ESCAPED if hostile == SCRIPT else BREAKOUT_ESCAPED
    publication = video_publication(
        title=f"Title {hostile}", summary=f"Summary {hostile}"
    )
    html = publication_card(publication)
    assert hostile not in html and "<script" not in html and "<img src=x" not in html
    assert f'<a href="{publication.get_absolute_url()}">Title {escaped}</a>' in html
    assert f'<p class="teaser">Summary {escaped}</p>' in html
    assert same_markup(html) == same_markup(old_publication_card(publication))


def test_publication_card_does_not_escape_text_marked_safe_twice():
    publication = video_publication()
    publication.title = mark_safe("Fish &amp; <em>rice</em>")
    publication.summary = mark_safe("A &amp; B")
    html = publication_card(publication)
    assert "Fish &amp; <em>rice</em></a>" in html
    assert '<p class="teaser">A &amp; B</p>' in html
    assert same_markup(html) == same_markup(old_publication_card(publication))


# Pages and languages ---------------------------------------------------------------------


def test_list_pages_write_the_cards_and_the_first_is_eager(client):
    category = CategoryFactory(name="News", slug="news")
    now = timezone.now()
    for number in range(3):
        PostFactory(
            with_image=True,
            category=category,
            tags=["safe-migration"],
            publish_at=now - timedelta(hours=number + 1),
        )
    for number in range(2):
        pdf_publication(slug=f"report-{number}", title=f"Report {number}")
    for path, count in (("/", 3), ("/posts/", 3), ("/posts/tag/safe-migration/", 3)):
        html = client.get(path).content.decode()
        cards = html.split('<article class="card">')[1:]
        assert len(cards) == count, path
        assert 'fetchpriority="high"' in cards[0], path
        assert all('loading="lazy"' in card for card in cards[1:]), path
    html = client.get("/publications/").content.decode()
    cards = html.split('<article class="pub-card">')[1:]
    assert len(cards) == 2
    assert 'fetchpriority="high"' in cards[0] and 'loading="lazy"' in cards[1]


@pytest.mark.parametrize("name", ["includes/post_card.html", "includes/publication_card.html"])
def test_cards_are_written_one_way_only(name):
    with pytest.raises(TemplateDoesNotExist):
        get_template(name)


FAKE_TRANSLATIONS = {
    "Content warning:": "Avertissement :",
    "Read More": "Lire la suite",
    "about “%(title)s”": "à propos de « %(title)s »",
    "PDF": "Fichier PDF",
    "Video": "Vidéo",
}


def test_cards_translate_their_words_with_the_templates_msgids(monkeypatch):
    """The msgids are those of the templates: a catalogue made for them still applies."""
    asked = []

    def gettext(message):
        asked.append(message)
        return FAKE_TRANSLATIONS[message]

    monkeypatch.setattr("publications.templatetags.publications_tags.gettext", gettext)
    assert " · Fichier PDF, 713.7\xa0KB</p>" in publication_card(pdf_publication())
    assert "</time> · Vidéo</p>" in publication_card(video_publication())
    assert set(asked) == {"PDF", "Video"}


def test_about_falls_back_to_english_when_a_translation_does_not_format(monkeypatch):
    monkeypatch.setattr("posts.markup.gettext", lambda message: "à propos de %(titre)s")
    assert "about “A plain post”</span>" in post_card(bare_post())


def test_cards_translate_with_the_sites_catalogues(settings):
    """With a real catalogue (when the project has one for another language)."""
    post, publication = full_post(), pdf_publication()
    for code, _name in settings.LANGUAGES:
        if code == "en":
            continue
        with translation.override(code):
            if translation.gettext("Read More") == "Read More":
                continue
            html = post_card(post)
            assert translation.gettext("Read More") in html
            assert translation.gettext("Content warning:") in html
            assert translation.gettext("PDF") in publication_card(publication)
            assert same_markup(publication_card(publication)) == same_markup(
                old_publication_card(publication)
            )
            return
    pytest.skip(
        "no language but English has a catalogue with these strings (no locale/ yet)"
    )


def write_catalogue(path, messages):
    """A compiled gettext catalogue (.mo) of messages, UTF-8."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(messages)
    ids = [key.encode() for key in keys]
    strs = [messages[key].encode() for key in keys]
    start = 7 * 4 + 16 * len(keys)
    offsets, data = [], b""
    for text in ids + strs:
        offsets.append((len(text), start + len(data)))
        data += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    table = b"".join(struct.pack("<2I", *offset) for offset in offsets)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + table + data)


def test_cards_and_templates_find_the_same_translations(settings, tmp_path):
    """A catalogue written for the templates' strings translates the cards alike."""
    write_catalogue(tmp_path / "fr" / "LC_MESSAGES" / "django.mo", FAKE_TRANSLATIONS)
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    post = full_post(title="Fish & rice")
    publication, video = pdf_publication(), video_publication()
    with translation.override("fr"):
        html = post_card(post)
        assert "<strong>Avertissement :</strong>" in html
        assert (
            'Lire la suite<span class="visually-hidden"> à propos de « Fish &amp; rice »'
            in html
        )
        assert " · Fichier PDF, 713,7\xa0Kio</p>" in publication_card(publication)
        for item in (publication, video):
            assert same_markup(publication_card(item)) == same_markup(
                old_publication_card(item)
            )
        assert "</time> · Vidéo</p>" in publication_card(video)
