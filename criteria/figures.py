"""Every figure the app shows, defined once.

The dashboards, the exports (XLSX, CSV, PDF, JSON), the current-map roll-up, the
ward pages and the import preview read these definitions; none counts on its own.

- **registered**: the year's registrations (each has exactly one assessment);
  **quota** and **exceeded by** (registered − quota).
- **status**, the assessment's state now: *draft* (the province has never
  submitted it), *submitted* (waiting for the ministry), *returned* (back with the
  province: returned by the ministry, or withdrawn by the province itself),
  *verified*. The four add up to registered. The top-level
  **submitted** figure means "submitted at least once" (submitted + returned +
  verified), as it always has.
- **expected bands** (dự kiến đạt): each assessment's self-assessment *as last
  submitted* (`Assessment.submitted_self_met`), so a returned assessment keeps its
  band while the province corrects it; an assessment never submitted is in no band.
- **verified bands** (đạt): the verified assessments, by the verified result.
- **the result that stands**: the verified result once verified, otherwise the
  self-assessment as last submitted (`standing_met`, `STANDING_MET`).
- **near-misses**: submitted at least once, and the result that stands one or two
  criteria short.
- **eligible units**: the year's map's units of the kinds the year admits.
- **recognised units**: units holding the title of the year or an earlier year of
  the same map (`recognised_condition`). For a year with recognition decisions, a
  unit holds the title when a decision in force recognises it (a withdrawn
  recognition drops out); for a year with none yet, when its assessment was
  verified with every criterion met ("verified at 22/22, not yet recognised by
  decision": the pages say so, `YearSummary.has_decisions`).
- **recognition** of the year: the decisions in force for the year's wards in scope
  (distinct: a decision counts once however many provinces it covers), the wards a
  decision in force recognises, the recognitions withdrawn.
- **commendations** of the year: collectives and individuals commended, by the
  recipient's province (a body of the ministry itself counts in the national total).
- **progress**: recognised as a share of eligible, and how many more reach 30, 50
  and 100 %.

All counting is done by the database in a fixed number of grouped queries,
whatever the number of provinces, wards and results; Python only sorts the groups
(a few hundred at most) into bands, through `Figures.count`.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)
from django.utils.translation import pgettext_lazy

from criteria.calendar import forget_extensions
from criteria.models import (
    SUBMITTED_STATUSES,
    Assessment,
    CommendationRecipient,
    ProgrammeYear,
    Quota,
    Recognition,
    RecipientKind,
    Registration,
    Status,
)
from criteria.scoring import band_keys, band_label, band_of
from wards.models import Period, Province, Unit

# The ministry's targets: by 2025 at least 30-50 % of each province's ward police
# units recognised as model units; by 2030, all of them.
TARGET_2025_MIN = 30
TARGET_2025_GOOD = 50
TARGET_2030 = 100

STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.VERIFIED]
# How many criteria short a ward may be and still count as a near-miss.
NEAR_MISS_SHORT = (1, 2)


class Target2025:
    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"


# Within one request the programme years are read once (`years_read_once`, a middleware):
# the year of the URL, the year menu and the figures' years all come from that one read.
_request_years = ContextVar("kieumau_request_years", default=None)


@contextmanager
def years_read_once():
    """Let `programme_years()` read the table once for the block (a request) and reuse the list.

    Saving or deleting a programme year, a catalogue, a criterion, a decision or an
    extension in the block forgets the list (`forget_programme_years`), so a view that changes one and
    then reads them gets the change.
    """
    token = _request_years.set([])
    try:
        yield
    finally:
        _request_years.reset(token)


def forget_programme_years(**kwargs):
    """Drop the years read in this request (a signal receiver: they changed).

    A view may still hold one of them: the extensions it keeps once read are dropped too
    (`calendar.forget_extensions`), so that it reads them again.
    """
    held = _request_years.get()
    if held:
        for year in held[0]:
            forget_extensions(year)
        held.clear()


def programme_years():
    """Every programme year, oldest first, with its catalogue, `size` (criteria in its catalogue)
    and `decisions` (its recognition decisions): one query, once a request (`years_read_once`)."""
    held = _request_years.get()
    if held:
        return list(held[0])
    years = list(ProgrammeYear.objects.select_related("catalogue").annotate(
        size=Count("catalogue__criteria", distinct=True),
        decisions=Count("recognition_decisions", distinct=True),
    ).order_by("year"))
    if held is not None:
        held.append(years)
    return list(years)


def map_of(year):
    """Which administrative map a year's figures are on: "legacy" (63 provinces) or "current" (34)."""
    return "legacy" if year.period == Period.LEGACY else "current"


# --- one assessment -------------------------------------------------------------------


def expected_met(status, submitted_self_met):
    """Criteria met by the self-assessment as last submitted; None if never submitted."""
    if status not in SUBMITTED_STATUSES or submitted_self_met is None:
        return None
    return submitted_self_met


def standing_met(status, submitted_self_met, verified_met):
    """Criteria met by the result that stands: verified once verified, else as last submitted."""
    if status == Status.VERIFIED:
        return verified_met
    return expected_met(status, submitted_self_met)


# The same rule for the database: the result that stands, per assessment row.
STANDING_MET = Case(When(status=Status.VERIFIED, then=F("verified_met")), default=F("submitted_self_met"))


def is_near_miss(met, size):
    """Whether a result meeting `met` of `size` criteria is one or two short (None: no result)."""
    return met is not None and size - met in NEAR_MISS_SHORT


def near_miss_q(size, prefix=""):
    """Q on assessments (or on a relation through `prefix`, e.g. "assessment__"): the near-misses."""
    near = [size - short for short in NEAR_MISS_SHORT]
    return (
        Q(**{f"{prefix}status": Status.VERIFIED, f"{prefix}verified_met__in": near})
        | Q(**{f"{prefix}status__in": [Status.SUBMITTED, Status.RETURNED], f"{prefix}submitted_self_met__in": near})
    )


def expected_band_q(kind, size, prefix=""):
    """Q: submitted at least once, with the expected result "full", "near" (1-2 short) or "below"."""
    field_name = f"{prefix}submitted_self_met"
    submitted = Q(**{f"{prefix}status__in": SUBMITTED_STATUSES})
    if kind == "full":
        return submitted & Q(**{f"{field_name}__gte": size})
    if kind == "near":
        return submitted & Q(**{f"{field_name}__in": [size - short for short in NEAR_MISS_SHORT]})
    return submitted & Q(**{f"{field_name}__lt": size - max(NEAR_MISS_SHORT)})


def recognised_in(year):
    """Q on assessments of `year` (from `programme_years()`): holding the year's title.

    Recognised by a decision in force once the year has decisions; until then,
    verified with every criterion met.
    """
    decisions = getattr(year, "decisions", None)
    if decisions is None:  # a year not read through `programme_years()`
        decisions = year.recognition_decisions.exists()
    if decisions:
        return Q(year_id=year.pk, pk__in=Recognition.objects.in_force().filter(year_id=year.pk).values("assessment"))
    size = getattr(year, "size", None)
    if size is None:
        size = year.catalogue.criteria.count()
    return Q(year_id=year.pk, status=Status.VERIFIED, verified_met__gte=size)


def recognised_condition(year, years):
    """Q on assessments: holding the title of `year` or of an earlier year of the same map."""
    condition = Q(pk__in=[])
    for earlier in years:
        if earlier.period == year.period and earlier.year <= year.year:
            condition |= recognised_in(earlier)
    return condition


# --- one unit on the map ---------------------------------------------------------------


class UnitStatus(models.TextChoices):
    """Where a unit stands in a programme year, as the map colours it (see `unit_status`)."""

    NOT_REGISTERED = "not_registered", pgettext_lazy("unit status", "Not registered")
    REGISTERED = "registered", pgettext_lazy("unit status", "Registered")
    EXPECTED_FULL = "expected_full", pgettext_lazy("unit status", "Expected to meet every criterion")
    VERIFIED = "verified", pgettext_lazy("unit status", "Verified")
    RECOGNISED = "recognised", pgettext_lazy("unit status", "Recognised model unit")


def unit_status(status, submitted_self_met, size, recognised):
    """A unit's one status on the map, the furthest it has come; the precedence is written here only.

    recognised (`recognised_condition`, this year or an earlier one of the same map)
    > verified (this year's assessment, whatever its result)
    > expected to meet every criterion (`expected_met`, the self-assessment as last submitted)
    > registered (this year, in any other state) > not registered.
    `status` is the year's assessment's status, None when the unit is not registered.
    """
    if recognised:
        return UnitStatus.RECOGNISED
    if status is None:
        return UnitStatus.NOT_REGISTERED
    if status == Status.VERIFIED:
        return UnitStatus.VERIFIED
    expected = expected_met(status, submitted_self_met)
    if expected is not None and expected >= size:
        return UnitStatus.EXPECTED_FULL
    return UnitStatus.REGISTERED


def unit_status_counts(year, provinces=None, years=None):
    """{UnitStatus: units} of the year's map in the scope `provinces` (None: the country), every status
    present; the same statuses as `unit_statuses`, counted by the database in grouped queries: the
    year's assessments by status, result and title; when the map has earlier years, the units holding
    a title of one and not registered this year; and the units in all (the rest are not registered)."""
    years = programme_years() if years is None else years
    this = next(y for y in years if y.pk == year.pk)  # with `size` and `decisions`
    scope = Q() if provinces is None else Q(province__in=provinces)
    this_year = Assessment.objects.filter(scope, year=year)
    # A title of this year is read on the assessment's own row; one of an earlier year of the
    # same map (`recognised_condition`) through the units holding it.
    earlier = [y for y in years if y.period == year.period and y.year < year.year]
    titled_before = None
    condition = recognised_in(this)
    if earlier:
        before = Q(pk__in=[])
        for y in earlier:
            before |= recognised_in(y)
        titled_before = Assessment.objects.filter(before).filter(scope).values("unit")
        condition |= Q(unit__in=titled_before)
    counts = dict.fromkeys(UnitStatus, 0)
    groups = (
        this_year.annotate(is_recognised=Case(When(condition, then=Value(True)), default=Value(False),
                                              output_field=BooleanField()))
        .order_by().values_list("is_recognised", "status", "submitted_self_met").annotate(n=Count("pk"))
    )
    for is_recognised, status, submitted_self_met, n in groups:
        counts[unit_status(status, submitted_self_met, this.size, is_recognised)] += n
    if titled_before is not None:
        counts[UnitStatus.RECOGNISED] += titled_before.exclude(unit__in=this_year.values("unit")).order_by().aggregate(
            n=Count("unit", distinct=True))["n"]
    units = Unit.objects.filter(period=year.period)
    if provinces is not None:
        units = units.filter(province__in=provinces)
    counts[UnitStatus.NOT_REGISTERED] = units.count() - sum(counts.values())
    return counts


def unit_statuses(year, provinces=None, years=None):
    """{unit id: UnitStatus} for the units of the year's map that have come further than "not registered".

    `provinces` is the user's scope (the year's provinces; None for the whole
    country). One query whatever the number of units: the year's assessments and the
    recognised ones, each marked by `recognised_condition`. Every unit missing from
    the answer is not registered.
    """
    years = programme_years() if years is None else years
    size = next(y.size for y in years if y.pk == year.pk)
    recognised = recognised_condition(year, years)
    rows = Assessment.objects.filter(Q(year=year) | recognised)
    if provinces is not None:
        rows = rows.filter(province__in=provinces)
    rows = rows.annotate(
        is_recognised=Case(When(recognised, then=Value(True)), default=Value(False), output_field=BooleanField())
    ).values_list("unit", "year", "status", "submitted_self_met", "is_recognised")
    this_year, recognised_ids = {}, set()
    for unit_id, year_id, status, submitted_self_met, is_recognised in rows.order_by():
        if is_recognised:
            recognised_ids.add(unit_id)
        if year_id == year.pk:
            this_year[unit_id] = (status, submitted_self_met)
    return {
        unit_id: unit_status(*this_year.get(unit_id, (None, None)), size, unit_id in recognised_ids)
        for unit_id in this_year.keys() | recognised_ids
    }


# --- many assessments -----------------------------------------------------------------


@dataclass
class Figures:
    """The figures of one scope (a province, a year, the country): see the module's definitions."""

    registered: int = 0
    quota: int = 0
    near_misses: int = 0
    eligible: int = 0
    recognised: int = 0
    # The year's outcomes (recognition decisions and commendations).
    decisions: int = 0
    recognised_wards: int = 0
    recognitions_withdrawn: int = 0
    collectives: int = 0
    individuals: int = 0
    status: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    expected: dict = field(default_factory=dict)
    verified: dict = field(default_factory=dict)

    @classmethod
    def for_size(cls, criteria, **kwargs):
        """Empty figures with every band of a catalogue of `criteria` criteria at zero."""
        return cls(expected=dict.fromkeys(band_keys(criteria), 0), verified=dict.fromkeys(band_keys(criteria), 0),
                   **kwargs)

    def count(self, status, submitted_self_met, verified_met, n, size):
        """Add `n` assessments of one status and result pair: the one place each is put in its figures."""
        self.registered += n
        self.status[status] += n
        expected = expected_met(status, submitted_self_met)
        if expected is not None:
            key = band_of(expected, size)
            self.expected[key] = self.expected.get(key, 0) + n
        if status == Status.VERIFIED:
            key = band_of(verified_met, size)
            self.verified[key] = self.verified.get(key, 0) + n
        if is_near_miss(standing_met(status, submitted_self_met, verified_met), size):
            self.near_misses += n

    @property
    def submitted(self):
        """Submitted at least once: waiting for the ministry, returned to the province, or verified."""
        return sum(self.status[s] for s in SUBMITTED_STATUSES)

    @property
    def not_submitted(self):
        """Never submitted: the drafts."""
        return self.status[Status.DRAFT]

    @property
    def exceeded_by(self):
        """Registrations beyond the quota; negative when the quota is not yet reached."""
        return self.registered - self.quota

    @property
    def short_by(self):
        return max(self.quota - self.registered, 0)

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
        # Distinct decisions do not add up across provinces: `year_summary` counts the total's itself.
        for name in ("registered", "quota", "near_misses", "eligible", "recognised", "recognised_wards",
                     "recognitions_withdrawn", "collectives", "individuals"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.status, other.status), (self.expected, other.expected),
                             (self.verified, other.verified)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value

    def as_dict(self):
        """These figures in the shape of `export_summary --format json` (per province and in total)."""
        return {
            "registered": self.registered,
            "quota": self.quota,
            "exceeded_by": self.exceeded_by,
            "submitted": self.submitted,
            "not_submitted": self.not_submitted,
            "status": {str(key): value for key, value in self.status.items()},
            "expected": self.expected,
            "verified": self.verified,
            "near_misses": self.near_misses,
            "eligible_units": self.eligible,
            "recognised_units": self.recognised,
            "recognised_pct": round(self.pct, 2),
            "recognition": {
                "decisions": self.decisions, "wards": self.recognised_wards, "withdrawn": self.recognitions_withdrawn,
            },
            "commendations": {"collectives": self.collectives, "individuals": self.individuals},
        }


@dataclass
class ProvinceFigures(Figures):
    province: object = None


@dataclass
class YearSummary:
    year: object
    size: int
    total: Figures
    provinces: list
    # Whether "recognised" means "in a decision in force" this year (else "verified at 22/22").
    has_decisions: bool = False

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

    @property
    def map_name(self):
        """The map the provinces are on: the year's own (a roll-up on today's map says "current")."""
        return map_of(self.year)

    def as_dict(self):
        """The summary in the shape of `export_summary --format json`."""
        return {
            "year": self.year.year,
            "period": self.year.period,
            "map": self.map_name,
            "criteria": self.size,
            **self.total.as_dict(),
            "provinces_at_or_above_quota": self.at_or_above_quota,
            "provinces": [
                {"code": row.province.code, "name": row.province.name, **row.as_dict()} for row in self.provinces
            ],
        }


def year_summary(year, provinces, years=None):
    """The summary of programme year `year` over the `provinces` queryset (the user's scope).

    `years` (from `programme_years()`) saves a query when the caller has it.
    """
    years = programme_years() if years is None else years
    size = next(y.size for y in years if y.pk == year.pk)
    rows = {p.pk: ProvinceFigures.for_size(size, province=p) for p in provinces.order_by("code")}

    def grouped(queryset, path, **aggregates):
        return queryset.filter(**{f"{path}__in": rows}).order_by().values(group=F(path)).annotate(**aggregates)

    for province_id, amount in Quota.objects.filter(year=year, province__in=rows).values_list("province", "amount"):
        rows[province_id].quota = amount
    for item in grouped(Unit.objects.filter(kind__in=year.eligible_kinds), "province", n=Count("pk")):
        rows[item["group"]].eligible = item["n"]
    recognised = Assessment.objects.filter(recognised_condition(year, years))
    for item in grouped(recognised, "province", n=Count("unit", distinct=True)):
        rows[item["group"]].recognised = item["n"]
    # The database groups the year's assessments by province, status and results (a
    # few hundred groups at national scale); `Figures.count` puts each group in its
    # figures. Every registration has exactly one assessment, so the groups count
    # registrations too.
    groups = (
        Assessment.objects.filter(year=year, province__in=rows)
        .order_by()
        .values_list("province", "status", "submitted_self_met", "verified_met")
        .annotate(n=Count("*"))
    )
    for province_id, status, submitted_self_met, verified_met, n in groups:
        rows[province_id].count(status, submitted_self_met, verified_met, n, size)
    total = Figures.for_size(size)
    _count_outcomes(year, rows, total)
    for row in rows.values():
        total.add(row)
    has_decisions = bool(next(y for y in years if y.pk == year.pk).decisions)
    return YearSummary(year=year, size=size, total=total, provinces=list(rows.values()), has_decisions=has_decisions)


def _count_outcomes(year, rows, total):
    """The year's recognition and commendation figures per province (three queries), and in
    `total` what is not the sum of the provinces': distinct decisions, recipients with no province."""
    # (province, decision, in force) groups: a few per decision, counted here.
    decisions = set()
    groups = (
        Recognition.objects.filter(year=year, province__in=rows).order_by()
        .values_list("province", "decision", ExpressionWrapper(Q(withdrawn_on__isnull=True),
                                                               output_field=BooleanField()))
        .annotate(n=Count("pk"))
    )
    for province_id, decision_id, in_force, n in groups:
        row = rows[province_id]
        if in_force:
            row.decisions += 1
            row.recognised_wards += n
            decisions.add(decision_id)
        else:
            row.recognitions_withdrawn += n
    total.decisions = len(decisions)
    # A recipient with no province (a body of the ministry) counts in the national total only.
    national = len(rows) == Province.objects.filter(period=year.period).count()
    recipients = CommendationRecipient.objects.filter(commendation__year=year).filter(
        Q(province__in=rows) | Q(province__isnull=True) if national else Q(province__in=rows)
    )
    for province_id, kind, n in recipients.order_by().values_list("province", "kind").annotate(n=Count("pk")):
        attribute = "collectives" if kind == RecipientKind.COLLECTIVE else "individuals"
        if province_id is not None:
            setattr(rows[province_id], attribute, n)
        else:
            setattr(total, attribute, getattr(total, attribute) + n)


def province_wards(year, province):
    """The province's registrations for the year, with unit, district and assessment."""
    return (
        Registration.objects.filter(year=year, unit__province=province)
        .select_related("unit__district", "assessment")
        .order_by("unit__district__code", "unit__code")
    )
