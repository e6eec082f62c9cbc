"""Results of the legacy years (2023-2024) seen on today's map, and progress to the targets on it.

Nothing is moved: every assessment stays on the legacy unit and province it was made
for. Here the figures are *carried over* for reading, through the official lineage:

- every count of the year (registered, each status, each band, recognised units) is
  each legacy ward's, counted once, under the current province its legacy province
  was merged into (each legacy province went whole into one), so the national totals
  are the legacy totals;
- **today's units covered** is a different figure: the current units that are the
  main successor of at least one recognised legacy unit. Two recognised wards merged
  into one today cover one unit; a recognised ward split in three covers its main
  successor only. It is the numerator of progress on today's map.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from criteria.figures import Figures, YearSummary, recognised_condition
from criteria.models import Assessment, Recognition
from wards.models import Lineage, Period, Province, Unit, UnitKind

CARRY_OVER_RULE = gettext_lazy(
    "Every figure of the year is each legacy ward's, counted once under the current province its province "
    "was merged into, so the totals equal the legacy totals. “Today's units covered” counts the current "
    "units that are the main successor of a unit verified with every criterion met in 2023-2024: two such "
    "wards merged into one cover one unit today. Legacy figures are carried over for reading: they stay "
    "recorded on the legacy units and provinces."
)


@dataclass
class Coverage:
    """Today's units, and those covered by a recognised predecessor (its main successor)."""

    current_units: int = 0
    covered: int = 0

    @property
    def covered_pct(self):
        return 100.0 * self.covered / self.current_units if self.current_units else 0.0


@dataclass
class CurrentProvinceRow(Coverage, Figures):
    """A current province, with the legacy figures of its predecessors summed."""

    province: object = None
    predecessors: list = field(default_factory=list)

    def as_dict(self):
        return {
            **super().as_dict(),
            "formed_from": [p.code for p in self.predecessors],
            "current_units": self.current_units,
            "units_covered": self.covered,
            "units_covered_pct": round(self.covered_pct, 2),
        }


@dataclass
class CurrentTotal(Coverage, Figures):
    def as_dict(self):
        return {
            **super().as_dict(),
            "current_units": self.current_units,
            "units_covered": self.covered,
            "units_covered_pct": round(self.covered_pct, 2),
        }


@dataclass
class CurrentMapSummary(YearSummary):
    """A legacy year's summary on today's map: the same figures, grouped by current province."""

    map_name = "current"


def recognised_legacy_units(years, until=None):
    """Legacy units recognised in any legacy year (up to `until`, a legacy programme year)."""
    legacy_years = [y for y in years if y.period == Period.LEGACY and (until is None or y.year <= until.year)]
    if not legacy_years:
        return Assessment.objects.none().values("registration__unit")
    return Assessment.objects.filter(recognised_condition(legacy_years[-1], years)).values("registration__unit")


def covered_by(recognised):
    """Lineage links from a recognised legacy unit to its main successor: what covers a unit today."""
    return Lineage.objects.filter(current=OuterRef("pk"), legacy__in=recognised, is_main=True)


def roll_up(summary, years, kinds):
    """The legacy `summary` summed under the current provinces (three more queries)."""
    size = summary.size
    successor_ids = {row.province.successor_id for row in summary.provinces}
    rows = {
        p.pk: CurrentProvinceRow.for_size(size, province=p)
        for p in Province.objects.filter(pk__in=successor_ids).order_by("code")
    }
    for legacy in summary.provinces:
        row = rows[legacy.province.successor_id]
        row.add(legacy)
        row.predecessors.append(legacy.province)
    units = Unit.objects.filter(period=Period.CURRENT, kind__in=kinds, province__in=rows)
    for province_id, n in units.order_by().values_list("province").annotate(n=Count("pk")):
        rows[province_id].current_units = n
    covered = units.filter(Exists(covered_by(recognised_legacy_units(years, summary.year))))
    for province_id, n in covered.order_by().values_list("province").annotate(n=Count("pk")):
        rows[province_id].covered = n
    # A decision covering two legacy provinces merged into one counts once there.
    in_force = Recognition.objects.in_force().filter(year=summary.year, province__in=[
        row.province for row in summary.provinces])
    for province_id, n in in_force.order_by().values_list("province__successor").annotate(
            n=Count("decision", distinct=True)):
        rows[province_id].decisions = n
    total = CurrentTotal.for_size(size)
    for row in rows.values():
        total.add(row)
        total.current_units += row.current_units
        total.covered += row.covered
    # Distinct decisions, and recipients of the ministry's own bodies, are the legacy total's.
    total.decisions, total.collectives, total.individuals = (
        summary.total.decisions, summary.total.collectives, summary.total.individuals)
    return CurrentMapSummary(year=summary.year, size=size, total=total, provinces=list(rows.values()),
                             has_decisions=summary.has_decisions)


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
    per unit: recognised in a current year, or covered (the main successor of a
    recognised legacy unit).
    """
    current_years = [y for y in years if y.period == Period.CURRENT]
    latest = current_years[-1] if current_years else None
    kinds = latest.eligible_kinds if latest else [UnitKind.WARD.value]
    own = (
        Assessment.objects.filter(recognised_condition(latest, years), registration__unit=OuterRef("pk"))
        if latest else Assessment.objects.none()
    )
    carried = covered_by(recognised_legacy_units(years))
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
