"""Database outage drill, run by .ci/run: PostgreSQL stops under a running gunicorn, then comes back.

Checks, through real HTTP against gunicorn on a database of its own:
1. before: pages 200, /healthz 200;
2. PostgreSQL stopped: pages 503 (a clear page with Retry-After), /healthz 503, and a
   save attempted during the outage writes nothing;
3. PostgreSQL started again: the same gunicorn processes answer 200 by themselves
   (connection health checks), and a save goes through.

Needs root (it stops and starts the local PostgreSQL cluster). Exits non-zero on failure.
"""

import http.cookiejar
import os
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PGUSER = os.environ.get("PGUSER", "postgres")
DATABASE = "kieumau_outage"
VERSION = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else "15"
PASSWORD = "outage-drill-password"


def step(text):
    print(f"-- {text}", flush=True)


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def cluster(action):
    sh("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, "main", action)
    if action == "start":
        for _ in range(60):
            if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0:
                return
            time.sleep(0.5)
        raise SystemExit("PostgreSQL did not come back")


class Browser:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": BASE + path}
        try:
            with self.opener.open(urllib.request.Request(BASE + path, data=body, headers=headers), timeout=30) as r:
                return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def log_in(self, username):
        self.request("/accounts/login/")
        status, _body, _headers = self.request(
            "/accounts/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()})
        assert status == 302, f"log-in failed: {status}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def expect(label, got, wanted):
    ok = got == wanted
    print(f"   {'ok ' if ok else 'FAIL'} {label}: {got} (expected {wanted})", flush=True)
    if not ok:
        raise SystemExit(1)


def main():
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{PGUSER}@127.0.0.1:5432/{DATABASE}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "DEMO_PASSWORD": PASSWORD,
        "VAR_DIR": str(ROOT / "var" / "outage"),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}", "WEB_CONCURRENCY": "2",
        "CONN_MAX_AGE": "60", "DEBUG": "0", "LOG_LEVEL": "WARNING",
    }
    step("a database of its own, with the demo data")
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", "postgres", "-qc",
                    f"DROP DATABASE IF EXISTS {DATABASE}"], check=True)
    sh("psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", "postgres", "-qc", f"CREATE DATABASE {DATABASE}")
    for command in (["migrate", "--no-input"], ["load_units"], ["load_demo"], ["collectstatic", "--no-input"]):
        sh(PYTHON, "manage.py", *command, cwd=ROOT, env=env)

    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py",
                               "config.wsgi"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(BASE + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        browser = Browser()
        browser.log_in("bo.demo")

        step("1. database up")
        expect("GET /reports/2023/", browser.request("/reports/2023/")[0], 200)
        expect("GET /healthz", browser.request("/healthz")[0], 200)
        html = browser.request("/reports/2023/provinces/79/")[1]
        code = next(c for c in re.findall(r'data-ward="(\d+)"', html)
                    if "data-status=\"submitted\"" in browser.request(f"/wards/{c}/2023/")[1])
        form = browser.request(f"/wards/{code}/2023/assess/verified/")[1]
        version = re.search(r'name="version" value="(\d+)"', form).group(1)
        save = {"csrfmiddlewaretoken": browser.csrf(), "version": version}
        for number in range(1, 23):
            save[f"c{number}_value"] = "met"
            save[f"c{number}_note"] = "Lưu trong lúc mất kết nối cơ sở dữ liệu"
        before = sh("psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", DATABASE, "-Atc",
                    "select count(*) from criteria_result where verified_note <> ''; "
                    "select count(*) from criteria_historicalresult").stdout

        step("2. PostgreSQL stopped")
        cluster("stop")
        try:
            status, body, headers = browser.request("/reports/2023/")
            expect("GET /reports/2023/", status, 503)
            expect("Retry-After", headers.get("Retry-After"), "30")
            expect("a clear page", "Temporarily unavailable" in body, True)
            expect("GET /healthz", browser.request("/healthz")[0], 503)
            expect("POST a save", browser.request(f"/wards/{code}/2023/assess/verified/", save)[0], 503)
        finally:
            cluster("start")

        step("3. PostgreSQL back: the same gunicorn recovers by itself")
        for _ in range(30):
            if browser.request("/healthz")[0] == 200:
                break
            time.sleep(1)
        expect("GET /healthz", browser.request("/healthz")[0], 200)
        expect("GET /reports/2023/", browser.request("/reports/2023/")[0], 200)
        after = sh("psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", DATABASE, "-Atc",
                   "select count(*) from criteria_result where verified_note <> ''; "
                   "select count(*) from criteria_historicalresult").stdout
        expect("nothing written during the outage", after, before)
        expect("POST the save again", browser.request(f"/wards/{code}/2023/assess/verified/", save)[0], 302)
        saved = sh("psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", DATABASE, "-Atc",
                   "select count(*) from criteria_result "
                   "where verified_note = 'Lưu trong lúc mất kết nối cơ sở dữ liệu'").stdout.strip()
        expect("all 22 criteria saved at once", saved, "22")
        print("outage drill passed", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode != 0:
            cluster("start")
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", PGUSER, "-d", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {DATABASE}"])


if __name__ == "__main__":
    main()
