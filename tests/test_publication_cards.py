"""A publication's card in the library ({% publication_card %}, built with format_html)."""

import re
from datetime import date

import pytest

from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.safestring import mark_safe

from publications.templatetags.publications_tags import publication_card

from .factories import PublicationFactory, image_upload
from .test_cards import write_catalogue

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BREAKOUT = '"><img src=x onerror=alert(1)>'
BREAKOUT_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
LONG_SUMMARY = " ".join(f"word{number}" for number in range(1, 61))


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


def test_publication_card_of_the_first_publication_fetches_its_cover_at_once():
    publication = pdf_publication()
    html = publication_card(publication, eager=True)
    assert 'fetchpriority="high"' in html and 'loading="lazy"' not in html


def test_publication_card_with_video_and_no_cover():
    publication = video_publication()
    html = publication_card(publication)
    assert "<picture" not in html
    assert '<span class="pub-cover-blank">Video</span>' in html
    assert '<p class="pub-kind">Video</p>' in html
    assert "</time> · Video</p>" in html and "PDF" not in html
    assert '<p class="teaser">A short film.</p>' in html


def test_publication_card_without_cover_file_or_summary():
    publication = PublicationFactory(
        kind="brief", summary="", external_url="https://example.org/brief"
    )
    publication.summary = ""  # save() fills a blank summary from the description
    html = publication_card(publication)
    assert '<span class="pub-cover-blank">Brief</span>' in html
    assert re.search(r'<p class="meta"><time datetime="[\d-]+">[^<]+</time></p>', html)
    assert "teaser" not in html


def test_publication_card_with_pdf_but_no_cover():
    publication = pdf_publication(cover="", file_size=None, summary="Short.")
    html = publication_card(publication)
    assert '<span class="pub-cover-blank">Research report</span>' in html
    assert " · PDF, 0\xa0bytes</p>" in html  # as filesizeformat writes an unknown size


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


def test_publication_card_does_not_escape_text_marked_safe_twice():
    publication = video_publication()
    publication.title = mark_safe("Fish &amp; <em>rice</em>")
    publication.summary = mark_safe("A &amp; B")
    html = publication_card(publication)
    assert "Fish &amp; <em>rice</em></a>" in html
    assert '<p class="teaser">A &amp; B</p>' in html


def test_publication_card_translates_with_a_catalogue(settings, tmp_path):
    """The card's words come from the site's catalogues, like any template's."""
    catalogue = {"PDF": "Fichier PDF", "Video": "Vidéo"}
    write_catalogue(tmp_path / "fr" / "LC_MESSAGES" / "django.mo", catalogue)
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    publication, video = pdf_publication(), video_publication()
    with translation.override("fr"):
        assert " · Fichier PDF, 713,7\xa0Kio</p>" in publication_card(publication)
        assert "</time> · Vidéo</p>" in publication_card(video)
