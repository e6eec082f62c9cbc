"""The story of one assessment: every change to its status, results, notes and files, in order."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .demo import DEMO_REASON
from .demo import YEAR as DEMO_YEAR
from .models import Assessment, Evidence, Result, ResultValue, Status

# What load_demo stored as its reason before it stored DEMO_REASON: databases loaded then still hold it.
EARLIER_DEMO_REASONS = {"Dữ liệu mẫu (load_demo)"}
HIDDEN_FIELDS = {"version", "updated_by", "submitted_at", "verified_at", "registration", "assessment", "criterion",
                 "file", "content_type", "size", "uploaded_by", "uploaded_at", "removed_by", "original_name"}
CHOICE_LABELS = {
    "status": Status,
    "self_value": ResultValue,
    "verified_value": ResultValue,
}


@dataclass
class Change:
    subject: str
    field: str
    old: str
    new: str


def is_demo_reason(reason):
    return reason == DEMO_REASON or reason in EARLIER_DEMO_REASONS


def author(user, demo=False):
    """Who made a change, as people read it: the user's name, else their log-in.

    The name is written as Vietnamese writes it, family name first ("Họ" then "Tên", the
    account's last and first names: "Trần Minh Đức"). A change with no user was made by a
    command: by the system, loading the demo (`demo`) or otherwise.
    """
    if user is not None:
        return " ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part) or (
            user.get_username())
    return _("System (demo data)") if demo else _("System")


def readable_reason(reason):
    """The reason of a change as recorded, the demo's in the reader's language (and without a command name)."""
    if is_demo_reason(reason):
        return _("Demo data for %(year)s") % {"year": DEMO_YEAR}
    return reason


@dataclass
class Event:
    """One save by one person: everything it changed, and why."""

    date: object
    user: object
    reason: str
    changes: list = field(default_factory=list)

    @property
    def who(self):
        return author(self.user, demo=is_demo_reason(self.reason))

    @property
    def why(self):
        return readable_reason(self.reason)


def _display(name, value):
    if value is None or value == "":
        return "—"
    labels = CHOICE_LABELS.get(name)
    if labels is not None and value in labels.values:
        return str(labels(value).label)
    if name == "removed_at":
        return _("removed")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, AbstractBaseUser):
        return author(value)
    return str(value)


def _changes(record, previous, subject):
    """The visible field changes between two historical records of one object."""
    fields = [
        f for f in record._meta.fields
        if f.name not in HIDDEN_FIELDS and f.name != "id" and not f.name.startswith("history_")
    ]
    result = []
    for f in fields:
        # Compared by column (a person by id), read as an object only when it changed.
        old = getattr(previous, f.attname) if previous is not None else None
        new = getattr(record, f.attname)
        if previous is None and new in (None, "", ResultValue.PENDING):
            continue
        if old != new:
            if f.is_relation:
                old, new = _related(previous, f, old), _related(record, f, new)
            result.append(Change(subject, str(f.verbose_name), _display(f.name, old), _display(f.name, new)))
    return result


def _related(record, f, pk):
    """The object a historical record's foreign key `f` points to (a person), if any."""
    if pk is None:
        return None
    try:
        return getattr(record, f.name)
    except ObjectDoesNotExist:  # history keeps ids without constraints: the account may be gone
        return _("a deleted account")


def _evidence_changes(record, previous, subject):
    if previous is None:
        return [Change(subject, _("file"), "—", record.original_name)]
    if previous.removed_at is None and record.removed_at is not None:
        return [Change(subject, _("file"), record.original_name, _("removed"))]
    return []


def _events(records, subject_of, differ=_changes):
    """Turn one model's historical records into events, each diffed against the object's previous record."""
    events, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        changes = differ(record, before, subject_of(record))
        if changes or before is None:
            events.append(Event(record.history_date, record.history_user, record.history_change_reason or "", changes))
    return events


def _merge(events):
    """One event per save: results written together share their time, author and reason."""
    merged = []
    for event in sorted(events, key=lambda e: e.date):
        last = merged[-1] if merged else None
        if last and (last.date, last.user, last.reason) == (event.date, event.user, event.reason):
            last.changes += event.changes
        else:
            merged.append(Event(event.date, event.user, event.reason, list(event.changes)))
    return merged


def timeline(assessment, since=None):
    """Every recorded change of `assessment`, oldest first; only those after `since` if given."""

    def ordered(records):
        return records.select_related("history_user").order_by("history_date", "history_id")

    criteria = dict(assessment.registration.year.catalogue.criteria.values_list("pk", "number"))

    def criterion(record):
        return _("Criterion %(number)s") % {"number": criteria.get(record.criterion_id, "?")}

    events = _events(ordered(assessment.history.all()), lambda record: _("Assessment"))
    events += _events(ordered(Result.history.filter(assessment_id=assessment.pk)), criterion)
    events += _events(ordered(Evidence.history.filter(assessment_id=assessment.pk)), criterion, _evidence_changes)
    events = _merge(events)
    if since is not None:
        events = [event for event in events if event.date > since]
    return events


def changes_since_version(assessment, version):
    """What changed after the assessment was at `version`: for the no-lost-edits message."""
    seen = assessment.history.filter(version=version).order_by("-history_date").values_list("history_date", flat=True)
    since = seen.first()
    if since is None:
        return []
    return timeline(assessment, since=since)


def self_entered(assessments, users):
    """The pks of `assessments` whose current self-assessment holds results saved by one of `users`.

    The current self-assessment is what was entered since the assessment last left
    the ministry's hands (its last record as submitted or verified belonging to an
    earlier submission) and, once submitted, up to that submission. The self-assessed
    result changes only while draft or returned and the verified result only while
    submitted, so the result records in that interval are self-assessment entries;
    that is why no field records who entered it. Two queries for any number of
    assessments (a page of the province's wards).
    """
    assessments = {a.pk: a for a in assessments}
    if not assessments:
        return set()
    start, end = {}, {}
    for pk, a in assessments.items():
        end[pk] = a.submitted_at if a.status in (Status.SUBMITTED, Status.VERIFIED) else None
    earlier = Assessment.history.filter(
        id__in=assessments, status__in=[Status.SUBMITTED, Status.VERIFIED]
    ).values_list("id", "history_date", "submitted_at")
    for pk, date, submitted_at in earlier:
        if end[pk] is not None and submitted_at == end[pk]:
            continue  # a record of the current submission itself
        start[pk] = max(start.get(pk, date), date)
    entries = Result.history.filter(assessment_id__in=assessments, history_user__in=users).values_list(
        "assessment_id", "history_date").distinct()
    return {
        pk for pk, date in entries
        if (pk not in start or date > start[pk]) and (end[pk] is None or date <= end[pk])
    }
