"""Media on S3-compatible object storage, with the same headers as local media."""

from storages.backends.s3 import S3Storage

from .security import media_headers


class MediaS3Storage(S3Storage):
    """Each object is stored with its content type and, unless it is an image or a
    PDF, `Content-Disposition: attachment`, so the object store serves it as safely
    as /media/ does."""

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        content_type, disposition = media_headers(name)
        parameters["ContentType"] = content_type
        parameters["ContentDisposition"] = disposition
        return parameters
