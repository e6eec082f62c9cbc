from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .login_limits import cool_off_minutes


class LoginForm(AuthenticationForm):
    """Django's log-in form, refusing over-long input before anything is looked up.

    Django sets the username field's max_length after the field is built, so no
    length validator runs: a 5,000-character "username" reached the log-in
    records (django-axes keeps 255) and made PostgreSQL fail with a 500.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = get_user_model()._meta.get_field("username").max_length
        self.fields["username"].validators.append(MaxLengthValidator(limit))
        self.fields["password"].validators.append(MaxLengthValidator(4096))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password-change form, with wrong old passwords counted as failed log-ins.

    Whoever holds an open session (a borrowed computer, a stolen cookie) could otherwise
    guess the account's password here without limit. Each wrong old password is reported
    to django-axes as a failed log-in by this user from this address, so the same limits
    apply as on the log-in page, and a locked account is refused here too, even with the
    right password.
    """

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "locked": _(
            "Too many wrong passwords: changing the password is refused for %(minutes)s minutes. "
            "Try again later, or ask an administrator to unlock the account."
        ),
    }

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        credentials = get_credentials(self.user.get_username())
        if not AxesProxyHandler.is_allowed(self.request, credentials):
            raise self._locked()
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(sender=type(self), credentials=credentials, request=self.request)
            if getattr(self.request, "axes_locked_out", False):
                # This failure reached the limit. Say so on this form, not with the log-in page
                # that AxesMiddleware would otherwise put in its place.
                self.request.axes_locked_out = False
                raise self._locked() from None
            raise

    def _locked(self):
        return ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": cool_off_minutes(self.request)}
        )
