from django.contrib import admin

from .models import District, Province, Unit
from .signals import units_moved


class FoldedSearchMixin:
    """Search by name or code, with or without diacritics ("hoan kiem" finds "Hoàn Kiếm")."""

    search_fields = ["code"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return queryset.search(search_term), False


@admin.register(Province)
class ProvinceAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "period", "successor"]
    list_filter = ["period", "kind"]
    list_select_related = ["successor"]
    readonly_fields = ["period", "code"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    list_select_related = ["province"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "district", "province", "period"]
    list_filter = ["period", "kind", "province"]
    list_select_related = ["province", "district"]
    readonly_fields = ["period", "code"]
    raw_id_fields = ["district"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "province" in form.changed_data:
            units_moved.send(sender=Unit)
