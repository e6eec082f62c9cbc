"""Results of the legacy years (2023-2024) seen on today's map, and progress to the targets on it.

Nothing is moved: every assessment stays on the legacy unit and province it was made
for. Here the figures are *carried over* for reading, through the official lineage:
a legacy province's figures count under the current province it was merged into
(each legacy province went whole into one), and a current unit counts as having a
recognised predecessor when at least one unit it was formed from was verified with
every criterion met.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from criteria.models import Assessment
from wards.models import Lineage, Period, Province, Unit, UnitKind

from .summary import Figures, recognised_condition

CARRY_OVER_RULE = gettext_lazy(
    "A current unit counts as having a recognised predecessor when at least one unit it was formed from "
    "was verified with every criterion met in 2023-2024. Legacy figures are carried over for reading: they "
    "stay recorded on the legacy units and provinces."
)


@dataclass
class CurrentProvinceRow(Figures):
    """A current province, with the legacy figures of its predecessors summed."""

    province: object = None
    predecessors: list = field(default_factory=list)
    current_units: int = 0
    with_recognised_predecessor: int = 0

    @property
    def carried_pct(self):
        return 100.0 * self.with_recognised_predecessor / self.current_units if self.current_units else 0.0


def recognised_legacy_units(years, until=None):
    """Legacy units recognised in any legacy year (up to `until`, a legacy programme year)."""
    legacy_years = [y for y in years if y.period == Period.LEGACY and (until is None or y.year <= until.year)]
    if not legacy_years:
        return Assessment.objects.none().values("registration__unit")
    return Assessment.objects.filter(recognised_condition(legacy_years[-1], years)).values("registration__unit")


def roll_up(summary, years, kinds):
    """The legacy `summary`'s provinces summed under their current provinces (three more queries)."""
    keys = list(summary.total.expected)
    successor_ids = {row.province.successor_id for row in summary.provinces}
    rows = {
        p.pk: CurrentProvinceRow(province=p, expected=dict.fromkeys(keys, 0), verified=dict.fromkeys(keys, 0))
        for p in Province.objects.filter(pk__in=successor_ids).order_by("code")
    }
    for legacy in summary.provinces:
        row = rows[legacy.province.successor_id]
        row.add(legacy)
        row.predecessors.append(legacy.province)
    units = Unit.objects.filter(period=Period.CURRENT, kind__in=kinds, province__in=rows)
    for province_id, n in units.order_by().values_list("province").annotate(n=Count("pk")):
        rows[province_id].current_units = n
    carried = units.filter(
        Exists(Lineage.objects.filter(current=OuterRef("pk"),
                                      legacy__in=recognised_legacy_units(years, summary.year)))
    )
    for province_id, n in carried.order_by().values_list("province").annotate(n=Count("pk")):
        rows[province_id].with_recognised_predecessor = n
    return list(rows.values())


@dataclass
class TargetRow:
    """A current province's progress towards the targets, on the current map."""

    province: object
    units: int = 0
    own: int = 0
    carried_only: int = 0

    @property
    def recognised(self):
        return self.own + self.carried_only

    def _figures(self):
        return Figures(eligible=self.units, recognised=self.recognised)

    @property
    def pct(self):
        return self._figures().pct

    @property
    def target_2025(self):
        return self._figures().target_2025

    @property
    def needed_30(self):
        return self._figures().needed_30

    @property
    def needed_50(self):
        return self._figures().needed_50

    @property
    def needed_100(self):
        return self._figures().needed_100


def targets(provinces, years):
    """Per current province: its units, those recognised on the current map, and those carried over.

    `provinces` is a queryset of current provinces (the user's scope). One query
    groups every current unit of the counted types by province, with two EXISTS
    per unit: verified in a current year, or formed from a recognised legacy unit.
    """
    current_years = [y for y in years if y.period == Period.CURRENT]
    latest = current_years[-1] if current_years else None
    kinds = latest.eligible_kinds if latest else [UnitKind.WARD.value]
    own = (
        Assessment.objects.filter(recognised_condition(latest, years), registration__unit=OuterRef("pk"))
        if latest else Assessment.objects.none()
    )
    carried = Lineage.objects.filter(current=OuterRef("pk"), legacy__in=recognised_legacy_units(years))
    rows = {p.pk: TargetRow(province=p) for p in provinces.order_by("code")}
    counts = (
        Unit.objects.filter(period=Period.CURRENT, kind__in=kinds, province__in=rows)
        .annotate(is_own=Exists(own), is_carried=Exists(carried))
        .order_by().values("province")
        .annotate(
            units=Count("pk"),
            own=Count("pk", filter=Q(is_own=True)),
            carried_only=Count("pk", filter=Q(is_carried=True, is_own=False)),
        )
    )
    for item in counts:
        row = rows[item["province"]]
        row.units, row.own, row.carried_only = item["units"], item["own"], item["carried_only"]
    total = TargetRow(province=None)
    for row in rows.values():
        total.units += row.units
        total.own += row.own
        total.carried_only += row.carried_only
    return latest, kinds, list(rows.values()), total
