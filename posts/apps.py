from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("Posts")

    def ready(self):
        from PIL import Image

        from django.conf import settings

        from unact.pagecache import connect_signals

        from .signals import connect_signals as connect_comment_signals

        connect_signals()
        connect_comment_signals()

        # Pillow's decompression-bomb guard uses this limit for every image opened.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
