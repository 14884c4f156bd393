"""Review before publishing (unact/review.py): the requests, the permission to publish,
and the roles. Contributors write posts and publications but cannot publish; Publishers
review and publish; Editors keep everything they had and may publish and approve too.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The roles' model permissions: {group: {app_label: {model: actions}}}.
ROLES = {
    "Contributors": {
        "posts": {"post": ["add", "change", "view"], "category": ["view"],
                  "image": ["add", "change", "view"]},
        "publications": {"publication": ["add", "change", "view"], "country": ["view"]},
        "taggit": {"tag": ["view"]},
        "unact": {"reviewrequest": ["view"]},
    },
    "Publishers": {
        "posts": {"post": ["add", "change", "delete", "view"], "category": ["view"],
                  "image": ["add", "change", "view"]},
        "publications": {"publication": ["add", "change", "delete", "view"],
                         "country": ["view"]},
        "taggit": {"tag": ["view"]},
        "unact": {"reviewrequest": ["view"]},
    },
    "Editors": {"unact": {"reviewrequest": ["view"]}},
}  # fmt: skip
# Who may publish: one permission, held by Publishers and Editors.
PUBLISHING_GROUPS = ("Publishers", "Editors")


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_label in ("posts", "publications", "taggit", "unact"):
        # Permissions are created after migrations run; make them exist now.
        app_config = apps.get_app_config(app_label)
        app_config.models_module = getattr(app_config, "models_module", None) or True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, apps_models in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, models_actions in apps_models.items():
            codenames = [
                f"{action}_{model}"
                for model, actions in models_actions.items()
                for action in actions
            ]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
    publish = Permission.objects.get(
        content_type__app_label="unact", codename="publish_content"
    )
    for name in PUBLISHING_GROUPS:
        Group.objects.get(name=name).permissions.add(publish)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("unact", "0005_searchdocument_per_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("posts", "0008_unpublish_at"),
        ("publications", "0009_unpublish_at"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for review"),
                            ("approved", "Approved"),
                            ("sent_back", "Sent back"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="submitted at"
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="decided at"
                    ),
                ),
                (
                    "comment",
                    models.TextField(blank=True, verbose_name="reviewer's comment"),
                ),
                ("publishers_notified_at", models.DateTimeField(blank=True, null=True)),
                ("author_notified_at", models.DateTimeField(blank=True, null=True)),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewer",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "review request",
                "verbose_name_plural": "review requests",
                "ordering": ["-submitted_at", "-pk"],
                "permissions": [("publish_content", "Can approve and publish")],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id"],
                        name="unact_revie_content_cd7068_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("content_type", "object_id"),
                        name="review_request_one_pending_per_item",
                    )
                ],
            },
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
