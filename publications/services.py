"""Publications: reading PDFs, making covers, saving and deleting without orphaned files."""

import io
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from unact.images import renditions_delete

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


def _refuse_over_the_limit(upload):
    """ValidationError (file_too_large) for a PDF or film over the upload limit."""
    limit = settings.PUBLICATIONS_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s."),
            code="file_too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )


def pdf_inspect(*, upload):
    """Size and page count of a PDF; ValidationError (with a code) if it is not a readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    _refuse_over_the_limit(upload)
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
        ) from error
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
        writer.compress_identical_objects(
            remove_duplicates=False, remove_unreferenced=True
        )
        buffer = io.BytesIO()
        writer.write(buffer)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            RecursionError, OSError) as error:  # fmt: skip
        logger.warning("Could not strip the metadata of a PDF: %r", error)
        return None
    return buffer.getvalue()


def _head(upload, size=64):
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    try:
        return upload.read(size)
    finally:
        upload.seek(position)


def video_check(*, upload):
    """Refuse (ValidationError with a code) a video file that is not MP4 or WebM by its
    content, or is over the upload limit."""
    _refuse_over_the_limit(upload)
    head = _head(upload)
    is_mp4 = head[4:8] == b"ftyp"
    is_webm = head.startswith(b"\x1a\x45\xdf\xa3")
    if not (is_mp4 or is_webm):
        raise ValidationError(
            _("This file is not an MP4 or WebM video, whatever its name says."),
            code="not_video",
        )


def captions_check(*, upload):
    """Refuse captions that are not a WebVTT text file (UTF-8, starting with WEBVTT)."""
    if upload.size is not None and upload.size > 1024 * 1024:
        raise ValidationError(
            _("Captions files are at most 1 MB."), code="file_too_large"
        )
    data = _read_all(upload)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.startswith("WEBVTT"):
        raise ValidationError(
            _(
                "This is not a WebVTT captions file: it must be text starting with “WEBVTT”."
            ),
            code="not_webvtt",
        )


# Search needs the words, not every page of a 500-page annex: the first 200,000
# characters of a PDF's text are kept (a 60-page report holds about 150,000).
PDF_TEXT_LIMIT = 200_000


def pdf_text(*, data):
    """The text of a PDF's pages (from its text layer, in reading order as pdfium gives
    it), spaces and line ends made single, cut at PDF_TEXT_LIMIT characters; "" for a
    PDF of scanned pages without text, or one pdfium cannot read."""
    import pypdfium2 as pdfium

    parts, length = [], 0
    try:
        document = pdfium.PdfDocument(data)
        try:
            for page in document:
                textpage = page.get_textpage()
                text = " ".join(textpage.get_text_range().split())
                textpage.close()
                page.close()
                if text:
                    parts.append(text)
                    length += len(text) + 1
                if length >= PDF_TEXT_LIMIT:
                    break
        finally:
            document.close()
    except Exception as error:  # noqa: BLE001 - pdfium raises its own errors for damaged pages.
        logger.warning("Could not read the text of a PDF: %r", error)
        return ""
    return "\n".join(parts)[:PDF_TEXT_LIMIT]


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


# The publication's stored files; each is deleted once no row uses it any more.
FILE_FIELDS = ("document", "cover", "video", "captions")


def _stored_names(publication_id):
    """The names of the files stored in the database for this row, by field, before a save."""
    if publication_id is None:
        return dict.fromkeys(FILE_FIELDS, "")
    row = (
        Publication.objects.filter(pk=publication_id).values_list(*FILE_FIELDS).first()
    )
    return dict(zip(FILE_FIELDS, row or ("",) * len(FILE_FIELDS), strict=True))


def _current_names(publication):
    return {field: getattr(publication, field).name or "" for field in FILE_FIELDS}


def _delete_files(names):
    """Delete stored files (and the renditions of covers) that no row uses any more, and
    no revision refers to (a restored revision finds its files), and no draft of
    changes names (unact/drafts.py: publishing it still needs them).

    names: {field: [stored name, ...]}."""
    from unact.drafts import file_in_drafts
    from unact.revisions import file_in_revisions

    for field, field_names in names.items():
        storage = Publication._meta.get_field(field).storage
        for name in filter(None, field_names):
            if not (
                Publication.objects.filter(**{field: name}).exists()
                or file_in_revisions(model=Publication, field_name=field, name=name)
                or file_in_drafts(model=Publication, name=name)
            ):
                storage.delete(name)
                if field == "cover":
                    renditions_delete(storage, name)


def _changed(before, after):
    """{field: [name in `before`]} for each file whose name differs in `after`."""
    return {
        field: [before[field]] for field in FILE_FIELDS if before[field] != after[field]
    }


def publication_save(*, publication):
    """Save a publication: read its PDF, make a cover if none was given, delete replaced files."""
    old_names = _stored_names(publication.pk)
    old_document = old_names["document"]
    document_is_new = bool(publication.document) and not publication.document._committed
    cover_is_new = bool(publication.cover) and not publication.cover._committed
    document_changed = (
        document_is_new or (publication.document.name or "") != old_document
    )

    if document_is_new:
        info = pdf_inspect(upload=publication.document.file)
        publication.file_size, publication.page_count = info.size, info.page_count
        data = _read_all(publication.document.file)
        stripped = pdf_strip_metadata(data=data)
        if stripped is not None:  # else kept as uploaded (logged): pdf_inspect read it
            publication.document = ContentFile(stripped, name=publication.document.name)
            publication.file_size = len(stripped)
        publication.document_text = pdf_text(data=stripped or data)
    elif not publication.document:
        publication.file_size = publication.page_count = None
        publication.document_text = ""

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
            replaced = _changed(old_names, _current_names(publication))
            transaction.on_commit(lambda: _delete_files(replaced))
    except Exception:
        # The row was not saved: remove the files this attempt wrote.
        _delete_files(_changed(_current_names(publication), old_names))
        raise
    return publication


def publication_delete(*, publication):
    """Delete a publication with its files (PDF, video, captions, cover and renditions),
    its revisions and (through post_delete, unact/drafts.py) its draft of changes: a
    deleted publication leaves no file behind (some hold personal data)."""
    from reversion.models import Version

    names = {field: [name] for field, name in _current_names(publication).items()}
    with transaction.atomic():
        versions = Version.objects.get_for_object(publication)
        for version in versions:
            for field in names:
                name = getattr(version.field_dict.get(field), "name", None)
                if name and name not in names[field]:
                    names[field].append(name)
        versions.delete()
        publication.delete()
        transaction.on_commit(lambda: _delete_files(names))


def publication_count_download(*, publication):
    """Add one to the download count in a single atomic UPDATE (right under concurrency)."""
    Publication.objects.filter(pk=publication.pk).update(
        download_count=F("download_count") + 1
    )
