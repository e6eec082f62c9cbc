from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from wards.models import UnitKind

from .models import (
    Assessment,
    CatalogueVersion,
    Commendation,
    CommendationRecipient,
    Criterion,
    CriterionGroup,
    Evidence,
    Profile,
    ProgrammeYear,
    Quota,
    Recognition,
    RecognitionDecision,
    Registration,
    Result,
)


class CatalogueChildInline(admin.TabularInline):
    """Groups and criteria on their catalogue's page, kept once the catalogue is in use.

    A programme year's results point at the criteria: Django would refuse to delete
    one only after naming each of its results (about 900 queries on the demo), so
    the delete boxes are not offered at all.
    """

    extra = 0

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not hasattr(obj, "in_use"):
            obj.in_use = obj.years.exists()
        return not (obj is not None and obj.in_use) and super().has_delete_permission(request, obj)


class CriterionInline(CatalogueChildInline):
    model = Criterion
    fields = ["number", "group", "title", "title_en", "guidance"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Every row has a group select: read the groups once per request, not once per row.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "group":
            if not hasattr(request, "criterion_group_choices"):
                request.criterion_group_choices = list(field.choices)
            field.choices = request.criterion_group_choices
        return field


class CriterionGroupInline(CatalogueChildInline):
    model = CriterionGroup


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


class InUseAdmin(admin.ModelAdmin):
    """A delete page that refuses in one sentence, with counts, when the object is in use.

    Django's delete page lists every protected row by name: for the demo catalogue
    that is 3,784 criterion results, each read on its own (about 15,000 queries).
    When `used_by` finds rows that keep the object, the page says how many instead.
    When it finds none, Django's own collector decides and lists what would go.
    """

    delete_confirmation_template = "admin/delete_in_use.html"

    def used_by(self, objs):
        """The querysets of rows that keep `objs` from being deleted."""
        return []

    def get_deleted_objects(self, objs, request):
        uses = []
        for rows in self.used_by(objs):
            count = rows.count()
            if count:
                meta = rows.model._meta
                name = meta.verbose_name if count == 1 else meta.verbose_name_plural
                uses.append(f"{number_format(count, force_grouping=True)} {name}")
        if not uses:
            return super().get_deleted_objects(objs, request)
        refusal = _("This %(object)s is used by %(uses)s: it cannot be deleted.") % {
            "object": self.model._meta.verbose_name, "uses": get_text_list(uses, _("and")),
        }
        return [], {}, set(), [refusal]


def rescore_catalogue(catalogue):
    """Each assessment keeps its criteria not met by number: recount them after criteria were renumbered."""
    Assessment.objects.filter(year__catalogue=catalogue).rescore()


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(UniqueRaceAdmin, InUseAdmin):
    list_display = ["title", "code", "is_working", "created_at"]
    inlines = [CriterionGroupInline, CriterionInline]

    def used_by(self, catalogues):
        return [
            ProgrammeYear.objects.filter(catalogue__in=catalogues),
            Result.objects.filter(criterion__catalogue__in=catalogues),
            Evidence.objects.filter(criterion__catalogue__in=catalogues),
        ]

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
class CriterionAdmin(UniqueRaceAdmin, InUseAdmin):
    list_display = ["number", "title", "group", "catalogue"]  # the English gloss: on the form
    list_filter = ["catalogue", "group"]
    search_fields = ["title", "title_en"]

    def used_by(self, criteria):
        return [Result.objects.filter(criterion__in=criteria), Evidence.objects.filter(criterion__in=criteria)]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "number" in form.changed_data:
            rescore_catalogue(obj.catalogue)


# The calendar's dates in the order they must come (the expected recognition date is only shown).
CALENDAR_ORDER = ["registration_opens", "registration_closes", "self_assessment_deadline", "verification_deadline"]


class ProgrammeYearForm(forms.ModelForm):
    eligible_kinds = forms.MultipleChoiceField(
        label=_("eligible unit types"), choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProgrammeYear
        fields = ["year", "catalogue", "period", "eligible_kinds", "is_open", "registration_opens",
                  "registration_closes", "self_assessment_deadline", "verification_deadline", "expected_recognition"]

    def clean(self):
        """The calendar's dates, where set, come in order: registration opens, closes, then the two deadlines."""
        cleaned = super().clean()
        dates = [(name, cleaned.get(name)) for name in CALENDAR_ORDER if cleaned.get(name)]
        for (earlier, first), (later, second) in zip(dates, dates[1:]):
            if second < first:
                self.add_error(later, _("%(later)s cannot come before %(earlier)s.") % {
                    "later": ProgrammeYear._meta.get_field(later).verbose_name,
                    "earlier": ProgrammeYear._meta.get_field(earlier).verbose_name,
                })
        return cleaned


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(UniqueRaceAdmin, InUseAdmin):
    form = ProgrammeYearForm
    list_display = ["year_label", "catalogue", "period", "is_open", "self_assessment_deadline", "verification_deadline"]

    @admin.display(description=_("year"), ordering="year")
    def year_label(self, obj):
        return str(obj.year)  # "2023": the admin would write a number field "2.023"

    def used_by(self, years):
        return [Registration.objects.filter(year__in=years), Assessment.objects.filter(year__in=years)]


@admin.register(Quota)
class QuotaAdmin(UniqueRaceAdmin):
    list_display = ["year", "province", "amount"]
    list_filter = ["year"]
    list_select_related = ["province", "year"]
    # A plain select (97 provinces): the autocomplete widget fails with a 500 when a
    # posted value is not a number (Django re-renders it with the bad value).


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to administrators, never changed here.

    Registrations, assessments and results change only through criteria.workflow,
    which checks the assessment's version, refuses incomplete submissions and
    records who changed what and why in the history. An admin form would skip
    all three.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def ward_link(registration):
    url = reverse("wards:ward", kwargs={"code": registration.unit.code, "year": registration.year.year})
    return format_html('<a href="{}">{}</a>', url, _("Changes are made on the ward's page"))


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "created_at"]
    list_filter = ["year"]
    list_select_related = ["unit", "year"]
    fields = ["year", "unit", "created_at", "created_by", "ward_page"]
    readonly_fields = ["created_at", "ward_page"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "year", "created_by")

    @admin.display(description=_("ward page"))
    def ward_page(self, registration):
        return ward_link(registration)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page, never changed there (see `ReadOnlyAdmin`)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResultInline(ReadOnlyInline):
    model = Result
    fields = ["criterion", "self_value", "self_note", "verified_value", "verified_note"]

    def get_queryset(self, request):
        # Each row is titled with str(result), which names the assessment's ward and year.
        return super().get_queryset(request).select_related(
            "criterion", "assessment__registration__unit", "assessment__registration__year"
        )


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["registration", "status", "self_met", "verified_met", "updated_at"]
    list_filter = ["status", "year"]
    list_select_related = ["registration__unit", "registration__year"]
    fields = ["registration", "ward_page", "status", "version", "self_met", "verified_met",
              "submitted_at", "verified_at", "updated_at", "updated_by"]
    readonly_fields = ["ward_page", "self_met", "verified_met", "updated_at"]
    inlines = [ResultInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration__unit", "registration__year", "updated_by")

    @admin.display(description=_("ward page"))
    def ward_page(self, assessment):
        return ward_link(assessment.registration)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class KieuMauUserAdmin(UserAdmin):
    inlines = [ProfileInline]


# The admin's own titles, in the app's words (Django's default reads "Django administration").
admin.site.site_header = _("Kiểu Mẫu administration")
admin.site.site_title = _("Kiểu Mẫu administration")
admin.site.index_title = _("Programme data")


# --- the year's outcomes: recorded and withdrawn on their pages, which check each ward --


def outcome_link(url_name, obj):
    url = reverse(url_name, kwargs={"year": obj.year.year, "pk": obj.pk})
    return format_html('<a href="{}">{}</a>', url, _("Recorded and changed on the year's outcomes pages"))


class RecognitionInline(ReadOnlyInline):
    model = Recognition
    fields = ["unit_name", "province_name", "code", "withdrawn_on", "withdrawal_number", "withdrawal_reason"]
    readonly_fields = fields


@admin.register(RecognitionDecision)
class RecognitionDecisionAdmin(ReadOnlyAdmin):
    """Shown here, recorded on the decision pages: they refuse a ward that is not verified at 22/22."""

    list_display = ["number", "signed_on", "year", "signer_name", "is_demo"]
    list_filter = ["year"]
    list_select_related = ["year"]
    fields = ["year", "number", "signed_on", "signer_name", "signer_title", "scan_name", "is_demo", "created_at",
              "created_by", "page"]
    readonly_fields = ["is_demo", "created_at", "page"]
    inlines = [RecognitionInline]

    @admin.display(description=_("page"))
    def page(self, decision):
        return outcome_link("reports:decision", decision)


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAdmin):
    list_display = ["unit_name", "province_name", "decision", "year", "withdrawn_on"]
    list_filter = ["year", "withdrawn_on"]
    list_select_related = ["decision", "year"]
    search_fields = ["unit_name", "code", "decision__number"]


class RecipientInline(ReadOnlyInline):
    model = CommendationRecipient
    fields = ["position_in_list", "kind", "name", "rank", "position", "work_unit", "province", "unit"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("province", "unit")


@admin.register(Commendation)
class CommendationAdmin(ReadOnlyAdmin):
    """Shown here, recorded on the commendation pages (with the recipients' import)."""

    list_display = ["number", "level", "issuer", "signed_on", "year", "is_demo"]
    list_filter = ["year", "level"]
    list_select_related = ["year"]
    fields = ["year", "level", "issuer", "number", "signed_on", "reason", "is_demo", "created_at", "created_by",
              "page"]
    readonly_fields = ["is_demo", "created_at", "page"]
    inlines = [RecipientInline]

    @admin.display(description=_("page"))
    def page(self, commendation):
        return outcome_link("reports:commendation", commendation)

