from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from wards.models import District, Lineage, Period, Province, Unit, UnitKind
from wards.reference import sync_reference_data


class Command(BaseCommand):
    help = "Load provinces, districts and units of both administrative periods (idempotent)."

    def handle(self, *args, **options):
        report = sync_reference_data()
        for label in ("provinces", "districts", "units", "lineage links"):
            self.stdout.write(
                f"{label}: {report.created[label]:,} created, {report.updated[label]:,} updated, "
                f"{report.unchanged[label]:,} unchanged"
            )
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("No changes: the reference data was already up to date."))
        for period in Period:
            units = Unit.objects.filter(period=period).aggregate(
                total=Count("id"), **{kind.value: Count("id", filter=Q(kind=kind)) for kind in UnitKind}
            )
            kinds = ", ".join(f"{units[k.value]:,} {k.value}" for k in UnitKind if units[k.value])
            districts = District.objects.filter(province__period=period).count()
            self.stdout.write(
                f"{period.value} set: {Province.objects.filter(period=period).count()} provinces, "
                + (f"{districts:,} districts, " if districts else "")
                + f"{units['total']:,} units ({kinds})"
            )
        links = Lineage.objects.count()
        split = Lineage.objects.filter(is_main=False).values("legacy").distinct().count()
        self.stdout.write(
            f"Lineage: {links:,} links from {Lineage.objects.values('legacy').distinct().count():,} legacy units "
            f"to {Lineage.objects.values('current').distinct().count():,} current ones; {split:,} legacy units split."
        )
