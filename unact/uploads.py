"""Names of uploaded files, for every app."""

import os
import uuid

from django.utils import timezone
from django.utils.text import slugify


def random_upload_name(folder, filename):
    """folder/YYYY/MM/<slug of the name>-<random>.<ext>: names never collide or guess."""
    stem, extension = os.path.splitext(os.path.basename(filename))
    stem = slugify(stem)[:50] or "file"
    return f"{folder}/{timezone.now():%Y/%m}/{stem}-{uuid.uuid4().hex[:10]}{extension.lower()[:5]}"
