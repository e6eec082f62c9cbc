"""Benchmark: spreadsheet bombs against the import, in process and under gunicorn (issue 12).

    .venv/bin/python bench/import_bomb.py [--database sqlite|postgresql] [--record]

Makes two XLSX bombs like the tester's (`real_bomb` in tests/test_hostile_imports.py):
3.4 MB unpacking to 1.1 GB (23 million rows) and 162 kB unpacking to 52 MB. Then, on
a database of its own (the demo year):

1. posts each through Django's test client as a provincial user, and prints the wall
   time and the extra memory (tracemalloc peak, in a second run, and growth of the
   process's peak RSS);
2. starts gunicorn in production mode (4 workers), posts the big bomb four times at
   once while polling /healthz every 50 ms, and prints whether /healthz kept
   answering, its worst latency, and each worker's peak RSS growth.

Targets: the big bomb refused in under 2 s with under 100 MB of extra memory, and
/healthz answering throughout. --record appends the figures to bench/RESULTS.md.
"""

import argparse
import os
import platform
import re
import resource
import secrets
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
import uuid
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGUSER = os.environ.get("PGUSER", "postgres")
DATABASE = "kieumau_bomb"
PORT = 8767
BASE = f"http://127.0.0.1:{PORT}"
USER = "hanoi.demo"
IMPORT = "/reports/2023/provinces/01/import/"
REFUSED = "unpacks to more than"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    var = ROOT / "var" / "bench-import"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    password = secrets.token_urlsafe(12)
    if args.database == "postgresql":
        url = f"postgres://{PGUSER}@127.0.0.1:5432/{DATABASE}"
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        psql(f"CREATE DATABASE {DATABASE}")
    else:
        url = f"sqlite:///{var / 'db.sqlite3'}"
    env = {
        **os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,testserver", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0", "DEMO_PASSWORD": password, "VAR_DIR": str(var), "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}", "WEB_CONCURRENCY": str(args.workers),
    }
    print("-- preparing the database", flush=True)
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "--no-input"], ["load_units"], ["load_demo"], ["collectstatic", "--no-input"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "VAR_DIR",
                                           "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                                           "LOG_LEVEL")})
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, connections

    version = database_version(connection)

    print("-- making the bombs", flush=True)
    started = time.perf_counter()
    from tests.test_hostile_imports import real_bomb

    big = real_bomb(1100)
    small = real_bomb(52)
    print(f"   {len(big) / 1e6:.1f} MB and {len(small) / 1e3:.0f} kB in {time.perf_counter() - started:.1f} s")

    print("-- through Django's test client", flush=True)
    local = {name: in_process(content) for name, content in (("big", big), ("small", small))}
    for name, figures in local.items():
        print(f"   {name}: {figures}")

    print(f"-- gunicorn, {args.workers} workers: four big bombs at once while /healthz is polled", flush=True)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py",
                               "config.wsgi"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        served = under_gunicorn(server, big, password, args.workers)
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"   {served}")

    connections.close_all()
    if args.database == "postgresql":
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    shutil.rmtree(var, ignore_errors=True)
    report(args, version, big, small, local, served)


def psql(command):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", "postgres", "-qc", command], check=True)


def in_process(content):
    """Post the bomb through the test client: time, then tracemalloc peak in a second run, and RSS growth."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=USER))
    client.cookies["django_language"] = "en"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.post(IMPORT, {"file": SimpleUploadedFile("bomb.xlsx", content)})
    elapsed = time.perf_counter() - started
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    refused = response.status_code == 400 and REFUSED in response.content.decode()
    tracemalloc.start()
    client.post(IMPORT, {"file": SimpleUploadedFile("bomb.xlsx", content)})
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"refused": refused, "seconds": elapsed, "traced_mb": peak / 1024 / 1024, "rss_growth_mb": rss_growth,
            "read_upload_ms": read_upload_ms(content)}


def read_upload_ms(content):
    """The median time of the check itself, without the request around it (the upload's parsing, the page)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports.importers import ImportRefused, read_upload

    times = []
    for _ in range(5):
        started = time.perf_counter()
        try:
            read_upload(SimpleUploadedFile("bomb.xlsx", content))
        except ImportRefused:
            pass
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[2]


def under_gunicorn(server, content, password, workers):
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    session = log_in(password)
    # Warm every worker up first (URLs, templates, openpyxl imported): what is measured is the bomb.
    warm = [threading.Thread(target=session.upload, args=(b"   ",)) for _ in range(3 * workers)]
    for thread in warm:
        thread.start()
    for thread in warm:
        thread.join()
    pids = worker_pids(server.pid, workers)
    before = {pid: memory(pid) for pid in pids}

    latencies, failures, stop = [], [], threading.Event()

    def poll():
        while not stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{BASE}/healthz", timeout=10) as response:
                    ok = response.status == 200
            except (OSError, urllib.error.HTTPError):
                ok = False
            latencies.append(time.perf_counter() - started)
            if not ok:
                failures.append(time.perf_counter())
            time.sleep(0.05)

    results = []

    def post():
        started = time.perf_counter()
        status, body = session.upload(content)
        results.append((status, REFUSED in body, time.perf_counter() - started))
        if status != 400 or REFUSED not in body:
            text = re.sub(r"<[^>]+>|\\s+", " ", body)
            print(f"   unexpected answer {status}: {text[:300]}", flush=True)

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.5)  # a few polls before, for the baseline
    posts = [threading.Thread(target=post) for _ in range(4)]
    started = time.perf_counter()
    for thread in posts:
        thread.start()
    for thread in posts:
        thread.join()
    wall = time.perf_counter() - started
    time.sleep(0.5)
    stop.set()
    poller.join()
    after = {pid: memory(pid) for pid in worker_pids(server.pid, workers)}
    growth = [(after[pid]["VmHWM"] - before[pid]["VmRSS"]) / 1024 for pid in before if pid in after]
    return {
        "refused": sum(1 for status, ok, _s in results if status == 400 and ok), "posts": len(results),
        "slowest_post": max(s for _st, _ok, s in results), "wall": wall,
        "healthz_polls": len(latencies), "healthz_failures": len(failures),
        "healthz_worst_ms": max(latencies) * 1000, "healthz_median_ms": sorted(latencies)[len(latencies) // 2] * 1000,
        "worker_peak_growth_mb": max(growth) if growth else float("nan"),
        "workers_restarted": len(set(before) - set(after)),
    }


class Session:
    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def open(self, path, data=None, headers=None):
        request = urllib.request.Request(BASE + path, data=data, headers={"Referer": BASE + path, **(headers or {})})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def upload(self, content):
        boundary = uuid.uuid4().hex
        body = b"".join([
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.csrf()}\r\n'
            .encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bomb.xlsx"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode(),
            content, f"\r\n--{boundary}--\r\n".encode(),
        ])
        return self.open(IMPORT, body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                        "Accept-Language": "en"})


def log_in(password):
    from urllib.parse import urlencode

    session = Session()
    session.open("/accounts/login/")
    status, body = session.open("/accounts/login/", urlencode(
        {"username": USER, "password": password, "csrfmiddlewaretoken": session.csrf()}).encode())
    session.open("/i18n/setlang/", urlencode({"language": "en", "csrfmiddlewaretoken": session.csrf()}).encode())
    status, body = session.open(IMPORT)
    if status != 200:
        sys.exit(f"log-in failed: the import page answers {status}")
    return session


def worker_pids(master, count):
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if len(children) >= count:
            return [int(pid) for pid in children]
        time.sleep(0.1)
    return [int(pid) for pid in children]


def memory(pid):
    """VmRSS and VmHWM (peak RSS) of a process, in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"^{key}:\s+(\d+)", status, re.M).group(1)) for key in ("VmRSS", "VmHWM")}


def database_version(connection):
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def report(args, version, big, small, local, served):
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    big_ok = local["big"]["seconds"] < 2 and local["big"]["traced_mb"] < 100 and local["big"]["rss_growth_mb"] < 100
    lines = [
        f"### {date.today().isoformat()} · import bombs · {args.database}",
        "",
        f"Machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} cores ({cpu}) · Python "
        f"{platform.python_version()} · {version}. "
        f"Bombs: {len(big) / 1e6:.1f} MB unpacking to 1.1 GB (23 million rows); {len(small) / 1e3:.0f} kB unpacking "
        "to 52 MB (1.1 million rows).",
        "",
        "| bomb, through Django's test client | refused | time (request) | time (`read_upload` alone) "
        "| extra memory (tracemalloc peak) | peak RSS growth |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, label in (("big", f"{len(big) / 1e6:.1f} MB → 1.1 GB"), ("small", f"{len(small) / 1e3:.0f} kB → 52 MB")):
        figures = local[name]
        lines.append(f"| {label} | {'yes' if figures['refused'] else 'NO'} | {figures['seconds'] * 1000:.0f} ms | "
                     f"{figures['read_upload_ms']:.1f} ms | "
                     f"{figures['traced_mb']:.1f} MB | {figures['rss_growth_mb']:.1f} MB |")
    lines += [
        "",
        f"gunicorn, {args.workers} workers, production settings: four {len(big) / 1e6:.1f} MB bombs posted at once "
        f"while /healthz was polled every 50 ms: {served['refused']} of {served['posts']} refused, the slowest in "
        f"{served['slowest_post'] * 1000:.0f} ms (all four in {served['wall'] * 1000:.0f} ms); /healthz answered "
        f"{served['healthz_polls'] - served['healthz_failures']} of {served['healthz_polls']} polls, median "
        f"{served['healthz_median_ms']:.0f} ms, worst {served['healthz_worst_ms']:.0f} ms; the workers' peak RSS grew "
        f"by at most {served['worker_peak_growth_mb']:.1f} MB; workers restarted: {served['workers_restarted']}.",
        "",
        f"Target (the big bomb refused in under 2 s with under 100 MB of extra memory): "
        f"{'met' if big_ok else 'NOT met'}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
