"""The cards of the post lists, written in Python (posts/markup.py's post_card), checked
by what they show. (Publication cards are a template: tests/test_publications.py.)"""

import re
import struct
from datetime import timedelta

import pytest

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from posts.markup import post_card
from posts.models import Post

from .factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BREAKOUT = '"><img src=x onerror=alert(1)>'
BREAKOUT_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
LONG_SUMMARY = " ".join(f"word{number}" for number in range(1, 61))


def same_markup(html):
    """The markup with whitespace runs made one space and none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


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
    for path, count in (("/", 3), ("/posts/", 3), ("/posts/tag/safe-migration/", 3)):
        html = client.get(path).content.decode()
        cards = html.split('<article class="card">')[1:]
        assert len(cards) == count, path
        assert 'fetchpriority="high"' in cards[0], path
        assert all('loading="lazy"' in card for card in cards[1:]), path


def test_post_cards_are_written_one_way_only():
    with pytest.raises(TemplateDoesNotExist):
        get_template("includes/post_card.html")


FAKE_TRANSLATIONS = {
    "Content warning:": "Avertissement :",
    "Read More": "Lire la suite",
    "about “%(title)s”": "à propos de « %(title)s »",
}


def test_cards_translate_their_words_with_the_templates_msgids(monkeypatch):
    """The msgids are those of the templates: a catalogue made for them still applies."""
    asked = []

    def gettext(message):
        asked.append(message)
        return FAKE_TRANSLATIONS[message]

    monkeypatch.setattr("posts.markup.gettext", gettext)
    html = post_card(full_post(title="Fish & rice"))
    assert "<strong>Avertissement :</strong>" in html
    assert (
        'Lire la suite<span class="visually-hidden"> à propos de « Fish &amp; rice »</span>'
        in html
    )
    assert set(asked) == set(FAKE_TRANSLATIONS)


def test_about_falls_back_to_english_when_a_translation_does_not_format(monkeypatch):
    monkeypatch.setattr("posts.markup.gettext", lambda message: "à propos de %(titre)s")
    assert "about “A plain post”</span>" in post_card(bare_post())


def test_cards_translate_with_the_sites_catalogues(settings):
    """With a real catalogue (when the project has one for another language)."""
    post = full_post()
    for code, _name in settings.LANGUAGES:
        if code == "en":
            continue
        with translation.override(code):
            if translation.gettext("Read More") == "Read More":
                continue
            html = post_card(post)
            assert translation.gettext("Read More") in html
            assert translation.gettext("Content warning:") in html
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
    with translation.override("fr"):
        html = post_card(post)
        assert "<strong>Avertissement :</strong>" in html
        assert (
            'Lire la suite<span class="visually-hidden"> à propos de « Fish &amp; rice »'
            in html
        )


def test_english_words_on_a_thai_card_are_marked_english():
    """On a Thai page, an English post's content warning and any post's category name
    (categories have one name, in the site's language) are marked lang="en", as its
    title and teaser are, so that a screen reader reads them in English."""
    english = full_post()
    thai = full_post(
        category=english.category,
        language="th",
        title="การย้ายถิ่นอย่างปลอดภัย",
        content_warning="กล่าวถึงการใช้แรงงานบังคับ",
    )
    with translation.override("th"):
        english_card, thai_card = post_card(english), post_card(thai)
    assert '<a href="/th/posts/category/field-notes/" lang="en">Field notes</a>' in (
        english_card
    )
    assert '<span lang="en">Describes forced labour</span></p>' in english_card
    assert '<a href="/th/posts/category/field-notes/" lang="en">Field notes</a>' in (
        thai_card
    )
    assert "</strong> กล่าวถึงการใช้แรงงานบังคับ</p>" in thai_card
