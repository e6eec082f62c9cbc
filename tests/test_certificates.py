"""Certificates (Giấy chứng nhận): single and per decision, and the page that checks a code.

The demo's decision 2150/QĐ-BCA of 19/4/2024 recognises the 2023 wards verified at 22/22.
"""

import datetime
import io
import shutil
import subprocess
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from criteria.access import Role, Scope
from criteria.models import Recognition, RecognitionDecision
from criteria.outcomes import withdraw_recognitions
from reports.certificates import render, vietnamese_date

from .browser import SCREENSHOTS

HONOUR = "Đạt danh hiệu: Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị năm 2023"


def pdf_pages(response):
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return reader.pages


def page_text(page):
    # Extracted text is normalised the way it was written (NFC); line breaks inside a wrapped sentence become spaces.
    return " ".join(unicodedata.normalize("NFC", page.extract_text()).split())


@pytest.fixture
def decision(db):
    return RecognitionDecision.objects.get(number="2150/QĐ-BCA")


@pytest.fixture
def hanoi_recognition(decision):
    return decision.recognitions.filter(province__code="01").order_by("unit__code").first()


@pytest.fixture
def other_recognition(decision):
    return decision.recognitions.exclude(province__code="01").order_by("unit__code").first()


def withdraw(recognition, user):
    return withdraw_recognitions([recognition], scope=Scope(user=user, role=Role.MINISTRY),
                                 on=datetime.date(2024, 9, 2), number="3001/QĐ-BCA",
                                 reason="Vi phạm quy định về quản lý cư trú")


def test_vietnamese_date():
    assert vietnamese_date(datetime.date(2024, 4, 19)) == "ngày 19 tháng 4 năm 2024"
    assert vietnamese_date(datetime.date(2024, 2, 5)) == "ngày 05 tháng 02 năm 2024"
    assert vietnamese_date(datetime.date(2024, 12, 1)) == "ngày 01 tháng 12 năm 2024"


@pytest.mark.django_db
def test_single_certificate(client_as, ministry, hanoi_recognition):
    r = hanoi_recognition
    response = client_as(ministry).get(reverse("reports:certificate", args=[r.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="giay-chung-nhan-2023-{r.unit.code}.pdf"'
    pages = pdf_pages(response)
    assert len(pages) == 1
    assert [round(float(v)) for v in pages[0].mediabox] == [0, 0, 842, 595]  # A4 landscape
    text = page_text(pages[0])
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BỘ CÔNG AN", "GIẤY CHỨNG NHẬN",
        f"Công an {r.unit_name}", r.province_name, HONOUR,
        "Theo Quyết định số 2150/QĐ-BCA ngày 19 tháng 4 năm 2024 của Bộ trưởng Bộ Công an",
        "Hà Nội, ngày 19 tháng 4 năm 2024", "THỨ TRƯỞNG, THAY MẶT BỘ TRƯỞNG", r.decision.signer_name,
        f"Mã xác thực: {r.code}", f"http://testserver/reports/certificates/?code={r.code}",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_certificate_is_in_vietnamese_whatever_the_language(client_as, ministry, hanoi_recognition):
    client = client_as(ministry)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("reports:certificate", args=[hanoi_recognition.code]))
    assert "GIẤY CHỨNG NHẬN" in page_text(pdf_pages(response)[0])


@pytest.mark.django_db
def test_code_typed_loosely_finds_the_certificate(client_as, ministry, hanoi_recognition):
    typed = hanoi_recognition.code.lower().replace("-", " ")
    response = client_as(ministry).get(reverse("reports:certificate", args=[typed]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_decision_certificates(client_as, ministry, decision):
    in_force = decision.recognitions.in_force().count()
    assert in_force == 36
    url = reverse("reports:certificates", kwargs={"year": 2023, "pk": decision.pk})
    response = client_as(ministry).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'attachment; filename="giay-chung-nhan-2023-2150-qd-bca.pdf"'
    pages = pdf_pages(response)
    assert len(pages) == in_force
    assert all([round(float(v)) for v in page.mediabox] == [0, 0, 842, 595] for page in pages)
    codes = set(decision.recognitions.values_list("code", flat=True))
    printed = {page_text(page).split("Mã xác thực: ")[1][:11] for page in pages}
    assert printed == codes


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ministry", "hanoi"])
def test_decision_certificates_query_count(client_as, request, decision, django_assert_num_queries, persona):
    client = client_as(request.getfixturevalue(persona))
    url = reverse("reports:certificates", kwargs={"year": 2023, "pk": decision.pk})
    # session, user, profile (role), programme year, decision (scoped), recognitions in force with
    # their decision, year and unit (a province's filtered in the same query): not one per page.
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_withdrawn_recognition_has_no_certificate(client_as, ministry, decision, hanoi_recognition):
    withdraw(hanoi_recognition, ministry)
    client = client_as(ministry)
    single = client.get(reverse("reports:certificate", args=[hanoi_recognition.code]))
    assert single.status_code == 404
    assert "3001/QĐ-BCA" in single.content.decode()  # the 404 page says why
    response = client.get(reverse("reports:certificates", kwargs={"year": 2023, "pk": decision.pk}))
    pages = pdf_pages(response)
    assert len(pages) == 35
    assert not any(hanoi_recognition.code in page_text(page) for page in pages)


@pytest.mark.django_db
def test_decision_without_certificates_in_force_is_404(client_as, ministry, decision):
    withdraw_recognitions(list(decision.recognitions.all()), scope=Scope(user=ministry, role=Role.MINISTRY),
                          on=datetime.date(2024, 9, 2), number="3001/QĐ-BCA", reason="Thu hồi toàn bộ")
    response = client_as(ministry).get(reverse("reports:certificates", kwargs={"year": 2023, "pk": decision.pk}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_province_sees_only_its_own(client_as, hanoi, decision, hanoi_recognition, other_recognition):
    client = client_as(hanoi)
    assert client.get(reverse("reports:certificate", args=[hanoi_recognition.code])).status_code == 200
    other = client.get(reverse("reports:certificate", args=[other_recognition.code]))
    assert other.status_code == 404
    assert other_recognition.unit_name not in other.content.decode()
    response = client.get(reverse("reports:certificates", kwargs={"year": 2023, "pk": decision.pk}))
    pages = pdf_pages(response)
    own = decision.recognitions.in_force().filter(province__code="01")
    assert len(pages) == own.count() >= 1
    assert all("Thành phố Hà Nội" in page_text(page) or "Hà Nội" in page_text(page) for page in pages)
    assert {page_text(page).split("Mã xác thực: ")[1][:11] for page in pages} == set(own.values_list("code", flat=True))


@pytest.mark.django_db
def test_province_of_no_recognised_ward_gets_404_for_the_decision(client_as, nghean, decision):
    if decision.recognitions.filter(province__code="40").exists():
        decision.recognitions.filter(province__code="40").delete()
    response = client_as(nghean).get(reverse("reports:certificates", kwargs={"year": 2023, "pk": decision.pk}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_names_as_of_the_decision_survive_a_rename(client_as, ministry, hanoi_recognition):
    r = hanoi_recognition
    old_name = r.unit_name
    r.unit.name = "Phường Đổi Tên Sau Này"
    r.unit.save(update_fields=["name"])
    client = client_as(ministry)
    text = page_text(pdf_pages(client.get(reverse("reports:certificate", args=[r.code])))[0])
    assert f"Công an {old_name}" in text and "Đổi Tên" not in text
    page = client.get(reverse("reports:certificate_lookup"), {"code": r.code}).content.decode()
    assert old_name in page and "Phường Đổi Tên Sau Này" in page


# --- the lookup page ---


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["exact", "lower", "spaced"])
def test_lookup_finds_the_recognition(client_as, ministry, hanoi_recognition, typed):
    r = hanoi_recognition
    code = {"exact": r.code, "lower": r.code.lower(), "spaced": f"  {r.code[:4].lower()} {r.code[5:]} "}[typed]
    response = client_as(ministry).get(reverse("reports:certificate_lookup"), {"code": code})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-recognition="{r.code}"' in page
    assert r.unit_name in page and r.province_name in page and "2150/QĐ-BCA" in page
    assert r.decision.signer_name in page
    assert 'data-status="in-force"' in page
    assert reverse("reports:certificate", args=[r.code]) in page


@pytest.mark.django_db
def test_lookup_form_alone(client_as, hanoi):
    response = client_as(hanoi).get(reverse("reports:certificate_lookup"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="code"' in page and "data-lookup-error" not in page and "data-recognition" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("code, status", [("ABCD-EFGH23", 404), ("not a code!", 200), ("0000-000000", 200)])
def test_lookup_unknown_or_malformed(client_as, ministry, code, status):
    response = client_as(ministry).get(reverse("reports:certificate_lookup"), {"code": code})
    assert response.status_code == status
    page = response.content.decode()
    assert 'name="code"' in page and "data-lookup-error" in page and "data-recognition" not in page


@pytest.mark.django_db
def test_lookup_withdrawn(client_as, ministry, hanoi_recognition):
    withdraw(hanoi_recognition, ministry)
    response = client_as(ministry).get(reverse("reports:certificate_lookup"), {"code": hanoi_recognition.code})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="withdrawn"' in page
    assert "3001/QĐ-BCA" in page and "Vi phạm quy định về quản lý cư trú" in page and "02/09/2024" in page
    assert "data-download" not in page


@pytest.mark.django_db
def test_lookup_of_another_provinces_code_reads_as_unknown(client_as, hanoi, other_recognition):
    response = client_as(hanoi).get(reverse("reports:certificate_lookup"), {"code": other_recognition.code})
    assert response.status_code == 404
    page = response.content.decode()
    assert "data-lookup-error" in page and other_recognition.unit_name not in page


# --- what it looks like ---


@pytest.mark.django_db
def test_long_names_fit_and_the_page_is_rendered_to_png(hanoi_recognition):
    r = Recognition.objects.select_related("decision", "year", "unit").get(pk=hanoi_recognition.pk)
    r.unit_name, r.province_name = "Phường Hòa Cường Nam", "Thành phố Hồ Chí Minh"
    long = Recognition.objects.select_related("decision", "year", "unit").get(pk=hanoi_recognition.pk)
    long.unit_name = "Phường Nguyễn Thái Bình và Phường Phạm Ngũ Lão hợp nhất thành Phường Bến Thành mới"
    long.province_name = "Thành phố Hồ Chí Minh"
    content = render([r, long], "https://kieumau.bocongan.gov.vn/reports/certificates/")
    pages = PdfReader(io.BytesIO(content)).pages
    assert "Công an Phường Hòa Cường Nam" in page_text(pages[0])
    assert "Phường Bến Thành mới" in page_text(pages[1])
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    folder = SCREENSHOTS / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "certificate.pdf").write_bytes(content)
    for number in (1, 2):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(number), "-l", str(number), "-singlefile",
                        folder / "certificate.pdf", folder / f"certificate-{number}"], check=True)
        assert (folder / f"certificate-{number}.png").stat().st_size > 10_000
