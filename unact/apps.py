from django.apps import AppConfig


class UnactConfig(AppConfig):
    name = "unact"
    verbose_name = "UN-ACT"

    def ready(self):
        from .search import signals

        signals.connect()

        from django.db.models.signals import post_delete, post_migrate

        from posts.models import Post
        from publications.models import Publication

        from .drafts import item_deleted

        for model in (Post, Publication):
            post_delete.connect(
                item_deleted,
                sender=model,
                dispatch_uid=f"unact-drafts-{model.__name__}",
            )

        from .redirects import site_follow_settings

        post_migrate.connect(
            site_follow_settings,
            sender=self,
            dispatch_uid="unact-site-follows-settings",
        )
