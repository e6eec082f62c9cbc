import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(env):
    """Import the app's settings in a fresh interpreter with exactly `env` set."""
    code = "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE)"
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_refuses_to_start_without_secret_key_in_production():
    result = run_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_defaults_to_sqlite_under_var():
    result = run_settings({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "vi", "Asia/Ho_Chi_Minh"]


def test_database_url_selects_postgresql():
    result = run_settings({"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@127.0.0.1:5432/kieumau"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "False"]


def test_bad_integer_setting_is_a_clear_error():
    result = run_settings({"DEBUG": "1", "SESSION_COOKIE_AGE": "soon"})
    assert result.returncode != 0
    assert "SESSION_COOKIE_AGE must be an integer" in result.stderr


def test_bad_trusted_proxy_is_a_clear_error():
    result = run_settings({"DEBUG": "1", "TRUSTED_PROXIES": "10.0.0.1, balancer.internal"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'balancer.internal' is not an IP address or network" in result.stderr
