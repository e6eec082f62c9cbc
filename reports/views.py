from django.shortcuts import redirect, render

from criteria.access import get_province_for_user, get_year_or_404, scope_for
from criteria.models import ProgrammeYear
from wards.models import Province

from .summary import province_wards, year_summary


def home(request):
    scope_for(request.user)
    year = ProgrammeYear.objects.order_by("-year").first()
    if year is None:
        return render(request, "reports/no_years.html")
    return redirect("reports:national", year=year.year)


def national(request, year):
    """The yearly summary over every province the user may see."""
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    summary = year_summary(year, scope.provinces(year.period))
    return render(request, "reports/national.html", {"year": year, "summary": summary, "scope": scope})


def province(request, year, code):
    """One province's summary and its registered wards."""
    year = get_year_or_404(year)
    province = get_province_for_user(request.user, year, code)
    summary = year_summary(year, Province.objects.filter(pk=province.pk))
    return render(
        request,
        "reports/province.html",
        {
            "year": year,
            "province": province,
            "summary": summary,
            "figures": summary.provinces[0],
            "registrations": province_wards(year, province),
        },
    )
