"""Uploaded images: validation, metadata stripping and renditions.

A photo must never reveal where a survivor or a shelter is, so every stored
original is re-encoded without EXIF, GPS, XMP or comments, and every rendition
is made from that clean copy.
"""

import os
import warnings
from typing import NamedTuple

from imagekit.models import ImageSpecField, ProcessedImageField
from imagekit.models.fields.files import ProcessedImageFieldFile
from imagekit.processors import ResizeToFit
from PIL import Image

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
RENDITION_WIDTHS = (480, 960, 1440)


class StripMetadata:
    """Apply the EXIF orientation, then drop every metadata block Pillow carries."""

    def process(self, img):
        from PIL import ImageOps

        img = ImageOps.exif_transpose(img)
        if img.mode not in ("RGB", "RGBA", "L", "LA"):
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        clean = Image.new(img.mode, img.size)
        clean.paste(img)
        return clean


ORIGINAL_PROCESSORS = [StripMetadata(), ResizeToFit(2400, 2400, upscale=False)]


def validate_image_file(upload):
    """Refuse anything but a JPEG, PNG, GIF or WebP that Pillow opens within the limits."""
    if getattr(upload, "_committed", False):
        return  # a stored file was checked when it was uploaded; re-saving a form keeps it
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("This image is %(size)s; the limit is %(limit)s."),
            code="file_too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("This image has too many pixels to be processed safely."),
            code="decompression_bomb",
        ) from error
    except Exception as error:
        raise ValidationError(
            _("Upload a valid image: JPEG, PNG, GIF or WebP. This file is not one."),
            code="invalid_image",
        ) from error
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            _("Upload a JPEG, PNG, GIF or WebP image (this one is %(format)s)."),
            code="invalid_image_format",
            params={"format": image_format},
        )


# Each rendition is stored twice: WebP for the browsers that take it (nearly all),
# JPEG as the fallback inside <picture> and for link previews (og:image).
RENDITION_OPTIONS = {
    "JPEG": {"quality": 80, "optimize": True, "progressive": True},
    "WEBP": {"quality": 76, "method": 5},
}


def rendition_spec(source, width, image_format="JPEG"):
    """A rendition of an image field, at most `width` pixels wide, made when the image is saved.

    IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY (Optimistic) generates every spec of a
    source when the source is saved, so a visitor's request never resizes anything.
    """
    return ImageSpecField(
        source=source,
        processors=[ResizeToFit(width=width, upscale=False)],
        format=image_format,
        options=RENDITION_OPTIONS[image_format],
    )


def renditions_delete(storage, name):
    """Delete every imagekit rendition made from the stored image `name` (they live in
    IMAGEKIT_CACHEFILE_DIR/<name without its extension>/), and that folder."""
    folder = os.path.join(settings.IMAGEKIT_CACHEFILE_DIR, os.path.splitext(name)[0])
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for rendition in files:
        storage.delete(os.path.join(folder, rendition))
    try:
        os.rmdir(storage.path(folder))
    except (NotImplementedError, OSError):
        pass  # Storages without folders, or a folder something else still uses.


class Renditions(NamedTuple):
    """The (url, width, height) tuples of one image's renditions, smallest first."""

    jpeg: tuple
    webp: tuple


def rendition_sources(specs, original_width, original_height):
    """(url, width, height) of each rendition, computed without opening any file."""
    sources = []
    for spec, target in specs:
        if not original_width or not original_height:
            continue
        width = min(target, original_width)
        height = round(original_height * width / original_width)
        sources.append((spec.url, width, height))
        if width == original_width:
            break
    return tuple(sources)


# Rendition addresses depend only on the source file's name and the spec, yet imagekit
# computes each by hashing the spec: memoised per process, a list page of ten cards
# no longer spends a third of its time naming files.
_RENDITIONS_MEMO = {}
_RENDITIONS_MEMO_MAX = 20_000


def renditions(
    instance, source_field, spec_names, widths, original_width, original_height
):
    """JPEG and WebP renditions of an image, from the spec fields `<name>` and `<name>_webp`."""
    if not getattr(instance, source_field):
        return Renditions((), ())
    key = (
        instance._meta.label,
        source_field,
        getattr(instance, source_field).name,
        original_width,
        original_height,
    )
    found = _RENDITIONS_MEMO.get(key)
    if found is None:

        def sources(suffix):
            specs = zip(
                (getattr(instance, name + suffix) for name in spec_names),
                widths,
                strict=True,
            )
            return rendition_sources(specs, original_width, original_height)

        found = Renditions(jpeg=sources(""), webp=sources("_webp"))
        if len(_RENDITIONS_MEMO) >= _RENDITIONS_MEMO_MAX:
            _RENDITIONS_MEMO.clear()
        _RENDITIONS_MEMO[key] = found
    return found


class CleanImageFieldFile(ProcessedImageFieldFile):
    def save(self, name, content, save=True):
        super().save(name, content, save=False)
        # imagekit hands Django an already-read file, so measure the stored copy.
        self.field.update_dimension_fields(self.instance, force=True)
        if save:
            self.instance.save()


class CleanImageFormField(forms.ImageField):
    """Checks the upload with the project's rules first, so their clearer messages win."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_image_file(data)
        return super().to_python(data)


class CleanImageField(ProcessedImageField):
    """An uploaded image, validated and stored re-encoded without any metadata."""

    attr_class = CleanImageFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanImageFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Django measures a stored image on every load when its dimension columns are
        # empty, opening the file (and failing if it is gone). Dimensions are measured
        # when an image is saved; only a new upload is measured here.
        if self.attname not in instance.__dict__:
            return  # deferred (.only()/.defer()): nothing to measure, and no query
        if not force:
            file = getattr(instance, self.attname)
            if not file or getattr(file, "_committed", True):
                return
        super().update_dimension_fields(instance, force, *args, **kwargs)

    def __init__(self, *args, quality=88, **kwargs):
        kwargs.setdefault("processors", ORIGINAL_PROCESSORS)
        kwargs.setdefault("format", "JPEG")
        kwargs.setdefault("options", {"quality": quality})
        kwargs.setdefault("validators", [validate_image_file])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("processors", "format", "options", "validators"):
            kwargs.pop(key, None)
        return name, path, args, kwargs
