"""Staff roles: the model permissions of each group, granted by data migrations."""

EDITORS = "Editors"
MODERATORS = "Moderators"
NEWSLETTER_MANAGERS = "Newsletter managers"
ACTIONS = ("add", "change", "delete", "view")


def grant_model_permissions(apps, group_name, app_label, model_names, actions=ACTIONS):
    """Give a group every listed permission on the models; usable in a migration."""
    from django.contrib.auth.management import create_permissions

    # Permissions are created after migrations run; make them exist now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = getattr(app_config, "models_module", None) or True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=group_name)
    codenames = [f"{action}_{model}" for model in model_names for action in actions]
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    group.permissions.add(*permissions)
