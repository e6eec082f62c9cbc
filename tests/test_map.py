"""The maps (issue 17): every unit as a dot coloured by its status, the provinces as tiles.

The expected statuses are worked out here unit by unit from the figures' own
definitions (`recognised_condition`, `unit_status`), not from the map's query.
"""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command

from criteria.figures import (UnitStatus, programme_years, recognised_condition, unit_status,
                              year_summary)
from criteria.models import Assessment, ProgrammeYear
from criteria.workflow import register
from reports import maps
from reports.current_map import roll_up
from reports.tile_grid import POSITIONS
from wards.models import District, Period, Province, Unit, UnitKind

DOT = re.compile(r"M(-?\d+) (-?\d+)h0")


def paths(svg):
    """{data-status: Counter of (x, y)} from the map's SVG."""
    found = {}
    for status, d in re.findall(r'<path data-status="([a-z_]+)" stroke="#[0-9a-f]{6}" stroke-width="\d+" d="([^"]*)"', svg):
        found[status] = Counter((int(x), int(y)) for x, y in DOT.findall(d))
    return found


def expected_statuses(year, units):
    """{unit id: status} for `units`, one unit at a time through the figures' definitions."""
    years = programme_years()
    size = next(y.size for y in years if y.pk == year.pk)
    recognised = set(Assessment.objects.filter(recognised_condition(year, years)).values_list("unit", flat=True))
    assessments = {a.unit_id: a for a in Assessment.objects.filter(year=year)}
    result = {}
    for unit in units:
        assessment = assessments.get(unit.pk)
        result[unit.pk] = unit_status(
            assessment.status if assessment else None, assessment.submitted_self_met if assessment else None,
            size, unit.pk in recognised,
        )
    return result


def expected_paths(year, units, frame, in_scope=None):
    statuses = expected_statuses(year, units)
    wanted = {}
    for unit in units:
        key = statuses[unit.pk] if in_scope is None or unit.province_id in in_scope else maps.OUTSIDE_KEY
        wanted.setdefault(str(key), Counter())[frame.project(unit.latitude, unit.longitude)] += 1
    return wanted


@pytest.fixture
def year2025(year2023):
    return ProgrammeYear.objects.create(year=2025, catalogue=year2023.catalogue, period=Period.CURRENT)


def test_every_unit_has_coordinates_and_loading_again_changes_nothing(db):
    assert not Unit.objects.filter(latitude__isnull=True).exists()
    assert Unit.objects.filter(period=Period.CURRENT).count() == 3321
    before = Unit.objects.filter(code="00004", period=Period.CURRENT).values_list("latitude", "longitude")[0]
    call_command("load_units", stdout=io.StringIO())
    assert Unit.objects.filter(code="00004", period=Period.CURRENT).values_list("latitude", "longitude")[0] == \
        before


def test_national_map_dots_are_the_year_units_coloured_by_status(client_as, ministry, year2023):
    response = client_as(ministry).get("/reports/2023/map.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    units = list(Unit.objects.filter(period=Period.LEGACY))
    found = paths(svg)
    assert found == {k: v for k, v in expected_paths(year2023, units, maps.NATIONAL_FRAME).items() if v}
    assert sum(sum(c.values()) for c in found.values()) == len(units) == 10035
    # the demo has every kind of status but "verified, not recognised"; the colours are the statuses'
    for status in (UnitStatus.NOT_REGISTERED, UnitStatus.REGISTERED, UnitStatus.EXPECTED_FULL, UnitStatus.RECOGNISED):
        assert f'data-status="{status}" stroke="{maps.COLOURS[status]}"' in svg
    assert len(re.findall("<circle", svg)) == 2  # the two archipelagos' marks; no dot is a circle


def test_the_page_shows_the_map_and_the_same_figures_in_a_table(client_as, ministry, year2023):
    page = client_as(ministry).get("/reports/2023/").content.decode()
    assert 'src="/reports/2023/map.svg"' in page and "data-unit-map" in page
    svg = client_as(ministry).get("/reports/2023/map.svg").content.decode()
    for status, dots in paths(svg).items():
        row = re.search(rf'<tr data-unit-status="{status}">.*?<td class="text-end">([\d.]+)</td>', page, re.S)
        assert int(row.group(1).replace(".", "")) == sum(dots.values())


def test_a_verified_unit_not_recognised_is_verified_and_recognised_wins(year2023):
    assert unit_status("verified", 22, 22, recognised=False) == UnitStatus.VERIFIED
    assert unit_status("verified", 22, 22, recognised=True) == UnitStatus.RECOGNISED
    assert unit_status(None, None, 22, recognised=True) == UnitStatus.RECOGNISED
    assert unit_status("submitted", 22, 22, recognised=False) == UnitStatus.EXPECTED_FULL
    assert unit_status("returned", 22, 22, recognised=False) == UnitStatus.EXPECTED_FULL
    assert unit_status("draft", None, 22, recognised=False) == UnitStatus.REGISTERED
    assert unit_status("submitted", 21, 22, recognised=False) == UnitStatus.REGISTERED
    assert unit_status(None, None, 22, recognised=False) == UnitStatus.NOT_REGISTERED


@pytest.mark.parametrize("language", ["vi", "en"])
def test_hoang_sa_and_truong_sa_are_labelled_on_legacy_and_current_years(client_as, ministry, year2025, language):
    client = client_as(ministry)
    client.cookies["django_language"] = language
    for year in (2023, 2025):
        svg = client.get(f"/reports/{year}/map.svg").content.decode()
        for name, code in (("Hoàng Sa", "20333"), ("Trường Sa", "22736")):
            zone = Unit.objects.get(period=Period.CURRENT, code=code)
            x, y = maps.NATIONAL_FRAME.project(zone.latitude, zone.longitude)
            mark = re.search(rf'<g data-archipelago="[^"]*{name}[^"]*"><circle cx="(\d+)" cy="(\d+)"', svg)
            assert mark, (year, name)
            assert (int(mark.group(1)), int(mark.group(2))) == (x, y)
            assert re.search(rf"<text [^>]*>[^<]*{name}[^<]*</text>", svg)


def test_archipelagos_belong_to_the_legacy_provinces_of_their_island_districts(db):
    for archipelago, district in zip(maps.ARCHIPELAGOS, ("Hoàng Sa", "Trường Sa"), strict=True):
        assert District.objects.get(short_name=district).province.code == archipelago.legacy_province
        zone = Unit.objects.get(period=Period.CURRENT, code=archipelago.code)
        assert zone.kind == UnitKind.SPECIAL_ZONE and district in zone.name


def test_current_year_dots_are_the_current_units(client_as, ministry, year2025):
    unit = Unit.objects.get(period=Period.CURRENT, code="20333")  # Hoàng Sa itself, registered
    year2025.eligible_kinds = [UnitKind.WARD, UnitKind.SPECIAL_ZONE]
    year2025.save()
    register(year2025, unit, by=ministry)
    svg = client_as(ministry).get("/reports/2025/map.svg").content.decode()
    units = list(Unit.objects.filter(period=Period.CURRENT))
    assert paths(svg) == {k: v for k, v in expected_paths(year2025, units, maps.NATIONAL_FRAME).items() if v}
    assert paths(svg)["registered"] == Counter([maps.NATIONAL_FRAME.project(unit.latitude, unit.longitude)])
    # Đà Nẵng's own map draws Hoàng Sa apart, with its status, so the city keeps its scale
    svg = client_as(ministry).get("/reports/2025/provinces/48/map.svg").content.decode()
    assert re.search(r'<g data-archipelago="[^"]*Hoàng Sa[^"]*" data-inset="registered">', svg)
    assert "registered" not in paths(svg)
    assert sum(sum(c.values()) for c in paths(svg).values()) == unit.province.units.count() - 1


def tiles_of(page):
    return {
        code: (href, int(shade))
        for href, code, shade in re.findall(r'<a href="([^"]+)"><g data-tile="(\d+)" data-shade="(\d)"', page)
    }


def test_tile_grid_one_linked_tile_per_legacy_province_with_its_shade(client_as, ministry, year2023):
    page = client_as(ministry).get("/reports/2023/").content.decode()
    summary = year_summary(year2023, Province.objects.filter(period=Period.LEGACY))
    tiles = tiles_of(page)
    assert len(tiles) == 63 and 'data-tile-grid="63"' in page
    for row in summary.provinces:
        code = row.province.code
        assert tiles[code] == (f"/reports/2023/provinces/{code}/", maps.shade(row.pct))
        assert re.search(rf'data-tile="{code}" data-shade="\d" data-target="{row.target_2025}"', page)
    assert {shade for _href, shade in tiles.values()} != {0}  # the demo's recognised wards show


def test_tile_grid_on_the_current_map_has_34_tiles_leading_to_their_rows(client_as, ministry, year2023):
    page = client_as(ministry).get("/reports/2023/?map=current").content.decode()
    years = programme_years()
    summary = roll_up(year_summary(year2023, Province.objects.filter(period=Period.LEGACY), years), years,
                      year2023.eligible_kinds)
    tiles = tiles_of(page)
    assert len(tiles) == 34 and 'data-tile-grid="34"' in page
    for row in summary.provinces:
        code = row.province.code
        assert tiles[code] == (f"/reports/2023/by-province/?map=current#current-{code}", maps.shade(row.pct))
    table = client_as(ministry).get("/reports/2023/by-province/?map=current").content.decode()
    for code in tiles:
        assert f'id="current-{code}"' in table


def test_tile_positions_cover_every_province_once(db):
    for period, positions in POSITIONS.items():
        codes = set(Province.objects.filter(period=period).values_list("code", flat=True))
        assert set(positions) == codes
        assert len(set(positions.values())) == len(positions)


def test_shade_steps_follow_the_2025_target():
    assert [maps.shade(p) for p in (0, 9.9, 10, 29.9, 30, 49.9, 50, 100)] == [0, 0, 1, 2, 3, 4, 5, 5]


def test_a_province_sees_only_its_own_units_status(client_as, hanoi, year2023):
    client = client_as(hanoi)
    svg = client.get("/reports/2023/map.svg").content.decode()
    units = list(Unit.objects.filter(period=Period.LEGACY))
    hanoi_ids = set(Province.objects.filter(period=Period.LEGACY, code="01").values_list("pk", flat=True))
    found = paths(svg)
    assert found == {k: v for k, v in expected_paths(year2023, units, maps.NATIONAL_FRAME, hanoi_ids).items() if v}
    coloured = sum((c for key, c in found.items() if key != maps.OUTSIDE_KEY), Counter())
    assert sum(coloured.values()) == Unit.objects.filter(period=Period.LEGACY, province__code="01").count()
    assert sum(found[maps.OUTSIDE_KEY].values()) == len(units) - sum(coloured.values())
    # the tiles: Hà Nội's linked and shaded; every other province blank, with no link and no figure
    page = client.get("/reports/2023/").content.decode()
    assert set(tiles_of(page)) == {"01"}
    assert len(re.findall(r'<g data-tile="\d+"><rect', page)) == 62
    assert client.get("/reports/2023/provinces/40/map.svg").status_code == 404
    assert client.get("/reports/2023/provinces/01/map.svg").status_code == 200


def test_province_map_is_the_province_zoomed(client_as, ministry, year2023):
    svg = client_as(ministry).get("/reports/2023/provinces/01/map.svg").content.decode()
    units = list(Unit.objects.filter(period=Period.LEGACY, province__code="01"))
    dots = sum(paths(svg).values(), Counter())
    assert sum(dots.values()) == len(units)
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    assert 500 <= width <= maps.PROVINCE_SIZE + 2
    assert all(0 <= x <= width for x, _y in dots)
    assert "data-archipelago" not in svg  # Hà Nội has no island; they are on its country map


@pytest.mark.parametrize("code, name", [("48", "Hoàng Sa"), ("56", "Trường Sa")])
def test_the_archipelagos_province_map_shows_them(client_as, ministry, year2023, code, name):
    svg = client_as(ministry).get(f"/reports/2023/provinces/{code}/map.svg").content.decode()
    assert re.search(rf'data-archipelago="[^"]*{name}', svg)


def test_no_localised_number_in_any_attribute(client_as, ministry, year2023):
    client = client_as(ministry)
    for url in ("/reports/2023/map.svg", "/reports/2023/provinces/01/map.svg", "/reports/2023/",
                "/reports/2023/?map=current", "/reports/2023/provinces/01/"):
        response = client.get(url)
        assert response["Content-Language"] == "vi"
        body = response.content.decode()
        svgs = re.findall(r"<svg.*?</svg>", body, re.S)
        assert svgs
        for svg in svgs:
            for attribute in re.findall(r'\s(?:x|y|cx|cy|r|d|width|height|viewBox|x1|x2|y1|y2)="([^"]*)"', svg):
                assert not re.search(r"\d,\d", attribute), (url, attribute)
    assert "%" in client.get("/reports/2023/").content.decode()


def test_an_unchanged_map_is_not_sent_again(client_as, ministry, year2023):
    client = client_as(ministry)
    first = client.get("/reports/2023/map.svg")
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    again = client.get("/reports/2023/map.svg", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_map_queries_do_not_depend_on_the_units(client_as, ministry, year2023, django_assert_num_queries):
    client = client_as(ministry)
    client.get("/reports/2023/map.svg")
    # session, user, the programme years with sizes (read once a request), role, the units (with
    # the archipelagos' special zones), the assessments with their statuses
    with django_assert_num_queries(6):
        client.get("/reports/2023/map.svg")
    # and the province, through the access helper
    with django_assert_num_queries(7):
        client.get("/reports/2023/provinces/79/map.svg")


def test_status_counts_carry_earlier_titles_into_a_later_year(year2023):
    """A unit recognised in 2023 and not registered in 2024 is counted recognised on 2024's map,
    by the database's counts as by the unit-by-unit statuses the dots are drawn from."""
    from collections import Counter

    from criteria.figures import UnitStatus, unit_status_counts, unit_statuses
    from criteria.models import ProgrammeYear, Recognition

    year2024 = ProgrammeYear.objects.create(year=2024, catalogue=year2023.catalogue, period=Period.LEGACY)
    counts = unit_status_counts(year2024)
    assert counts[UnitStatus.RECOGNISED] == Recognition.objects.in_force().filter(year=year2023).count() > 0
    dots = Counter(unit_statuses(year2024).values())
    assert all(counts[status] == dots[status] for status in UnitStatus if status != UnitStatus.NOT_REGISTERED)
    hanoi = Province.objects.filter(period=Period.LEGACY, code="01")
    assert unit_status_counts(year2024, hanoi)[UnitStatus.RECOGNISED] == Recognition.objects.in_force().filter(
        year=year2023, province__code="01").count()
