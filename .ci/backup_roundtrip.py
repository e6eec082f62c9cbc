"""Backup and restore round trip, run by .ci/run: the documented commands, then identical summaries.

PostgreSQL: pg_dump -Fc, then pg_restore into an empty database.
SQLite: manage.py dumpdata, then migrate + flush + loaddata into an empty file.
In both cases the yearly summary (JSON) and the ward-results export (CSV) of the
restored database must equal the original's, byte for byte.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PGUSER = os.environ.get("PGUSER", "postgres")


def manage(url, *args, capture=False):
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "DEMO_PASSWORD": "backup-drill", "LOG_LEVEL": "WARNING"}
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return result.stdout if capture else None


def outputs(url):
    """What must survive: the summary JSON and the ward results CSV."""
    with tempfile.TemporaryDirectory() as folder:
        manage(url, "export_summary", "--year", "2023", "--report", "wards", "--format", "csv",
               "--output", f"{folder}/wards.csv")
        return manage(url, "export_summary", "--year", "2023", capture=True), Path(f"{folder}/wards.csv").read_bytes()


def fill(url):
    manage(url, "migrate", "--no-input")
    manage(url, "load_units")
    manage(url, "load_demo")


def psql(database, command):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", database, "-qc", command], check=True)


def postgres():
    source, target = "kieumau_backup_source", "kieumau_backup_restored"
    for name in (source, target):
        psql("postgres", f"DROP DATABASE IF EXISTS {name}")
    psql("postgres", f"CREATE DATABASE {source}")
    psql("postgres", f"CREATE DATABASE {target}")
    try:
        fill(f"postgres://{PGUSER}@127.0.0.1:5432/{source}")
        with tempfile.TemporaryDirectory() as folder:
            dump = f"{folder}/kieumau.dump"
            subprocess.run(["pg_dump", "-h", "127.0.0.1", "-U", PGUSER, "-Fc", "-f", dump, source], check=True)
            subprocess.run(["pg_restore", "-h", "127.0.0.1", "-U", PGUSER, "--no-owner", "-d", target, dump],
                           check=True)
        return (outputs(f"postgres://{PGUSER}@127.0.0.1:5432/{source}"),
                outputs(f"postgres://{PGUSER}@127.0.0.1:5432/{target}"))
    finally:
        for name in (source, target):
            psql("postgres", f"DROP DATABASE IF EXISTS {name}")


def sqlite():
    with tempfile.TemporaryDirectory() as folder:
        source, target = f"sqlite:///{folder}/source.sqlite3", f"sqlite:///{folder}/restored.sqlite3"
        fill(source)
        dump = f"{folder}/kieumau.json"
        manage(source, "dumpdata", "--natural-foreign", "--natural-primary", "--exclude", "contenttypes",
               "--exclude", "auth.permission", "--exclude", "sessions", "--output", dump)
        manage(target, "migrate", "--no-input")
        manage(target, "flush", "--no-input")  # the restore brings the catalogue and groups too
        manage(target, "loaddata", dump)
        return outputs(source), outputs(target)


def main():
    failed = False
    for name, check in (("SQLite (dumpdata/loaddata)", sqlite), ("PostgreSQL (pg_dump/pg_restore)", postgres)):
        original, restored = check()
        same = original == restored
        failed |= not same
        print(f"{'ok ' if same else 'FAIL'} {name}: summary {len(original[0])} bytes, ward results "
              f"{len(original[1])} bytes, identical after restore: {same}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
