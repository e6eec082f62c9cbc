"""A unit's programme pages: the ward for a year, the unit over the years and across the July 2025
reorganisation, and the search. They read assessments, so they live with them; the URLs keep
their /wards/ prefix and their `wards:` names (criteria/urls.py)."""

from itertools import groupby

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wards.lineage import predecessors_of, successors_of, with_lineage
from wards.models import Period

from ..access import Role, get_unit_for_user, get_ward_for_user, get_year_or_404, role_of, scope_for
from ..figures import UnitStatus, expected_met, programme_years
from ..outcomes import title_history
from ..forms import ExtensionForm, ReasonForm
from ..models import Registration, Stage, Status
from ..queue import return_reasons
from ..scoring import band_label, band_of
from ..workflow import (
    MINISTRY_ROLES,
    PROVINCE_ROLES,
    available_transitions,
    calendar_refusals,
    editable_stage,
    entered_on_behalf,
    missing_values,
    withdraw_refusal,
)

SEARCH_LIMIT = 50


def ward(request, code, year):
    """One ward's results for a year: every criterion, both stages, bands, notes, files, actions.

    A code of the other administrative period (a legacy code in 2025, say) leads to
    that unit's page, which says what it became or was formed from.
    """
    year = get_year_or_404(year)
    try:
        unit, can_edit = get_ward_for_user(request.user, code, year)
    except Http404:
        other = Period.LEGACY if year.period == Period.CURRENT else Period.CURRENT
        get_unit_for_user(request.user, other, code)  # 404 unless the user may see it there
        return redirect("wards:unit", period=other, code=code)
    registration = (
        unit.registrations.filter(year=year).select_related("assessment__verification_started_by").first()
    )
    if registration is not None:
        registration.year = year  # the workflow reads the year (and its catalogue) through it
    assessment = getattr(registration, "assessment", None)
    criteria = list(year.catalogue.criteria.select_related("group").order_by("group__position", "number"))
    size = len(criteria)
    scope = scope_for(request.user)
    years = programme_years()
    context = {
        "year": year, "unit": unit, "registration": registration, "assessment": assessment, "size": size,
        "all_years": ward_years(unit, years), **lineage_context(unit, years), "titles": title_history([unit.pk]),
    }
    if assessment is None:
        context["can_register"] = can_edit and scope.provinces(year.period).filter(pk=unit.province_id).exists()
        return render(request, "wards/ward.html", context)
    results = {r.criterion_id: r for r in assessment.results.all()}
    files = assessment.evidence.by_criterion()
    rows = [(c, results.get(c.pk), files.get(c.pk, [])) for c in criteria]
    transitions = available_transitions(scope, assessment)
    expected = expected_met(assessment.status, assessment.submitted_self_met)
    returned = None
    if assessment.status == Status.RETURNED:
        returned = return_reasons([assessment]).get(assessment.pk)  # (reason, who, when)
    context.update(
        groups=[(group, list(items)) for group, items in groupby(rows, key=lambda row: row[0].group)],
        expected_band=band_label(band_of(expected, size), size) if expected is not None else None,
        verified_band=band_label(band_of(assessment.verified_met, size), size),
        difference=assessment.verified_met - expected if expected is not None else 0,
        editable_stage=editable_stage(scope, assessment),
        transitions=transitions,
        missing=missing_values(assessment, Stage.SELF if "submit" in transitions else Stage.VERIFIED)
        if transitions & {"submit", "verify"} else [],
        returned=returned,
        withdrawn=returned is not None and returned[1] is not None and role_of(returned[1]) == Role.PROVINCE,
        withdraw_refusal=withdraw_refusal(assessment)
        if scope.role in PROVINCE_ROLES and assessment.status == Status.SUBMITTED else None,
        entered_on_behalf=assessment.pk in entered_on_behalf([assessment]),
        reason_form=ReasonForm(initial={"version": assessment.version}),
        calendar_refusals=calendar_refusals(scope, assessment),
        extension_form=ExtensionForm() if scope.role in MINISTRY_ROLES and year.is_open else None,
    )
    return render(request, "wards/ward.html", context)


def ward_years(unit, years):
    """A unit's registrations over every year, with their assessments and catalogue sizes."""
    sizes = {y.pk: y.size for y in years}
    registrations = list(unit.registrations.select_related("year", "assessment").order_by("year__year"))
    for registration in registrations:
        registration.size = sizes[registration.year_id]
    return registrations


def latest_years(years):
    """{period: its latest programme year}, from `programme_years()` (oldest first)."""
    return {y.period: y for y in years}


def lineage_context(unit, years):
    """What a unit became (legacy) or was formed from (current), with the results of the other side."""
    latest = latest_years(years)
    if unit.period == Period.LEGACY:
        return {"successors": successors_of(unit), "latest_current": latest.get(Period.CURRENT)}
    predecessors = predecessors_of(unit)
    legacy_years = [y for y in years if y.period == Period.LEGACY]
    results = {}
    registrations = Registration.objects.filter(unit__in=predecessors, year__in=legacy_years).select_related(
        "assessment")
    for registration in registrations:
        results[(registration.unit_id, registration.year_id)] = registration.assessment
    sizes = {y.pk: y.size for y in legacy_years}
    rows = []
    for predecessor in predecessors:
        cells = []
        for y in legacy_years:
            assessment = results.get((predecessor.pk, y.pk))
            cells.append((y, assessment, sizes[y.pk]))
        rows.append((predecessor, cells))
    return {"predecessors": rows, "legacy_years": legacy_years}


def unit(request, period, code):
    """A unit whatever the year: what it is, what it became or came from, its results over the years."""
    unit = get_unit_for_user(request.user, period, code)
    years = programme_years()
    return render(request, "wards/unit.html", {
        "unit": unit, "all_years": ward_years(unit, years), **lineage_context(unit, years),
        "titles": title_history([unit.pk]),
    })


def search(request):
    """Find units by old or new name or code, with or without diacritics, within the user's scope,
    each with its registration and status in the latest programme year of its period."""
    scope = scope_for(request.user)
    query = request.GET.get("q", "").strip()[:100]
    units, truncated = [], False
    if query:
        for period in Period:
            found = list(scope.units(period).search(query).select_related("province", "district")[:SEARCH_LIMIT])
            units += found
            truncated |= len(found) >= SEARCH_LIMIT
        with_current_registration(with_lineage(units), programme_years())
    return render(
        request,
        "wards/search.html",
        {"query": query, "units": units, "limit": SEARCH_LIMIT, "truncated": truncated, "title": _("Find a ward"),
         "not_registered": UnitStatus.NOT_REGISTERED.label},
    )


def with_current_registration(units, years):
    """Give each unit its period's latest programme year (`current_year`, with `size`) and its
    registration in it (`current_registration`, with the assessment; None if not registered):
    one query for the whole list."""
    latest = latest_years(years)
    prefetch_related_objects(units, Prefetch(
        "registrations", to_attr="latest_registrations",
        queryset=Registration.objects.filter(year__in=latest.values()).select_related("assessment"),
    ))
    for unit in units:
        unit.current_year = latest.get(unit.period)
        unit.current_registration = next(iter(unit.latest_registrations), None)
    return units
