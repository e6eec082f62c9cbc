"""The user's notifications: the list, opening one (which marks it read), and the mail preference."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ..models import Profile
from ..notifications import get_notification_for_user, mark_read, target_path

LIST_LENGTH = 100


class MailSettingsForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["email_notifications"]
        labels = {"email_notifications": gettext_lazy("Also send my notifications by e-mail")}


def _profile(user):
    return Profile.objects.get_or_create(user=user)[0]


@require_GET
def notification_list(request):
    """The user's latest notifications, newest first; unread ones stand out until opened."""
    notifications = request.user.notifications.select_related("registration__unit", "year")[:LIST_LENGTH]
    return render(request, "notifications/list.html", {
        "notifications": notifications,
        "unread": request.user.notifications.filter(read_at__isnull=True).count(),
        "form": MailSettingsForm(instance=getattr(request.user, "profile", None) or Profile(user=request.user)),
    })


@require_GET
def open_notification(request, pk):
    """Follow a notification to what it is about, marking it read (a read receipt: harmless to repeat)."""
    notification = get_notification_for_user(request.user, pk)
    mark_read(notification)
    return redirect(target_path(notification))


@require_POST
def mark_all_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")


@require_POST
def mail_settings(request):
    """Turn notifications by e-mail on or off for oneself."""
    form = MailSettingsForm(request.POST, instance=_profile(request.user))
    if form.is_valid():
        form.save()
        if form.cleaned_data["email_notifications"]:
            messages.success(request, _("Notifications will also be sent to you by e-mail."))
        else:
            messages.success(request, _("Notifications will no longer be sent to you by e-mail."))
    return redirect("notifications")
