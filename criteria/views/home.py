"""The home page: each role's work queue, and what changed since the user's last visit."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import Role, role_of, scope_for
from ..calendar import describe, is_overdue, next_deadline
from ..figures import programme_years
from ..models import ProgrammeYear, Status
from ..queue import (
    QUEUE_STATUSES,
    SORTS,
    current_provinces,
    days_waiting,
    ministry_queue,
    province_queue,
    since_last_visit,
)

ROWS_PER_PAGE = 50


class QueueForm(forms.Form):
    """The ministry queue's filters, read from the URL so that a view can be shared."""

    province = forms.ChoiceField(label=_("Province (today's map)"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[(s.value, s.label) for s in map(Status, QUEUE_STATUSES)],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[
            ("waiting", _("Waiting longest first")), ("-waiting", _("Newest first")),
            ("province", _("Province")), ("ward", _("Ward")), ("year", _("Year")),
        ],
    )

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.provinces = {p.code: p for p in provinces}
        self.fields["province"].choices = [("", _("All provinces"))] + [(p.code, p.name) for p in provinces]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self):
        """(status, province or None, sort): the defaults for anything missing or not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return (
            data.get("status") or Status.SUBMITTED,
            self.provinces.get(data.get("province") or ""),
            data.get("sort") if data.get("sort") in SORTS else "waiting",
        )


def home(request):
    """What waits for this user: the ministry's queue, or the province's open work."""
    scope = scope_for(request.user)
    if not ProgrammeYear.objects.exists():
        return render(request, "reports/no_years.html")
    years = {year.pk: year for year in programme_years()}  # one object a year: its extensions read once
    today = timezone.localdate()
    profile = getattr(request.user, "profile", None)
    since = getattr(profile, "previous_login", None)
    changes, changes_total = since_last_visit(scope, since)
    context = {"scope": scope, "since": since, "changes": changes, "changes_total": changes_total}
    if scope.is_national:
        form = QueueForm(request.GET or None, provinces=list(current_provinces()))
        status, province, sort = form.filters()
        page = Paginator(ministry_queue(status, province, sort), ROWS_PER_PAGE).get_page(request.GET.get("page"))
        for assessment in page.object_list:
            assessment.days_waiting = days_waiting(assessment, today) if status == Status.SUBMITTED else None
            assessment.overdue = is_overdue(assessment, today, year=years[assessment.year_id])
        context.update(form=form, page=page, status=Status(status), province=province, sort=sort)
        if scope.role == Role.ADMIN:
            # What the calendar needs next: each open year's windows, the next deadline, dates not set.
            context["calendars"] = [
                (year, describe(year, today), next_deadline(year, today=today))
                for year in years.values() if year.is_open
            ]
    else:
        returned, drafts, rooms = province_queue(scope)
        for assessment in returned:
            who = assessment.return_reason[1] if assessment.return_reason else None
            assessment.withdrawn = who is not None and role_of(who) == Role.PROVINCE  # taken back, not returned
        for assessment in [*returned, *drafts]:
            assessment.size = years[assessment.year_id].size
            assessment.overdue = is_overdue(assessment, today, year=years[assessment.year_id])
        for room in rooms:
            room.next_deadline = next_deadline(room.year, room.province, today)
        context.update(returned=returned, drafts=drafts, rooms=rooms)
    return render(request, "criteria/home.html", context)
