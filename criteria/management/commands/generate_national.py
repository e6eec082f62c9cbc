import time

from django.core.management.base import BaseCommand, CommandError

from criteria.generator import GeneratorRefused, generate_national, parse_years


class Command(BaseCommand):
    help = (
        "Fill a database of its own with a national data set for measurement: every unit of the "
        "country assessed every year (refuses a database holding real programme data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", default="2023-2030", help="e.g. 2023-2030 or 2023,2025")
        parser.add_argument("--seed", default="1", help="the same seed gives the same data")
        parser.add_argument(
            "--sample", default="1", help="fraction of units to include (0 < f <= 1); 1 is the whole country"
        )

    def handle(self, *args, years, seed, sample, **options):
        try:
            fraction = float(sample)
            if not 0 < fraction <= 1:
                raise ValueError
        except ValueError:
            raise CommandError(f"--sample must be a number above 0 and at most 1, not {sample!r}.") from None
        try:
            started = time.perf_counter()
            reports = generate_national(parse_years(years), seed, fraction)
        except GeneratorRefused as exc:
            raise CommandError(str(exc)) from None
        for report in reports:
            self.stdout.write(
                f"{report.year}: {report.units:,} units, {report.assessments:,} assessments, {report.results:,} results"
            )
        total_assessments = sum(r.assessments for r in reports)
        total_results = sum(r.results for r in reports)
        self.stdout.write(self.style.SUCCESS(
            f"Generated {total_assessments:,} assessments and {total_results:,} criterion results "
            f"in {time.perf_counter() - started:.1f} s."
        ))
