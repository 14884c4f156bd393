"""Publications: reading PDFs, making covers, saving and deleting without orphaned files."""

import io
import logging
import os
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Publication

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
# The cover is rendered this wide; pages of absurd dimensions are capped in pixels.
COVER_RENDER_WIDTH = 900
COVER_MAX_PIXELS = 4_000_000


# Markup a browser would act on. Outside the PDF's streams (where pages keep their
# compressed content) it has no place in a PDF: it is the mark of a PDF/HTML polyglot,
# a file that a browser or a proxy sniffing its type may run as a web page.
_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
_MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|script|iframe|frame|svg|object|embed|img|meta|style"
    rb"|form|link|base|applet)[\s>/]",
    re.IGNORECASE,
)
# The part of a file that type sniffers read: no markup there, even inside a stream.
_SNIFFED_BYTES = 1024


def _has_markup(data):
    return bool(
        _MARKUP.search(data[:_SNIFFED_BYTES]) or _MARKUP.search(_STREAM.sub(b"", data))
    )


@dataclass(frozen=True)
class PdfInfo:
    size: int
    page_count: int


def _read_all(upload):
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    try:
        return upload.read()
    finally:
        upload.seek(position)


def pdf_inspect(*, upload):
    """Size and page count of a PDF; ValidationError (with a code) if it is not a readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    limit = settings.PUBLICATIONS_MAX_UPLOAD_BYTES
    size = upload.size
    if size is not None and size > limit:
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    data = _read_all(upload)
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(
            _("This file is not a PDF, whatever its name says. Upload a PDF document."),
            code="not_pdf",
        )
    if _has_markup(data):
        raise ValidationError(
            _(
                "This PDF also contains web page code (HTML), which could attack "
                "visitors. Export or print the document to PDF again and upload the new file."
            ),
            code="pdf_with_markup",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _(
                    "This PDF is protected by a password. Upload a copy without a password."
                ),
                code="encrypted_pdf",
            )
        page_count = len(reader.pages)
    except ValidationError:
        raise
    except (
        PyPdfError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RecursionError,
        OSError,
    ) as error:
        logger.info("Refused a PDF that pypdf cannot read: %r", error)
        raise ValidationError(
            _(
                "This PDF is damaged and cannot be opened. Export it again and upload the new file."
            ),
            code="broken_pdf",
        )
    if page_count < 1:
        raise ValidationError(_("This PDF has no pages."), code="empty_pdf")
    return PdfInfo(size=len(data), page_count=page_count)


def pdf_strip_metadata(*, data):
    """The PDF rewritten without its metadata: the document information (author,
    creator, producer, dates, title), XMP streams of the document and its pages, and
    earlier revisions kept by incremental saves. None if pypdf cannot rewrite it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data), strict=False))
        writer.metadata = None
        writer.xmp_metadata = None
        for page in writer.pages:
            for key in ("/Metadata", "/PieceInfo"):
                if key in page:
                    del page[key]
        # The objects nothing refers to any more (the metadata's) are left out.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        buffer = io.BytesIO()
        writer.write(buffer)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            RecursionError, OSError) as error:  # fmt: skip
        logger.warning("Could not strip the metadata of a PDF: %r", error)
        return None
    return buffer.getvalue()


def pdf_render_cover(*, data):
    """A JPEG of the PDF's first page, or None when pdfium cannot render it."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
        try:
            page = document[0]
            width, height = page.get_size()
            scale = COVER_RENDER_WIDTH / max(width, 1)
            if width * height * scale * scale > COVER_MAX_PIXELS:
                scale = (COVER_MAX_PIXELS / max(width * height, 1)) ** 0.5
            image = page.render(scale=scale).to_pil().convert("RGB")
            page.close()
        finally:
            document.close()
    except Exception as error:  # noqa: BLE001 - pdfium raises its own errors for damaged pages.
        logger.warning("Could not render the cover of a PDF: %r", error)
        return None
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _stored_names(publication_id):
    """The document and cover names stored in the database for this row, before a save."""
    if publication_id is None:
        return "", ""
    row = (
        Publication.objects.filter(pk=publication_id)
        .values_list("document", "cover")
        .first()
    )
    return row or ("", "")


def _delete_cover_renditions(storage, cover_name):
    """Delete every imagekit rendition made from a cover (renditions/<cover name>/…)."""
    folder = os.path.join(
        settings.IMAGEKIT_CACHEFILE_DIR, os.path.splitext(cover_name)[0]
    )
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        storage.delete(os.path.join(folder, name))
    try:
        os.rmdir(storage.path(folder))
    except (NotImplementedError, OSError):
        pass  # Storages without folders, or a folder something else still uses.


def _delete_files(*, document_names=(), cover_names=()):
    """Delete stored files (and the renditions of covers) that no row uses any more."""
    document_storage = Publication._meta.get_field("document").storage
    cover_storage = Publication._meta.get_field("cover").storage
    for name in filter(None, document_names):
        if not Publication.objects.filter(document=name).exists():
            document_storage.delete(name)
    for name in filter(None, cover_names):
        if not Publication.objects.filter(cover=name).exists():
            cover_storage.delete(name)
            _delete_cover_renditions(cover_storage, name)


def publication_save(*, publication):
    """Save a publication: read its PDF, make a cover if none was given, delete replaced files."""
    old_document, old_cover = _stored_names(publication.pk)
    document_is_new = bool(publication.document) and not publication.document._committed
    cover_is_new = bool(publication.cover) and not publication.cover._committed
    document_changed = (
        document_is_new or (publication.document.name or "") != old_document
    )

    if document_is_new:
        info = pdf_inspect(upload=publication.document.file)
        publication.file_size, publication.page_count = info.size, info.page_count
        stripped = pdf_strip_metadata(data=_read_all(publication.document.file))
        if stripped is not None:  # else kept as uploaded (logged): pdf_inspect read it
            publication.document = ContentFile(stripped, name=publication.document.name)
            publication.file_size = len(stripped)
    elif not publication.document:
        publication.file_size = publication.page_count = None

    if cover_is_new:
        publication.has_generated_cover = False
    elif publication.has_generated_cover and document_changed:
        # A cover made from the old PDF no longer shows this one.
        publication.cover = None
        publication.has_generated_cover = False

    if not publication.cover and publication.document:
        if document_is_new:
            data = _read_all(publication.document.file)
        else:
            with publication.document.storage.open(
                publication.document.name, "rb"
            ) as stored:
                data = stored.read()
        cover = pdf_render_cover(data=data)
        if cover:
            publication.cover.save(
                f"{publication.slug or 'cover'}.jpg", ContentFile(cover), save=False
            )
            publication.has_generated_cover = True

    try:
        with transaction.atomic():
            publication.save()
            transaction.on_commit(
                lambda: _delete_files(
                    document_names=[old_document]
                    if old_document != publication.document.name
                    else [],
                    cover_names=[old_cover]
                    if old_cover != publication.cover.name
                    else [],
                )
            )
    except Exception:
        # The row was not saved: remove the files this attempt wrote.
        new_documents = (
            [publication.document.name]
            if publication.document.name != old_document
            else []
        )
        new_covers = (
            [publication.cover.name] if publication.cover.name != old_cover else []
        )
        _delete_files(document_names=new_documents, cover_names=new_covers)
        raise
    return publication


def publication_delete(*, publication):
    """Delete a publication with its PDF, its cover and the cover's renditions."""
    document, cover = publication.document.name, publication.cover.name
    with transaction.atomic():
        publication.delete()
        transaction.on_commit(
            lambda: _delete_files(document_names=[document], cover_names=[cover])
        )


def publication_count_download(*, publication):
    """Add one to the download count in a single atomic UPDATE (right under concurrency)."""
    Publication.objects.filter(pk=publication.pk).update(
        download_count=F("download_count") + 1
    )
