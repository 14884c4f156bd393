import io
import re
import threading
from datetime import timedelta
from html import unescape as html_unescape
from pathlib import Path

import feedparser
import pytest
from PIL import Image
from pypdf import PdfReader

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts.permissions import EDITORS
from publications.models import Country, Publication
from publications.services import publication_delete, publication_save

from .factories import (
    PostFactory,
    PublicationFactory,
    StaffFactory,
    UserFactory,
    image_bytes,
    image_upload,
    pdf_bytes,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def stored_files(root):
    root = Path(root)
    return (
        sorted(
            str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()
        )
        if root.exists()
        else []
    )


def pdf_publication(**kwargs):
    """A publication saved through the service, with a real PDF."""
    pages = kwargs.pop("pages", 3)
    countries, tags = kwargs.pop("countries", []), kwargs.pop("tags", [])
    publication = PublicationFactory.build(
        external_url="", document=pdf_upload(pages=pages), **kwargs
    )
    publication_save(publication=publication)
    publication.countries.set(Country.objects.filter(code__in=countries))
    publication.tags.set(tags)
    return publication


@pytest.fixture
def editor(client):
    user = StaffFactory(username="editor", groups=[EDITORS])
    client.force_login(user)
    return user


def admin_form_data(**overrides):
    data = {
        "title": "Labour migration from Lao PDR",
        "slug": "labour-migration-lao-pdr",
        "kind": "research-report",
        "summary": "",
        "description": "<p>Findings.</p><script>alert(1)</script>",
        "external_url": "",
        "publication_date": "2016-06-01",
        "language": "en",
        "tags": "Migration, Research",
        "status": "published",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Upload validation in the admin ------------------------------------------------------


def test_editor_uploads_pdf_and_gets_size_pages_and_cover(client, editor, media_root):
    """A good PDF is stored with its size and page count, and its first page becomes the cover."""
    pdf = pdf_bytes(pages=4)
    data = admin_form_data(
        document=SimpleUploadedFile("Lao migration study.pdf", pdf, "application/pdf")
    )
    response = client.post(reverse("admin:publications_publication_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    publication = Publication.objects.get()
    # The size of the file as stored, without its metadata (issue 14, item 18).
    assert publication.file_size == publication.document.size < len(pdf)
    assert publication.page_count == 4
    assert publication.document.name.endswith(".pdf")
    assert publication.has_generated_cover
    with Image.open(publication.cover.path) as cover:
        assert cover.format == "JPEG"
        assert cover.width == publication.cover_width and cover.width > 300
        assert cover.height > cover.width  # portrait, like the A4 page it shows
    assert "<script>" not in publication.description
    assert publication.summary == "Findings."
    assert sorted(tag.name for tag in publication.tags.all()) == [
        "Migration",
        "Research",
    ]


def test_uploaded_cover_wins_over_pdf_page(client, editor):
    data = admin_form_data(
        document=pdf_upload(), cover=image_upload("cover.png", image_format="PNG")
    )
    assert (
        client.post(reverse("admin:publications_publication_add"), data).status_code
        == 302
    )
    publication = Publication.objects.get()
    assert not publication.has_generated_cover
    assert (publication.cover_width, publication.cover_height) == (800, 600)


BAD_PDFS = {
    "not_pdf": (
        SimpleUploadedFile(
            "report.pdf",
            b"MZ\x90\x00 this is an executable, not a PDF" * 20,
            "application/pdf",
        ),
        "not a PDF, whatever its name",
    ),
    "html_named_pdf": (
        SimpleUploadedFile(
            "report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
        ),
        "not a PDF, whatever its name",
    ),
    "broken_pdf": (
        SimpleUploadedFile(
            "report.pdf",
            b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> garbage",
            "application/pdf",
        ),
        "This PDF is damaged",
    ),
    "truncated_pdf": (None, "This PDF is damaged"),
}


@pytest.mark.parametrize("case", sorted(BAD_PDFS))
def test_bad_pdf_is_refused_with_a_clear_error_and_nothing_stored(
    client, editor, media_root, case
):
    upload, message = BAD_PDFS[case]
    if upload is None:
        upload = SimpleUploadedFile(
            "report.pdf", pdf_bytes(pages=3)[:300], "application/pdf"
        )
    upload.seek(0)
    response = client.post(
        reverse("admin:publications_publication_add"), admin_form_data(document=upload)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "give an external URL" not in html  # one clear error, not two
    assert 'value="Labour migration from Lao PDR"' in html  # what was typed is kept
    assert not Publication.objects.exists()
    assert stored_files(media_root) == []


def polyglot(where):
    """A real PDF that is also a web page: markup after its %PDF- line, after its end,
    or in a stream at its start, where a type sniffer looks."""
    page = b"<html><body><script>alert(document.domain)</script></body></html>\n"
    pdf = pdf_bytes(pages=2)
    header, rest = pdf.split(b"\n", 1)
    if where == "after_header":
        return header + b"\n" + page + rest
    if where == "after_end":
        return pdf + page
    return (
        header
        + b"\n9 0 obj <</Length 70>>\nstream\n"
        + page
        + b"endstream\nendobj\n"
        + rest
    )


@pytest.mark.parametrize(
    "where", ["after_header", "after_end", "in_a_stream_at_the_start"]
)
def test_a_pdf_that_is_also_a_web_page_is_refused(client, editor, media_root, where):
    upload = SimpleUploadedFile("report.pdf", polyglot(where), "application/pdf")
    response = client.post(
        reverse("admin:publications_publication_add"), admin_form_data(document=upload)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This PDF also contains web page code (HTML)" in html
    assert "give an external URL" not in html
    assert not Publication.objects.exists() and stored_files(media_root) == []


def test_markup_inside_a_pages_compressed_content_is_not_mistaken_for_a_polyglot():
    """Streams are binary (compressed pages, images): only what lies outside them counts."""
    from publications.services import pdf_inspect

    pdf = pdf_bytes(pages=2)
    header, rest = pdf.split(b"\n", 1)
    filler = b"0" * 1200  # past the part a type sniffer reads
    stream = b"<script> in a stream </script>"
    data = (
        header
        + b"\n%"
        + filler
        + b"\n9 0 obj <</Length 31>>\nstream\n"
        + stream
        + b"\nendstream\nendobj\n"
        + rest
    )
    assert pdf_inspect(upload=SimpleUploadedFile("r.pdf", data)).page_count == 2


def pdf_with_metadata():
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(pages=2))))
    writer.add_metadata(
        {
            "/Author": "Jane Field-Officer",
            "/Producer": "Secret Scanner 9.1",
            "/Creator": "HR laptop 42",
        }
    )
    writer.xmp_metadata = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jane Field-Officer</dc:creator>'
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_metadata_is_stripped_on_upload(client, editor, media_root):
    """Author, software and XMP never reach visitors; the pages do, all of them."""
    data = pdf_with_metadata()
    assert b"Jane Field-Officer" in data and b"Secret Scanner" in data
    upload = SimpleUploadedFile("report.pdf", data, "application/pdf")
    response = client.post(
        reverse("admin:publications_publication_add"), admin_form_data(document=upload)
    )
    assert response.status_code == 302
    publication = Publication.objects.get()
    stored = publication.document.read()
    for secret in (b"Jane Field-Officer", b"Secret Scanner", b"HR laptop", b"xmpmeta"):
        assert secret not in stored
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 2 == publication.page_count
    assert not (reader.metadata or {}).get("/Author") and reader.xmp_metadata is None
    assert publication.file_size == len(stored)


DEMO_ASSETS = Path(__file__).resolve().parent.parent / "publications" / "demo_assets"


def film_upload(name="film.mp4", data=None):
    data = (DEMO_ASSETS / "commit-10-years.mp4").read_bytes() if data is None else data
    return SimpleUploadedFile(name, data, "video/mp4")


def captions_upload(data=b"WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nHello\n"):
    return SimpleUploadedFile("film.vtt", data, "text/vtt")


def test_editor_uploads_a_film_with_captions_and_it_plays_on_the_page(
    client, editor, media_root, django_capture_on_commit_callbacks
):
    data = admin_form_data(
        kind="video", video=film_upload(), captions=captions_upload()
    )
    response = client.post(reverse("admin:publications_publication_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    publication = Publication.objects.get()
    html = client.get(publication.get_absolute_url()).content.decode()
    assert f'<source src="{publication.video.url}" type="video/mp4">' in html
    assert '<track kind="captions"' in html
    assert len(stored_files(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        publication_delete(publication=publication)
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {"video": film_upload(data=b"<html><script>alert(1)</script></html>" * 3)},
            "not an MP4 or WebM video",
        ),
        (
            {
                "video": film_upload(),
                "captions": captions_upload(b"<script>alert(1)</script>"),
            },
            "not a WebVTT captions file",
        ),
        (
            {"captions": captions_upload(), "external_url": "https://example.org/"},
            "Captions go with a video file",
        ),
    ],
    ids=["html-named-mp4", "html-named-vtt", "captions-alone"],
)
def test_bad_video_files_are_refused_with_a_clear_error(
    client, editor, media_root, files, message
):
    for upload in files.values():
        if hasattr(upload, "seek"):
            upload.seek(0)
    response = client.post(
        reverse("admin:publications_publication_add"),
        admin_form_data(kind="video", **files),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Publication.objects.exists() and stored_files(media_root) == []


def test_pdf_over_the_limit_is_refused(client, editor, media_root, settings):
    settings.PUBLICATIONS_MAX_UPLOAD_BYTES = 50_000
    response = client.post(
        reverse("admin:publications_publication_add"),
        admin_form_data(document=pdf_upload(pages=3)),
    )
    html = response.content.decode()
    assert "the limit is 48.8\xa0KB" in html
    assert not Publication.objects.exists() and stored_files(media_root) == []


def test_upload_limit_comes_from_the_environment(monkeypatch):
    import importlib

    import unact.settings

    monkeypatch.setenv("PUBLICATIONS_MAX_UPLOAD_MB", "7")
    try:
        assert (
            importlib.reload(unact.settings).PUBLICATIONS_MAX_UPLOAD_BYTES
            == 7 * 1024 * 1024
        )
    finally:
        monkeypatch.delenv("PUBLICATIONS_MAX_UPLOAD_MB")
        importlib.reload(unact.settings)
    assert unact.settings.PUBLICATIONS_MAX_UPLOAD_BYTES == 50 * 1024 * 1024


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "cover, message",
    [
        (
            SimpleUploadedFile("cover.jpg", b"not an image at all", "image/jpeg"),
            "Upload a valid image",
        ),
        (SimpleUploadedFile("cover.svg", SVG, "image/svg+xml"), "Upload a valid image"),
        (
            SimpleUploadedFile(
                "cover.bmp", image_bytes(image_format="BMP"), "image/bmp"
            ),
            "(this one is BMP)",
        ),
    ],
    ids=["garbage", "svg", "bmp"],
)
def test_bad_cover_image_is_refused(client, editor, media_root, cover, message):
    response = client.post(
        reverse("admin:publications_publication_add"),
        admin_form_data(document=pdf_upload(), cover=cover),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Publication.objects.exists() and stored_files(media_root) == []


def test_decompression_bomb_cover_is_refused(client, editor, media_root, monkeypatch):
    data = admin_form_data(
        document=pdf_upload(),
        cover=image_upload("big.png", width=400, height=300, image_format="PNG"),
    )
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    response = client.post(reverse("admin:publications_publication_add"), data)
    assert "too many pixels" in response.content.decode()
    assert not Publication.objects.exists() and stored_files(media_root) == []


def test_publication_needs_a_file_or_a_url(client, editor):
    response = client.post(
        reverse("admin:publications_publication_add"), admin_form_data()
    )
    html = response.content.decode()
    assert "Upload a PDF or a video file, or give an external URL below." in html
    assert not Publication.objects.exists()


def test_database_refuses_a_publication_without_file_or_url():
    with pytest.raises(IntegrityError):
        PublicationFactory(external_url="")


def test_reserved_slug_is_refused(client, editor):
    response = client.post(
        reverse("admin:publications_publication_add"),
        admin_form_data(slug="feed", external_url="https://example.org/"),
    )
    assert "names a page of the library" in response.content.decode()


# Files are never orphaned ------------------------------------------------------------


def test_replacing_the_pdf_keeps_the_old_one_for_its_revision_until_deleted(
    client, editor, media_root, django_capture_on_commit_callbacks
):
    client.post(
        reverse("admin:publications_publication_add"),
        admin_form_data(document=pdf_upload(pages=3)),
    )
    publication = Publication.objects.get()
    client.get(
        publication.cover_320.url
    )  # renditions exist on disk (made when the cover was saved)
    before = stored_files(media_root)
    # Two widths, each as JPEG and WebP.
    assert len([name for name in before if name.startswith("renditions/")]) == 4
    old_document, old_cover = publication.document.name, publication.cover.name

    data = admin_form_data(document=pdf_upload("second edition.pdf", pages=5))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:publications_publication_change", args=[publication.pk]),
            data,
        )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.page_count == 5
    assert (
        publication.document.name != old_document
        and publication.cover.name != old_cover
    )
    after = stored_files(media_root)
    # The first revision (made by the admin) still refers to the old PDF and cover: they
    # stay, so that restoring it works; deleting the publication removes them all.
    assert old_document in after and old_cover in after
    with django_capture_on_commit_callbacks(execute=True):
        publication_delete(publication=publication)
    assert stored_files(media_root) == []


def test_replacing_the_pdf_keeps_an_uploaded_cover(
    media_root, django_capture_on_commit_callbacks
):
    publication = PublicationFactory.build(
        external_url="", document=pdf_upload(), cover=image_upload()
    )
    publication_save(publication=publication)
    cover = publication.cover.name
    publication.document = pdf_upload(pages=2)
    with django_capture_on_commit_callbacks(execute=True):
        publication_save(publication=publication)
    assert publication.cover.name == cover and publication.page_count == 2
    assert (
        len([name for name in stored_files(media_root) if name.endswith(".pdf")]) == 1
    )


def test_clearing_the_pdf_for_a_link_removes_file_and_generated_cover(
    client, editor, media_root, django_capture_on_commit_callbacks
):
    publication = pdf_publication()
    data = admin_form_data(
        slug=publication.slug,
        external_url="https://example.org/report",
        **{"document-clear": "on"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:publications_publication_change", args=[publication.pk]),
            data,
        )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert not publication.document and not publication.cover
    assert publication.file_size is None and publication.page_count is None
    assert [
        name for name in stored_files(media_root) if not name.startswith("renditions/")
    ] == []


def test_deleting_in_admin_removes_every_file(
    client, editor, media_root, django_capture_on_commit_callbacks
):
    first, second = pdf_publication(), pdf_publication()
    assert stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:publications_publication_delete", args=[first.pk]),
            {"post": "yes"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:publications_publication_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [second.pk],
                "post": "yes",
            },
        )
    assert not Publication.objects.exists()
    assert stored_files(media_root) == []


def test_failed_save_leaves_no_file(media_root):
    PublicationFactory(slug="taken")
    publication = PublicationFactory.build(
        slug="taken", external_url="", document=pdf_upload()
    )
    with pytest.raises(IntegrityError):
        publication_save(publication=publication)
    assert stored_files(media_root) == []


# Public pages ------------------------------------------------------------------------


def test_list_hides_drafts_and_future_publications(client):
    PublicationFactory(title="Annual report 2015")
    PublicationFactory(title="Draft brief", draft=True)
    PublicationFactory(title="Next week's newsletter", scheduled=True)
    html = client.get(reverse("publications:list")).content.decode()
    assert "Annual report 2015" in html
    assert "Draft brief" not in html and "Next week" not in html


def test_list_is_newest_first_and_paginated(client, settings):
    settings.PUBLICATIONS_PER_PAGE = 2
    for days, title in [(30, "Oldest"), (10, "Middle"), (1, "Newest")]:
        PublicationFactory(
            title=title, publication_date=timezone.localdate() - timedelta(days=days)
        )
    html = client.get(
        reverse("publications:list"), {"kind": "research-report"}
    ).content.decode()
    assert html.index("Newest") < html.index("Middle") and "Oldest" not in html
    assert (
        "?kind=research-report&amp;page=2" in html
    )  # filters stay in the pagination links
    page_two = client.get(
        reverse("publications:list"), {"kind": "research-report", "page": "2"}
    ).content.decode()
    assert "Oldest" in page_two


@pytest.fixture
def library():
    today = timezone.localdate()
    return {
        "cambodia_brief_2016": PublicationFactory(
            title="Cambodia brief", kind="brief", publication_date=today.replace(year=2016),
            countries=["cambodia"], tags=["Forced marriage"],
        ),
        "thai_report_2016": PublicationFactory(
            title="Thailand research", kind="research-report", publication_date=today.replace(year=2016),
            countries=["thailand", "lao-pdr"], tags=["Labour migration"],
        ),
        "thai_brief_2015": PublicationFactory(
            title="Thailand brief", kind="brief", publication_date=today.replace(year=2015),
            countries=["thailand"], tags=["Labour migration"],
        ),
        "draft_thai_brief": PublicationFactory(
            title="Secret draft", kind="brief", countries=["thailand"], tags=["Labour migration"], draft=True,
        ),
    }  # fmt: skip


def titles(response):
    return [publication.title for publication in response.context["publications"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["Cambodia brief", "Thailand research", "Thailand brief"]),
        ({"kind": "brief"}, ["Cambodia brief", "Thailand brief"]),
        ({"kind": "brief", "country": "thailand"}, ["Thailand brief"]),
        ({"country": "thailand", "year": "2016"}, ["Thailand research"]),
        ({"tag": "labour-migration", "year": "2015"}, ["Thailand brief"]),
        ({"tag": "labour-migration", "kind": "brief", "country": "cambodia"}, []),
        ({"country": "lao-pdr"}, ["Thailand research"]),
    ],
)
def test_filters_combine(client, library, query, expected):
    response = client.get(reverse("publications:list"), query)
    assert sorted(titles(response)) == sorted(expected)


def test_filter_options_show_counts_under_the_other_filters(client, library):
    response = client.get(reverse("publications:list"), {"country": "thailand"})
    html = response.content.decode()
    # Kinds are counted among Thai publications; drafts never count.
    assert '<option value="brief" selected>' not in html
    assert '<option value="brief">Brief (1)</option>' in html
    assert '<option value="research-report">Research report (1)</option>' in html
    # Countries are counted ignoring the country filter itself.
    assert '<option value="thailand" selected>Thailand (2)</option>' in html
    assert '<option value="cambodia">Cambodia (1)</option>' in html
    assert '<option value="2016">2016 (1)</option>' in html
    assert '<option value="labour-migration">Labour migration (2)</option>' in html
    assert "Forced marriage" not in html  # only on a Cambodian publication


@pytest.mark.parametrize(
    "query, count",
    [
        ({}, "3 publications match"),  # no filter: no count line at all
        ({"country": "thailand"}, "2 publications match:"),
        ({"kind": "brief"}, "2 publications match:"),
        ({"kind": "brief", "country": "thailand"}, "1 publication matches:"),
        ({"tag": "labour-migration", "year": "2016"}, "1 publication matches:"),
        ({"kind": "video"}, "0 publications match:"),
    ],
)
def test_the_number_of_matches_is_counted_under_every_filter(
    client, library, query, count
):
    html = client.get(reverse("publications:list"), query).content.decode()
    if query:
        assert count in html
    else:
        assert "publications match" not in html


def test_filter_options_are_escaped_and_in_order(client):
    PublicationFactory(
        countries=["thailand", "regional", "cambodia"],
        tags=["<b>Bold</b> & co", "zebra", "Alpha", "beta"],
    )
    html = client.get(reverse("publications:list")).content.decode()
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co (1)</option>" in html
    # Countries in their own order (Regional last), topics alphabetically, any case.
    countries = ("Cambodia", "Thailand", "Regional")
    positions = [html.index(f">{name} (1)<") for name in countries]
    assert positions == sorted(positions)
    positions = [html.index(f">{name} (1)<") for name in ("Alpha", "beta", "zebra")]
    assert positions == sorted(positions)


def test_option_counts_follow_the_thousand_separator_setting(settings):
    from django.template.loader import render_to_string

    def filter_options(options):
        return render_to_string(
            "publications/publication_filter_options.html", {"options": options}
        ).strip()

    option = {"value": "brief", "label": "Brief", "count": 1234, "selected": True}
    html = '<option value="brief" selected>Brief (1234)</option>'
    assert filter_options([option]).strip() == html
    settings.USE_THOUSAND_SEPARATOR = True
    assert "Brief (1,234)" in filter_options([option])


def test_kind_labels_as_django_gives_them():
    assert Publication(kind="research-report").get_kind_display() == "Research report"
    assert Publication(kind="retired-kind").get_kind_display() == "retired-kind"


def test_a_page_past_the_end_shows_the_last_page_of_matches(client, library, settings):
    settings.PUBLICATIONS_PER_PAGE = 1
    query = {"tag": "labour-migration", "page": "9"}
    response = client.get(reverse("publications:list"), query)
    assert response.context["page_obj"].number == 2
    assert titles(response) == ["Thailand brief"]  # newest first: 2016, then 2015
    response = client.get(reverse("publications:list"), {**query, "page": "1"})
    assert titles(response) == ["Thailand research"]


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "<script>"},
        {"year": "twenty"},
        {"year": "99999999999999999999"},
        {"year": "-1"},
        {"country": "../../etc/passwd"},
        {"tag": "a" * 500},
        {"page": "9999"},
        {"page": "x", "kind": ["brief", "video"]},
        {"country": "\x00"},
    ],
)
def test_malformed_filters_never_fail(client, library, query):
    response = client.get(reverse("publications:list"), query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


@pytest.mark.parametrize(
    "query", [{"country": "atlantis"}, {"tag": "no-such-tag"}, {"year": "1999"}]
)
def test_unknown_filter_values_give_an_empty_list(client, library, query):
    response = client.get(reverse("publications:list"), query)
    assert response.status_code == 200
    assert titles(response) == []
    assert "No publications match these filters." in response.content.decode()


LIST_QUERIES = 2  # every filter's counts (and so the list's), then the page


@pytest.mark.parametrize("count", [5, 60])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kind": "brief"},
        {"country": "thailand", "year": "2016"},
        {
            "kind": "brief",
            "year": "2016",
            "country": "thailand",
            "tag": "labour-migration",
            "page": "2",
        },
    ],
    ids=["none", "kind", "country+year", "all+page2"],
)
def test_list_query_count_is_constant(
    client, django_assert_num_queries, settings, count, query
):
    settings.PUBLICATIONS_PER_PAGE = 2
    day = timezone.localdate().replace(year=2016, month=3, day=1)
    for number in range(count):
        PublicationFactory(
            kind="brief",
            publication_date=day,
            countries=["thailand", "regional"],
            tags=["Labour migration", f"Topic {number}"],
        )
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("publications:list"), query)
    assert len(response.context["publications"]) == 2


def test_detail_shows_metadata_download_button_and_related_posts(client):
    post = PostFactory(title="Launching the Lao migration study")
    draft_post = PostFactory(title="Unreleased post", draft=True)
    publication = pdf_publication(
        pages=4,
        title="Lao migration study",
        countries=["lao-pdr", "thailand"],
        tags=["Migration"],
    )
    publication.related_posts.set([post, draft_post])
    html = client.get(publication.get_absolute_url()).content.decode()
    size = f"{publication.file_size / 1024:.1f}\xa0KB"
    assert f"(PDF, {size}, 4 pages)" in html
    assert reverse("publications:download", args=[publication.slug]) in html
    assert (
        "Lao PDR" in html
        and "Thailand" in html
        and "English" in html
        and "Migration" in html
    )
    assert "Launching the Lao migration study" in html and "Unreleased post" not in html
    assert "Cover of Lao migration study" in html


def test_post_page_shows_its_publications(client):
    post = PostFactory(title="Newsletter out now")
    publication = pdf_publication(title="April 2016 newsletter")
    hidden = PublicationFactory(title="Draft edition", draft=True)
    publication.related_posts.add(post)
    hidden.related_posts.add(post)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "April 2016 newsletter" in html and publication.get_absolute_url() in html
    assert "Draft edition" not in html


def test_video_plays_only_after_a_click(client):
    publication = PublicationFactory(
        kind="video", external_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    html = client.get(publication.get_absolute_url()).content.decode()
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert "<iframe" not in html  # nothing is requested from the video host until play


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_drafts_and_future_publications_are_404(client, trait):
    publication = PublicationFactory(
        **{trait: True}, external_url="https://example.org/x"
    )
    assert client.get(publication.get_absolute_url()).status_code == 404
    assert (
        client.get(
            reverse("publications:download", args=[publication.slug])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("publications:detail", args=["no-such-thing"])).status_code
        == 404
    )


def test_staff_preview_a_draft_with_a_banner_never_cached(client):
    publication = PublicationFactory(title="Coming brief", draft=True)
    client.force_login(StaffFactory(groups=[EDITORS]))
    response = client.get(publication.get_absolute_url())
    assert response.status_code == 200
    assert "Only staff see this preview." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    client.force_login(UserFactory())  # logged in without permission: still 404
    assert client.get(publication.get_absolute_url()).status_code == 404


# Downloads ---------------------------------------------------------------------------


def test_download_counts_and_serves_the_pdf(client):
    publication = pdf_publication(
        title="Results at a glance", slug="results-at-a-glance"
    )
    response = client.get(reverse("publications:download", args=[publication.slug]))
    body = b"".join(
        response.streaming_content
    )  # the test client closes the file at the end
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="results-at-a-glance.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(body)).pages) == 3
    publication.refresh_from_db()
    assert publication.download_count == 1


def test_download_of_a_link_redirects_and_counts(client):
    publication = PublicationFactory(external_url="https://example.org/report.pdf")
    response = client.get(reverse("publications:download", args=[publication.slug]))
    assert (
        response.status_code == 302
        and response["Location"] == "https://example.org/report.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    publication.refresh_from_db()
    assert publication.download_count == 1


def test_staff_download_of_a_draft_is_not_counted(client):
    publication = pdf_publication(status="draft")
    client.force_login(StaffFactory(groups=[EDITORS]))
    response = client.get(reverse("publications:download", args=[publication.slug]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response.status_code == 200
    publication.refresh_from_db()
    assert publication.download_count == 0


def test_head_requests_to_a_download_are_answered_but_not_counted(client):
    pdf = pdf_publication(slug="counted-pdf")
    link = PublicationFactory(external_url="https://example.org/report.pdf")
    response = client.head(reverse("publications:download", args=[pdf.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response = client.head(reverse("publications:download", args=[link.slug]))
    assert response.status_code == 302
    for publication in (pdf, link):
        publication.refresh_from_db()
        assert publication.download_count == 0


def test_a_request_for_the_rest_of_a_file_is_not_a_new_download(client):
    """Ranges are not served (Accept-Ranges: none): the whole file comes back, and only a
    request from the first byte counts."""
    publication = pdf_publication(slug="ranged")
    url = reverse("publications:download", args=[publication.slug])
    for header, counted in (
        ("bytes=0-", 1),
        ("bytes=1000-", 1),
        ("bytes=0-99", 2),
        ("bytes=500-999", 2),
    ):
        response = client.get(url, HTTP_RANGE=header)
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Accept-Ranges"] == "none"
        assert body.startswith(b"%PDF-")
        publication.refresh_from_db()
        assert publication.download_count == counted, header


def test_every_public_link_to_a_pdf_is_the_counted_download(client):
    """The page, its structured data and the feed all link the download view, never /media/."""
    publication = pdf_publication(slug="linked")
    download = reverse("publications:download", args=[publication.slug])
    for url in (
        publication.get_absolute_url(),
        reverse("publications:feed"),
        reverse("publications:list"),
    ):
        text = client.get(url).content.decode()
        assert publication.document.name not in text, url
    assert download in client.get(publication.get_absolute_url()).content.decode()
    assert download in client.get(reverse("publications:feed")).content.decode()


def test_missing_file_is_a_404_not_a_500(client):
    publication = pdf_publication()
    publication.document.storage.delete(publication.document.name)
    assert (
        client.get(
            reverse("publications:download", args=[publication.slug])
        ).status_code
        == 404
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Concurrency is tested on PostgreSQL."
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_downloads_count_exactly_twenty():
    """Twenty simultaneous downloads on PostgreSQL add exactly twenty (one atomic UPDATE each)."""
    publication = PublicationFactory(
        external_url="", document=ContentFile(pdf_bytes(pages=2), name="r.pdf")
    )
    Publication.objects.filter(pk=publication.pk).update(download_count=100)
    barrier = threading.Barrier(20)
    statuses = []

    def download():
        try:
            barrier.wait(timeout=30)
            response = Client().get(
                reverse("publications:download", args=[publication.slug])
            )
            b"".join(response.streaming_content)
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=download) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 20
    publication.refresh_from_db()
    assert publication.download_count == 120


# Feed, sitemap, admin, demo ----------------------------------------------------------


def test_feed_lists_published_publications_with_pdf_enclosures(client, settings):
    settings.SITE_URL = "https://unact.example.org"
    publication = pdf_publication(title="Annual report")
    PublicationFactory(title="Hidden draft", draft=True)
    PublicationFactory(title="Future edition", scheduled=True)
    feed = feedparser.parse(client.get(reverse("publications:feed")).content)
    assert [entry.title for entry in feed.entries] == ["Annual report"]
    enclosure = feed.entries[0].enclosures[0]
    # The counted download, not the file under /media/ (issue 14, item 6).
    download = reverse("publications:download", args=[publication.slug])
    assert enclosure.href == f"https://unact.example.org{download}"
    assert (
        enclosure.type == "application/pdf"
        and int(enclosure.length) == publication.file_size
    )


def test_sitemap_lists_only_published_publications(client):
    visible = PublicationFactory()
    hidden = PublicationFactory(draft=True)
    xml = client.get(reverse("sitemap")).content.decode()
    assert visible.get_absolute_url() in xml and hidden.get_absolute_url() not in xml
    assert reverse("publications:list") in xml


def test_admin_list_bulk_publish_and_unpublish(client, editor):
    drafts = [PublicationFactory(draft=True), PublicationFactory(draft=True)]
    pdf_publication()
    url = reverse("admin:publications_publication_changelist")
    response = client.get(url, {"kind__exact": "research-report", "q": "Publication"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "renditions/publications/covers/" in html  # the cover thumbnail column
    response = client.post(
        url,
        {"action": "publish", "_selected_action": [item.pk for item in drafts]},
        follow=True,
    )
    assert "2 publications published." in response.content.decode()
    assert Publication.objects.published().count() == 3
    client.post(url, {"action": "unpublish", "_selected_action": [drafts[0].pk]})
    assert Publication.objects.published().count() == 2


def test_editors_group_may_edit_publications():
    permissions = set(
        Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True)
    )
    assert {
        "add_publication",
        "change_publication",
        "delete_publication",
        "view_publication",
    } <= permissions


def test_post_admin_can_name_related_publications(client, editor):
    post = PostFactory()
    response = client.get(reverse("admin:posts_post_change", args=[post.pk]))
    assert "related publications" in response.content.decode().lower()


def test_demo_loads_six_real_publications_once(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--no-admin", stdout=StringIO())
    call_command("load_demo", "--no-admin", stdout=StringIO())
    assert Publication.objects.published().filter(language="en").count() == 6
    for publication in Publication.objects.exclude(kind="video"):
        reader = PdfReader(publication.document.path)
        assert len(reader.pages) == publication.page_count >= 2
        assert (
            publication.has_generated_cover and publication.related_posts.count() == 1
        )
    assert Publication.objects.get(slug="un-act-2015-annual-report").page_count >= 8
    video = Publication.objects.get(kind="video")
    # A film of its own with captions (issue 14, item 7), no longer a link elsewhere.
    assert (
        video.video and video.captions and not video.external_url and not video.document
    )
    assert video.related_posts.get().slug == "commit-10-years-and-som-imm-video"
    # The brochure in Thai and Khmer: editions of its group that share its PDF (the
    # seed has no translated one), each linked to the announcing post's edition.
    brochure = Publication.objects.get(slug="un-act-brochure")
    editions = Publication.objects.filter(
        translation_key=brochure.translation_key
    ).exclude(pk=brochure.pk)
    assert sorted(edition.language for edition in editions) == ["km", "th"]
    for edition in editions:
        assert edition.is_published and edition.document.name == brochure.document.name
        assert edition.related_posts.get().language == edition.language


UNFINISHED = (
    "note for editors",
    "not part of the demo",
    "todo",
    "replace the",
    "lorem",
    "placeholder",
    "inventing",
)


@pytest.fixture
def demo():
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--no-admin", stdout=StringIO())


def test_the_demo_video_plays_from_this_site_with_captions(client, demo, settings):
    """The COMMIT 10 Years publication and its post both play the film; nothing is asked
    of another site."""
    publication = Publication.objects.get(slug="commit-10-years-and-som-imm-video")
    with publication.video.open("rb") as film:
        assert film.read(12)[4:8] == b"ftyp"
    with publication.captions.open("rb") as captions:
        assert captions.read().startswith(b"WEBVTT")
    for url in (
        publication.get_absolute_url(),
        "/posts/commit-10-years-and-som-imm-video/",
    ):
        html = client.get(url).content.decode()
        player = re.search(r"<video controls.*?</video>", html, re.DOTALL)
        assert player, url
        assert (
            f'<source src="{publication.video.url}" type="video/mp4">'
            in player.group(0)
        )
        assert (
            f'<track kind="captions" src="{publication.captions.url}" srclang="en"'
            in player.group(0)
        )
        assert publication.video.url.startswith(settings.MEDIA_URL)
        for outside in ("youtube", "vimeo", "data-embed", "no-trafficking.org"):
            assert outside not in html, (url, outside)
    assert client.get(publication.video.url).status_code == 200


def test_no_demo_publication_shows_unfinished_text(client, demo):
    pages = [reverse("publications:list"), reverse("publications:feed")]
    pages += [
        publication.get_absolute_url() for publication in Publication.objects.all()
    ]
    for url in pages:
        text = client.get(url).content.decode().lower()
        text = text.split("<main", 1)[-1]  # the page's own content (a feed: all of it)
        for words in UNFINISHED:
            assert words not in text, (url, words)


def test_service_delete_removes_files(media_root, django_capture_on_commit_callbacks):
    publication = pdf_publication()
    with django_capture_on_commit_callbacks(execute=True):
        publication_delete(publication=publication)
    assert stored_files(media_root) == []


NON_LATIN_TOPICS = ["การค้ามนุษย์", "ការជួញដូរមនុស្ស", "လူကုန်ကူးမှု", "人口贩卖"]


@pytest.mark.parametrize("topic", NON_LATIN_TOPICS)
def test_topic_filter_takes_every_topic_it_offers_in_any_script(client, topic):
    """Thai, Khmer, Burmese and Chinese topics: the value the menu offers filters the list."""
    PublicationFactory(title="In the topic", tags=[topic])
    PublicationFactory(title="Elsewhere", tags=["Labour migration"])
    html = client.get(reverse("publications:list")).content.decode()
    menu = html.split('<select id="filter-tag"', 1)[1].split("</select>", 1)[0]
    offered = re.search(
        rf'<option value="([^"]+)">{re.escape(topic)} \(1\)</option>', menu
    )
    assert offered, menu
    response = client.get(
        reverse("publications:list"), {"tag": html_unescape(offered.group(1))}
    )
    assert titles(response) == ["In the topic"]
    assert f"{topic} <span" in response.content.decode()  # shown as an active filter


def test_filter_counts_are_stored_until_the_content_changes(
    client, library, django_assert_num_queries
):
    """The counts are the same for every visitor: a second visit counts nothing, and a
    change visitors can see is counted at once."""
    query = {"country": "thailand"}
    client.get(reverse("publications:list"), query)
    with django_assert_num_queries(1):  # the page; the counts come from the cache
        html = client.get(reverse("publications:list"), query).content.decode()
    assert '<option value="brief">Brief (1)</option>' in html
    PublicationFactory(title="New Thai brief", kind="brief", countries=["thailand"])
    html = client.get(reverse("publications:list"), query).content.decode()
    assert '<option value="brief">Brief (2)</option>' in html
    assert "3 publications match:" in html
    library["draft_thai_brief"].status = "published"
    library["draft_thai_brief"].save()
    html = client.get(reverse("publications:list"), query).content.decode()
    assert '<option value="brief">Brief (3)</option>' in html


@pytest.mark.parametrize(
    "query", [{"tag": "made-up-topic"}, {"year": "1999"}, {"country": "atlantis"}]
)
def test_made_up_filter_values_are_never_stored(client, library, query):
    """They are counted each time (nothing matches, so there is no page to fetch)."""
    from django.test.utils import CaptureQueriesContext

    for _visit in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("publications:list"), query)
        assert len(queries) == 1 and "UNION ALL" in queries[0]["sql"]


def test_the_list_is_counted_when_the_cache_is_down(client, library, monkeypatch):
    def down(key):
        raise ConnectionError("cache down")

    monkeypatch.setattr("unact.pagecache.lookup", down)
    response = client.get(reverse("publications:list"), {"kind": "brief"})
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Cambodia brief", "Thailand brief"]


def test_country_names_are_in_the_pages_language(client, settings):
    """The country filter, a publication's countries and its structured data name the
    countries in the page's language (the rows hold the English names)."""
    settings.PUBLIC_LANGUAGES = ["en", "th", "km"]
    from publications.models import Country

    publication = PublicationFactory(title="Border survey", slug="border-survey")
    publication.countries.set(Country.objects.filter(code__in=["cambodia", "regional"]))
    thai_list = client.get("/th/publications/").content.decode()
    assert "กัมพูชา" in thai_list and "ระดับภูมิภาค" in thai_list
    assert ">Cambodia" not in thai_list
    thai = client.get("/th/publications/border-survey/").content.decode()
    assert 'country=cambodia">กัมพูชา</a>' in thai
    assert '{"@type": "Country", "name": "กัมพูชา"}' in thai
    khmer = client.get("/km/publications/border-survey/").content.decode()
    assert 'country=cambodia">កម្ពុជា</a>' in khmer
    english = client.get("/publications/border-survey/").content.decode()
    assert 'country=cambodia">Cambodia</a>' in english
