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

# On SQLite, test in a file rather than in memory: the concurrency tests write from
# several threads and the browser tests serve from another thread, as in real use.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-kieumau.sqlite3")}  # noqa: F405

# Threads in the tests open their own connections: close them at the end of each request.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
