"""Tracing units across the 1 July 2025 reorganisation, without moving any data.

Assessments stay on the unit and administrative period they were made for;
these helpers only follow the lineage links between legacy and current units.
"""

from django.db.models import Prefetch, prefetch_related_objects

from .models import Lineage


def successors_of(unit):
    """The current units a legacy unit became (part of), the main one first."""
    links = Lineage.objects.filter(legacy=unit).select_related("current__province").order_by("-is_main", "current__code")
    return [link.current for link in links]


def predecessors_of(unit):
    """The legacy units a current unit was formed from (wholly or in part)."""
    links = Lineage.objects.filter(current=unit).select_related("legacy__district", "legacy__province")
    return [link.legacy for link in links.order_by("legacy__code")]


def with_lineage(units):
    """Prefetch, for a list of units of either period, their successors (legacy) or predecessors
    (current): two queries, whatever the number of units."""
    prefetch_related_objects(
        units,
        Prefetch("successor_links", queryset=Lineage.objects.select_related("current").order_by("-is_main")),
        Prefetch("predecessor_links", queryset=Lineage.objects.select_related("legacy").order_by("legacy__code")),
    )
    return units
