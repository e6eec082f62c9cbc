"""Registering a ward, and the buttons of the workflow: submit, verify, return, reopen, withdraw."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wards.models import Unit

from ..access import get_assessment_for_user, get_province_for_user, get_year_or_404, scope_for
from ..forms import ReasonForm, RegisterForm, VersionForm
from ..workflow import (
    AlreadyRegistered,
    ConflictError,
    TransitionRefused,
    reopen,
    register,
    return_to_province,
    submit,
    verify,
    withdraw,
)

STALE = gettext_lazy("The assessment changed since you opened the page (someone else saved it). Look at it again, then retry.")


def register_ward(request, year, code):
    """Register a ward of the province for the year; warn, but allow, beyond the quota."""
    year = get_year_or_404(year)
    province = get_province_for_user(request.user, year, code)
    scope = scope_for(request.user)
    if not year.is_open:
        raise PermissionDenied(_("Programme year %(year)s is closed for entry.") % {"year": year.year})
    units = (
        Unit.objects.filter(province=province, period=year.period, kind__in=year.eligible_kinds)
        .exclude(registrations__year=year)
        .select_related("district")
        .order_by("district__code", "name")
    )
    form = RegisterForm(request.POST or None, units=units)
    if request.method == "POST" and not form.is_valid():
        # A second click arrives after the first registered the ward, so the ward is no
        # longer a choice: say it is registered rather than "not a valid choice".
        unit_id = form.data.get("unit", "")
        done = unit_id.isascii() and unit_id.isdigit() and len(unit_id) < 19 and province.units.filter(
            pk=int(unit_id), period=year.period, registrations__year=year).first()
        if done:
            messages.info(request, _("%(unit)s is already registered for %(year)s.")
                          % {"unit": done.name, "year": year.year})
            return redirect("wards:ward", code=done.code, year=year.year)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = register(year, form.cleaned_data["unit"], by=request.user)
        except AlreadyRegistered as exc:
            # Usually the same person's second click: the ward they asked for is registered.
            messages.info(request, str(exc))
            return redirect("wards:ward", code=exc.unit.code, year=year.year)
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            unit = outcome.registration.unit
            messages.success(request, _("%(unit)s is registered for %(year)s.") % {"unit": unit.name, "year": year.year})
            if outcome.over_quota_by:
                messages.warning(
                    request,
                    _("%(province)s now has %(n)s registered wards, %(over)s over its quota of %(quota)s.")
                    % {"province": province.name, "n": outcome.registered, "over": outcome.over_quota_by,
                       "quota": outcome.quota},
                )
            return redirect("wards:ward", code=unit.code, year=year.year)
    return render(
        request,
        "criteria/register.html",
        {"year": year, "province": province, "form": form, "scope": scope, "available": units.count()},
    )


def _transition(request, code, year, action, form_class, success):
    year = get_year_or_404(year)
    assessment = get_assessment_for_user(request.user, code, year)
    unit = assessment.registration.unit
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("wards:ward", code=unit.code, year=year.year)
    try:
        action(assessment, scope=scope_for(request.user), **form.cleaned_data)
    except ConflictError:
        messages.error(request, str(STALE))
    except TransitionRefused as exc:
        if exc.forbidden:
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("wards:ward", code=unit.code, year=year.year)


@require_POST
def submit_assessment(request, code, year):
    return _transition(request, code, year, submit, VersionForm, _("Self-assessment submitted to the ministry."))


@require_POST
def verify_assessment(request, code, year):
    return _transition(request, code, year, verify, VersionForm, _("Assessment verified."))


@require_POST
def return_assessment(request, code, year):
    return _transition(
        request, code, year, return_to_province, ReasonForm, _("Assessment returned to the province.")
    )


@require_POST
def reopen_assessment(request, code, year):
    return _transition(request, code, year, reopen, ReasonForm, _("Assessment reopened."))


@require_POST
def withdraw_assessment(request, code, year):
    return _transition(request, code, year, withdraw, ReasonForm, _("Submission withdrawn; the ministry is told."))
