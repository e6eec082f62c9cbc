"""The Django admin and django-axes in Vietnamese.

Django's own Vietnamese catalogue lacks the admin's newer strings (Django 5.x: the
sidebar, the theme switch, the facet counts), and django-axes ships none at all. Our
catalogue is read before theirs, so a translation there wins: the strings are named
below, in our code, so that `make messages --no-obsolete` extracts them and keeps them.
Nothing reads these lists at run time.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy

from axes.apps import AppConfig as BaseAxesConfig


class AxesConfig(BaseAxesConfig):
    """django-axes under a name the admin's users read ("Axes" is the package's name)."""

    verbose_name = _("Log-in protection")

    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        # How the admin names one row (its lists, its deletion pages): axes writes it in English.
        AccessAttempt.__str__ = lambda row: gettext("Failed log-ins of %(username)s from %(ip)s") % {
            "username": row.username, "ip": row.ip_address}
        AccessFailureLog.__str__ = lambda row: gettext("Failed log-in of %(username)s from %(ip)s, %(time)s") % {
            "username": row.username, "ip": row.ip_address, "time": _when(row.attempt_time)}
        AccessLog.__str__ = lambda row: gettext("Log-in of %(username)s, %(time)s") % {
            "username": row.username, "time": _when(row.attempt_time)}

        # The admin is discovered by now (django.contrib.admin comes first in INSTALLED_APPS):
        # give the two columns axes computes a heading of ours (its own is the method's name).
        class TitledAccessAttemptAdmin(AccessAttemptAdmin):
            @admin.display(description=_("Expires At"))
            def expiration(self, obj):
                return super().expiration(obj)

            @admin.display(description=_("Status"))
            def status(self, obj):
                return super().status(obj)

        if admin.site.is_registered(AccessAttempt):
            admin.site.unregister(AccessAttempt)
            admin.site.register(AccessAttempt, TitledAccessAttemptAdmin)


def _when(moment):
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "—"


# Django's admin (5.2), missing from Django's Vietnamese catalogue or translated there half in English.
DJANGO_ADMIN = [
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("email address"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Set password"),
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user."),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("Skip to main content"),
    gettext_noop("Hide counts"),
    gettext_noop("Show counts"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Added:"),
    gettext_noop("Changed:"),
    gettext_noop("Deleted:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Filter navigation items"),
    ngettext_lazy("entry", "entries"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("Conflicting form data submitted. Please try again."),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop("Set password: %s"),
    gettext_noop("Reset password"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, they may still be "
        "able to authenticate using other backends, such as Single Sign-On or LDAP."
    ),
    gettext_noop("Password-based authentication"),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    gettext_noop(
        "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z "
        "letters, numbers, and @/./+/-/_ characters."
    ),
]

# django-axes (8.x): its models' and admin's words, and its lock-out messages.
AXES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop("Account locked: too many login attempts. Contact an admin to unlock your account."),
]
