"""The programme calendar page, and the ministry's extensions for a ward or a province."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import calendar
from ..access import get_assessment_for_user, get_province_for_user, get_year_or_404, scope_for
from ..forms import ExtensionForm
from ..workflow import MINISTRY_ROLES


def programme_calendar(request, year):
    """Each window of the year with its dates or "no deadline set", open or closed today, and the
    extensions granted (a provincial user sees their own province's only). Administrators edit
    the dates on the programme year's admin page."""
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    extensions = year.extensions.select_related("province", "registration__unit", "granted_by")
    if not scope.is_national:
        provinces = scope.provinces(year.period)
        extensions = extensions.filter(Q(province__in=provinces) | Q(registration__unit__province__in=provinces))
    return render(request, "reports/calendar.html", {
        "year": year, "scope": scope, "windows": calendar.describe(year), "today": calendar.today(),
        "extensions": extensions.order_by("-granted_at", "-pk"),
    })


def _grant(request, year, form_data, **target):
    """Check the form and record the extension; a message says what happened either way."""
    form = ExtensionForm(form_data)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return False
    extension = calendar.grant_extension(
        year, form.cleaned_data["window"], until=form.cleaned_data["until"], reason=form.cleaned_data["reason"],
        by=request.user, **target,
    )
    messages.success(request, _("%(window)s extended until %(until)s.")
                     % {"window": extension.get_window_display(), "until": calendar.show(extension.until)})
    return True


def _require_ministry(request):
    if scope_for(request.user).role not in MINISTRY_ROLES:
        raise PermissionDenied(_("Only ministry staff grant extensions."))


@require_POST
def extend_ward(request, code, year):
    """Grant one ward more time for a window (ministry staff)."""
    year = get_year_or_404(year)
    assessment = get_assessment_for_user(request.user, code, year)
    _require_ministry(request)
    registration = assessment.registration
    _grant(request, year, request.POST, registration=registration)
    return redirect("wards:ward", code=registration.unit.code, year=year.year)


@require_POST
def extend_province(request, year, code):
    """Grant every ward of one province more time for a window (ministry staff)."""
    year = get_year_or_404(year)
    province = get_province_for_user(request.user, year, code)
    _require_ministry(request)
    _grant(request, year, request.POST, province=province)
    return redirect("reports:province", year=year.year, code=province.code)
