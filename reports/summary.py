"""The yearly summary: registered against quota, wards per band, and progress to the targets.

"Expected" (dự kiến đạt) counts the self-assessments provinces have submitted;
"verified" (đạt) counts the assessments the ministry has verified. The two are
never mixed. A unit is *recognised* as a model unit once the ministry has verified
all its criteria met, in the year or an earlier year of the same administrative
map: the 2025 (30-50 %) and 2030 (100 %) targets count those.

All counting is done by the database in a fixed number of grouped queries,
whatever the number of provinces, wards and results; Python only sorts the
groups (a few hundred at most) into bands.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from criteria.models import SUBMITTED_STATUSES, Assessment, ProgrammeYear, Quota, Registration, Status
from criteria.scoring import band_keys, band_label, band_of
from wards.models import Unit

# The ministry's targets: by 2025 at least 30-50 % of each province's ward police
# units recognised as model units; by 2030, all of them.
TARGET_2025_MIN = 30
TARGET_2025_GOOD = 50
TARGET_2030 = 100


class Target2025:
    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"


def programme_years():
    """Every programme year, oldest first, with `size` (criteria in its catalogue): one query."""
    return list(ProgrammeYear.objects.annotate(size=Count("catalogue__criteria")).order_by("year"))


def recognised_condition(year, years):
    """Q on assessments: a verified full score in `year` or an earlier year of the same map."""
    condition = Q(pk__in=[])
    for earlier in years:
        if earlier.period == year.period and earlier.year <= year.year:
            condition |= Q(year_id=earlier.pk, verified_met__gte=earlier.size)
    return Q(status=Status.VERIFIED) & condition


@dataclass
class Figures:
    registered: int = 0
    quota: int = 0
    submitted: int = 0
    near_misses: int = 0
    eligible: int = 0
    recognised: int = 0
    expected: dict = field(default_factory=dict)
    verified: dict = field(default_factory=dict)

    @property
    def exceeded_by(self):
        """Registrations beyond the quota; negative when the quota is not yet reached."""
        return self.registered - self.quota

    @property
    def short_by(self):
        return max(self.quota - self.registered, 0)

    @property
    def not_submitted(self):
        return self.registered - self.submitted

    @property
    def verified_total(self):
        return sum(self.verified.values())

    @property
    def pct(self):
        """Recognised model units as a percentage of the eligible units."""
        return 100.0 * self.recognised / self.eligible if self.eligible else 0.0

    @property
    def target_2025(self):
        if self.pct < TARGET_2025_MIN:
            return Target2025.BELOW
        return Target2025.WITHIN if self.pct < TARGET_2025_GOOD else Target2025.ABOVE

    @property
    def target_2030_met(self):
        return self.eligible > 0 and self.recognised >= self.eligible

    def needed(self, pct):
        """How many more recognised units reach `pct` per cent of the eligible ones."""
        return max(0, -(-self.eligible * pct // 100) - self.recognised)

    @property
    def needed_30(self):
        return self.needed(TARGET_2025_MIN)

    @property
    def needed_50(self):
        return self.needed(TARGET_2025_GOOD)

    @property
    def needed_100(self):
        return self.needed(TARGET_2030)

    def add(self, other):
        for name in ("registered", "quota", "submitted", "near_misses", "eligible", "recognised"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, value in other.expected.items():
            self.expected[key] = self.expected.get(key, 0) + value
        for key, value in other.verified.items():
            self.verified[key] = self.verified.get(key, 0) + value


@dataclass
class ProvinceFigures(Figures):
    province: object = None


@dataclass
class YearSummary:
    year: object
    size: int
    total: Figures
    provinces: list

    @property
    def bands(self):
        return band_keys(self.size)

    @property
    def band_labels(self):
        """[(key, label)] for tables: ("20/22", "20/22"), ("below", "below 20/22")."""
        return [(key, band_label(key, self.size)) for key in self.bands]

    @property
    def at_or_above_quota(self):
        return sum(1 for row in self.provinces if row.registered >= row.quota)

    def as_dict(self):
        """The summary in the shape of `export_summary --format json`."""

        def figures(f):
            return {
                "registered": f.registered,
                "quota": f.quota,
                "exceeded_by": f.exceeded_by,
                "submitted": f.submitted,
                "not_submitted": f.not_submitted,
                "expected": f.expected,
                "verified": f.verified,
                "eligible_units": f.eligible,
                "recognised_units": f.recognised,
                "recognised_pct": round(f.pct, 2),
            }

        return {
            "year": self.year.year,
            "period": self.year.period,
            "criteria": self.size,
            **figures(self.total),
            "provinces_at_or_above_quota": self.at_or_above_quota,
            "provinces": [
                {"code": row.province.code, "name": row.province.name, **figures(row)} for row in self.provinces
            ],
        }


def year_summary(year, provinces, years=None):
    """The summary of programme year `year` over the `provinces` queryset (the user's scope).

    `years` (from `programme_years()`) saves a query when the caller has it.
    """
    years = programme_years() if years is None else years
    size = next(y.size for y in years if y.pk == year.pk)
    keys = band_keys(size)
    rows = {
        p.pk: ProvinceFigures(province=p, expected=dict.fromkeys(keys, 0), verified=dict.fromkeys(keys, 0))
        for p in provinces.order_by("code")
    }

    def grouped(queryset, path, **aggregates):
        return queryset.filter(**{f"{path}__in": rows}).order_by().values(group=F(path)).annotate(**aggregates)

    for province_id, amount in Quota.objects.filter(year=year, province__in=rows).values_list("province", "amount"):
        rows[province_id].quota = amount
    for item in grouped(Unit.objects.filter(kind__in=year.eligible_kinds), "province", n=Count("pk")):
        rows[item["group"]].eligible = item["n"]
    recognised = Assessment.objects.filter(recognised_condition(year, years))
    for item in grouped(recognised, "province", n=Count("unit", distinct=True)):
        rows[item["group"]].recognised = item["n"]
    # The database groups the year's assessments by province, status and score (a few
    # hundred groups at national scale); each group is then put in its band. Every
    # registration has exactly one assessment, so the groups count registrations too.
    groups = (
        Assessment.objects.filter(year=year, province__in=rows)
        .order_by()
        .values_list("province", "status", "self_met", "verified_met")
        .annotate(n=Count("*"))
    )
    for province_id, status, self_met, verified_met, n in groups:
        row = rows[province_id]
        row.registered += n
        if status in SUBMITTED_STATUSES:
            row.submitted += n
            row.expected[band_of(self_met, size)] += n
        if status == Status.VERIFIED:
            row.verified[band_of(verified_met, size)] += n
        standing = verified_met if status == Status.VERIFIED else self_met
        if status in SUBMITTED_STATUSES and size - 2 <= standing < size:
            row.near_misses += n  # one or two criteria short, by the result that stands
    total = Figures(expected=dict.fromkeys(keys, 0), verified=dict.fromkeys(keys, 0))
    for row in rows.values():
        total.add(row)
    return YearSummary(year=year, size=size, total=total, provinces=list(rows.values()))


def province_wards(year, province):
    """The province's registrations for the year, with unit, district and assessment."""
    return (
        Registration.objects.filter(year=year, unit__province=province)
        .select_related("unit__district", "assessment")
        .order_by("unit__district__code", "unit__code")
    )
