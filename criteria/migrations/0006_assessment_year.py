"""Repeat the registration's year on each assessment, for the dashboards' sake."""

import django.db.models.deletion
from django.db import migrations, models


def fill_year(apps, schema_editor):
    Assessment = apps.get_model("criteria", "Assessment")
    Registration = apps.get_model("criteria", "Registration")
    Assessment.objects.update(
        year_id=models.Subquery(Registration.objects.filter(pk=models.OuterRef("registration_id")).values("year_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("criteria", "0005_result_not_met_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="year",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="criteria.programmeyear", verbose_name="programme year",
            ),
        ),
        migrations.RunPython(fill_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assessment",
            name="year",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="criteria.programmeyear", verbose_name="programme year",
            ),
        ),
        migrations.RemoveIndex(model_name="assessment", name="assessment_status"),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["year", "status"], name="assessment_year_status"),
        ),
    ]
