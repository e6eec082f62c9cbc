"""Repeat the registration's unit and province on each assessment, and keep which
criteria it does not meet as bit masks: the dashboards then count gaps and group
by province over the assessments alone."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Coalesce


class CriterionBit(models.Func):
    template = "(CAST(1 AS BIGINT) << (%(expressions)s - 1))"
    output_field = models.BigIntegerField()


def fill(apps, schema_editor):
    Assessment = apps.get_model("criteria", "Assessment")
    Registration = apps.get_model("criteria", "Registration")
    Result = apps.get_model("criteria", "Result")
    registration = Registration.objects.filter(pk=models.OuterRef("registration_id"))
    results = Result.objects.filter(assessment=models.OuterRef("pk")).values("assessment")

    def not_met(field):
        bits = results.annotate(
            bits=models.Sum(CriterionBit("criterion__number"), filter=models.Q(**{field: "not_met"}))
        ).values("bits")
        return Coalesce(models.Subquery(bits, output_field=models.BigIntegerField()), 0)

    Assessment.objects.update(
        unit_id=models.Subquery(registration.values("unit_id")),
        province_id=models.Subquery(registration.values("unit__province_id")),
        self_not_met=not_met("self_value"),
        verified_not_met=not_met("verified_value"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("criteria", "0006_assessment_year"),
        ("wards", "0002_lineage"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="province",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wards.province", verbose_name="province",
            ),
        ),
        migrations.AddField(
            model_name="assessment",
            name="unit",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wards.unit", verbose_name="unit",
            ),
        ),
        migrations.AddField(
            model_name="assessment",
            name="self_not_met",
            field=models.BigIntegerField(default=0, editable=False, verbose_name="criteria not met (self-assessed)"),
        ),
        migrations.AddField(
            model_name="assessment",
            name="verified_not_met",
            field=models.BigIntegerField(default=0, editable=False, verbose_name="criteria not met (verified)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assessment",
            name="province",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wards.province", verbose_name="province",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="unit",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wards.unit", verbose_name="unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="criterion",
            constraint=models.CheckConstraint(
                condition=models.Q(("number__lte", 62)), name="criterion_number_fits_a_mask"
            ),
        ),
    ]
