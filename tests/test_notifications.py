"""Notifications: who is told what, in the app and by e-mail, only once the change commits; reminders."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from criteria.access import scope_for
from criteria.models import Notification, NotificationKind, Profile, Status
from criteria.workflow import ConflictError, return_to_province, submit

from .conftest import registered
from .test_workflow import current, fill

pytestmark = pytest.mark.django_db

HANOI_MAIL = "hanoi.demo@example.invalid"


@pytest.fixture
def submitted_hanoi():
    return registered("01", status=Status.SUBMITTED)


def return_through_the_page(client, registration, reason="Thiếu biên bản kiểm tra trụ sở"):
    unit, assessment = registration.unit, current(registration.assessment)
    return client.post(
        reverse("wards:return", kwargs={"code": unit.code, "year": 2023}),
        {"version": assessment.version, "reason": reason},
    )


def test_demo_accounts_have_reserved_addresses(hanoi, nghean, ministry, administrator):
    assert hanoi.email == HANOI_MAIL
    assert {u.email.split("@")[1] for u in (hanoi, nghean, ministry, administrator)} == {"example.invalid"}


def test_returning_a_ward_mails_its_province_once_with_the_reason(
    client_as, ministry, hanoi, nghean, submitted_hanoi, django_capture_on_commit_callbacks
):
    client = client_as(ministry)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = return_through_the_page(client, submitted_hanoi)
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [HANOI_MAIL]
    assert "Thiếu biên bản kiểm tra trụ sở" in message.body
    assert submitted_hanoi.unit.name in message.subject
    assert f"/wards/{submitted_hanoi.unit.code}/2023/" not in message.body  # the link goes through the notification
    notification = Notification.objects.get(user=hanoi)
    assert notification.kind == NotificationKind.RETURNED
    assert notification.reason == "Thiếu biên bản kiểm tra trụ sở"
    assert notification.registration == submitted_hanoi
    assert notification.emailed_at is not None and notification.read_at is None
    assert f"http://127.0.0.1:8000/notifications/{notification.pk}/" in message.body
    assert not Notification.objects.filter(user__in=[nghean, ministry]).exists()


def test_submission_tells_the_ministry_not_the_province_nor_the_administrators(
    year2023, hanoi, ministry, administrator, django_capture_on_commit_callbacks
):
    from criteria.models import Stage
    from criteria.workflow import register
    from wards.models import Period, Unit, UnitKind

    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True).first()
    assessment = register(year2023, unit, by=hanoi).registration.assessment
    fill(assessment, hanoi, Stage.SELF)
    with django_capture_on_commit_callbacks(execute=True):
        submit(assessment, scope=scope_for(hanoi), version=current(assessment).version)
    assert list(Notification.objects.values_list("user__username", "kind")) == [("bo.demo", "submitted")]
    assert [m.to for m in mail.outbox] == [["bo.demo@example.invalid"]]
    assert unit.name in mail.outbox[0].subject


def test_a_refused_change_tells_nobody(client_as, ministry, submitted_hanoi, django_capture_on_commit_callbacks):
    assessment = current(submitted_hanoi.assessment)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ConflictError):
            return_to_province(assessment, scope=scope_for(ministry), version=assessment.version - 1, reason="x")
        response = client_as(ministry).post(
            reverse("wards:return", kwargs={"code": submitted_hanoi.unit.code, "year": 2023}),
            {"version": assessment.version + 5, "reason": "Cũ"},
        )
    assert response.status_code == 302
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_rollback_after_the_transition_tells_nobody(ministry, submitted_hanoi, django_capture_on_commit_callbacks):
    from django.db import transaction

    assessment = current(submitted_hanoi.assessment)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                return_to_province(assessment, scope=scope_for(ministry), version=assessment.version, reason="x")
                raise RuntimeError("the surrounding save fails")
    assert callbacks == []
    assert mail.outbox == [] and not Notification.objects.exists()
    assert current(assessment).status == Status.SUBMITTED


def test_mail_turned_off_still_notifies_in_the_app(
    client_as, ministry, hanoi, submitted_hanoi, django_capture_on_commit_callbacks
):
    Profile.objects.filter(user=hanoi).update(email_notifications=False)
    with django_capture_on_commit_callbacks(execute=True):
        return_through_the_page(client_as(ministry), submitted_hanoi)
    assert mail.outbox == []
    notification = Notification.objects.get(user=hanoi)
    assert notification.emailed_at is None


def test_a_failing_mail_server_does_not_fail_the_return(
    client_as, ministry, hanoi, submitted_hanoi, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from django.core.mail.backends.locmem import EmailBackend

    def broken(self, messages):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = return_through_the_page(client_as(ministry), submitted_hanoi)
    assert response.status_code == 302
    assert current(submitted_hanoi.assessment).status == Status.RETURNED
    notification = Notification.objects.get(user=hanoi)
    assert notification.emailed_at is None  # left for a retry
    assert any(record.name == "kieumau.mail" for record in caplog.records)


def test_the_user_changes_their_mail_preference(client_as, hanoi):
    client = client_as(hanoi)
    response = client.post(reverse("notification_settings"), {})  # the box unticked
    assert response.status_code == 302
    assert Profile.objects.get(user=hanoi).email_notifications is False
    client.post(reverse("notification_settings"), {"email_notifications": "on"})
    assert Profile.objects.get(user=hanoi).email_notifications is True


# --- in the app -------------------------------------------------------------------------


@pytest.fixture
def two_for_hanoi(hanoi, submitted_hanoi):
    older = Notification.objects.create(user=hanoi, kind=NotificationKind.VERIFIED, registration=submitted_hanoi,
                                        year=submitted_hanoi.year, text="Cũ hơn")
    newer = Notification.objects.create(user=hanoi, kind=NotificationKind.RETURNED, registration=submitted_hanoi,
                                        year=submitted_hanoi.year, text="Mới hơn", reason="Bổ sung hồ sơ")
    return older, newer


def test_the_list_shows_the_users_notifications_newest_first_with_the_unread_count(client_as, hanoi, two_for_hanoi):
    response = client_as(hanoi).get(reverse("notifications"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Mới hơn") < page.index("Cũ hơn")
    assert page.count("data-unread") == 2
    assert 'data-nav-unread title="' in page and ">2</span>" in page.split("data-nav-unread")[1][:80]
    assert "Bổ sung hồ sơ" in page


def test_the_list_does_not_mark_anything_read(client_as, hanoi, two_for_hanoi):
    client_as(hanoi).get(reverse("notifications"))
    assert Notification.objects.filter(user=hanoi, read_at__isnull=True).count() == 2


def test_opening_a_notification_marks_it_read_and_goes_to_the_ward(client_as, hanoi, two_for_hanoi, submitted_hanoi):
    older, newer = two_for_hanoi
    client = client_as(hanoi)
    response = client.get(reverse("notification", kwargs={"pk": newer.pk}))
    assert response.status_code == 302
    assert response["Location"] == f"/wards/{submitted_hanoi.unit.code}/2023/"
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.read_at is not None and older.read_at is None
    page = client.get(reverse("notifications")).content.decode()
    assert page.count("data-unread") == 1


def test_mark_all_read(client_as, hanoi, two_for_hanoi):
    client = client_as(hanoi)
    assert client.post(reverse("notifications_read")).status_code == 302
    assert not Notification.objects.filter(user=hanoi, read_at__isnull=True).exists()
    assert "data-nav-unread" not in client.get(reverse("notifications")).content.decode()


def test_another_users_notification_is_not_found(client_as, nghean, two_for_hanoi):
    older, _newer = two_for_hanoi
    assert client_as(nghean).get(reverse("notification", kwargs={"pk": older.pk})).status_code == 404
    older.refresh_from_db()
    assert older.read_at is None


def test_the_unread_count_is_one_query(client_as, hanoi, two_for_hanoi, django_assert_num_queries):
    from criteria.notifications import unread_count

    count = unread_count(hanoi)
    with django_assert_num_queries(1):  # SELECT COUNT(*) of the user's unread notifications
        assert count() == 2


# --- reminders --------------------------------------------------------------------------

DEADLINE = datetime.date(2023, 11, 30)


@pytest.fixture
def deadlines(year2023):
    year2023.self_assessment_deadline = DEADLINE
    year2023.verification_deadline = DEADLINE + datetime.timedelta(days=10)
    year2023.save()
    return year2023


def send_reminders(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def hanoi_draft(year2023, hanoi):
    from criteria.workflow import register
    from wards.models import Period, Unit, UnitKind

    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True).first()
    return register(year2023, unit, by=hanoi).registration


def test_dry_run_lists_who_would_be_reminded_and_changes_nothing(deadlines, hanoi_draft):
    output = send_reminders("--dry-run", "--date", "2023-11-29")  # the day before
    assert "hanoi.demo <hanoi.demo@example.invalid>: " in output
    assert "nghean.demo" not in output  # Nghệ An has nothing left in draft in the demo
    assert "bo.demo" not in output  # the verification deadline is not near
    assert "dry run" in output
    assert not Notification.objects.exists() and mail.outbox == []


def test_reminders_are_sent_once_a_day(deadlines, hanoi_draft):
    first = send_reminders("--date", "2023-11-29")
    assert [m.to for m in mail.outbox] == [[HANOI_MAIL]]
    assert "hanoi.demo" in first
    second = send_reminders("--date", "2023-11-29")
    assert "hanoi.demo" not in second
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 1
    assert "hanoi.demo" not in send_reminders("--dry-run", "--date", "2023-11-29")


def test_the_date_moves_today(deadlines, hanoi_draft):
    assert send_reminders("--dry-run", "--date", "2023-11-25").count(" <") == 0  # five days before: no reminder
    assert "hanoi.demo" in send_reminders("--dry-run", "--date", "2023-11-23")  # a week before
    assert "hanoi.demo" in send_reminders("--dry-run", "--date", "2023-12-01")  # the day after
    verification = send_reminders("--dry-run", "--date", "2023-12-09")  # the day before verification closes
    assert "bo.demo" in verification and "hanoi.demo" not in verification
    assert "admin.demo" not in verification


def test_a_province_extension_moves_its_reminder(deadlines, hanoi_draft, ministry):
    from criteria.models import Extension, Window

    Extension.objects.create(year=deadlines, window=Window.SELF_ASSESSMENT, province=hanoi_draft.unit.province,
                             until=DEADLINE + datetime.timedelta(days=7), reason="Bão lũ", granted_by=ministry)
    assert "hanoi.demo" not in send_reminders("--dry-run", "--date", "2023-11-29")
    assert "hanoi.demo" in send_reminders("--dry-run", "--date", "2023-12-06")


def test_no_dates_no_reminders(year2023, hanoi_draft):
    assert send_reminders("--date", "2023-11-29").count(" <") == 0
    assert not Notification.objects.exists()


def test_a_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        send_reminders("--date", "29/11/2023")


def test_recipients_follow_the_roles_and_the_scope(hanoi, nghean, ministry, administrator, submitted_hanoi):
    """The recipients' queries agree with role_of and with what each user may see."""
    from criteria.access import Role, provincial_users, role_of, users_with_role
    from criteria.models import Profile

    Profile.objects.filter(user=ministry).update(role=Role.ADMIN)  # roles are data on the profile
    ministry = type(ministry).objects.get(pk=ministry.pk)  # role_of caches the role on the object
    assert role_of(ministry) == Role.ADMIN
    assert ministry not in users_with_role(Role.MINISTRY)
    assert set(users_with_role(Role.ADMIN)) >= {ministry, administrator}
    legacy = submitted_hanoi.unit.province
    assert legacy.period == "legacy"
    users = list(provincial_users(legacy))
    assert users == [hanoi]
    assert all(scope_for(user).units("legacy").filter(pk=submitted_hanoi.unit.pk).exists() for user in users)
    assert list(provincial_users(legacy.successor)) == [hanoi]


def test_the_admin_shows_the_mail_preference(client_as, administrator, hanoi):
    page = client_as(administrator).get(reverse("admin:auth_user_change", args=[hanoi.pk])).content.decode()
    assert 'name="profile-0-email_notifications"' in page
