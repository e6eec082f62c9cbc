"""One index with every column the dashboards group and count assessments by."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("criteria", "0007_assessment_unit_province_not_met"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="assessment", name="assessment_year_status"),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["year", "status", "self_met", "verified_met", "province", "self_not_met", "verified_not_met"],
                name="assessment_dashboard",
            ),
        ),
    ]
