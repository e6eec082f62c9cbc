"""The programme calendar: when each window of a programme year is open, and for whom.

A programme year may set a registration window (opens, closes), a self-assessment
deadline and a verification deadline, each optional: a window with no date set
never closes. Dates are whole days in Vietnam's time (TIME_ZONE): a deadline D
allows the action until the end of day D. The ministry may grant one province or
one ward an extension past a window's closing date; the latest extension that
covers a ward (its own, or its province's) stands. The expected recognition date
is only shown: a recognition decision never closes verification by itself.

This module is the one place that knows these rules. The workflow asks it before
each change; pages, reminders and the work queue ask it what is due and overdue.
"""

from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Extension, Status, Window

# The ProgrammeYear fields that open and close each window (None: the window has no opening date).
WINDOW_FIELDS = {
    Window.REGISTRATION: ("registration_opens", "registration_closes"),
    Window.SELF_ASSESSMENT: (None, "self_assessment_deadline"),
    Window.VERIFICATION: (None, "verification_deadline"),
}

# Who has to act while an assessment is in each status, and by which window's deadline.
DUE_WINDOW = {
    Status.DRAFT: Window.SELF_ASSESSMENT,
    Status.RETURNED: Window.SELF_ASSESSMENT,
    Status.SUBMITTED: Window.VERIFICATION,
}


def today():
    """Today in Vietnam's time. Tests move the clock by monkeypatching this function."""
    return timezone.localdate()


def _day(given):
    # A function of its own: the `today=` parameters below hide the module's today().
    return given if given is not None else today()


def show(day):
    """A date as people read it here (dd/mm/yyyy in Vietnamese)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def window_dates(year):
    """{window: (opens, closes)} for the year, as set by the administrators (None where not set)."""
    return {
        window: (getattr(year, opens) if opens else None, getattr(year, closes))
        for window, (opens, closes) in WINDOW_FIELDS.items()
    }


def extension_until(year, window, *, province=None, registration=None):
    """The latest day an extension of `window` covers, for a ward or a province; None without one.

    A ward is covered by its own extensions and by its province's (for a legacy
    year, the legacy province the ward belonged to: the province of the year's map).
    """
    if registration is not None and province is None:
        province = registration.unit.province_id
    province_id = getattr(province, "pk", province)
    who = Q(province_id=province_id) if province_id is not None else Q(pk__in=[])
    if registration is not None:
        who |= Q(registration=registration)
    return Extension.objects.filter(who, year=year, window=window).aggregate(until=Max("until"))["until"]


def deadline_for(year, window, registration=None, *, province=None):
    """The day `window` closes for a ward (or a province, or everyone): the later of the year's
    closing date and any extension covering it. None when the year sets no closing date."""
    closes = window_dates(year)[window][1]
    if closes is None:
        return None
    if registration is None and province is None:
        return closes
    until = extension_until(year, window, province=province, registration=registration)
    return max(closes, until) if until else closes


def window_open(year, window, *, registration=None, province=None, today=None):
    """None when `window` is open today for this ward or province; otherwise the refusal, naming the window.

    The extension lookup runs only once the year's own closing date has passed, so an
    open calendar (the demo's) costs no query.
    """
    day = _day(today)
    opens, closes = window_dates(year)[window]
    label = Window(window).label
    if opens is not None and day < opens:
        return _("%(window)s for %(year)s opens on %(date)s.") % {
            "window": label, "year": year.year, "date": show(opens)}
    if closes is None or day <= closes:
        return None
    until = None
    if registration is not None or province is not None:
        until = extension_until(year, window, province=province, registration=registration)
    if until is not None and day <= until:
        return None
    if until is not None and until > closes:
        return _("%(window)s for %(year)s closed on %(date)s; the extension granted ran until %(until)s.") % {
            "window": label, "year": year.year, "date": show(closes), "until": show(until)}
    return _("%(window)s for %(year)s closed on %(date)s.") % {
        "window": label, "year": year.year, "date": show(closes)}


def _year_extensions(year):
    """Every extension of the year, read once per year object: list pages ask about many wards."""
    cached = getattr(year, "_calendar_extensions", None)
    if cached is None:
        cached = list(Extension.objects.filter(year=year).values_list(
            "window", "province_id", "registration_id", "until"))
        year._calendar_extensions = cached
    return cached


def forget_extensions(year):
    """Make `year` read its extensions again (`_year_extensions`): they changed."""
    year.__dict__.pop("_calendar_extensions", None)


def is_overdue(assessment, today=None, *, year=None):
    """Whether the assessment waits past its deadline for whoever must act on it now.

    Draft or returned past the self-assessment deadline: overdue for the province.
    Submitted past the verification deadline: overdue for the ministry. Verified:
    never. Extensions for the ward or its province move the deadline. Pass the page's
    `year` when listing many assessments of one year: its extensions are read once.
    """
    window = DUE_WINDOW.get(assessment.status)
    year = year or assessment.year
    if window is None:
        return False
    closes = window_dates(year)[window][1]
    day = _day(today)
    if closes is None or day <= closes:
        return False
    for ext_window, province_id, registration_id, until in _year_extensions(year):
        covers = registration_id == assessment.registration_id or province_id == assessment.province_id
        if ext_window == window and covers and day <= until:
            return False
    return True


@dataclass(frozen=True)
class Deadline:
    window: str
    date: object

    @property
    def label(self):
        return Window(self.window).label


def next_deadline(year, province=None, today=None):
    """The next closing date from today on (a Deadline: window, date), for a province
    (with its extensions) or, with no province, the year's own; None when nothing is due."""
    day = _day(today)
    upcoming = []
    for window in WINDOW_FIELDS:
        closes = deadline_for(year, window, province=province)
        if closes is not None and closes >= day:
            upcoming.append(Deadline(window, closes))
    return min(upcoming, key=lambda deadline: deadline.date, default=None)


@dataclass(frozen=True)
class WindowState:
    window: str
    opens: object
    closes: object
    refusal: str | None  # why the window is shut today, None while open

    @property
    def label(self):
        return Window(self.window).label

    @property
    def is_open(self):
        return self.refusal is None

    @property
    def has_dates(self):
        return self.opens is not None or self.closes is not None


def describe(year, today=None):
    """Each window of the year with its dates (None: no deadline set) and whether it is open today,
    before any extension."""
    day = _day(today)
    return [
        WindowState(window, opens, closes, window_open(year, window, today=day))
        for window, (opens, closes) in window_dates(year).items()
    ]


def grant_extension(year, window, *, until, reason, by, province=None, registration=None):
    """Record an extension of `window` until `until` (inclusive) for one province or one ward, with its reason."""
    extension = Extension(year=year, window=window, province=province, registration=registration, until=until,
                          reason=reason, granted_by=by)
    extension._history_user = by
    extension._change_reason = reason
    extension.save()
    return extension


def extensions_for_ward(registration):
    """The extensions covering a ward: its own and its province's, newest first."""
    return (
        Extension.objects.filter(Q(registration=registration) | Q(province_id=registration.unit.province_id),
                                 year_id=registration.year_id)
        .select_related("granted_by", "province", "registration__unit")
        .order_by("-granted_at", "-pk")
    )
