"""What the dashboards answer beyond the summary: which criteria hold wards back,
which wards are one criterion away, and how this moves year on year.

Every function runs a fixed number of queries whatever the number of provinces,
wards, years and results. They read the assessments alone (each carries its
unit, province, scores and not-met masks), never the criterion results, but for
the near-miss page's 50 rows. `provinces` is the user's scope (a queryset of
provinces); the national scope passes None, which spares the filter.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from criteria.figures import STANDING_MET, Figures, expected_met, near_miss_q
from criteria.models import SUBMITTED_STATUSES, Assessment, Quota, Result, ResultValue, Stage, Status, criteria_numbers

NEAR_MISSES_PER_PAGE = 50


def _in_scope(provinces, path):
    return Q() if provinces is None else Q(**{f"{path}__in": provinces})


@dataclass
class Gap:
    criterion: object
    expected: int = 0
    verified: int = 0
    near_expected: int = 0
    near_verified: int = 0


def criteria_gaps(year, provinces, size, criteria):
    """Per criterion: how many assessed wards do not meet it, and how many 21/22 wards miss just it.

    Only "not met" results count: results not yet assessed are no gap. Each
    assessment keeps the criteria it does not meet as bit masks (see
    Assessment.self_not_met), so one query groups the year's assessments with any
    criterion not met by status, scores and masks; Python then counts the wards
    per distinct mask and adds each mask's count to the criteria of its set bits.
    """
    groups = (
        Assessment.objects.filter(year=year, status__in=SUBMITTED_STATUSES)
        .filter(_in_scope(provinces, "province"))
        .exclude(self_not_met=0, verified_not_met=0)
        .order_by()
        .values_list("status", "submitted_self_met", "verified_met", "self_not_met", "verified_not_met")
        .annotate(n=Count("*"))
    )
    masks = {"expected": Counter(), "near_expected": Counter(), "verified": Counter(), "near_verified": Counter()}
    for status, submitted_self_met, verified_met, self_not_met, verified_not_met, n in groups:
        masks["expected"][self_not_met] += n
        if expected_met(status, submitted_self_met) == size - 1:
            masks["near_expected"][self_not_met] += n
        if status == Status.VERIFIED:
            masks["verified"][verified_not_met] += n
            if verified_met == size - 1:
                masks["near_verified"][verified_not_met] += n
    gaps = {c.number: Gap(criterion=c) for c in criteria}
    for name, counts in masks.items():
        for number, n in _per_criterion(counts).items():
            if number in gaps:
                setattr(gaps[number], name, n)
    return list(gaps.values())


def _per_criterion(counts):
    """{criterion number: wards} from {not-met mask: wards}.

    Thousands of distinct masks share a few hundred distinct bytes: the wards are
    added up per byte of the mask first, and each byte is decoded once.
    """
    per_byte = Counter()
    for mask, n in counts.items():
        shift = 0
        while mask:
            if mask & 0xFF:
                per_byte[shift, mask & 0xFF] += n
            mask >>= 8
            shift += 8
    totals = Counter()
    for (shift, byte), n in per_byte.items():
        for number in criteria_numbers(byte):
            totals[shift + number] += n
    return totals


@dataclass
class NearMissPage:
    """One page of the near-miss list; the total comes from the summary, not from another count."""

    number: int
    count: int
    object_list: list

    @property
    def num_pages(self):
        return max(1, -(-self.count // NEAR_MISSES_PER_PAGE))

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def has_other_pages(self):
        return self.num_pages > 1

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1


def near_misses(year, provinces, size, criteria, count, page=1):
    """Wards one or two criteria short, with the criteria they miss: a page of them.

    The result that stands is the verified one once verified, the self-assessed one
    before. `criteria` are the year's criteria and `count` the number of near-misses
    (the summary has both already).
    """
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    number = min(number, max(1, -(-count // NEAR_MISSES_PER_PAGE)))
    start = (number - 1) * NEAR_MISSES_PER_PAGE
    page = (
        Assessment.objects.filter(year=year)
        .filter(near_miss_q(size))
        .filter(_in_scope(provinces, "province"))
        .annotate(met=STANDING_MET)
        .order_by("-met", "unit__code")
        .values("pk")[start:start + NEAR_MISSES_PER_PAGE]
    )
    # The page is chosen over the bare assessments and their unit codes; only its
    # rows are then read whole, with their unit and province.
    assessments = list(
        Assessment.objects.filter(pk__in=page)
        .annotate(met=STANDING_MET)
        .select_related("unit", "province")
        .order_by("-met", "unit__code")
    )
    verified = [a.pk for a in assessments if a.stage == Stage.VERIFIED]
    others = [a.pk for a in assessments if a.stage == Stage.SELF]
    missing = (
        Result.objects.filter(
            Q(assessment__in=verified) & ~Q(verified_value=ResultValue.MET)
            | Q(assessment__in=others) & ~Q(self_value=ResultValue.MET)
        )
        .order_by()
        .values_list("assessment_id", "criterion_id")
    )
    by_pk = {c.pk: c for c in criteria}
    by_assessment = {}
    for assessment_id, criterion_id in missing:
        by_assessment.setdefault(assessment_id, []).append(by_pk[criterion_id])
    for assessment in assessments:
        assessment.missing = sorted(by_assessment.get(assessment.pk, []), key=lambda c: c.number)
    return NearMissPage(number=number, count=count, object_list=assessments)


@dataclass
class TrendRow(Figures):
    """One programme year's figures, for the trend."""

    year: object = None
    size: int = 0

    @property
    def verified_full(self):
        return next(iter(self.verified.values()), 0)


def trend(provinces, years):
    """The figures of every programme year, side by side, in two queries.

    `provinces` may span both administrative periods (a provincial user's legacy
    and current provinces); None is the whole country. The database groups the
    assessments by year, status and score (a few hundred groups at national
    scale); each group is then put in its band. Every registration has exactly
    one assessment, so the groups also count the registrations.
    """
    rows = {y.pk: TrendRow.for_size(y.size, year=y, size=y.size) for y in years}
    quotas = Quota.objects.filter(_in_scope(provinces, "province")).order_by()
    for item in quotas.values("year").annotate(n=Sum("amount")):
        rows[item["year"]].quota = item["n"]
    groups = (
        Assessment.objects.filter(_in_scope(provinces, "province"))
        .order_by()
        .values_list("year", "status", "submitted_self_met", "verified_met")
        .annotate(n=Count("*"))
    )
    for year_id, status, submitted_self_met, verified_met, n in groups:
        rows[year_id].count(status, submitted_self_met, verified_met, n, rows[year_id].size)
    return list(rows.values())
