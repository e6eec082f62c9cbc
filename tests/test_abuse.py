"""What one person could do to hurt everyone's work: double clicks racing, odd charsets,
caches keeping a province's pages, a control character breaking the national export,
an evidence file that is two things at once."""

import csv
import re
import io
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from openpyxl import load_workbook

from criteria.models import Evidence, ProgrammeYear, Quota, Registration, Result
from criteria.workflow import AlreadyRegistered, register
from wards.models import Period, Province, Unit, UnitKind

from .conftest import ensure_demo

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def free_ward(province_code="01"):
    return Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code=province_code,
                               registrations__isnull=True).order_by("code").first()


def race(count, action):
    """Run `action(i)` in `count` threads released at the same moment; their outcomes, in order."""
    start = threading.Barrier(count)
    outcomes = [None] * count

    def run(index):
        try:
            start.wait()
            outcomes[index] = action(index)
        except Exception as exc:  # surfaced by the callers' assertions
            outcomes[index] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


# --- two clicks at once ---------------------------------------------------------------


def test_concurrent_registrations_of_one_ward_register_it_once_and_never_fail(transactional_db):
    ensure_demo()
    hanoi = get_user_model().objects.get(username="hanoi.demo")
    unit = free_ward()
    clients = []
    for _ in range(8):
        client = Client()
        client.force_login(hanoi)
        clients.append(client)

    outcomes = race(8, lambda i: clients[i].post("/reports/2023/provinces/01/register/", {"unit": unit.pk}))

    statuses = [getattr(o, "status_code", o) for o in outcomes]
    assert statuses == [302] * 8, statuses  # each click lands on the ward's page, none on an error
    assert {o["Location"] for o in outcomes} == {f"/wards/{unit.code}/2023/"}
    assert Registration.objects.filter(unit=unit, year__year=2023).count() == 1


@pytest.mark.django_db
def test_registering_a_registered_ward_again_says_so(client_as, hanoi, year2023):
    unit = free_ward()
    register(year2023, unit, by=hanoi)
    with pytest.raises(AlreadyRegistered):
        register(year2023, unit, by=hanoi)

    response = client_as(hanoi).post("/reports/2023/provinces/01/register/", {"unit": unit.pk}, follow=True)

    assert response.redirect_chain == [(f"/wards/{unit.code}/2023/", 302)]
    assert f"{unit.name} đã được đăng ký cho năm 2023" in response.content.decode()
    assert Registration.objects.filter(unit=unit, year=year2023).count() == 1


@pytest.mark.django_db
def test_another_provinces_registered_ward_is_not_revealed(client_as, nghean, hanoi, year2023):
    unit = free_ward("01")
    register(year2023, unit, by=hanoi)
    response = client_as(nghean).post("/reports/2023/provinces/40/register/", {"unit": unit.pk})
    assert response.status_code == 200  # the form again, no redirect to a Hà Nội ward
    assert unit.name not in response.content.decode()


def test_concurrent_quota_adds_in_the_admin_save_one_and_never_fail(transactional_db):
    ensure_demo()
    administrator = get_user_model().objects.get(username="admin.demo")
    year = ProgrammeYear.objects.get(year=2023)
    province = Province.objects.filter(period=Period.LEGACY).exclude(quotas__year=year).order_by("code").first()
    if province is None:  # every province has a quota in the demo: free one
        province = Province.objects.get(period=Period.LEGACY, code="01")
        Quota.objects.filter(year=year, province=province).delete()
    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(administrator)
        clients.append(client)

    outcomes = race(6, lambda i: clients[i].post(
        "/admin/criteria/quota/add/", {"year": year.pk, "province": province.pk, "amount": 3 + i}))

    statuses = [getattr(o, "status_code", o) for o in outcomes]
    assert all(status in (200, 302) for status in statuses), statuses
    assert Quota.objects.filter(year=year, province=province).count() == 1


# --- request bodies Django refuses ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/reports/2023/provinces/01/register/", "/accounts/login/", "/i18n/setlang/"])
def test_a_form_in_utf7_is_a_bad_request_not_a_server_error(hanoi, url):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(hanoi)
    client.get("/reports/2023/provinces/01/register/")
    before = Registration.objects.count()
    response = client.generic(
        "POST", url, b"unit=1&csrfmiddlewaretoken=+AGEA-",
        content_type="application/x-www-form-urlencoded; charset=utf-7",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()
    assert Registration.objects.count() == before


@pytest.mark.django_db
def test_a_stale_form_gets_our_page_in_vietnamese(hanoi):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hanoi)
    response = client.post("/reports/2023/provinces/01/register/", {"unit": 1})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Biểu mẫu đã hết hạn" in page
    assert "CSRF verification failed" not in page
    assert 'lang="vi"' in page


# --- caches ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/reports/2023/", "/reports/2023/provinces/01/", "/wards/search/?q=tran"])
def test_pages_for_a_signed_in_user_are_private(client_as, hanoi, url):
    response = client_as(hanoi).get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/reports/2023/export/summary.xlsx", "/reports/2023/export/wards.csv", "/reports/2023/export/summary.pdf",
    "/reports/2023/summary.json", "/reports/2023/provinces/01/summary.json",
])
def test_exports_are_never_stored(client_as, ministry, url):
    response = client_as(ministry).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- text that XLSX cannot hold -------------------------------------------------------


@pytest.mark.django_db
def test_a_note_with_a_control_character_exports_everywhere(client_as, ministry):
    result = Result.objects.filter(assessment__registration__unit__province__code="01").order_by("pk").first()
    note = "Trụ sở\x0bđạt\x01 chuẩn\x1f; ghi chú\tcó tab"
    Result.objects.filter(pk=result.pk).update(self_note=note, verified_note=note)
    client = client_as(ministry)
    unit = result.assessment.registration.unit

    response = client.get("/reports/2023/export/wards.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert any("Trụ sởđạt chuẩn; ghi chú\tcó tab" in c for c in cells)  # dropped in XLSX only

    response = client.get("/reports/2023/export/wards.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert any(note in cell for row in rows for cell in row)  # CSV keeps the text as entered

    for url in ("/reports/2023/export/near-misses.xlsx", "/reports/2023/export/summary.pdf"):
        assert client.get(url).status_code == 200
    page = client.get(f"/wards/{unit.code}/2023/")
    assert page.status_code == 200
    assert "Trụ sở" in page.content.decode()


# --- evidence that is two things at once ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name, content, extension", [
    ("bao-cao.html", PDF + HTML, ".pdf"),
    ("anh.exe", JPEG + HTML, ".jpg"),
    ("anh.jpeg", JPEG, ".jpg"),
    ("khong-duoi", PDF, ".pdf"),
])
def test_evidence_is_stored_under_the_extension_of_its_detected_type(client_as, hanoi, year2023, name, content,
                                                                      extension):
    unit = free_ward()
    register(year2023, unit, by=hanoi)
    client = client_as(hanoi)
    client.post(f"/wards/{unit.code}/2023/evidence/", {"criterion": 18, "file": SimpleUploadedFile(name, content)})
    evidence = Evidence.objects.get(assessment__registration__unit=unit)
    assert evidence.original_name == name  # shown to people as they named it
    assert evidence.file.name.endswith(extension)
    assert name not in evidence.file.name

    response = client.get(f"/wards/{unit.code}/2023/evidence/{evidence.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.endswith(f'{extension}"') or (name == "anh.jpeg" and disposition.endswith('.jpeg"'))
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == evidence.content_type


@pytest.mark.django_db
def test_an_oversized_evidence_file_says_by_how_much(client_as, hanoi, year2023, settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    unit = free_ward()
    register(year2023, unit, by=hanoi)
    big = SimpleUploadedFile("to.pdf", PDF + b"\x00" * (10 * 1024 * 1024))
    response = client_as(hanoi).post(f"/wards/{unit.code}/2023/evidence/", {"criterion": 18, "file": big},
                                     follow=True)
    page = response.content.decode()
    assert "10,0 MB; tối đa là 10,0 MB" not in page
    assert "lớn hơn giới hạn 10,0\xa0MB" in page
    assert not Evidence.objects.filter(assessment__registration__unit=unit).exists()



def test_the_same_import_applied_twice_at_once_registers_once_and_never_fails(transactional_db):
    ensure_demo()
    hanoi = get_user_model().objects.get(username="hanoi.demo")
    unit = free_ward()
    header = ["Mã phường"] + [f"TC{n}" for n in range(1, 23)]
    content = ("\n".join(",".join(r) for r in [header, [unit.code] + ["Đạt"] * 22]) + "\n").encode()
    clients, tokens = [], []
    for _ in range(4):
        client = Client()
        client.force_login(hanoi)
        response = client.post("/reports/2023/provinces/01/import/",
                               {"file": SimpleUploadedFile("nhap.csv", content)})
        tokens.append(re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1))
        clients.append(client)

    outcomes = race(4, lambda i: clients[i].post("/reports/2023/provinces/01/import/apply/", {"token": tokens[i]}))

    statuses = [getattr(o, "status_code", o) for o in outcomes]
    assert statuses == [302] * 4, statuses  # applied, or sent back to the upload with a message: never a 500
    assert Registration.objects.filter(unit=unit, year__year=2023).count() == 1
    assessment = Registration.objects.get(unit=unit, year__year=2023).assessment
    assert assessment.self_met == 22
