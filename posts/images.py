"""Uploaded images: validation, metadata stripping and renditions.

A photo must never reveal where a survivor or a shelter is, so every stored
original is re-encoded without EXIF, GPS, XMP or comments, and every rendition
is made from that clean copy.
"""

import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from imagekit.models import ProcessedImageField
from imagekit.models.fields.files import ProcessedImageFieldFile
from imagekit.processors import ResizeToFit
from PIL import Image

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
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("This image has too many pixels to be processed safely."),
            code="decompression_bomb",
        )
    except Exception:
        raise ValidationError(
            _("Upload a valid image: JPEG, PNG, GIF or WebP. This file is not one."),
            code="invalid_image",
        )
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            _("Upload a JPEG, PNG, GIF or WebP image (this one is %(format)s)."),
            code="invalid_image_format",
            params={"format": image_format},
        )


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
    return sources


# Rendition addresses depend only on the source file's name and the spec, yet imagekit
# computes each by hashing the spec: memoised per process, a list page of ten cards
# no longer spends a third of its time naming files.
_SOURCES_MEMO = {}
_SOURCES_MEMO_MAX = 20_000


def memoized_rendition_sources(instance, source_field, spec_names, widths, original_width, original_height):
    """rendition_sources() for `instance`'s renditions, computed once per source file."""
    name = getattr(instance, source_field).name
    key = (instance._meta.label, source_field, name, original_width, original_height)
    sources = _SOURCES_MEMO.get(key)
    if sources is None:
        specs = zip((getattr(instance, spec_name) for spec_name in spec_names), widths)
        sources = tuple(rendition_sources(specs, original_width, original_height))
        if len(_SOURCES_MEMO) >= _SOURCES_MEMO_MAX:
            _SOURCES_MEMO.clear()
        _SOURCES_MEMO[key] = sources
    return list(sources)


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
