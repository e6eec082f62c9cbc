import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from criteria.access import Role, Scope
from criteria.models import ProgrammeYear
from reports.exporters import EXPORTERS, FORMATS
from wards.models import Province


class Command(BaseCommand):
    help = "Export the yearly summary (or another report) as JSON, CSV, XLSX, PDF or DOCX."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="programme year, e.g. 2023")
        parser.add_argument("--format", default="json", help=f"{', '.join(FORMATS)} (as the report offers)")
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument("--province", help="only this province (its code in the year's administrative set)")
        parser.add_argument(
            "--report", default="summary",
            help="what to export: " + "; ".join(f"{key} ({'/'.join(cls.formats)})" for key, cls in EXPORTERS.items())
                 + " (default: summary)",
        )
        parser.add_argument(
            "--map", default=None, choices=("legacy", "current"),
            help="the summary of a 2023-2024 year on the 63 provinces it was registered on (legacy, the default) "
                 "or rolled up on today's 34 (current)",
        )

    def handle(self, *args, year, format, output, province, report, map, **options):
        spec = FORMATS.get(format)
        if spec is None:
            raise CommandError(f"Unknown format {format!r}: choose one of {', '.join(FORMATS)}.")
        exporter_class = EXPORTERS.get(report)
        if exporter_class is None:
            raise CommandError(f"Unknown report {report!r}: choose one of {', '.join(EXPORTERS)}.")
        if not exporter_class.offers(format):
            raise CommandError(f"The {report} report comes as {', '.join(exporter_class.formats)}, not {format}.")
        if spec.binary and not output:
            raise CommandError(f"--output FILE is needed for {format}: it is not text for a terminal.")
        try:
            programme_year = ProgrammeYear.objects.select_related("catalogue").get(year=int(year))
        except (ValueError, ProgrammeYear.DoesNotExist):
            known = ", ".join(str(y) for y in ProgrammeYear.objects.values_list("year", flat=True)) or "none"
            raise CommandError(f"Unknown programme year {year!r} (known: {known}).") from None
        if map == "legacy" and programme_year.period != "legacy":
            raise CommandError(f"{programme_year.year} is on the current map only: leave out --map legacy.")
        if map == "current" and not exporter_class.on_current_map:
            raise CommandError("--map current applies to the summary report only.")
        selected = None
        if province:
            selected = Province.objects.filter(period=programme_year.period, code=province).first()
            if selected is None:
                raise CommandError(
                    f"Unknown province {province!r} for {programme_year.year} "
                    f"({programme_year.get_period_display()})."
                )
        # The command line is the administrators' tool: the whole country in scope.
        scope = Scope(user=None, role=Role.ADMIN)
        exporter = exporter_class(programme_year, scope, selected, current_map=map == "current")
        if output:
            # Written beside the target, then moved over it: a failure never leaves half a file.
            target = Path(output)
            partial = target.with_name(f".{target.name}.partial")
            try:
                with open(partial, "wb") as handle:
                    exporter.write(format, handle)
                os.replace(partial, target)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None
            finally:
                partial.unlink(missing_ok=True)
        else:
            for chunk in exporter.text(format):
                # The BOM is for Excel opening a file, not for a terminal or a pipe.
                self.stdout.write(chunk.lstrip("\ufeff"), ending="")
