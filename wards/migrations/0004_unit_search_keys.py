"""The name, and the district and province, of every unit as the whole-word search matches them."""

from django.db import migrations, models

from wards.text import search_key


def fill_search_keys(apps, schema_editor):
    # The keys are made by the same function load_units and Unit.save() use, so a later
    # load_units finds nothing to change.
    Unit = apps.get_model("wards", "Unit")
    units = list(Unit.objects.select_related("district", "province"))
    for unit in units:
        unit.search_name = search_key(unit.name)
        unit.search_place = search_key(unit.district.name if unit.district_id else "", unit.province.name)
    Unit.objects.bulk_update(units, ["search_name", "search_place"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("wards", "0003_unit_coordinates"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="search_name",
            field=models.CharField(default="", editable=False, max_length=110),
        ),
        migrations.AddField(
            model_name="unit",
            name="search_place",
            field=models.CharField(default="", editable=False, max_length=250),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
    ]
