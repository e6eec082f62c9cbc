"""The app as it runs for real: secure settings, headers, health check, 503s, structured logs."""

import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(code, **env):
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def production_env(**more):
    return {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "kieumau.bocongan.local",
            "DATABASE_URL": "sqlite:////tmp/kieumau-deploy-check.sqlite3", **more}


def test_check_deploy_reports_nothing_with_only_the_three_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={"PATH": os.environ["PATH"], **production_env()}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_development_opts_out_of_https():
    result = run("import config.settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
                 "s.SECURE_HSTS_SECONDS)", DEBUG="1")
    assert result.stdout.split() == ["False", "False", "0"]


def test_behind_a_tls_proxy():
    result = run("import config.settings as s; print(s.SECURE_PROXY_SSL_HEADER)",
                 **production_env(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https"))
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
def test_security_headers_on_every_page(client_as, ministry):
    response = client_as(ministry).get("/reports/2023/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_templates_have_no_inline_script_or_style():
    """What the Content-Security-Policy forbids must not be in our own templates."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", text) or re.search(
                r"\sstyle=\"", text) or "<style" in text or re.search(r"\son[a-z]+=\"", text):
            offenders.append(path.name)
    assert offenders == []


@pytest.mark.django_db
def test_healthz_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}
    assert "Set-Cookie" not in response or "sessionid" not in response["Set-Cookie"]


def test_database_unreachable_gives_503_not_500():
    """A real connection failure (nothing listens on the port): /healthz and pages answer 503."""
    code = (
        "import django, os; django.setup();"
        "from django.test import Client;"
        "c = Client(raise_request_exception=False);"
        "h = c.get('/healthz'); p = c.post('/accounts/login/', {'username': 'bo.demo', 'password': 'x'});"
        "print(h.status_code, p.status_code, p.get('Retry-After'));"
        "print(h.content.decode())"
    )
    result = run(code, DJANGO_SETTINGS_MODULE="config.settings",
                 **production_env(DATABASE_URL="postgres://nobody@127.0.0.1:1/none", ALLOWED_HOSTS="testserver",
                                  SECURE_SSL_REDIRECT="0", CONN_MAX_AGE="0"))
    first, second = [line for line in result.stdout.splitlines() if not line.startswith('{"time"')][:2]
    assert first.split() == ["503", "503", "30"], result.stdout + result.stderr
    assert json.loads(second)["database"] == "down"


@pytest.mark.django_db
def test_every_state_change_is_a_structured_log_line(client_as, hanoi, year2023, caplog):
    from criteria.workflow import register
    from wards.models import Period, Unit, UnitKind

    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True).first()
    with caplog.at_level(logging.INFO, logger="kieumau.audit"):
        register(year2023, unit, by=hanoi)
        client_as(hanoi).get("/reports/2023/export/summary.csv")
    records = [r for r in caplog.records if r.name == "kieumau.audit"]
    assert {r.action for r in records} >= {"register", "export"}
    registered = next(r for r in records if r.action == "register")
    assert (registered.user, registered.ward, registered.year) == ("hanoi.demo", unit.code, 2023)
    from config.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(registered))
    assert line["action"] == "register" and line["ward"] == unit.code and line["user"] == "hanoi.demo"


def test_log_lines_go_to_the_current_stdout_even_after_the_old_one_closed(monkeypatch):
    """The handler follows sys.stdout: a stream replaced and closed since start-up is no 'Logging error'."""
    import io

    from config.logs import JsonFormatter, StdoutHandler

    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("kieumau.test-stdout")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        first, second = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", first)
        logger.warning("một", extra={"ward": "Phường Hoàn Kiếm"})
        first.close()
        monkeypatch.setattr(sys, "stdout", second)
        monkeypatch.setattr(sys, "stderr", errors := io.StringIO())
        logger.warning("hai")
        assert json.loads(second.getvalue())["message"] == "hai"
        assert errors.getvalue() == ""
    finally:
        logger.removeHandler(handler)
