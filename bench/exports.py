"""Benchmark: the ward-results XLSX of every unit of the country for one year.

Run it on a database filled by `generate_national`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kieumau_national \\
        .venv/bin/python bench/exports.py [--year 2023] [--record]

The export runs as its own process (`manage.py export_summary --report wards
--format xlsx`), so that its wall time and its peak memory (max RSS) are its own.
Targets: under 10 s and under 300 MB.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", default="2023")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only"), "DEBUG": "0"}
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "wards.xlsx"
        started = time.perf_counter()
        process = subprocess.run(
            [sys.executable, "manage.py", "export_summary", "--year", args.year, "--report", "wards",
             "--format", "xlsx", "--output", str(output)],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        elapsed = time.perf_counter() - started
        if process.returncode:
            sys.exit(process.stderr)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = output.stat().st_size / 1024 / 1024
        from zipfile import ZipFile

        with ZipFile(output) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml")
        rows = sheet.count(b"<row ") - 1
    database = env.get("DATABASE_URL", "sqlite (default)").split("@")[-1]
    lines = [
        f"### {date.today().isoformat()} · ward-results XLSX export · {database}",
        "",
        f"Machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()}. Year {args.year}: {rows:,} ward rows × 31 columns, file {size_mb:.1f} MB.",
        "",
        "| measure | value | target |",
        "| --- | ---: | --- |",
        f"| wall time (whole command, Django start-up included) | {elapsed:.1f} s | < 10 s: "
        f"{'met' if elapsed < 10 else 'NOT met'} |",
        f"| peak memory (max RSS of the process) | {peak_mb:.0f} MB | < 300 MB: "
        f"{'met' if peak_mb < 300 else 'NOT met'} |",
        "",
    ]
    print("\n".join(lines))
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
