"""What waits for whom: each role's work queue, and what changed since the user's last visit.

- The ministry (and administrators) wait on *submitted* assessments, across the
  country and every year: the oldest submission first, with the days it has waited.
- A province waits on its own *drafts* and *returned* assessments (each with the
  ministry's reason in full), and on the wards it may still register.

The lists read the assessments (which carry their unit, province and year) and the
history that already exists; counting is one query per figure.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from wards.models import Period, Province

from .models import Assessment, Evidence, ProgrammeYear, Quota, Registration, Status

# Sort keys offered in the ministry's queue: (ordering, the tie-breakers after it).
SORTS = {
    "waiting": ("submitted_at", "unit__code"),
    "-waiting": ("-submitted_at", "unit__code"),
    "province": ("province__code", "submitted_at"),
    "-province": ("-province__code", "submitted_at"),
    "ward": ("unit__name", "unit__code"),
    "-ward": ("-unit__name", "unit__code"),
    "year": ("year__year", "submitted_at"),
    "-year": ("-year__year", "submitted_at"),
}
QUEUE_STATUSES = [Status.SUBMITTED, Status.RETURNED, Status.DRAFT, Status.VERIFIED]


def in_scope(queryset, scope, path="province"):
    """`queryset` narrowed to the provinces (of both maps) the scope may see."""
    provinces = scope.all_provinces()
    return queryset if provinces is None else queryset.filter(**{f"{path}__in": provinces})


def waiting_count(scope):
    """How many items wait for this user's role now: the number in the navigation bar."""
    if scope.is_national:
        return Assessment.objects.filter(status=Status.SUBMITTED).count()
    return in_scope(Assessment.objects.filter(status__in=[Status.DRAFT, Status.RETURNED]), scope).count()


def ministry_queue(status=Status.SUBMITTED, province=None, sort="waiting"):
    """The assessments of `status` across the country, oldest submission first by default.

    `province` is a current province: its legacy predecessors' wards are included,
    so that one filter covers 2023-2024 and later years alike.
    """
    queryset = Assessment.objects.filter(status=status).select_related("unit__district", "province", "year")
    if province is not None:
        queryset = queryset.filter(Q(province=province) | Q(province__successor=province))
    return queryset.order_by(*SORTS.get(sort, SORTS["waiting"]))


def days_waiting(assessment, today=None):
    """Whole days since the assessment was submitted (None if it never was)."""
    if assessment.submitted_at is None:
        return None
    today = today or timezone.localdate()
    return (today - timezone.localdate(assessment.submitted_at)).days


def return_reasons(assessments):
    """{assessment pk: (reason, who, when)} of the change that made each returned assessment returned: one query.

    That change is the ministry's return or the province's withdrawal; the province's
    edits after it are recorded as returned too, so it is the earliest record of the
    last run of returned records, not the latest one.
    """
    pks = [a.pk for a in assessments if a.status == Status.RETURNED]
    reasons, done = {}, set()
    records = (
        Assessment.history.filter(id__in=pks)
        .select_related("history_user__profile")
        .order_by("id", "-history_date", "-history_id")
    )
    for record in records:
        if record.id in done:
            continue
        if record.status != Status.RETURNED:
            done.add(record.id)
            continue
        reasons[record.id] = (record.history_change_reason or "", record.history_user, record.history_date)
    return reasons


@dataclass
class RegistrationRoom:
    """A province's registrations for an open year against its quota."""

    year: object
    province: object
    registered: int
    quota: int | None

    @property
    def short_by(self):
        return max((self.quota or 0) - self.registered, 0)


def province_queue(scope):
    """A province's open work: returned assessments (with reasons), drafts, and registration room."""
    open_work = in_scope(Assessment.objects.filter(status__in=[Status.RETURNED, Status.DRAFT]), scope)
    assessments = list(
        open_work.select_related("unit__district", "province", "year").order_by("-status", "year__year", "unit__code")
    )
    reasons = return_reasons(assessments)
    for assessment in assessments:
        assessment.return_reason = reasons.get(assessment.pk)
    returned = [a for a in assessments if a.status == Status.RETURNED]
    drafts = [a for a in assessments if a.status == Status.DRAFT]
    return returned, drafts, registration_room(scope)


def registration_room(scope):
    """For each open programme year, the user's province(s) there: registered against quota."""
    rooms = []
    for year in ProgrammeYear.objects.filter(is_open=True).order_by("-year"):
        provinces = scope.provinces(year.period) if not scope.is_national else Province.objects.none()
        provinces = list(provinces.order_by("code"))
        if not provinces:
            continue
        quotas = dict(Quota.objects.filter(year=year, province__in=provinces).values_list("province", "amount"))
        counts = dict(
            Registration.objects.filter(year=year, unit__province__in=provinces)
            .order_by().values_list("unit__province").annotate(n=Count("pk"))
        )
        for province in provinces:
            rooms.append(RegistrationRoom(year, province, counts.get(province.pk, 0), quotas.get(province.pk)))
    return rooms


@dataclass
class Change:
    when: object
    who: object
    kind: str  # the assessment's status after the change, or "evidence" for a file attached
    detail: str  # the reason recorded with the change, or the file's name
    unit: object
    year: object


def since_last_visit(scope, since, limit=20):
    """What changed in the user's scope since `since`, newest first, by others: ([Change], total).

    Read from the history that is kept anyway: every saved assessment (submissions,
    returns, verifications, reopenings, saved results) and every evidence file attached.
    """
    if since is None:
        return [], 0
    assessments = in_scope(
        Assessment.history.filter(history_date__gt=since).exclude(history_user=scope.user),
        scope, path="registration__unit__province",
    )
    evidence = in_scope(
        Evidence.history.filter(history_date__gt=since, history_type="+").exclude(history_user=scope.user),
        scope, path="assessment__registration__unit__province",
    )
    total = assessments.count() + evidence.count()
    changes = []
    for record in assessments.select_related("history_user", "registration__unit", "registration__year").order_by(
            "-history_date")[:limit]:
        changes.append(Change(record.history_date, record.history_user, record.status,
                              record.history_change_reason or "", record.registration.unit, record.registration.year))
    for record in evidence.select_related(
            "history_user", "assessment__registration__unit", "assessment__registration__year",
            "criterion").order_by("-history_date")[:limit]:
        registration = record.assessment.registration
        changes.append(Change(record.history_date, record.history_user, "evidence", record.original_name,
                              registration.unit, registration.year))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit], total


def current_provinces():
    """Today's provinces, for the queue's province filter."""
    return Province.objects.filter(period=Period.CURRENT).order_by("code")
