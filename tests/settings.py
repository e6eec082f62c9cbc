"""Settings for the test suite: the app's settings with a test key and fast hashing.

Everything else (database from DATABASE_URL, languages, middleware) is the app's own.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from config.settings import *  # noqa: E402,F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Static files come from the finders (app and package folders): no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        pass
    return True


# On SQLite, test in a file rather than in memory: the concurrency tests write from
# several threads and the browser tests serve from another thread, as in real use.
# One file per test run (by process id), so that two runs in one checkout (the whole
# suite in one terminal, a single test in another) never pull each other's tables
# away; the files of runs that were killed half-way are cleared by the next run.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    for leftover in VAR_DIR.glob("test-kieumau*.sqlite3*"):  # noqa: F405
        pid = leftover.name.removeprefix("test-kieumau").removeprefix("-").split(".")[0]
        if not pid.isdigit() or not _alive(int(pid)):  # a dead run's, or the old shared file
            leftover.unlink(missing_ok=True)
    TEST_DATABASE = VAR_DIR / f"test-kieumau-{os.getpid()}.sqlite3"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DATABASE)}  # noqa: F405

# Threads in the tests open their own connections: close them at the end of each request.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The test client and the live server speak plain HTTP; production's HTTPS settings
# are checked by `check --deploy` in tests/test_production.py instead.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
