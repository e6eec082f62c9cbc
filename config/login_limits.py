"""Limits on guessing passwords, on top of django-axes.

Axes locks a username at one client address after AXES_FAILURE_LIMIT wrong
passwords (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]): someone
elsewhere cannot lock a colleague out, because the lock is keyed on the address
the failures came from (config/client_ip.py finds the real one behind the load
balancer).

That alone lets one address try one password on every account (password
spraying) without ever being slowed. So this handler also counts the failures of
all usernames from one address, and refuses every log-in from it once they reach
LOGIN_FAILURES_PER_IP in the cool-off window. Only failures count, never
successful log-ins: an office of fifty people behind one address is never locked
for logging in, only for many wrong passwords in a short time. A successful log-in
clears only that user's own failures (axes' AXES_RESET_ON_SUCCESS), so an attacker
holding one valid account cannot wipe the address's count by logging in with it.

Axes has a single failure limit and compares it with whatever `get_failures`
returns; an address over its own limit is reported as at the per-user limit,
which makes axes refuse it everywhere it checks (before authenticating, after a
failure, and on the password-change form).
"""

import math

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class LoginLimitsHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        if self.failures_from_address(request) >= settings.LOGIN_FAILURES_PER_IP:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def failures_from_address(self, request):
        """Failed log-ins from the request's address, for any username, within the cool-off window."""
        if request.axes_ip_address is None:
            return 0  # no address to tell clients apart: do not lock them all together
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def cool_off_minutes(request=None):
    """How long a lock lasts, in whole minutes, for the messages that say when to try again."""
    return math.ceil(get_cool_off(request).total_seconds() / 60)


def lockout_response(request, original_response=None, credentials=None):
    """Our own page (AXES_LOCKOUT_CALLABLE), saying what happened and when to try again."""
    minutes = cool_off_minutes(request)
    response = render(
        request, "registration/locked_out.html", {"minutes": minutes}, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(minutes * 60)
    return response
