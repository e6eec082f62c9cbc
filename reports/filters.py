"""Filters and sorting of the dashboard tables, read from the URL so that a view can be shared."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from criteria.figures import Target2025, expected_band_q
from criteria.models import Status
from wards.text import fold


def bootstrap(form):
    """Give a filter bar's widgets Bootstrap's small control classes."""
    for field in form.fields.values():
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        field.widget.attrs["class"] = css
    return form


class ProvinceTableForm(forms.Form):
    """Filter and sort the province table (at most 63 rows, already counted by the database)."""

    SORTS = {
        "code": lambda row: row.province.code,
        "name": lambda row: fold(row.province.name),
        "registered": lambda row: row.registered,
        "quota": lambda row: row.quota,
        "difference": lambda row: row.exceeded_by,
        "pct": lambda row: row.pct,
    }

    q = forms.CharField(label=_("Province"), required=False, max_length=100)
    target = forms.ChoiceField(
        label=_("2025 target"), required=False,
        choices=[("", _("All")), (Target2025.BELOW, _("below 30 %")), (Target2025.WITHIN, _("30–50 %")),
                 (Target2025.ABOVE, _("50 % or more"))],
    )
    quota = forms.ChoiceField(
        label=_("Quota"), required=False,
        choices=[("", _("All")), ("below", _("below quota")), ("met", _("quota reached"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[("", _("Code")), ("name", _("Name")), ("-registered", _("Most registered")),
                 ("-quota", _("Largest quota")), ("difference", _("Furthest below quota")),
                 ("pct", _("Lowest share of model units")), ("-pct", _("Highest share of model units"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def filter(self, rows):
        """The rows that match, in the chosen order; all rows, by code, if the form is invalid."""
        if not self.is_valid():
            return sorted(rows, key=self.SORTS["code"])
        data = self.cleaned_data
        if data["q"]:
            rows = [row for row in rows if fold(data["q"]) in row.province.search_text]
        if data["target"]:
            rows = [row for row in rows if row.target_2025 == data["target"]]
        if data["quota"] == "below":
            rows = [row for row in rows if row.registered < row.quota]
        elif data["quota"] == "met":
            rows = [row for row in rows if row.registered >= row.quota]
        sort = data["sort"] or "code"
        return sorted(rows, key=self.SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))


class WardFilter(django_filters.FilterSet):
    """The registered wards of one province and year."""

    q = django_filters.CharFilter(method="search", label=_("Ward"))
    status = django_filters.ChoiceFilter(
        field_name="assessment__status", choices=Status.choices, label=_("Status"), empty_label=_("All")
    )
    band = django_filters.ChoiceFilter(
        method="by_band",
        choices=[("full", _("all criteria met")), ("near", _("one or two short")), ("below", _("lower"))],
        label=_("Expected result"),
        empty_label=_("All"),
    )
    # Every option is labelled here: django-filter's own "%s (descending)" has no Vietnamese.
    sort = django_filters.OrderingFilter(
        fields=(("unit__code", "code"), ("unit__name", "name"), ("assessment__submitted_self_met", "expected"),
                ("assessment__verified_met", "verified"), ("assessment__status", "status")),
        choices=[
            ("code", _("Code, ascending")), ("-code", _("Code, descending")),
            ("name", _("Name, A to Z")), ("-name", _("Name, Z to A")),
            ("expected", _("Expected result, fewest criteria first")),
            ("-expected", _("Expected result, most criteria first")),
            ("verified", _("Verified result, fewest criteria first")),
            ("-verified", _("Verified result, most criteria first")),
            ("status", _("Status, drafts first")), ("-status", _("Status, verified first")),
        ],
        empty_label=_("By district, then code"),
        label=_("Sort by"),
    )

    def __init__(self, *args, size, **kwargs):
        super().__init__(*args, **kwargs)
        self.size = size
        bootstrap(self.form)

    def search(self, queryset, name, value):
        return queryset.filter(unit__search_text__contains=fold(value)) if fold(value) else queryset

    def by_band(self, queryset, name, value):
        return queryset.filter(expected_band_q(value, self.size, prefix="assessment__"))

    @property
    def qs(self):
        queryset = super().qs
        return queryset if self.data.get("sort") else queryset.order_by("unit__district__code", "unit__code")
