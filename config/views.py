"""Views of the platform itself: health check, error pages, password change."""

import sys

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache

from .forms import PasswordChangeForm


@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not. No session, no login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@login_not_required
@cache_control(max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return redirect(static("favicon.svg"))


def server_error(request):
    """500, or 503 when the cause is the database being unreachable (it comes back by itself).

    The pages are static: they must render with the database down.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and _unreachable(error):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def _unreachable(error):
    """An OperationalError or InterfaceError: the connection, not the query, failed."""
    from django.db import InterfaceError, OperationalError

    return isinstance(error, (OperationalError, InterfaceError))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view, with wrong old passwords limited like log-ins (see PasswordChangeForm)."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("old_password", code="locked"):
            response.status_code = 429  # Too Many Requests, as axes answers a locked log-in
        return response


def bad_request(request, exception=None):
    """400 without touching the request's body again.

    Django's own handler checks the CSRF token, which reads the body: when the body
    is what was wrong (a form posted in a charset Django refuses, such as UTF-7),
    reading it again raised once more and the answer became a 500.
    """
    return HttpResponse(loader.get_template("400.html").render(), status=400)


def csrf_failure(request, reason=""):
    """Our page when a form's security token is missing or stale: what happened and what to do."""
    return render(request, "403_csrf.html", status=403)
