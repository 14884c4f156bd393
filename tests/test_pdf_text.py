"""Search reads a publication's PDF: its text layer is read on upload (issue 17)."""

import re

import pytest

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publications import services
from publications.models import Publication

from .factories import PublicationFactory, pdf_bytes, pdf_with_text
from .test_publications import admin_form_data, editor  # noqa: F401 (its fixture)

pytestmark = pytest.mark.django_db


def _upload(client, pdf, **overrides):
    data = admin_form_data(
        document=SimpleUploadedFile("report.pdf", pdf, "application/pdf"), **overrides
    )
    response = client.post(reverse("admin:publications_publication_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Publication.objects.get(slug=data["slug"])


def _titles(client, query):
    html = client.get("/search/", {"q": query}).content.decode()
    return re.findall(
        r'class="search-title"[^>]*>\s*<a[^>]*>(.*?)</a>', html, re.S
    ), html


@pytest.mark.usefixtures("editor")
def test_a_word_only_in_the_pdf_finds_the_publication_with_it_highlighted(
    client, media_root
):
    publication = _upload(
        client,
        pdf_with_text(
            "Shelters for survivors of debt bondage",
            "were opened in Kanchanaburi province.",
        ),
        description="<p>Findings on labour migration.</p>",
    )
    assert "Kanchanaburi province" in publication.document_text
    client.logout()
    titles, html = _titles(client, "Kanchanaburi")
    assert [title.strip() for title in titles] == [publication.title]
    assert "<mark>Kanchanaburi</mark>" in html
    # Words of the description and of the PDF together, as a reader types them.
    titles, _html = _titles(client, "labour shelters")
    assert len(titles) == 1


@pytest.mark.usefixtures("editor")
def test_staff_see_whether_the_pdf_has_searchable_text(client, media_root):
    with_text = _upload(client, pdf_with_text("Referral of survivors across borders"))
    change = reverse("admin:publications_publication_change", args=[with_text.pk])
    html = client.get(change).content.decode()
    assert "its text is searchable (36 characters)" in html

    drawn = _upload(client, pdf_bytes(pages=2), slug="drawn-report", title="Drawn")
    assert drawn.document_text == ""
    change = reverse("admin:publications_publication_change", args=[drawn.pk])
    assert "no text found in it (scanned pages?)" in client.get(change).content.decode()


@pytest.mark.usefixtures("editor")
def test_a_replaced_or_removed_pdf_takes_its_text_with_it(client, media_root):
    publication = _upload(client, pdf_with_text("Kanchanaburi shelters"))
    publication.document = SimpleUploadedFile(
        "new.pdf", pdf_with_text("Mae Sot clinic"), "application/pdf"
    )
    services.publication_save(publication=publication)
    publication.refresh_from_db()
    assert publication.document_text == "Mae Sot clinic"
    assert _titles(client, "Kanchanaburi")[0] == []
    assert len(_titles(client, "clinic")[0]) == 1

    publication.document = None
    publication.external_url = "https://example.org/report"
    services.publication_save(publication=publication)
    publication.refresh_from_db()
    assert publication.document_text == ""
    assert _titles(client, "clinic")[0] == []


def test_a_long_pdf_keeps_only_the_first_part_of_its_text(monkeypatch):
    monkeypatch.setattr(services, "PDF_TEXT_LIMIT", 20)
    text = services.pdf_text(data=pdf_with_text("one two three four five six seven"))
    assert text == "one two three four f"


def test_a_pdf_pdfium_cannot_read_gives_no_text_and_no_error():
    assert services.pdf_text(data=b"%PDF-1.4 not really a PDF") == ""


def test_lists_and_pages_never_load_the_pdf_text(client):
    """The text can be 200,000 characters: cards, pages and feeds leave it in the database."""
    PublicationFactory(slug="mekong-report", document_text="Kanchanaburi " * 1000)
    for url in [
        "/publications/",
        "/publications/mekong-report/",
        "/publications/feed/",
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert not [q for q in queries if "document_text" in q["sql"]], url


@pytest.mark.usefixtures("editor")
def test_the_migration_reads_the_pdfs_already_stored(client, media_root):
    publication = _upload(client, pdf_with_text("Shelter in Kanchanaburi"))
    Publication.objects.filter(pk=publication.pk).update(document_text="")
    migration = __import__(
        "publications.migrations.0011_publication_document_text",
        fromlist=["read_stored_pdfs"],
    )
    migration.read_stored_pdfs(apps, None)
    publication.refresh_from_db()
    assert publication.document_text == "Shelter in Kanchanaburi"
