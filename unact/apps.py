from django.apps import AppConfig


class UnactConfig(AppConfig):
    name = "unact"
    verbose_name = "UN-ACT"

    def ready(self):
        from .search import signals

        signals.connect()
