"""Random and hostile input to every form: never a 500, never invalid data stored (hypothesis)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.functions import Length
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.models import Evidence, Quota, Registration, Result, ResultValue
from criteria.workflow import register
from wards.models import Period, Unit, UnitKind

pytestmark = pytest.mark.django_db

HOSTILE = [
    "' OR 1=1 --", "'; DROP TABLE criteria_result; --", "<script>alert(1)</script>", '"><img src=x onerror=1>',
    "\x00", "\x00\x01\x02", "=cmd|' /C calc'!A0", "../../etc/passwd", "%s%s%s%n", "{{ 7*7 }}", "😀" * 50,
    "x" * 5000, "-1", "0", "99999999999999999999", "1e309", "NaN", " ", "\r\n", "met ", "MET", "đạt",
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
HOSTILE_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
OK = {200, 302, 400, 403, 404, 405, 409, 429}


@pytest.fixture
def draft(year2023, hanoi):
    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True).first()
    return register(year2023, unit, by=hanoi).registration


def results_are_valid():
    assert not Result.objects.exclude(self_value__in=ResultValue.values).exists()
    assert not Result.objects.exclude(verified_value__in=ResultValue.values).exists()
    long_notes = Result.objects.annotate(n=Length("self_note")).filter(n__gt=2000)
    assert not long_notes.exists()
    # (checked in Python: SQLite cuts a LIKE pattern at a NUL character)
    assert not any("\x00" in note for pair in Result.objects.values_list("self_note", "verified_note") for note in pair)


@HOSTILE_SETTINGS
@given(data=st.data())
def test_assessment_form(client_as, hanoi, draft, data):
    client = client_as(hanoi)
    payload = {"version": data.draw(st.one_of(text, st.integers().map(str)))}
    for number in data.draw(st.lists(st.integers(min_value=-2, max_value=30), max_size=25)):
        payload[f"c{number}_value"] = data.draw(st.one_of(st.sampled_from(ResultValue.values), text))
        payload[f"c{number}_note"] = data.draw(text)
    response = client.post(f"/wards/{draft.unit.code}/2023/assess/self/", payload)
    assert response.status_code in OK
    results_are_valid()


@HOSTILE_SETTINGS
@given(unit=st.one_of(text, st.integers(min_value=-10, max_value=10**7).map(str)))
def test_registration_form(client_as, hanoi, unit):
    before = Registration.objects.count()
    response = client_as(hanoi).post("/reports/2023/provinces/01/register/", {"unit": unit})
    assert response.status_code in OK
    added = Registration.objects.order_by("-pk")[: Registration.objects.count() - before]
    for registration in added:  # anything registered is a legacy phường of Hà Nội
        assert (registration.unit.period, registration.unit.kind, registration.unit.province.code) == (
            Period.LEGACY, UnitKind.WARD, "01")


@HOSTILE_SETTINGS
@given(year=text, province=text, amount=st.one_of(text, st.integers(min_value=-10**6, max_value=10**6).map(str)))
def test_quota_form_in_the_admin(client_as, administrator, year, province, amount):
    response = client_as(administrator).post(
        "/admin/criteria/quota/add/", {"year": year, "province": province, "amount": amount}
    )
    assert response.status_code in OK
    assert not Quota.objects.filter(amount__lt=0).exists()
    for quota in Quota.objects.select_related("year", "province"):
        assert quota.province.period == quota.year.period


@HOSTILE_SETTINGS
@given(content=st.one_of(st.binary(max_size=2000), text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       name=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a", "ảnh.png", "../../x.csv"]))
def test_import_upload(client_as, hanoi, content, name):
    before = (Registration.objects.count(), list(Result.objects.order_by("pk").values_list("self_value")))
    response = client_as(hanoi).post("/reports/2023/provinces/01/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in OK
    assert (Registration.objects.count(), list(Result.objects.order_by("pk").values_list("self_value"))) == before


@HOSTILE_SETTINGS
@given(content=st.binary(max_size=3000), criterion=text)
def test_evidence_upload(client_as, hanoi, draft, content, criterion):
    response = client_as(hanoi).post(f"/wards/{draft.unit.code}/2023/evidence/",
                                     {"criterion": criterion, "file": SimpleUploadedFile("x.pdf", content)})
    assert response.status_code in OK
    for evidence in Evidence.objects.all():
        assert evidence.content_type in {"application/pdf", "image/jpeg", "image/png"}


@HOSTILE_SETTINGS
@given(username=text, password=text)
def test_login_form(client, username, password):
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code in OK
    assert "_auth_user_id" not in client.session


@HOSTILE_SETTINGS
@given(query=text)
def test_search_escapes_whatever_it_is_given(client_as, ministry, query):
    response = client_as(ministry).get("/wards/search/", {"q": query})
    assert response.status_code == (400 if "\x00" in query else 200)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert '"><img src=x onerror=1>' not in html


@HOSTILE_SETTINGS
@given(reason=text, version=text)
def test_transition_forms(client_as, ministry, reason, version):
    from .conftest import registered

    submitted = registered("79", status="submitted")
    response = client_as(ministry).post(f"/wards/{submitted.unit.code}/2023/return/",
                                        {"reason": reason, "version": version})
    assert response.status_code in OK


def test_oversized_bodies_are_refused_cleanly(client_as, hanoi, draft, settings):
    client = client_as(hanoi)
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(f"/wards/{draft.unit.code}/2023/assess/self/", {"version": "1", "c1_note": big})
    assert response.status_code == 400
    settings.IMPORT_MAX_BYTES = 1000
    response = client.post("/reports/2023/provinces/01/import/",
                           {"file": SimpleUploadedFile("big.csv", b"x" * 200_000)})
    assert response.status_code == 400
    settings.EVIDENCE_MAX_BYTES = 1000
    response = client.post(f"/wards/{draft.unit.code}/2023/evidence/",
                           {"criterion": 1, "file": SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * 200_000)})
    assert response.status_code == 302
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("url, status", [
    ("/wards/search/?q=%00", 400),
    ("/reports/2023/export/summary.csv?province=%00", 400),
    ("/wards/%00/2023/", 400),
    ("/wards/abc/2023/", 404),
    ("/reports/2023/provinces/x1/", 404),
    ("/wards/search/?q=%C0%AF", 200),
])
def test_hostile_addresses_never_reach_a_query(client_as, ministry, url, status):
    assert client_as(ministry).get(url).status_code == status
