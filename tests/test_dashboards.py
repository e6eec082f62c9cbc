import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from criteria.models import (
    Assessment,
    CatalogueVersion,
    ProgrammeYear,
    Quota,
    Registration,
    Result,
    ResultValue,
    Status,
)
from wards.models import Period, Unit, UnitKind

from .conftest import delete_programme_data, ensure_demo, registered

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def table(html, name):
    """The rows of table data-table=name, as lists of cell texts."""
    body = re.search(rf'data-table="{name}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr.*?>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<.*?>", "", cell).strip() for cell in re.findall(r"<t[dh].*?>(.*?)</t[dh]>", row, re.S)]
            for row in rows]


def chart_values(html, chart_id):
    svg = re.search(rf'data-chart="{chart_id}">(.*?)</svg>', html, re.S).group(1)
    return [int(v) for v in re.findall(r'data-value="(\d+)"', svg)]


def test_national_dashboard_shows_the_published_figures(client_as, ministry):
    html = html_of(client_as(ministry), "/reports/2023/")
    assert 'data-figure="registered">172<' in html
    assert 'data-figure="quota">106<' in html
    assert 'data-figure="exceeded_by">66<' in html
    for band, n in {"22/22": 144, "21/22": 25, "20/22": 3}.items():
        assert f'data-expected="{band}">{n}<' in html


def test_every_21_of_22_ward_is_named_with_its_missing_criterion(client_as, ministry, year2023):
    html = html_of(client_as(ministry), "/reports/2023/near-misses/")
    near = {code: None for code in re.findall(r'data-near="(\d+)"', html)}
    expected_rows = Assessment.objects.filter(year=year2023).exclude(status=Status.VERIFIED, verified_met=22)
    standing = {}
    for a in Assessment.objects.filter(year=year2023).select_related("registration__unit"):
        met = a.verified_met if a.status == Status.VERIFIED else a.self_met
        if met in (20, 21):
            standing[a.registration.unit.code] = a
    assert set(near) == set(standing)
    assert expected_rows.exists()
    for code, assessment in standing.items():
        field = "verified_value" if assessment.status == Status.VERIFIED else "self_value"
        missing = set(
            Result.objects.filter(assessment=assessment).exclude(**{field: ResultValue.MET})
            .values_list("criterion__number", flat=True)
        )
        row = re.search(rf'data-near="{code}">(.*?)</tr>', html, re.S).group(1)
        assert set(int(n) for n in re.findall(r'data-missing-criterion="(\d+)"', row)) == missing
        assert len(missing) == 22 - (assessment.verified_met if assessment.status == Status.VERIFIED else assessment.self_met)


def test_gap_table_counts_match_the_results_and_the_chart(client_as, ministry, year2023):
    html = html_of(client_as(ministry), "/reports/2023/criteria/")
    rows = table(html, "gaps")
    assert len(rows) == 22
    for number, row in enumerate(rows, start=1):
        not_met = Result.objects.filter(
            assessment__year=year2023, criterion__number=number, self_value=ResultValue.NOT_MET
        ).count()
        assert int(row[1]) == not_met
    # the 25 wards at 21/22 miss one criterion each: the "only gap" column adds up to 25
    assert sum(int(n) for n in re.findall(r'data-near-expected="(\d+)"', html)) == 25
    chart = chart_values(html, "chart-gaps")
    assert chart[0::2] == [int(row[1]) for row in rows]
    assert chart[1::2] == [int(row[2]) for row in rows]


def test_band_chart_carries_the_same_numbers_as_the_table(client_as, ministry):
    html = html_of(client_as(ministry), "/reports/2023/")
    assert chart_values(html, "chart-bands") == [144, 36, 25, 4, 3, 0, 0, 0]


def test_province_table_filters_and_sorts_from_the_url(client_as, ministry):
    client = client_as(ministry)
    codes = lambda html: re.findall(r'data-province="(\d+)"', html)  # noqa: E731
    assert len(codes(html_of(client, "/reports/2023/by-province/"))) == 63
    assert codes(html_of(client, "/reports/2023/by-province/?q=ha+noi")) == ["01"]
    by_registered = codes(html_of(client, "/reports/2023/by-province/?sort=-registered"))
    assert by_registered[:2] == ["79", "01"]  # TP HCM 23 registered, Hà Nội 19
    below = codes(html_of(client, "/reports/2023/by-province/?target=below"))
    assert len(below) == 63  # in the demo no province has 30 % of its wards verified yet
    assert codes(html_of(client, "/reports/2023/by-province/?target=above")) == []
    # nonsense in the URL: the full table, no error
    assert len(codes(html_of(client, "/reports/2023/by-province/?sort=drop+table&target=below;--"))) == 63
    # the links of the one-page dashboard lead to the table, with their query
    old = client.get("/reports/2023/?sort=-registered&q=ha")
    assert old.status_code == 302 and old["Location"] == "/reports/2023/by-province/?sort=-registered&q=ha"
    assert client.get("/reports/2023/?near=2")["Location"] == "/reports/2023/near-misses/?near=2"


def test_targets_show_what_is_needed(client_as, ministry, year2023):
    html = html_of(client_as(ministry), "/reports/2023/provinces/01/")
    recognised = int(re.search(r'data-figure="recognised">(\d+)<', html).group(1))
    verified_full = Assessment.objects.filter(
        year=year2023, status=Status.VERIFIED, verified_met=22, registration__unit__province__code="01",
        registration__unit__period=Period.LEGACY,
    ).count()
    assert recognised == verified_full
    eligible = Unit.objects.filter(period=Period.LEGACY, province__code="01", kind=UnitKind.WARD).count()
    needed_30 = int(re.search(r'data-needed="30">(\d+)<', html).group(1))
    assert needed_30 == -(-eligible * 30 // 100) - recognised


def test_trend_shows_every_year_present(client_as, ministry, year2023):
    ProgrammeYear.objects.create(year=2024, catalogue=year2023.catalogue, period=Period.LEGACY)
    html = html_of(client_as(ministry), "/reports/2023/trend/")
    years = [row[0] for row in table(html, "trend")]
    assert years == ["2023", "2024"]
    assert table(html, "trend")[0][1:3] == ["172", "106"]
    assert chart_values(html, "chart-trend")[:3] == [172, 144, 36]


def test_province_dashboard_lists_its_wards_with_filters(client_as, hanoi):
    client = client_as(hanoi)
    html = html_of(client, "/reports/2023/provinces/01/")
    assert len(table(html, "wards")) == Registration.objects.filter(year__year=2023, unit__province__code="01").count()
    verified = table(html_of(client, "/reports/2023/provinces/01/?status=verified"), "wards")
    assert verified and all("Đã thẩm định" in row[3] for row in verified)
    near = table(html_of(client, "/reports/2023/provinces/01/?band=near"), "wards")
    assert all(row[4] in ("21/22", "20/22") for row in near)
    assert "data-table=\"wards\"" not in html_of(client, "/reports/2023/provinces/01/?q=zzzz")


def test_ward_page_shows_every_year(client_as, ministry, year2023):
    registration = registered("01")
    html = html_of(client_as(ministry), f"/wards/{registration.unit.code}/2023/")
    assert [row[0] for row in table(html, "years")] == ["2023"]


# --- query budgets: the same number of queries on a small and a 10x larger data set -----


def generate(sample):
    """A fresh generated data set of 2023-2025 at `sample` of the country's units."""
    delete_programme_data()
    call_command("generate_national", "--years", "2023-2025", "--seed", "7", "--sample", str(sample),
                 stdout=io.StringIO())
    return Assessment.objects.count()


def count_queries(client, urls):
    counts = {}
    for url in urls:
        client.get(url)  # warm: the session, the role
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_data(client_as, ministry):
    client = client_as(ministry)
    small = generate(0.004)
    first = Registration.objects.filter(year__year=2023).select_related("unit").order_by("unit__code").first()
    urls = ["/reports/2023/", "/reports/2025/", f"/reports/2023/provinces/{first.unit.province.code}/",
            f"/wards/{first.unit.code}/2023/"]
    before = count_queries(client, urls)
    large = generate(0.04)
    assert large >= 8 * small
    first = Registration.objects.filter(year__year=2023).select_related("unit").order_by("unit__code").first()
    urls[2:] = [f"/reports/2023/provinces/{first.unit.province.code}/", f"/wards/{first.unit.code}/2023/"]
    after = count_queries(client, urls)
    assert list(before.values()) == list(after.values()), (before, after)
    # national (the overview): session, user, the programme years with sizes and decisions (read
    # once a request: the URL's year, the figures' and the menu's), role, provinces, quotas,
    # eligible units, recognised units, assessments grouped; the year's
    # outcomes: recognitions grouped, the provinces of the map (is the scope national?), commendation
    # recipients grouped; for the map's table of units by status (`unit_status_counts`), the year's
    # assessments grouped and the units counted (a year with earlier ones on its map adds the units
    # titled then and not registered now); the work queue's count and the unread notifications in
    # the navigation bar. The tables (by province, criteria, near-misses, trend) are pages of their
    # own.
    assert list(after.values())[0] == 16


def test_generator_refuses_a_database_with_real_data():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="real"):
        call_command("generate_national", "--years", "2023", stdout=io.StringIO())
    assert not ProgrammeYear.objects.filter(is_generated=True).exists()


@pytest.mark.parametrize("args, message", [
    (["--years", "2030-2023"], "Cannot read years"),
    (["--years", "twenty"], "Cannot read years"),
    (["--sample", "0"], "--sample"),
    (["--sample", "lots"], "--sample"),
])
def test_generator_bad_arguments(args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("generate_national", *args, stdout=io.StringIO())


def test_catalogue_is_untouched_by_generation():
    generate(0.002)
    assert CatalogueVersion.objects.count() == 1
    assert Assessment.objects.exclude(year=F("registration__year")).count() == 0
    assert Registration.objects.filter(assessment__isnull=True).count() == 0


def test_not_met_masks_and_gaps_agree_with_the_results():
    """The masks every write keeps, and the gap analysis counted from them, equal a recount of the results."""
    from collections import defaultdict

    from criteria.models import SUBMITTED_STATUSES
    from reports import dashboard

    generate(0.02)
    for year in ProgrammeYear.objects.all():
        not_met = {"self_value": defaultdict(set), "verified_value": defaultdict(set)}
        for field, numbers in not_met.items():
            rows = Result.objects.filter(assessment__year=year, **{field: ResultValue.NOT_MET})
            for assessment_id, number in rows.values_list("assessment", "criterion__number"):
                numbers[assessment_id].add(number)
        assessments = list(Assessment.objects.filter(year=year))
        assert any(a.self_not_met for a in assessments) and any(a.verified_not_met for a in assessments)
        for a in assessments:
            assert set(a.self_not_met_numbers) == not_met["self_value"][a.pk]
            assert set(a.verified_not_met_numbers) == not_met["verified_value"][a.pk]
            assert (a.unit_id, a.province_id) == (a.registration.unit_id, a.registration.unit.province_id)

        criteria = list(year.catalogue.criteria.order_by("number"))
        size = len(criteria)
        submitted = Result.objects.filter(assessment__year=year, assessment__status__in=SUBMITTED_STATUSES)
        verified = submitted.filter(assessment__status=Status.VERIFIED, verified_value=ResultValue.NOT_MET)
        for gap in dashboard.criteria_gaps(year, None, size, criteria):
            mine = submitted.filter(criterion=gap.criterion, self_value=ResultValue.NOT_MET)
            theirs = verified.filter(criterion=gap.criterion)
            assert gap.expected == mine.count()
            assert gap.near_expected == mine.filter(assessment__self_met=size - 1).count()
            assert gap.verified == theirs.count()
            assert gap.near_verified == theirs.filter(assessment__verified_met=size - 1).count()


@pytest.mark.django_db(transaction=True)
def test_generation_leaves_the_planner_statistics_and_visibility_map_fresh():
    """Outside a transaction the generator runs VACUUM ANALYZE on PostgreSQL, ANALYZE on SQLite."""
    ensure_demo()  # an earlier test of this kind may have emptied the database
    generate(0.004)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ANALYZE alone leaves relallvisible at 0 after a fresh bulk write; VACUUM sets it.
            cursor.execute("SELECT relallvisible, reltuples FROM pg_class WHERE relname = 'criteria_assessment'")
            all_visible, tuples = cursor.fetchone()
            assert all_visible > 0 and tuples == Assessment.objects.count()
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'criteria_assessment'")
            assert cursor.fetchone()[0] > 0
