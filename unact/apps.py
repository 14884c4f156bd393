from django.apps import AppConfig


class UnactConfig(AppConfig):
    name = "unact"
    verbose_name = "UN-ACT"

    def ready(self):
        from .search import signals

        signals.connect()

        from django.db.models.signals import post_migrate

        from .redirects import site_follow_settings

        post_migrate.connect(
            site_follow_settings,
            sender=self,
            dispatch_uid="unact-site-follows-settings",
        )
