"""Ship the working catalogue of 22 criteria and create the three role groups."""

from django.db import migrations

from criteria.catalogue import WORKING_CATALOGUE, install_catalogue, read_catalogue

ROLE_GROUPS = ["Quản trị viên", "Cán bộ Bộ Công an", "Công an tỉnh"]


def forwards(apps, schema_editor):
    install_catalogue(
        read_catalogue(WORKING_CATALOGUE),
        apps.get_model("criteria", "CatalogueVersion"),
        apps.get_model("criteria", "CriterionGroup"),
        apps.get_model("criteria", "Criterion"),
    )
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("criteria", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
