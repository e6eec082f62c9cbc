"""Across the July 2025 reorganisation: lineage from the package, results carried over, never moved."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from vietnamadminunits.converter import converter_2025

from criteria.models import Assessment, ProgrammeYear, Registration, Result, Status
from wards.lineage import predecessors_of, successors_of
from wards.models import Lineage, Period, Province, Unit

pytestmark = pytest.mark.django_db


def legacy(name, district):
    return Unit.objects.get(period=Period.LEGACY, name=name, district__name=district)


def current(name, province="01"):
    return Unit.objects.get(period=Period.CURRENT, name=name, province__code=province)


@pytest.mark.parametrize("old, new", [
    ("Phường Hàng Bạc", "Phường Hoàn Kiếm"),
    ("Phường Hàng Mã", "Phường Hoàn Kiếm"),
    ("Phường Lý Thái Tổ", "Phường Hoàn Kiếm"),
    ("Phường Trần Hưng Đạo", "Phường Cửa Nam"),
    ("Phường Phan Chu Trinh", "Phường Cửa Nam"),
    ("Phường Hàng Bài", "Phường Cửa Nam"),
])
def test_known_merges_of_hoan_kiem(old, new):
    unit = legacy(old, "Quận Hoàn Kiếm")
    assert [u.name for u in successors_of(unit)] == [new]
    assert unit in predecessors_of(current(new))
    # checked against the package's own mapping
    merged = converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED["thanhphohanoi"][key(new)]
    assert f"thanhphohanoi_quanhoankiem_{key(old)}" in merged


def key(name):
    """The package's key for a unit name: folded, without spaces ("Phường Hàng Bạc" -> "phuonghangbac")."""
    from wards.text import fold

    return "".join(ch for ch in fold(name) if ch.isalnum())


def test_a_split_ward_goes_to_several_with_one_main():
    cua_nam_old = legacy("Phường Cửa Nam", "Quận Hoàn Kiếm")
    successors = successors_of(cua_nam_old)
    assert {"Phường Hoàn Kiếm", "Phường Cửa Nam"} <= {u.name for u in successors}
    parts = converter_2025.DICT_PROVINCE_WARD_DIVIDED["thanhphohanoi"]["thanhphohanoi_quanhoankiem_phuongcuanam"]
    assert {key(u.name) for u in successors} == {p["newWardKey"] for p in parts}
    default = next(p["newWardKey"] for p in parts if p["isDefaultNewWard"])
    assert key(successors[0].name) == default
    assert Lineage.objects.filter(legacy=cua_nam_old, is_main=True).count() == 1


def test_every_legacy_unit_has_exactly_one_main_successor_in_its_provinces_successor():
    assert Lineage.objects.filter(is_main=True).values("legacy").distinct().count() == 10035
    assert Lineage.objects.filter(is_main=True).count() == 10035
    mismatched = [
        link for link in Lineage.objects.select_related("legacy__province", "current")[:2000]
        if link.legacy.province.successor_id != link.current.province_id
    ]
    assert mismatched == []


def dump():
    """The rows of every assessment-related table, in a fixed order: to compare byte for byte."""
    tables = [Registration, Assessment, Result, Registration.history.model, Assessment.history.model,
              Result.history.model]
    return [list(model.objects.order_by("pk").values_list()) for model in tables]


def test_load_units_never_touches_assessments_or_their_history():
    before = dump()
    Lineage.objects.filter(pk__in=list(Lineage.objects.values_list("pk", flat=True)[:100])).delete()
    Unit.objects.filter(period=Period.CURRENT, code="00070").update(name="Tên sai")
    out = io.StringIO()
    call_command("load_units", stdout=out)
    assert "lineage links: 100 created" in out.getvalue()
    assert Unit.objects.get(period=Period.CURRENT, code="00070").name == "Phường Hoàn Kiếm"
    call_command("load_units", stdout=io.StringIO())
    assert dump() == before


def test_current_map_counts_every_registered_ward_once(client_as, ministry):
    client = client_as(ministry)
    html = client.get("/reports/2023/by-province/?map=current").content.decode()
    registered = [int(n) for n in re.findall(r"<td class=\"text-end\" data-registered>(\d+)</td>", html)]
    assert len(registered) == 34
    assert sum(registered) == 172
    assert "data-carried-over" in html
    # the original view is unchanged
    plain = client.get("/reports/2023/by-province/").content.decode()
    assert plain.count('data-province="') == 63
    assert 'data-figure="registered">172<' in client.get("/reports/2023/").content.decode()


def test_current_map_counts_recognised_wards_once_and_the_units_they_cover_apart(client_as, ministry):
    html = client_as(ministry).get("/reports/2023/by-province/?map=current").content.decode()
    hanoi = re.search(r'data-current-province="01">(.*?)</tr>', html, re.S).group(1)
    verified_full = Assessment.objects.filter(
        year__year=2023, status=Status.VERIFIED, verified_met=22, registration__unit__province__code="01",
        registration__unit__period=Period.LEGACY,
    ).values("registration__unit")
    recognised = verified_full.count()
    covered = Unit.objects.filter(
        period=Period.CURRENT, kind="phuong", predecessor_links__legacy__in=verified_full,
        predecessor_links__is_main=True,
    ).distinct().count()
    assert 0 < covered <= recognised
    assert f"data-recognised>{recognised}<" in hanoi
    assert f"data-covered>{covered}/" in hanoi
    # a split ward counts once, nationally too: the total is the legacy total
    national = Assessment.objects.filter(year__year=2023, status=Status.VERIFIED, verified_met=22).count()
    assert f"data-total-recognised>{national}<" in html


def test_ward_pages_show_lineage_both_ways(client_as, hanoi):
    client = client_as(hanoi)
    registration = Registration.objects.filter(year__year=2023, unit__province__code="01").select_related(
        "unit", "assessment").first()
    successor = successors_of(registration.unit)[0]
    legacy_page = client.get(f"/wards/{registration.unit.code}/2023/").content.decode()
    assert f'data-successor="{successor.code}"' in legacy_page
    current_page = client.get(f"/wards/unit/current/{successor.code}/").content.decode()
    row = re.search(rf'data-predecessor="{registration.unit.code}">(.*?)</tr>', current_page, re.S).group(1)
    assert "22/22" in row or "21/22" in row or "20/22" in row
    others = [p for p in predecessors_of(successor) if p != registration.unit
              and not p.registrations.exists()]
    if others:
        assert "not registered" in current_page or "chưa đăng ký" in current_page


def test_search_finds_old_and_new_names_and_shows_both(client_as, hanoi):
    html = client_as(hanoi).get("/wards/search/", {"q": "hang bac"}).content.decode()
    row = re.search(r'data-unit="legacy-\d+">(.*?)</tr>', html, re.S).group(1)
    assert "Phường Hàng Bạc" in row and "Phường Hoàn Kiếm" in row
    html = client_as(hanoi).get("/wards/search/", {"q": "Hoàn Kiếm"}).content.decode()
    row = re.search(r'data-unit="current-00070">(.*?)</tr>', html, re.S).group(1)
    assert "Phường Hàng Bạc" in row or "Phường Hàng Mã" in row


@pytest.fixture
def year2025(year2023):
    return ProgrammeYear.objects.create(year=2025, catalogue=year2023.catalogue, period=Period.CURRENT)


def test_a_legacy_code_in_a_current_year_leads_to_its_page(client_as, hanoi, year2025):
    old = legacy("Phường Hàng Bạc", "Quận Hoàn Kiếm")
    response = client_as(hanoi).get(f"/wards/{old.code}/2025/")
    assert response.status_code == 302 and response["Location"] == f"/wards/unit/legacy/{old.code}/"
    # another province's legacy code: still nothing shown
    other = Unit.objects.filter(period=Period.LEGACY, province__code="40").first()
    assert client_as(hanoi).get(f"/wards/{other.code}/2025/").status_code == 404


def test_import_refuses_a_legacy_code_naming_what_it_became(client_as, hanoi, year2025):
    old = legacy("Phường Hàng Bạc", "Quận Hoàn Kiếm")
    header = "Mã phường," + ",".join(f"TC{n}" for n in range(1, 23))
    content = (header + "\n" + old.code + ",Đạt" * 22 + "\n").encode()
    client = client_as(hanoi)
    client.cookies["django_language"] = "en"
    html = client.post("/reports/2025/provinces/01/import/", {"file": SimpleUploadedFile("a.csv", content)}
                       ).content.decode()
    assert "before 1 July 2025" in html and "Phường Hoàn Kiếm (00070)" in html
    assert not Registration.objects.filter(year=year2025).exists()


def test_targets_table_counts_what_is_needed(client_as, ministry):
    html = client_as(ministry).get("/reports/targets/").content.decode()
    rows = re.findall(r'data-target="(\d+)">(.*?)</tr>', html, re.S)
    assert len(rows) == 34
    cells = [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td.*?>(.*?)</td>", dict(rows)["01"], re.S)]
    units, own, carried = int(cells[2]), int(cells[3]), int(cells[4])
    recognised = own + carried
    assert units == Unit.objects.filter(period=Period.CURRENT, province__code="01", kind="phuong").count()
    assert int(cells[7]) == max(0, -(-units * 30 // 100) - recognised)
    assert int(cells[8]) == max(0, -(-units * 50 // 100) - recognised)
    assert int(cells[9]) == units - recognised


def test_a_current_provinces_trend_starts_in_2023(client_as, hanoi, year2025):
    html = client_as(hanoi).get("/reports/2025/provinces/01/trend/").content.decode()
    row = re.search(r'data-trend="2023"(.*?)</tr>', html, re.S).group(1)
    assert "data-carried-year" in row
    registered = Registration.objects.filter(year__year=2023, unit__province__successor__code="01").count()
    assert f"<td>{registered}</td>" in row


def test_province_successors_are_one_to_one_per_legacy_province():
    assert Province.objects.filter(period=Period.LEGACY, successor__isnull=True).count() == 0
    assert Province.objects.filter(period=Period.CURRENT).exclude(predecessors=None).count() == 34
