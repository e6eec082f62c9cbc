"""Benchmark: server-side time and query counts of the dashboards at national scale.

Run it on a database filled by `generate_national` (its own database, never the
real one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kieumau_national \\
        .venv/bin/python bench/dashboards.py --requests 30 [--record]

It measures, through Django's test client (the whole request: middleware, views,
queries, templates), the national dashboard, a large province's dashboard and a
ward page: median and 95th percentile over the requests, and the SQL queries of
each. In the same run it times the single SQL aggregate behind the national band
counts, and prints page time / aggregate time. `--record` appends the figures to
bench/RESULTS.md with the date and the machine.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, OuterRef, Q, Subquery  # noqa: E402
from django.test import Client  # noqa: E402

from criteria.models import Assessment, ProgrammeYear, Result, ResultValue  # noqa: E402
from wards.models import Province  # noqa: E402


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(client, url, requests):
    """(median ms, p95 ms, queries) of `requests` GETs of `url` after three warm-up ones."""
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    counts, times = [], []

    def count(execute, sql, params, many, context):
        counts[-1] += 1
        return execute(sql, params, many, context)

    for _ in range(requests):
        counts.append(0)
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 95), max(counts)


def time_sql(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def stored_band_aggregate(year):
    """The aggregate the dashboard runs: assessments grouped by status and stored score."""
    return list(
        Assessment.objects.filter(year=year).order_by()
        .values_list("status", "self_met", "verified_met").annotate(n=Count("pk"))
    )


def raw_band_aggregate(year):
    """The same band counts computed from the criterion results themselves (no stored score)."""
    met = (
        Result.objects.filter(assessment=OuterRef("pk"), self_value=ResultValue.MET)
        .order_by().values("assessment").annotate(n=Count("pk")).values("n")
    )
    return list(
        Assessment.objects.filter(year=year).order_by()
        .annotate(met=Subquery(met)).values_list("status", "met").annotate(n=Count("pk"))
    )


def machine():
    cpus = os.cpu_count()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    return f"{platform.node()} · {platform.machine()} · {cpus} cores · Python {platform.python_version()} · {database}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    # Production settings (DEBUG off) serve hashed static files: collect them once.
    call_command("collectstatic", interactive=False, verbosity=0)

    year = ProgrammeYear.objects.filter(year=args.year, is_generated=True).first()
    if year is None:
        sys.exit(f"No generated programme year {args.year}: run generate_national on this database first.")
    largest = (
        Province.objects.filter(period=year.period)
        .annotate(n=Count("units__registrations", filter=Q(units__registrations__year=year)))
        .order_by("-n").first()
    )
    ward = year.registrations.filter(unit__province=largest).select_related("unit").order_by("unit__code").first()
    user, _created = get_user_model().objects.get_or_create(
        username="benchmark", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)

    pages = [
        ("national dashboard", f"/reports/{year.year}/", 150),
        (f"province dashboard ({largest.name}, {largest.n:,} wards)", f"/reports/{year.year}/provinces/{largest.code}/", 100),
        ("ward page", f"/wards/{ward.unit.code}/{year.year}/", 50),
    ]
    results = [(name, url, target, *measure(client, url, args.requests)) for name, url, target in pages]
    stored = time_sql(lambda: stored_band_aggregate(year), args.requests)
    raw = time_sql(lambda: raw_band_aggregate(year), max(5, args.requests // 3))
    assessments = Assessment.objects.filter(year=year).count()
    results_count = Result.objects.filter(assessment__year=year).count()

    lines = [
        f"### {date.today().isoformat()} · dashboards · {connection.vendor}",
        "",
        f"Machine: {machine()}. Data: generate_national, year {year.year}: {assessments:,} assessments, "
        f"{results_count:,} criterion results ({Assessment.objects.count():,} assessments in all years). "
        f"{args.requests} requests per page through Django's test client, after 3 warm-up requests.",
        "",
        "| page | median ms | p95 ms | queries | target (median) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, _url, target, median, p95, queries in results:
        verdict = "met" if median <= target else "NOT met"
        lines.append(f"| {name} | {median:.1f} | {p95:.1f} | {queries} | ≤ {target} ms: {verdict} |")
    national = results[0][3]
    lines += [
        "",
        f"National band counts, one SQL aggregate: over the stored scores (what the page runs) "
        f"{stored:.1f} ms; from the criterion results themselves {raw:.1f} ms.",
        f"Ratio national page / aggregate: {national / stored:.1f} against the stored-score aggregate, "
        f"{national / raw:.1f} against the from-results aggregate (target ≤ 3).",
        "",
    ]
    print("\n".join(lines))
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
