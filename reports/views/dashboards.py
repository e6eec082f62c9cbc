from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from criteria.access import get_province_for_user, get_year_or_404, scope_for
from criteria.models import ProgrammeYear
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
from criteria.figures import programme_years, province_wards, year_summary

WARDS_PER_PAGE = 50


def _shared(request, year, provinces, trend_provinces, own_map_only=False):
    """What the national and province dashboards have in common, for one scope.

    `own_map_only` keeps the trend to the years of the year's administrative map
    (a legacy province has no figures after July 2025).
    """
    years = programme_years()
    scope_provinces = provinces if provinces is not None else Province.objects.filter(period=year.period)
    summary = year_summary(year, scope_provinces, years=years)
    size = summary.size
    criteria = list(year.catalogue.criteria.order_by("number"))
    gaps = dashboard.criteria_gaps(year, provinces, size, criteria)
    trend = dashboard.trend(trend_provinces, years)
    if own_map_only:
        trend = [row for row in trend if row.year.period == year.period]
    expected, verified = Series(_("Expected"), "fill-expected"), Series(_("Verified"), "fill-verified")
    charts = {
        "bands": bar_chart(
            _("Wards per band"),
            [(label, [summary.total.expected[key], summary.total.verified[key]]) for key, label in summary.band_labels],
            [expected, verified],
            "chart-bands",
        ),
        "gaps": bar_chart(
            _("Wards not meeting each criterion"),
            [(f"{gap.criterion.number}. {gap.criterion.title}", [gap.expected, gap.verified]) for gap in gaps],
            [Series(_("Not met (expected)"), "fill-expected"), Series(_("Not met (verified)"), "fill-verified")],
            "chart-gaps",
            label_width=220,
        ),
        "trend": bar_chart(
            _("Year on year"),
            [(row.year.year, [row.registered, next(iter(row.expected.values())), row.verified_full]) for row in trend],
            [Series(_("Registered"), "fill-quota"),
             Series(_("Expected %(band)s") % {"band": band_label(summary.bands[0], size)}, "fill-expected"),
             Series(_("Verified %(band)s") % {"band": band_label(summary.bands[0], size)}, "fill-verified")],
            "chart-trend",
            label_width=60,
        ),
    }
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
        "gaps": gaps,
        "near_misses": dashboard.near_misses(
            year, provinces, size, criteria, summary.total.near_misses, request.GET.get("near")
        ),
        "trend": trend,
        "charts": charts,
    }


def national(request, year):
    """The yearly dashboard over every province the user may see."""
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    provinces = None if scope.is_national else scope.provinces(year.period)
    context = _shared(request, year, provinces, scope.all_provinces())
    table = ProvinceTableForm(request.GET)
    rows = table.filter(context["summary"].provinces)
    context["charts"]["provinces"] = bar_chart(
        _("Registered against quota, by province"),
        [(row.province.short_name, [row.registered, row.quota]) for row in rows],
        [Series(_("Registered"), "fill-registered"), Series(_("Quota"), "fill-quota")],
        "chart-provinces",
        label_width=130,
        bar_height=8,
    )
    current_map = year.period == Period.LEGACY and request.GET.get("map") == "current"
    current = roll_up(context["summary"], context["years"], year.eligible_kinds) if current_map else None
    # One tile per province of the map shown; a provincial user's other tiles are blank, not linked.
    tile_period = Period.CURRENT if current_map else year.period
    tiles = maps.tiles(
        tile_period,
        current.provinces if current_map else context["summary"].provinces,
        # a legacy year has no page per current province: a tile leads to its row in the table
        (lambda p: f"#current-{p.code}") if current_map else maps.province_url(year),
        None if scope.is_national else Province.objects.filter(period=tile_period).order_by("code"),
    )
    context.update(
        table=table,
        rows=rows,
        current_map=current_map,
        current=current,
        carry_over_rule=CARRY_OVER_RULE,
        map_counts=maps.status_counts(year, provinces, context["years"]),
        tile_grid=maps.tile_grid_svg(tiles, _("Provinces by progress to the 2025 target")),
        shade_legend=maps.shade_legend(),
        map_size=(maps.NATIONAL_FRAME.width // 2, maps.NATIONAL_FRAME.height // 2),
    )
    return render(request, "reports/national.html", context)


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


def province(request, year, code):
    """One province's dashboard and its registered wards."""
    year = get_year_or_404(year)
    province = get_province_for_user(request.user, year, code)
    one = Province.objects.filter(pk=province.pk)
    if province.period == Period.CURRENT:
        # A current province's trend runs from 2023: its predecessors' years are carried over.
        with_predecessors = Province.objects.filter(Q(pk=province.pk) | Q(successor=province))
        context = _shared(request, year, one, with_predecessors)
    else:
        context = _shared(request, year, one, one, own_map_only=True)
    wards = WardFilter(request.GET, queryset=province_wards(year, province), size=context["size"])
    page = Paginator(wards.qs if wards.is_valid() else province_wards(year, province).none(), WARDS_PER_PAGE)
    page = page.get_page(request.GET.get("page"))
    context.update(
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
