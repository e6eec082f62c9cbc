from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


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
