from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from wards.models import UnitKind

from .models import (
    Assessment,
    CatalogueVersion,
    Criterion,
    CriterionGroup,
    Profile,
    ProgrammeYear,
    Quota,
    Registration,
    Result,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["number", "group", "title", "title_en", "guidance"]


class CriterionGroupInline(admin.TabularInline):
    model = CriterionGroup
    extra = 0


class UniqueRaceAdmin(admin.ModelAdmin):
    """An admin page whose save can lose a race on a unique constraint.

    The form checks uniqueness before saving, but two administrators adding the same
    programme year or quota at the same moment both pass that check; the database
    lets one in. The other gets the page back with a message instead of a 500.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            self.message_user(request, _("Not saved: the same %(name)s was saved by someone else a moment ago. "
                                         "Look at the list, then try again if needed.")
                              % {"name": self.model._meta.verbose_name}, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def rescore_catalogue(catalogue):
    """Each assessment keeps its criteria not met by number: recount them after criteria were renumbered."""
    Assessment.objects.filter(year__catalogue=catalogue).rescore()


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(UniqueRaceAdmin):
    list_display = ["title", "code", "is_working", "created_at"]
    inlines = [CriterionGroupInline, CriterionInline]

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        renumbered = any(
            "number" in inline.changed_data for formset in formsets if formset.model is Criterion
            for inline in formset.forms
        )
        if renumbered:
            rescore_catalogue(form.instance)


@admin.register(Criterion)
class CriterionAdmin(UniqueRaceAdmin):
    list_display = ["number", "title", "title_en", "group", "catalogue"]
    list_filter = ["catalogue", "group"]
    search_fields = ["title", "title_en"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "number" in form.changed_data:
            rescore_catalogue(obj.catalogue)


class ProgrammeYearForm(forms.ModelForm):
    eligible_kinds = forms.MultipleChoiceField(
        label=_("eligible unit types"), choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProgrammeYear
        fields = ["year", "catalogue", "period", "eligible_kinds", "is_open"]


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(UniqueRaceAdmin):
    form = ProgrammeYearForm
    list_display = ["year", "catalogue", "period", "is_open"]


@admin.register(Quota)
class QuotaAdmin(UniqueRaceAdmin):
    list_display = ["year", "province", "amount"]
    list_filter = ["year"]
    list_select_related = ["province", "year"]
    # A plain select (97 provinces): the autocomplete widget fails with a 500 when a
    # posted value is not a number (Django re-renders it with the bad value).


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "created_at"]
    list_filter = ["year"]
    list_select_related = ["unit", "year"]
    raw_id_fields = ["unit"]
    readonly_fields = ["created_by"]

    def get_readonly_fields(self, request, obj=None):
        # A registration's year and unit never change: its assessment, results and
        # history belong to that ward and year (and repeat them for the dashboards).
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "year", "unit"] if obj is not None else fields

    def has_add_permission(self, request):
        # Registering opens the ward's assessment too: that happens on the province
        # pages (criteria.workflow.register), never as a bare row here.
        return False


class ResultInline(admin.TabularInline):
    model = Result
    extra = 0
    fields = ["criterion", "self_value", "self_note", "verified_value", "verified_note"]
    raw_id_fields = ["criterion"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["registration", "status", "self_met", "verified_met", "updated_at"]
    list_filter = ["status", "year"]
    list_select_related = ["registration__unit", "registration__year"]
    readonly_fields = ["registration", "version", "self_met", "verified_met", "updated_by"]
    inlines = [ResultInline]

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Scores are derived from the results: recount after any edit here.
        form.instance.rescore()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class KieuMauUserAdmin(UserAdmin):
    inlines = [ProfileInline]
