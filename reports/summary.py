"""The yearly summary: registered against quota, and wards per band, expected and verified.

"Expected" (dự kiến đạt) counts the self-assessments provinces have submitted;
"verified" (đạt) counts the assessments the ministry has verified. The two are
never mixed. All counting is done by the database in a fixed number of queries,
whatever the number of provinces, wards and results.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from criteria.models import SUBMITTED_STATUSES, Assessment, Quota, Registration, Status
from criteria.scoring import band_counts, band_keys, band_label, read_band_counts


@dataclass
class Figures:
    registered: int = 0
    quota: int = 0
    submitted: int = 0
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

    def add(self, other):
        self.registered += other.registered
        self.quota += other.quota
        self.submitted += other.submitted
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
            }

        return {
            "year": self.year.year,
            "period": self.year.period,
            "criteria": self.size,
            **figures(self.total),
            "provinces": [
                {"code": row.province.code, "name": row.province.name, **figures(row)} for row in self.provinces
            ],
        }


def year_summary(year, provinces):
    """The summary of programme year `year` over the `provinces` queryset (the user's scope)."""
    size = year.catalogue.criteria.count()
    keys = band_keys(size)
    rows = {
        p.pk: ProvinceFigures(province=p, expected=dict.fromkeys(keys, 0), verified=dict.fromkeys(keys, 0))
        for p in provinces.order_by("code")
    }
    registered = (
        Registration.objects.filter(year=year, unit__province__in=rows)
        .values(province_id=F("unit__province"))
        .annotate(n=Count("pk"))
    )
    for item in registered:
        rows[item["province_id"]].registered = item["n"]
    for province_id, amount in Quota.objects.filter(year=year, province__in=rows).values_list("province", "amount"):
        rows[province_id].quota = amount
    bands = (
        Assessment.objects.filter(registration__year=year, registration__unit__province__in=rows)
        .values(province_id=F("registration__unit__province"))
        .annotate(
            submitted=Count("pk", filter=Q(status__in=SUBMITTED_STATUSES)),
            **band_counts("self_met", size, "expected", only=Q(status__in=SUBMITTED_STATUSES)),
            **band_counts("verified_met", size, "verified", only=Q(status=Status.VERIFIED)),
        )
    )
    for item in bands:
        row = rows[item["province_id"]]
        row.submitted = item["submitted"]
        row.expected = read_band_counts(item, size, "expected")
        row.verified = read_band_counts(item, size, "verified")
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


def summary_rows(summary):
    """The summary as a table: a header, one row per province, then the total."""
    labels = [band_label(key, summary.size) for key in summary.bands]
    yield [
        _("Code"), _("Province"), _("Registered"), _("Quota"), _("Exceeded by"),
        *(_("Expected %(band)s") % {"band": label} for label in labels),
        *(_("Verified %(band)s") % {"band": label} for label in labels),
    ]
    for row in [*summary.provinces, summary.total]:
        province = getattr(row, "province", None)
        yield [
            province.code if province else "",
            province.name if province else _("Total"),
            row.registered, row.quota, row.exceeded_by,
            *row.expected.values(), *row.verified.values(),
        ]
