from django.db import migrations

from posts.permissions import EDITORS, grant_model_permissions

COUNTRIES = [
    ("cambodia", "Cambodia"),
    ("china", "China"),
    ("lao-pdr", "Lao PDR"),
    ("myanmar", "Myanmar"),
    ("thailand", "Thailand"),
    ("viet-nam", "Viet Nam"),
    ("regional", "Regional"),
]


def create_countries_and_permissions(apps, schema_editor):
    Country = apps.get_model("publications", "Country")
    for position, (code, name) in enumerate(COUNTRIES):
        Country.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    grant_model_permissions(apps, EDITORS, "publications", ["publication"])
    grant_model_permissions(
        apps, EDITORS, "publications", ["country"], actions=("view",)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0001_initial"),
        ("posts", "0002_staff_groups"),
    ]

    operations = [
        migrations.RunPython(
            create_countries_and_permissions, migrations.RunPython.noop
        )
    ]
