from itertools import groupby

from django.shortcuts import render
from django.utils.translation import gettext as _

from criteria.access import get_ward_for_user, get_year_or_404, scope_for
from criteria.forms import ReasonForm
from criteria.models import ProgrammeYear, Stage, Status
from criteria.scoring import band_label, band_of
from criteria.workflow import available_transitions, editable_stage, missing_values

from reports.dashboard import ward_years
from reports.summary import programme_years

from .models import Period

SEARCH_LIMIT = 50


def ward(request, code, year):
    """One ward's results for a year: every criterion, both stages, bands, notes, files, actions."""
    year = get_year_or_404(year)
    unit, can_edit = get_ward_for_user(request.user, code, year)
    registration = unit.registrations.filter(year=year).select_related("assessment").first()
    assessment = getattr(registration, "assessment", None)
    criteria = list(year.catalogue.criteria.select_related("group").order_by("group__position", "number"))
    size = len(criteria)
    scope = scope_for(request.user)
    context = {
        "year": year, "unit": unit, "registration": registration, "assessment": assessment, "size": size,
        "all_years": ward_years(unit, programme_years()),
    }
    if assessment is None:
        context["can_register"] = can_edit and scope.provinces(year.period).filter(pk=unit.province_id).exists()
        return render(request, "wards/ward.html", context)
    results = {r.criterion_id: r for r in assessment.results.all()}
    files = {}
    for evidence in assessment.evidence.current().order_by("uploaded_at"):
        files.setdefault(evidence.criterion_id, []).append(evidence)
    rows = [(c, results.get(c.pk), files.get(c.pk, [])) for c in criteria]
    stage = editable_stage(scope, assessment)
    transitions = available_transitions(scope, assessment)
    returned = None
    if assessment.status == Status.RETURNED:
        returned = assessment.history.filter(status=Status.RETURNED).select_related("history_user").first()
    context.update(
        groups=[(group, list(items)) for group, items in groupby(rows, key=lambda row: row[0].group)],
        expected_band=band_label(band_of(assessment.self_met, size), size),
        verified_band=band_label(band_of(assessment.verified_met, size), size),
        difference=assessment.verified_met - assessment.self_met,
        editable_stage=stage,
        transitions=transitions,
        missing=missing_values(assessment, Stage.SELF if "submit" in transitions else Stage.VERIFIED)
        if transitions & {"submit", "verify"} else [],
        returned=returned,
        reason_form=ReasonForm(initial={"version": assessment.version}),
    )
    return render(request, "wards/ward.html", context)


def search(request):
    """Find units by name or code, with or without diacritics, within the user's scope."""
    scope = scope_for(request.user)
    query = request.GET.get("q", "").strip()[:100]
    latest = {
        period: ProgrammeYear.objects.filter(period=period).order_by("-year").values_list("year", flat=True).first()
        for period in Period
    }
    units = []
    if query:
        for period in Period:
            units += list(
                scope.units(period).search(query).select_related("province", "district").order_by("code")[:SEARCH_LIMIT]
            )
    return render(
        request,
        "wards/search.html",
        {"query": query, "units": units, "latest": latest, "limit": SEARCH_LIMIT,
         "title": _("Find a ward")},
    )
