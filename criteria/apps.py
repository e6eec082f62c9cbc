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
