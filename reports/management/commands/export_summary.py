import json

from django.core.management.base import BaseCommand, CommandError

from criteria.access import Role, Scope
from criteria.models import ProgrammeYear
from reports.exporters import EXPORTERS, csv_chunks, write_xlsx
from reports.pdf import render_pdf
from wards.models import Province

FORMATS = ("json", "csv", "xlsx", "pdf")
BINARY = ("xlsx", "pdf")


class Command(BaseCommand):
    help = "Export the yearly summary (or another report) as JSON, CSV, XLSX or PDF."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="programme year, e.g. 2023")
        parser.add_argument("--format", default="json", help="json, csv, xlsx or pdf")
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument("--province", help="only this province (its code in the year's administrative set)")
        parser.add_argument(
            "--report", default="summary", help=f"what to export: {', '.join(EXPORTERS)} (default: summary)"
        )
        parser.add_argument(
            "--map", default=None, choices=("legacy", "current"),
            help="the summary of a 2023-2024 year on the 63 provinces it was registered on (legacy, the default) "
                 "or rolled up on today's 34 (current)",
        )

    def handle(self, *args, year, format, output, province, report, map, **options):
        if format not in FORMATS:
            raise CommandError(f"Unknown format {format!r}: choose one of {', '.join(FORMATS)}.")
        exporter_class = EXPORTERS.get(report)
        if exporter_class is None:
            raise CommandError(f"Unknown report {report!r}: choose one of {', '.join(EXPORTERS)}.")
        if format not in exporter_class.formats:
            raise CommandError(f"The {report} report comes as {', '.join(exporter_class.formats)}, not {format}.")
        if format in BINARY and not output:
            raise CommandError(f"--output FILE is needed for {format}: it is not text for a terminal.")
        try:
            programme_year = ProgrammeYear.objects.select_related("catalogue").get(year=int(year))
        except (ValueError, ProgrammeYear.DoesNotExist):
            known = ", ".join(str(y) for y in ProgrammeYear.objects.values_list("year", flat=True)) or "none"
            raise CommandError(f"Unknown programme year {year!r} (known: {known}).") from None
        if map == "legacy" and programme_year.period != "legacy":
            raise CommandError(f"{programme_year.year} is on the current map only: leave out --map legacy.")
        if map == "current" and report != "summary":
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
        if report == "summary":
            exporter = exporter_class(programme_year, scope, selected, current_map=map == "current")
        else:
            exporter = exporter_class(programme_year, scope, selected)
        try:
            if format == "xlsx":
                write_xlsx(exporter.tables(), output, title=exporter.title)
            elif format == "pdf":
                with open(output, "wb") as handle:
                    handle.write(render_pdf(exporter))
            else:
                chunks = (
                    [json.dumps(exporter.summary().as_dict(), ensure_ascii=False, indent=2) + "\n"]
                    if format == "json" else csv_chunks(exporter.tables()[exporter.csv_table])
                )
                self._write_text(chunks, output)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None

    def _write_text(self, chunks, output):
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                for chunk in chunks:
                    handle.write(chunk)
        else:
            for chunk in chunks:
                # The BOM is for Excel opening a file, not for a terminal or a pipe.
                self.stdout.write(chunk.lstrip("\ufeff"), ending="")
