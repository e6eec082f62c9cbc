"""Who is told what: notifications in the app and by e-mail.

- A submission tells the ministry's staff (not the administrators: they run the
  system, they do not verify, and every province's submissions would bury them);
  so does a withdrawal, with the province's reason.
- A return, a verification and a reopening tell the users of the ward's province
  (for a legacy ward, of the current province it was merged into), with the reason.
- Reminders before and after the deadlines tell whoever still has work to do
  (`send_reminders`, run daily by cron).

Notifications are made only once the change is committed (`transaction.on_commit`),
never inside the locked save: a change that rolls back tells nobody, and a slow or
broken mail server never holds a lock or fails the user's action. The text is
written in Vietnamese (the programme's language) when the notification is made and
stored, so that the list and the e-mail say the same thing later.

E-mail goes to users with an address and mail turned on (`Profile.email_notifications`);
a notification is always in the app. A mail that fails is logged and its row keeps
`emailed_at` empty; `send_reminders` retries those of the last two days.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from wards.models import Province

from . import calendar
from .access import Role, provincial_users, users_with_role
from .models import Assessment, Notification, NotificationKind, ProgrammeYear, Registration, Window

mail_log = logging.getLogger("kieumau.mail")

LANGUAGE = "vi"
TEXTS = {
    NotificationKind.SUBMITTED: gettext_lazy("%(ward)s (%(province)s) submitted its self-assessment for %(year)s."),
    NotificationKind.RETURNED: gettext_lazy(
        "The ministry returned the self-assessment of %(ward)s for %(year)s to the province."
    ),
    NotificationKind.VERIFIED: gettext_lazy("The ministry verified the assessment of %(ward)s for %(year)s."),
    NotificationKind.REOPENED: gettext_lazy("The ministry reopened the verified assessment of %(ward)s for %(year)s."),
    NotificationKind.WITHDRAWN: gettext_lazy("%(ward)s (%(province)s) withdrew its self-assessment for %(year)s."),
}
RETRY_WITHIN = datetime.timedelta(days=2)
RETRY_AFTER = datetime.timedelta(minutes=10)  # younger ones may still be on their way


# --- after a workflow change ------------------------------------------------------------


def notify_submitted(assessment, *, by):
    """Tell the ministry's staff, once the submission is committed."""
    _after_commit(NotificationKind.SUBMITTED, assessment, by)


def notify_returned(assessment, *, by, reason):
    """Tell the province's users why their self-assessment came back, once committed."""
    _after_commit(NotificationKind.RETURNED, assessment, by, reason)


def notify_verified(assessment, *, by):
    """Tell the province's users that the ward is verified, once committed."""
    _after_commit(NotificationKind.VERIFIED, assessment, by)


def notify_reopened(assessment, *, by, reason):
    """Tell the province's users why a verified assessment was reopened, once committed."""
    _after_commit(NotificationKind.REOPENED, assessment, by, reason)


def notify_withdrawn(assessment, *, by, reason):
    """Tell the ministry's staff why a province took back its submission, once committed."""
    _after_commit(NotificationKind.WITHDRAWN, assessment, by, reason)


def _after_commit(kind, assessment, by, reason=""):
    registration_id, by_id = assessment.registration_id, getattr(by, "pk", None)
    # robust: a failure here is logged and never turns the committed change into an error page.
    transaction.on_commit(lambda: notify(kind, registration_id, by_id, reason), robust=True)


def recipients(kind, registration):
    """The users told of `kind` about `registration` (see the module docstring)."""
    if kind in (NotificationKind.SUBMITTED, NotificationKind.WITHDRAWN):
        return users_with_role(Role.MINISTRY)
    return provincial_users(registration.unit.province)


def notify(kind, registration_id, by_id, reason=""):
    """Make the notifications of one committed change and e-mail them; returns them."""
    registration = Registration.objects.select_related("unit__province", "year").get(pk=registration_id)
    users = recipients(kind, registration).select_related("profile")
    if by_id is not None:
        users = users.exclude(pk=by_id)  # whoever acted knows already
    unit = registration.unit
    with translation.override(LANGUAGE):
        text = str(TEXTS[kind]) % {"ward": unit.name, "province": unit.province.name, "year": registration.year.year}
    notifications = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, registration=registration, year=registration.year, text=text,
                     reason=reason)
        for user in users
    )
    deliver(notifications)
    return notifications


# --- in the app -------------------------------------------------------------------------


def unread_count(user):
    """The user's unread count, for the navigation bar: a callable, so that the COUNT runs
    only on the pages that show it (the admin's pages do not)."""
    return lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()


def get_notification_for_user(user, pk):
    """The user's own notification `pk`, or 404: nobody sees another user's."""
    notification = (
        Notification.objects.filter(user=user, pk=pk).select_related("registration__unit", "registration__year", "year")
        .first()
    )
    if notification is None:
        raise Http404(_("No such notification."))
    return notification


def mark_read(notification):
    """Mark a notification read the first time it is opened."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


# --- links and e-mail -------------------------------------------------------------------


def target_path(notification):
    """Where opening a notification leads: its ward, else its year's dashboard, else the list."""
    if notification.registration_id:
        registration = notification.registration
        return reverse("wards:ward", kwargs={"code": registration.unit.code, "year": registration.year.year})
    if notification.year_id:
        return reverse("reports:national", kwargs={"year": notification.year.year})
    return reverse("notifications")


def absolute(path):
    """An absolute link for an e-mail, on the site's address (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def wants_mail(user):
    profile = getattr(user, "profile", None)
    return bool(user.email) and user.is_active and (profile is None or profile.email_notifications)


def _message(notification, connection):
    with translation.override(LANGUAGE):
        lines = [notification.text]
        if notification.reason:
            lines += ["", _("Reason: %(reason)s") % {"reason": notification.reason}]
        lines += [
            "", absolute(reverse("notification", kwargs={"pk": notification.pk})),
            "", "-- ",
            _("You receive this because e-mail notifications are on for your account. Turn them off at %(url)s.")
            % {"url": absolute(reverse("notifications"))},
        ]
        subject = "[%s] %s" % (_("Kiểu Mẫu"), notification.text)
    return EmailMessage(
        subject=subject[:150], body="\n".join(lines), to=[notification.user.email], connection=connection
    )


def deliver(notifications):
    """E-mail each notification to its user if they want mail; returns how many were sent.

    Each row is claimed (`emailed_at` set) before its mail goes, so two processes
    never send the same one; a mail that fails is logged and unclaimed for a retry.
    Nothing here raises: the change the mail is about has happened already.
    """
    wanted = [n for n in notifications if wants_mail(n.user)]
    if not wanted:
        return 0
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for notification in wanted:
            claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue
            try:
                _message(notification, connection).send()
            except Exception:
                mail_log.exception("mail failed", extra={"action": "mail_failed", "user": notification.user.username,
                                                         "notification": notification.pk})
                Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            else:
                sent += 1
    except Exception:
        mail_log.exception("mail server unavailable", extra={"action": "mail_failed"})
    finally:
        try:
            connection.close()
        except Exception:
            mail_log.exception("mail connection did not close", extra={"action": "mail_failed"})
    return sent


def retry_unsent(now=None):
    """Send again the mail of the last two days that failed; returns how many went."""
    now = now or timezone.now()
    unsent = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - RETRY_WITHIN,
                                    created_at__lte=now - RETRY_AFTER)
        .exclude(user__email="")
        .select_related("user__profile")
    )
    return deliver(list(unsent))


# --- reminders --------------------------------------------------------------------------

# The deadlines reminded of, and on which days around them: a week before, the day
# before, and the day after (overdue). Reminders go only to whoever still has work:
# the province for wards in draft or returned, the ministry for submitted ones.
REMINDED_WINDOWS = (Window.SELF_ASSESSMENT, Window.VERIFICATION)
REMINDER_DAYS = {-7: "week_before", -1: "day_before", 1: "day_after"}


def _reminder_text(window, stage, count, year, date):
    values = {"count": count, "year": year.year, "date": calendar.show(date)}
    if window == Window.SELF_ASSESSMENT:
        if stage == "day_after":
            return ngettext(
                "The self-assessment deadline for %(year)s was %(date)s: %(count)s of your wards has not submitted yet.",
                "The self-assessment deadline for %(year)s was %(date)s: %(count)s of your wards have not submitted yet.",
                count,
            ) % values
        return ngettext(
            "Reminder: %(count)s of your wards has not submitted its self-assessment for %(year)s; the deadline is %(date)s.",
            "Reminder: %(count)s of your wards have not submitted their self-assessment for %(year)s; the deadline is %(date)s.",
            count,
        ) % values
    if stage == "day_after":
        return ngettext(
            "The verification deadline for %(year)s was %(date)s: %(count)s self-assessment is still waiting for verification.",
            "The verification deadline for %(year)s was %(date)s: %(count)s self-assessments are still waiting for verification.",
            count,
        ) % values
    return ngettext(
        "Reminder: %(count)s self-assessment for %(year)s is waiting for verification; the deadline is %(date)s.",
        "Reminder: %(count)s self-assessments for %(year)s are waiting for verification; the deadline is %(date)s.",
        count,
    ) % values


def _due(year, window, today):
    """{(user, stage, deadline): number of wards still to do} for `window` of `year` on `today`.

    Each province's deadline counts its extensions (criteria/calendar.py); a ward's own
    extension is not looked at, so such a ward may still be counted in its province's
    reminder.
    """
    statuses = [status for status, due in calendar.DUE_WINDOW.items() if due == window]
    per_province = list(
        Assessment.objects.filter(year=year, status__in=statuses)
        .values("province").annotate(n=Count("pk")).order_by().values_list("province", "n")
    )
    due = {}
    ministry = None
    provinces = Province.objects.in_bulk([pk for pk, _n in per_province])
    for province_id, n in per_province:
        date = calendar.deadline_for(year, window, province=province_id)
        stage = REMINDER_DAYS.get((today - date).days) if date else None
        if stage is None:
            continue
        if window == Window.VERIFICATION:
            ministry = ministry if ministry is not None else list(users_with_role(Role.MINISTRY))
            users = ministry
        else:
            # Several legacy provinces may share one current province, hence one user.
            users = provincial_users(provinces[province_id])
        for user in users:
            due[(user, stage, date)] = due.get((user, stage, date), 0) + n
    return due


def reminders(today, *, dry_run=False):
    """Make and e-mail the reminders due on `today`; returns [(user, text)] of the new ones.

    Idempotent: each reminder has a key (year, window, deadline, day around it, user)
    that the database keeps unique, so a second run on the same day makes and sends
    nothing. With `dry_run` nothing is written or sent.
    """
    wanted = []
    for year in ProgrammeYear.objects.filter(is_open=True).order_by("year"):
        for window in REMINDED_WINDOWS:
            with translation.override(LANGUAGE):
                for (user, stage, date), count in _due(year, window, today).items():
                    wanted.append(Notification(
                        user=user, kind=NotificationKind.REMINDER, year=year,
                        key=f"reminder:{year.year}:{window}:{date.isoformat()}:{stage}:{user.pk}",
                        text=_reminder_text(window, stage, count, year, date),
                    ))
    existing = set(Notification.objects.filter(key__in=[n.key for n in wanted]).values_list("key", flat=True))
    new = sorted((n for n in wanted if n.key not in existing), key=lambda n: (n.user.username, n.key))
    if not dry_run and new:
        # Two runs at once: the unique key lets one row in per reminder; the rows read
        # back unsent are mailed, each claimed before it goes (`deliver`).
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        deliver(list(
            Notification.objects.filter(key__in=[n.key for n in new], emailed_at__isnull=True)
            .select_related("user__profile")
        ))
    return [(n.user, n.text) for n in new]
