from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from criteria.access import get_province_for_user, get_year_or_404, scope_for
from criteria.models import Status
from criteria.scoring import band_label
from criteria.calendar import window_open
from criteria.forms import ExtensionForm
from criteria.models import Window
from criteria.workflow import MINISTRY_ROLES, SELF_ENTRY_ROLES, entered_on_behalf
from wards.models import Period, Province, UnitKind

from .. import current_map, dashboard, maps
from ..charts import Series, bar_chart
from ..current_map import CARRY_OVER_RULE, roll_up
from ..exporters import EXPORTERS
from ..filters import ProvinceTableForm, WardFilter
from criteria.figures import Target2025, programme_years, province_wards, year_summary

WARDS_PER_PAGE = 50


def _base(request, year, provinces):
    """What every dashboard page of one scope starts from: the summary and the page's header.

    `provinces` is the scope's provinces of the year's map, or None for the whole country.
    """
    years = programme_years()
    scope_provinces = provinces if provinces is not None else Province.objects.filter(period=year.period)
    summary = year_summary(year, scope_provinces, years=years)
    size = summary.size
    scope = scope_for(request.user)
    return {
        "scope": scope,
        "year": year,
        "kinds": ", ".join(str(label) for label in year.eligible_kind_labels()),
        "where": _("the whole country") if provinces is None else ", ".join(
            row.province.name for row in summary.provinces),
        "exports": [(cls, cls.formats) for cls in EXPORTERS.values() if cls.allowed(scope)],
        "near_band": band_label(summary.bands[1], size) if len(summary.bands) > 2 else "",
        "years": years,
        "size": size,
        "summary": summary,
        "charts": {
            "bands": bar_chart(
                _("Wards per band"),
                [(label, [summary.total.expected[key], summary.total.verified[key]])
                 for key, label in summary.band_labels],
                [Series(_("Expected"), "fill-expected"), Series(_("Verified"), "fill-verified")],
                "chart-bands",
            ),
        },
    }


def _criteria(year):
    return list(year.catalogue.criteria.order_by("number"))


def _add_gaps(context, provinces, criteria):
    year, size = context["year"], context["size"]
    gaps = dashboard.criteria_gaps(year, provinces, size, criteria)
    context["gaps"] = gaps
    context["charts"]["gaps"] = bar_chart(
        _("Wards not meeting each criterion"),
        [(f"{gap.criterion.number}. {gap.criterion.title}", [gap.expected, gap.verified]) for gap in gaps],
        [Series(_("Not met (expected)"), "fill-expected"), Series(_("Not met (verified)"), "fill-verified")],
        "chart-gaps",
    )


def _add_near_misses(context, request, provinces, criteria):
    year, size, summary = context["year"], context["size"], context["summary"]
    context["near_misses"] = dashboard.near_misses(
        year, provinces, size, criteria, summary.total.near_misses, request.GET.get("near"))


def _add_trend(context, trend_provinces, own_map_only=False):
    """The years side by side. `own_map_only` keeps the trend to the years of the year's administrative
    map (a legacy province has no figures after July 2025)."""
    year, size, summary = context["year"], context["size"], context["summary"]
    trend = dashboard.trend(trend_provinces, context["years"])
    if own_map_only:
        trend = [row for row in trend if row.year.period == year.period]
    context["trend"] = trend
    context["charts"]["trend"] = bar_chart(
        _("Year on year"),
        [(row.year.year, [row.registered, next(iter(row.expected.values())), row.verified_full]) for row in trend],
        [Series(_("Registered"), "fill-quota"),
         Series(_("Expected %(band)s") % {"band": band_label(summary.bands[0], size)}, "fill-expected"),
         Series(_("Verified %(band)s") % {"band": band_label(summary.bands[0], size)}, "fill-verified")],
        "chart-trend",
    )


# The national dashboard: an overview that reads in ten seconds, and a page per table.
# Links to the old one-page sections (a sorted province table, a page of near-misses)
# are sent to the page that holds them now, with their query.
SECTIONS = {
    "provinces": ("reports:by_province", ("q", "target", "quota", "sort")),
    "near-misses": ("reports:near_misses", ("near",)),
}


def _national_scope(request, year):
    scope = scope_for(request.user)
    return None if scope.is_national else scope.provinces(year.period)


def _current_map(request, year):
    return year.period == Period.LEGACY and request.GET.get("map") == "current"


def attention(summary, scope):
    """What needs attention in a scope, most pressing first: [(key, count, text)], counts above zero only."""
    total = summary.total
    below_quota = [row for row in summary.provinces if row.registered < row.quota]
    below_target = [row for row in summary.provinces if row.target_2025 == Target2025.BELOW and row.eligible]
    items = [
        ("submitted", total.status[Status.SUBMITTED],
         _("self-assessments waiting for the ministry's verification")),
        ("returned", total.status[Status.RETURNED], _("self-assessments returned to the province, to correct")),
        ("draft", total.status[Status.DRAFT], _("registered wards whose self-assessment is not submitted yet")),
        ("near-misses", total.near_misses, _("wards one or two criteria short of every criterion")),
        ("below-quota", len(below_quota), _("provinces below their quota")),
        ("below-target", len(below_target), _("provinces with under 30 per cent of their units recognised (the 2025 target)")),
    ]
    return [item for item in items if item[1]]


def national(request, year):
    """The yearly overview: headline figures, what needs attention, targets, the map."""
    year = get_year_or_404(year)
    for section, (url_name, parameters) in SECTIONS.items():
        if any(name in request.GET for name in parameters):
            return redirect(f"{reverse(url_name, kwargs={'year': year.year})}?{request.GET.urlencode()}")
    provinces = _national_scope(request, year)
    context = _base(request, year, provinces)
    scope = context["scope"]
    current_map = _current_map(request, year)
    current = roll_up(context["summary"], context["years"], year.eligible_kinds) if current_map else None
    # One tile per province of the map shown; a provincial user's other tiles are blank, not linked.
    tile_period = Period.CURRENT if current_map else year.period
    tiles = maps.tiles(
        tile_period,
        current.provinces if current_map else context["summary"].provinces,
        # a legacy year has no page per current province: a tile leads to its row in the table
        (lambda p: f"{reverse('reports:by_province', kwargs={'year': year.year})}?map=current#current-{p.code}")
        if current_map else maps.province_url(year),
        None if scope.is_national else Province.objects.filter(period=tile_period).order_by("code"),
    )
    context.update(
        section="overview",
        current_map=current_map,
        current=current,
        attention=attention(context["summary"], scope),
        map_counts=maps.status_counts(year, provinces, context["years"]),
        tile_grid=maps.tile_grid_svg(tiles, _("Provinces by progress to the 2025 target")),
        shade_legend=maps.shade_legend(),
        map_size=(maps.NATIONAL_FRAME.width // 2, maps.NATIONAL_FRAME.height // 2),
    )
    return render(request, "reports/national.html", context)


def by_province(request, year):
    """The national table by province (or, for a legacy year, by today's provinces), filtered and sorted."""
    year = get_year_or_404(year)
    context = _base(request, year, _national_scope(request, year))
    table = ProvinceTableForm(request.GET)
    rows = table.filter(context["summary"].provinces)
    current_map = _current_map(request, year)
    context["charts"]["provinces"] = bar_chart(
        _("Registered against quota, by province"),
        [(row.province.short_name, [row.registered, row.quota]) for row in rows],
        [Series(_("Registered"), "fill-registered"), Series(_("Quota"), "fill-quota")],
        "chart-provinces",
    )
    context.update(
        section="provinces",
        table=table,
        rows=rows,
        current_map=current_map,
        current=roll_up(context["summary"], context["years"], year.eligible_kinds) if current_map else None,
        carry_over_rule=CARRY_OVER_RULE,
    )
    return render(request, "reports/national_provinces.html", context)


def criteria_gaps(request, year):
    """Which criteria hold wards back, nationally (or in the user's province)."""
    year = get_year_or_404(year)
    provinces = _national_scope(request, year)
    context = _base(request, year, provinces)
    _add_gaps(context, provinces, _criteria(year))
    context["section"] = "criteria"
    return render(request, "reports/national_criteria.html", context)


def near_misses(request, year):
    """The wards one or two criteria short, a page at a time."""
    year = get_year_or_404(year)
    provinces = _national_scope(request, year)
    context = _base(request, year, provinces)
    _add_near_misses(context, request, provinces, _criteria(year))
    context["section"] = "near-misses"
    return render(request, "reports/national_near_misses.html", context)


def trend(request, year):
    """The programme year by year."""
    year = get_year_or_404(year)
    context = _base(request, year, _national_scope(request, year))
    _add_trend(context, context["scope"].all_provinces())
    context["section"] = "trend"
    return render(request, "reports/national_trend.html", context)


def targets(request):
    """Progress towards the 2025 and 2030 targets on today's map, province by province."""
    scope = scope_for(request.user)
    provinces = scope.provinces(Period.CURRENT)
    years = programme_years()
    latest, kinds, rows, total = current_map.targets(provinces, years)
    return render(request, "reports/targets.html", {
        "latest": latest, "kinds": [UnitKind(k).label for k in kinds], "rows": rows, "total": total,
        "scope": scope, "carry_over_rule": CARRY_OVER_RULE,
        "legacy_years": [y.year for y in years if y.period == Period.LEGACY],
    })


def _province_scope(request, year, code):
    """(province, its one-row queryset, the provinces its trend runs over, own_map_only)."""
    province = get_province_for_user(request.user, year, code)
    one = Province.objects.filter(pk=province.pk)
    if province.period == Period.CURRENT:
        # A current province's trend runs from 2023: its predecessors' years are carried over.
        return province, one, Province.objects.filter(Q(pk=province.pk) | Q(successor=province)), False
    return province, one, one, True


def province(request, year, code):
    """One province's dashboard: its figures, targets, map and registered wards; the tables are tabs."""
    year = get_year_or_404(year)
    if "near" in request.GET:
        return redirect(f"{reverse('reports:province_near_misses', kwargs={'year': year.year, 'code': code})}"
                        f"?{request.GET.urlencode()}")
    province, one, _trend_provinces, _own = _province_scope(request, year, code)
    context = _base(request, year, one)
    wards = WardFilter(request.GET, queryset=province_wards(year, province), size=context["size"])
    page = Paginator(wards.qs if wards.is_valid() else province_wards(year, province).none(), WARDS_PER_PAGE)
    page = page.get_page(request.GET.get("page"))
    context.update(
        section="overview",
        province=province,
        figures=context["summary"].provinces[0],
        can_import=year.is_open and context["scope"].role in SELF_ENTRY_ROLES,
        registration_closed=window_open(year, Window.REGISTRATION, province=province),
        extension_form=ExtensionForm() if year.is_open and context["scope"].role in MINISTRY_ROLES else None,
        wards=wards,
        page=page,
        on_behalf=entered_on_behalf([registration.assessment for registration in page]),
        map_counts=maps.status_counts(year, one, context["years"]),
    )
    return render(request, "reports/province.html", context)


def _province_section(request, year, code, section):
    year = get_year_or_404(year)
    province, one, trend_provinces, own_map_only = _province_scope(request, year, code)
    context = _base(request, year, one)
    context.update(section=section, province=province, figures=context["summary"].provinces[0])
    if section == "criteria":
        _add_gaps(context, one, _criteria(year))
    elif section == "near-misses":
        _add_near_misses(context, request, one, _criteria(year))
    else:
        _add_trend(context, trend_provinces, own_map_only)
    return render(request, "reports/province_section.html", context)


def province_criteria(request, year, code):
    """Which criteria hold the province's wards back."""
    return _province_section(request, year, code, "criteria")


def province_near_misses(request, year, code):
    """The province's wards one or two criteria short."""
    return _province_section(request, year, code, "near-misses")


def province_trend(request, year, code):
    """The province year by year (a current province with its predecessors' years carried over)."""
    return _province_section(request, year, code, "trend")
