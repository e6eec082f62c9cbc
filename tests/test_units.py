import io

import pytest
from django.core.management import call_command

from wards.models import District, Period, Province, Unit, UnitKind
from wards.text import fold

pytestmark = pytest.mark.django_db


def run_load_units():
    out = io.StringIO()
    call_command("load_units", stdout=out)
    return out.getvalue()


def test_counts_of_both_periods():
    assert Province.objects.filter(period=Period.LEGACY).count() == 63
    assert Province.objects.filter(period=Period.CURRENT).count() == 34
    current = Unit.objects.filter(period=Period.CURRENT)
    assert current.count() == 3321
    assert current.filter(kind=UnitKind.WARD).count() == 687
    assert current.filter(kind=UnitKind.COMMUNE).count() == 2621
    assert current.filter(kind=UnitKind.SPECIAL_ZONE).count() == 13
    assert District.objects.count() == 696
    assert Unit.objects.filter(period=Period.LEGACY).count() == 10035
    assert not current.filter(district__isnull=False).exists()


def test_second_run_changes_nothing_and_says_so():
    before = list(Unit.objects.order_by("pk").values_list())
    provinces_before = list(Province.objects.order_by("pk").values_list())
    output = run_load_units()
    assert "No changes" in output
    assert "units: 0 created, 0 updated, 13,356 unchanged" in output
    assert "3,321 units" in output
    assert list(Unit.objects.order_by("pk").values_list()) == before
    assert list(Province.objects.order_by("pk").values_list()) == provinces_before


def test_a_changed_unit_is_put_right_without_new_rows():
    unit = Unit.objects.get(period=Period.CURRENT, code="00004")
    Unit.objects.filter(pk=unit.pk).update(name="Phường Sai Tên")
    output = run_load_units()
    assert "units: 0 created, 1 updated" in output
    unit.refresh_from_db()
    assert unit.name == "Phường Ba Đình"
    assert Unit.objects.count() == 13356


def test_codes_are_unique_only_within_a_period():
    legacy = Unit.objects.get(period=Period.LEGACY, code="00004")
    current = Unit.objects.get(period=Period.CURRENT, code="00004")
    assert legacy.name == "Phường Trúc Bạch" and legacy.district.name == "Quận Ba Đình"
    assert current.name == "Phường Ba Đình" and current.district is None


def test_legacy_provinces_know_their_successor():
    ha_giang = Province.objects.get(period=Period.LEGACY, code="02")
    assert ha_giang.successor.name == "Tỉnh Tuyên Quang"
    assert Province.objects.filter(period=Period.LEGACY, successor__isnull=True).count() == 0
    hcm = Province.objects.get(period=Period.CURRENT, code="79")
    assert sorted(p.short_name for p in hcm.predecessors.all()) == ["Bà Rịa - Vũng Tàu", "Bình Dương", "Hồ Chí Minh"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("hoan kiem", "Phường Hoàn Kiếm"),
        ("Hoàn Kiếm", "Phường Hoàn Kiếm"),
        ("HOAN KIEM", "Phường Hoàn Kiếm"),
        ("dong da", "Phường Đống Đa"),
        ("00004", "Phường Ba Đình"),
    ],
)
def test_search_ignores_diacritics_and_case(query, expected):
    names = set(Unit.objects.filter(period=Period.CURRENT).search(query).values_list("name", flat=True))
    assert expected in names


def test_search_with_empty_query_finds_nothing():
    assert not Unit.objects.search("   ").exists()


def test_fold():
    assert fold("  Thành phố Đà Nẵng ") == "thanh pho da nang"
    assert fold("Phường Hoàn Kiếm") == "phuong hoan kiem"


def test_admin_search_is_diacritics_insensitive(client, administrator):
    client.force_login(administrator)
    response = client.get("/admin/wards/unit/", {"q": "hoan kiem"})
    assert response.status_code == 200
    assert "Phường Hoàn Kiếm" in response.content.decode()
