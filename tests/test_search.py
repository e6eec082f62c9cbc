"""Tra cứu phường: whole words without diacritics, exact matches first, each unit's standing this year."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from criteria.figures import UnitStatus
from criteria.models import Registration, Status
from wards.models import Period, Unit
from wards.text import search_key, search_words

from .conftest import registered

pytestmark = pytest.mark.django_db


def found(client, query):
    """[(period, code, name)] of the rows the search page shows, in order."""
    html = client.get("/wards/search/", {"q": query}).content.decode()
    rows = re.findall(r'data-unit="(legacy|current)-(\d+)">.*?<a href="[^"]*">([^<]*)</a>', html, re.S)
    return rows


def row(client, query, unit):
    html = client.get("/wards/search/", {"q": query}).content.decode()
    return re.search(rf'data-unit="{unit.period}-{unit.code}">(.*?)</tr>', html, re.S).group(1)


def test_words_are_folded_and_the_kind_glued():
    assert search_words("Thị trấn Phủ Thông") == "thi_tran phu thong"
    assert search_words("Phường Văn Miếu - Quốc Tử Giám") == "phuong van mieu quoc tu giam"
    assert search_words("Xã Ea H'Leo") == "xa ea hleo"
    assert search_words("ĐẶC KHU Côn Đảo") == "dac_khu con dao"
    assert search_key("Quận Hoàn Kiếm", "Thành phố Hà Nội") == " quan hoan kiem | thanh pho ha noi "


@pytest.mark.parametrize("query", ["tran phu", "Trần Phú", "TRẦN PHÚ", "  trần   phú "])
def test_whole_words_without_diacritics(client_as, ministry, query):
    rows = found(client_as(ministry), query)
    names = {name for _, _, name in rows}
    assert "Phường Trần Phú" in names and "Xã Trần Phú" in names
    assert all("Trần Phú" in name for name in names), names  # never "Thị trấn Phủ Thông", "Thị trấn Phước Long"
    assert len(rows) == Unit.objects.search("tran phu").count() == 16


def test_a_word_is_never_part_of_another():
    names = set(Unit.objects.search("phu").values_list("name", flat=True))
    assert "Thị trấn Phủ Thông" in names and "Phường Trần Phú" in names
    assert "Thị trấn Phước Long" not in names  # "phuoc" is not "phu"
    assert not Unit.objects.search("tran phu thong").exists()  # "trấn" belongs to "Thị trấn"
    assert list(Unit.objects.search("thi tran phu thong").values_list("name", flat=True)) == ["Thị trấn Phủ Thông"]
    ones = set(Unit.objects.filter(name__startswith="Phường 1").search("phuong 1").values_list("name", flat=True))
    assert "Phường 1" in ones and "Phường 1 Bảo Lộc" in ones
    assert not {"Phường 10", "Phường 12"} & ones


def test_exact_names_first_then_names_starting_with_the_words_then_others():
    names = list(Unit.objects.search("tran phu").values_list("name", flat=True))
    assert names[-1] == "Thị trấn Nông trường Trần Phú"  # the words within the name
    assert set(names[:-1]) == {"Phường Trần Phú", "Xã Trần Phú"}  # the name less its kind
    whole = list(Unit.objects.search("phuong tran phu").values_list("name", flat=True))
    assert set(whole) == {"Phường Trần Phú"}
    # A district's name finds its units, after the unit of that name.
    hoan_kiem = list(Unit.objects.search("hoan kiem").values_list("name", "period"))
    assert hoan_kiem[0] == ("Phường Hoàn Kiếm", Period.CURRENT)
    assert len(hoan_kiem) > 10 and all(period == Period.LEGACY for _, period in hoan_kiem[1:])


def test_the_page_lists_exact_matches_first(client_as, ministry):
    rows = found(client_as(ministry), "tran phu")
    legacy = [name for period, _, name in rows if period == Period.LEGACY]
    assert legacy[-1] == "Thị trấn Nông trường Trần Phú"


@pytest.mark.parametrize("query", ["4", "004", "00004"])
def test_a_code_with_or_without_leading_zeros(client_as, ministry, query):
    rows = found(client_as(ministry), query)
    assert ("legacy", "00004", "Phường Trúc Bạch") in rows
    assert ("current", "00004", "Phường Ba Đình") in rows
    assert rows[0] == ("legacy", "00004", "Phường Trúc Bạch")  # the code before "Phường 4"


def test_registered_ward_shows_its_status_and_bands(client_as, ministry, year2023):
    verified = registered("01", status=Status.VERIFIED)
    assessment = verified.assessment
    html = row(client_as(ministry), verified.unit.code, verified.unit)
    assert 'data-status="verified"' in html
    assert f'href="/wards/{verified.unit.code}/2023/"' in html
    assert html.count(f"{assessment.verified_met}/22") + html.count(f"{assessment.submitted_self_met}/22") >= 2
    submitted = registered("01", status=Status.SUBMITTED)
    html = row(client_as(ministry), submitted.unit.code, submitted.unit)
    assert 'data-status="submitted"' in html
    assert f"{submitted.assessment.submitted_self_met}/22" in html


def test_unregistered_ward_says_so(client_as, ministry, year2023):
    unit = Unit.objects.filter(period=Period.LEGACY, province__code="01").exclude(
        pk__in=Registration.objects.values("unit")).order_by("code").first()
    html = row(client_as(ministry), unit.code, unit)
    assert 'data-status="none"' in html
    with override(settings.LANGUAGE_CODE):
        assert str(UnitStatus.NOT_REGISTERED.label) in html
    # No programme year of the current period yet: nothing to say of today's units.
    current = Unit.objects.get(period=Period.CURRENT, code="00004")
    assert "data-status" not in row(client_as(ministry), "00004", current)


def test_a_province_finds_its_own_units_only(client_as, hanoi, nghean):
    rows = found(client_as(hanoi), "tran phu")
    codes = {(period, code) for period, code, _ in rows}
    provinces = {u.province.code for u in Unit.objects.select_related("province")
                 if (u.period, u.code) in codes}
    assert rows and provinces == {"01"}
    assert ("legacy", "00334", "Phường Trần Phú") in rows
    assert ("legacy", "00334", "Phường Trần Phú") not in found(client_as(nghean), "tran phu")


@pytest.mark.parametrize("user", ["ministry", "hanoi"])
def test_queries_do_not_depend_on_the_number_found(client_as, request, user):
    client = client_as(request.getfixturevalue(user))
    client.get("/wards/search/")  # the session's own first-visit queries, out of the count
    for query, fewest, most in (("truc bach", 1, 1), ("hai ba trung", 0, 100), ("phu", 50, 100)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/wards/search/", {"q": query})
        # session, user, profile (the role and scope); the units of each period (2); their
        # lineage links (successors, predecessors: 2); the programme years (read once a request:
        # the latest years and the navigation bar's menu); the registrations in each period's
        # latest year, with their assessments; the navigation bar's work-queue count and unread
        # notifications.
        assert len(queries) == 11, (query, [q["sql"][:80] for q in queries])
        assert fewest <= response.content.decode().count("data-unit=") <= most


def test_nothing_to_find():
    assert not Unit.objects.search(" - ' ").exists()
    assert not Unit.objects.search("").exists()
