"""Load test: 50 simulated users for 2 minutes against gunicorn (4 workers) on PostgreSQL.

    .venv/bin/pip install -e ".[bench]"      # locust
    .venv/bin/python bench/loadtest.py [--users 50] [--duration 120] [--record]

It builds a database of its own (kieumau_load: the demo year, or with --national the
national data of 2023, plus 50 accounts, each with wards of its own), starts gunicorn, runs locust headless (bench/locustfile.py:
provincial users opening dashboards and saving self-assessments, ministry users
saving verified results, verifying and reopening, administrators exporting), stops
by itself, and then checks that every change the simulated users made is in the
database and its history: nothing lost. Prints throughput, median and p95 per
request type and the error count; --record appends them to bench/RESULTS.md.

Think time (--think, 1-3 s) is what a person spends reading a page before the next
click: it separates every action of a user, an action being one page opened or one
form posted together with the page its redirect leads to.
"""

import argparse
import csv
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGUSER = os.environ.get("PGUSER", "postgres")
DATABASE = "kieumau_load"
PORT = 8766


def psql(command, database="postgres"):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", database, "-qc", command], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--think", default="1,3", help="seconds between a user's actions, e.g. 1,3")
    parser.add_argument("--national", action="store_true",
                        help="run on the national data of 2023 (generate_national: 10,035 wards) instead of the demo")
    args = parser.parse_args()

    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{PGUSER}@127.0.0.1:5432/{DATABASE}",
        "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "DEMO_PASSWORD": password, "VAR_DIR": str(ROOT / "var" / "load"), "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}", "WEB_CONCURRENCY": str(args.workers), "CONN_MAX_AGE": "60",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "VAR_DIR")})
    print("-- preparing the database", flush=True)
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    python = str(ROOT / ".venv" / "bin" / "python")
    data = ["generate_national", "--years", "2023"] if args.national else ["load_demo"]
    for command in (["migrate", "--no-input"], ["load_units"], data, ["collectstatic", "--no-input"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.national:
        from criteria.models import ProgrammeYear

        # A generated year is closed for entry; the simulated users save results in it.
        ProgrammeYear.objects.filter(year=2023).update(is_open=True)
    accounts, tracked = prepare_accounts(args.users, password)
    from criteria.models import Assessment

    versions_before = dict(Assessment.objects.filter(pk__in=tracked).values_list("pk", "version"))
    history_before = Assessment.history.filter(id__in=tracked).count()

    print("-- gunicorn", flush=True)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py",
                               "config.wsgi"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with tempfile.TemporaryDirectory() as folder:
            changes_file = Path(folder) / "changes.json"
            locust_env = {
                **env, "KIEUMAU_LOAD_ACCOUNTS": json.dumps(accounts), "KIEUMAU_LOAD_PASSWORD": password,
                "KIEUMAU_LOAD_CHANGES": str(changes_file), "KIEUMAU_LOAD_THINK": args.think,
                "KIEUMAU_LOAD_DURATION": str(args.duration),
                "KIEUMAU_LOAD_PROVINCE_USERS": str(len(accounts["province"])),
                "KIEUMAU_LOAD_MINISTRY_USERS": str(len(accounts["ministry"])),
                "KIEUMAU_LOAD_ADMIN_USERS": str(len(accounts["admin"])),
            }
            print(f"-- locust: {args.users} users for {args.duration} s", flush=True)
            subprocess.run(
                [str(ROOT / ".venv" / "bin" / "locust"), "-f", "bench/locustfile.py", "--headless",
                 # Spawn 5 users a second; the locustfile measures from a clean slate once every
                 # user has logged in (1,000,000 rounds of PBKDF2 each, by design: not what the
                 # targets are about) and stops --duration seconds later. -t is a safety net only.
                 "-u", str(args.users), "-r", "5", "-t", f"{args.duration + 60 + args.users * 3}s",
                 "--stop-timeout", "10",
                 "--host", f"http://127.0.0.1:{PORT}", "--csv", f"{folder}/stats", "--only-summary",
                 "--loglevel", "WARNING"],
                cwd=ROOT, env=locust_env, check=False,
            )
            stats = list(csv.DictReader(open(f"{folder}/stats_stats.csv", encoding="utf-8")))
            changes = json.loads(changes_file.read_text())
    finally:
        server.terminate()
        server.wait(timeout=60)

    versions_after = dict(Assessment.objects.filter(pk__in=tracked).values_list("pk", "version"))
    bumps = sum(versions_after[pk] - versions_before[pk] for pk in tracked)
    history_added = Assessment.history.filter(id__in=tracked).count() - history_before
    made = sum(changes.values())
    report(args, stats, changes, made, bumps, history_added)
    from django.db import connections

    connections.close_all()
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    if made != bumps or made != history_added:
        sys.exit("Changes lost or unaccounted for!")


def prepare_accounts(users, password):
    """Accounts for the simulated users, each with wards of its own. Returns (accounts, assessment ids)."""
    from django.contrib.auth import get_user_model
    from criteria.access import Role
    from criteria.models import Assessment, Profile, ProgrammeYear, Status
    from criteria.workflow import register
    from wards.models import Period, Province, Unit, UnitKind

    User = get_user_model()
    year = ProgrammeYear.objects.get(year=2023)
    provincial = round(users * 0.6)
    ministry = round(users * 0.3)
    admins = users - provincial - ministry
    accounts = {"province": [], "ministry": [], "admin": []}
    tracked = []
    hashed = make_hasher(password)
    current = list(Province.objects.filter(period=Period.CURRENT).order_by("code"))
    for index in range(provincial):
        home = current[index % len(current)]
        legacy = Province.objects.filter(successor=home).order_by("code")[index // len(current) % max(
            1, Province.objects.filter(successor=home).count())]
        user = User.objects.create(username=f"load.province{index:02d}", password=hashed)
        Profile.objects.create(user=user, province=home, role=Role.PROVINCE)
        free = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province=legacy,
                                   registrations__isnull=True).order_by("code")[:3]
        wards = []
        for unit in free:
            wards.append(unit.code)
            tracked.append(register(year, unit, by=user).registration.assessment.pk)
        if not wards:
            # National data registers every ward: take three of the province's unverified ones back
            # to draft, for this user to fill in (the bench's own database).
            taken = list(Assessment.objects.filter(year=year, unit__province=legacy).exclude(
                status=Status.VERIFIED).exclude(pk__in=tracked).order_by("unit__code")[:3])
            Assessment.objects.filter(pk__in=[a.pk for a in taken]).update(status=Status.DRAFT)
            wards = [a.unit.code for a in Assessment.objects.filter(pk__in=[a.pk for a in taken]).select_related(
                "unit")]
            tracked += [a.pk for a in taken]
        accounts["province"].append({"username": user.username, "province": legacy.code, "wards": wards})
    submitted = list(Assessment.objects.filter(year=year, status=Status.SUBMITTED).exclude(pk__in=tracked)
                     .select_related("registration__unit").order_by("pk")[:ministry * 20])
    for index in range(ministry):
        user = User.objects.create(username=f"load.ministry{index:02d}", password=hashed)
        Profile.objects.create(user=user, role=Role.MINISTRY)
        mine = submitted[index::ministry]
        tracked += [a.pk for a in mine]
        accounts["ministry"].append({"username": user.username, "wards": [a.registration.unit.code for a in mine]})
    for index in range(admins):
        user = User.objects.create(username=f"load.admin{index:02d}", password=hashed, is_superuser=True,
                                   is_staff=True)
        accounts["admin"].append({"username": user.username})
    return accounts, tracked


def make_hasher(password):
    from django.contrib.auth.hashers import make_password

    return make_password(password)


def report(args, stats, changes, made, bumps, history_added):
    rows = [s for s in stats if s["Name"] != "Aggregated"]
    total = next(s for s in stats if s["Name"] == "Aggregated")
    lines = [
        f"### {date.today().isoformat()} · load test · PostgreSQL · "
        f"{'national data (2023, generate_national)' if args.national else 'demo data'}",
        "",
        f"Machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} cores (gunicorn, PostgreSQL and "
        f"locust all on it). gunicorn {args.workers} workers, {args.users} users (60 % provincial police, 30 % "
        f"ministry staff, 10 % administrators), spawned 5 a second, then measured for {args.duration} s from the moment "
        f"all were logged in; {args.think.replace(',', '-')} s of think time between a user's actions (an action: "
        f"a page opened, or a form posted with the page its redirect leads to; administrators 5-10 s).",
        "",
        "| request | count | failures | median ms | p95 ms | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in sorted(rows, key=lambda s: s["Name"]):
        lines.append(f"| {s['Type']} {s['Name']} | {s['Request Count']} | {s['Failure Count']} | "
                     f"{s['50%']} | {s['95%']} | {float(s['Requests/s']):.1f} |")
    lines += [
        f"| **all** | {total['Request Count']} | {total['Failure Count']} | {total['50%']} | {total['95%']} | "
        f"{float(total['Requests/s']):.1f} |",
        "",
        f"Errors: {total['Failure Count']}. Nothing lost: the simulated users made {made} changes "
        f"({', '.join(f'{k} {v}' for k, v in sorted(changes.items()))}); their assessments' versions moved by "
        f"{bumps} and their history gained {history_added} rows: "
        f"{'equal' if made == bumps == history_added else 'NOT EQUAL'}.",
        "",
    ]
    print("\n".join(lines))
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
