from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "criteria"
    verbose_name = _("Programme and assessments")

    def ready(self):
        from wards.signals import units_moved

        from .models import Assessment

        def follow_units(**kwargs):
            Assessment.objects.follow_units()

        units_moved.connect(follow_units, dispatch_uid="criteria.follow_units", weak=False)

        # Django overwrites last_login at log-in; "since your last visit" needs the one
        # before, so this app's receiver does both: keeps the old value, then updates.
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from .access import remember_login

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(remember_login, dispatch_uid="criteria.remember_login")

        # A request reads the programme years once (figures.years_read_once); a change to
        # one of them, to what their `size` and `decisions` count, or to the extensions a
        # year object keeps once read (calendar._year_extensions), is read afresh.
        from django.db.models.signals import post_delete, post_save

        from .figures import forget_programme_years
        from .models import CatalogueVersion, Criterion, Extension, ProgrammeYear, RecognitionDecision

        for model in (ProgrammeYear, CatalogueVersion, Criterion, RecognitionDecision, Extension):
            for signal in (post_save, post_delete):
                signal.connect(forget_programme_years, sender=model,
                               dispatch_uid=f"criteria.forget_years.{model.__name__}")
