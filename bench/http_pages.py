"""Benchmark over HTTP, as a browser sees it: gunicorn in production mode, PostgreSQL, national data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kieumau_http \\
        .venv/bin/python bench/http_pages.py [--requests 40] [--clients 8] [--seconds 30] [--record]

The database must hold national data (`generate_national`, its own database, never
the real one); the script adds one ministry account of its own. It starts gunicorn
with the production settings (DEBUG off, the gunicorn config of the repository),
logs in through the log-in form as a browser does (CSRF cookie, session cookie),
and then, over real sockets:

- **sequential**: the national page of the year and its largest province's page,
  `--requests` times each after three warm-up requests; median and p95 of the time
  to the last byte, and the size of the HTML;
- **closed loop**: `--clients` threads each requesting the national page, the
  province page and the map in turn with no think time for `--seconds`; requests
  per second, median and p95, errors.

`--record` appends the figures to bench/RESULTS.md with the date and the machine.
"""

import argparse
import http.client
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8767
USERNAME = "bench.http"


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


class Browser:
    """One HTTP/1.1 connection with cookies, as one browser tab keeps it alive."""

    def __init__(self):
        self.cookies = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def request(self, method, path, body=None, headers=None):
        headers = {"Host": "localhost", "Accept-Language": "vi", "Accept-Encoding": "identity",
                   "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, password):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"username": USERNAME, "password": password, "csrfmiddlewaretoken": token})
        status, _ = self.request("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": "https://localhost/accounts/login/"})
        assert status == 302, f"log-in failed: {status}"

    def timed(self, path):
        started = time.perf_counter()
        status, data = self.request("GET", path)
        return (time.perf_counter() - started) * 1000, status, len(data)


def sequential(browser, path, requests):
    for _ in range(3):
        _ms, status, _size = browser.timed(path)
        assert status == 200, (path, status)
    times, size = [], 0
    for _ in range(requests):
        ms, status, size = browser.timed(path)
        assert status == 200, (path, status)
        times.append(ms)
    return statistics.median(times), percentile(times, 95), size


def closed_loop(password, paths, clients, seconds):
    times, errors, lock = [], [0], threading.Lock()
    stop = time.perf_counter() + seconds

    def client():
        browser = Browser()
        browser.login(password)
        index = 0
        while time.perf_counter() < stop:
            ms, status, _size = browser.timed(paths[index % len(paths)])
            index += 1
            with lock:
                times.append(ms)
                errors[0] += status != 200

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(times) / elapsed, statistics.median(times), percentile(times, 95), errors[0], len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--label", default="", help="a note for RESULTS.md, e.g. before or after a change")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database filled by generate_national.")
    password = secrets.token_urlsafe(12)
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "localhost",
           "DATABASE_URL": database_url, "TRUSTED_PROXIES": "127.0.0.1",
           "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}
    manage(env, "shell", "--no-imports", "-c", (
        "from django.contrib.auth import get_user_model; from criteria.models import Profile, Role;"
        f"u, _ = get_user_model().objects.get_or_create(username={USERNAME!r}); u.set_password({password!r});"
        "u.save(); Profile.objects.update_or_create(user=u, defaults={'role': Role.MINISTRY})"))
    largest = manage(env, "shell", "--no-imports", "-c", (
        "from criteria.models import Registration; from django.db.models import Count;"
        f"print(Registration.objects.filter(year__year={args.year}).values('unit__province__code')"
        ".annotate(n=Count('pk')).order_by('-n')[0]['unit__province__code'])")).strip().splitlines()[-1]
    manage(env, "collectstatic", "--no-input", "-v0")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(args.workers), "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        for _ in range(100):
            try:
                if Browser().request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        browser = Browser()
        browser.login(password)
        national = f"/reports/{args.year}/"
        province = f"/reports/{args.year}/provinces/{largest}/"
        figures = {
            "national": sequential(browser, national, args.requests),
            f"province {largest}": sequential(browser, province, args.requests),
        }
        paths = [national, province, f"/reports/{args.year}/map.svg"]
        loop = closed_loop(password, paths, args.clients, args.seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    lines = [f"### {date.today().isoformat()} · HTTP through gunicorn · PostgreSQL{' · ' + args.label if args.label else ''}",
             "",
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; gunicorn {args.workers} workers, "
             f"production settings; year {args.year}; {args.requests} sequential requests per page after 3 warm-up.",
             "",
             "| page | median ms | p95 ms | HTML bytes |", "|---|---:|---:|---:|"]
    for name, (median, p95, size) in figures.items():
        lines.append(f"| {name} | {median:.0f} | {p95:.0f} | {size:,} |")
    rps, median, p95, errors, count = loop
    lines += ["", f"Closed loop, {args.clients} clients, no think time, {args.seconds} s (national, province, map in "
              f"turn): **{rps:.1f} requests/s**, median {median:.0f} ms, p95 {p95:.0f} ms, {count} requests, "
              f"{errors} errors.", ""]
    text = "\n".join(lines)
    print(text)
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
