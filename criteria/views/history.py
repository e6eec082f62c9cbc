from django.shortcuts import render

from ..access import get_assessment_for_user, get_year_or_404
from ..calendar import extensions_for_ward
from ..history import timeline


def history(request, code, year):
    """Every change to the assessment, in order: who, when, old → new, and why; and the extensions covering it."""
    year = get_year_or_404(year)
    assessment = get_assessment_for_user(request.user, code, year)
    return render(
        request,
        "criteria/history.html",
        {"year": year, "unit": assessment.registration.unit, "assessment": assessment, "events": timeline(assessment),
         "extensions": extensions_for_ward(assessment.registration)},
    )
