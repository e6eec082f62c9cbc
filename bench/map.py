"""Benchmark: the size of the maps and the time to draw them, at national scale.

Run it on a database filled by `generate_national` (its own database, never the
real one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kieumau_national \\
        .venv/bin/python bench/map.py --requests 20

For a legacy and a current year it prints, for the national dot map and for the
largest province's: the SVG's bytes (and gzipped, as a server would send it), its
dots, the queries, and the median and 95th percentile of a whole request through
Django's test client; then the bytes the same dots would take as one <circle>
each, the drawing the map avoids; and the national dashboard page with the map's
table and tile grid.
"""

import argparse
import gzip
import os
import re
import statistics
import sys
import time
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
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from criteria.models import ProgrammeYear  # noqa: E402
from reports.maps import DOT_PATTERN  # noqa: E402
from wards.models import Period, Province  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from dashboards import machine, percentile  # noqa: E402


def measure(client, url, requests):
    """(body, median ms, p95 ms, queries) of `requests` GETs of `url` after two warm-up ones."""
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times, counts = [], []

    def count(execute, sql, params, many, context):
        counts[-1] += 1
        return execute(sql, params, many, context)

    for _ in range(requests):
        counts.append(0)
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return response.content, statistics.median(times), percentile(times, 95), max(counts)


def dots(svg):
    """The units' dots: those of the status paths (not the legend's)."""
    return [dot for d in re.findall(r'<path data-status="[a-z_]+"[^>]* d="([^"]*)"', svg) for dot in DOT_PATTERN.findall(d)]


def as_circles(svg):
    """The bytes of the same dots drawn one <circle> each (the drawing the map avoids)."""
    return sum(len(f'<circle cx="{x}" cy="{y}" r="3" fill="#b4bec8"/>\n') for x, y in dots(svg))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    # Production settings (DEBUG off) serve hashed static files: collect them once.
    call_command("collectstatic", interactive=False, verbosity=0)
    user, _created = get_user_model().objects.get_or_create(
        username="benchmark", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    print(machine())
    print("| map | dots | bytes | gzipped | as <circle>s | queries | median | p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for period in (Period.LEGACY, Period.CURRENT):
        year = ProgrammeYear.objects.filter(period=period, is_generated=True).order_by("year").first()
        if year is None:
            continue
        largest = (Province.objects.filter(period=period).annotate(n=Count("units")).order_by("-n").first())
        for label, url in (
            (f"{year.year} national", f"/reports/{year.year}/map.svg"),
            (f"{year.year} {largest.name} ({largest.n:,} units)", f"/reports/{year.year}/provinces/{largest.code}/map.svg"),
        ):
            body, median, p95, queries = measure(client, url, args.requests)
            svg = body.decode()
            print(f"| {label} | {len(dots(svg)):,} | {len(body):,} | {len(gzip.compress(body)):,} "
                  f"| {as_circles(svg):,} | {queries} | {median:.0f} ms | {p95:.0f} ms |")
        body, median, p95, queries = measure(client, f"/reports/{year.year}/", max(5, args.requests // 4))
        print(f"| {year.year} national dashboard page (table and tiles, the map apart) | | {len(body):,} "
              f"| {len(gzip.compress(body)):,} | | {queries} | {median:.0f} ms | {p95:.0f} ms |")


if __name__ == "__main__":
    main()
