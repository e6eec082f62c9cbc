import csv
import io
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from criteria.models import ProgrammeYear
from reports.summary import summary_rows, year_summary
from wards.models import Province

FORMATS = ("json", "csv")


class Command(BaseCommand):
    help = "Print the yearly national summary (registered, quota, bands expected and verified)."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="programme year, e.g. 2023")
        parser.add_argument("--format", default="json", help="json or csv")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args, year, format, output, **options):
        if format not in FORMATS:
            raise CommandError(f"Unknown format {format!r}: choose one of {', '.join(FORMATS)}.")
        try:
            programme_year = ProgrammeYear.objects.select_related("catalogue").get(year=int(year))
        except (ValueError, ProgrammeYear.DoesNotExist):
            known = ", ".join(str(y) for y in ProgrammeYear.objects.values_list("year", flat=True)) or "none"
            raise CommandError(f"Unknown programme year {year!r} (known: {known}).") from None
        summary = year_summary(programme_year, Province.objects.filter(period=programme_year.period))
        if format == "json":
            text = json.dumps(summary.as_dict(), ensure_ascii=False, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(summary_rows(summary))
            text = buffer.getvalue()
        if output:
            try:
                # A BOM lets Excel open the Vietnamese names of a CSV file correctly.
                encoding = "utf-8-sig" if format == "csv" else "utf-8"
                with open(output, "w", encoding=encoding, newline="") as handle:
                    handle.write(text)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        else:
            self.stdout.write(text, ending="")
