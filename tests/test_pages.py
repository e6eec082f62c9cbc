import re

import pytest

from criteria.models import Assessment, Result, ResultValue, Status
from criteria.workflow import register
from wards.models import Period, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db


def figure(html, name):
    match = re.search(rf'data-figure="{name}">(-?\d+)<', html)
    return int(match.group(1)) if match else None


def test_anonymous_users_are_sent_to_log_in(client):
    for url in ["/", "/reports/2023/", "/reports/2023/provinces/01/", "/wards/00001/2023/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_login_page_speaks_vietnamese_by_default(client):
    html = client.get("/accounts/login/").content.decode()
    assert "Đăng nhập" in html
    assert 'lang="vi"' in html


def test_logging_in_with_the_demo_password(client):
    response = client.post("/accounts/login/", {"username": "bo.demo", "password": "demo-password-for-tests"})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200


def test_national_summary_shows_the_published_figures(client_as, ministry):
    html = client_as(ministry).get("/reports/2023/").content.decode()
    assert (figure(html, "registered"), figure(html, "quota"), figure(html, "exceeded_by")) == (172, 106, 66)
    assert 'data-expected="22/22">144<' in html
    assert 'data-expected="21/22">25<' in html
    assert 'data-expected="20/22">3<' in html
    table = client_as(ministry).get("/reports/2023/by-province/").content.decode()
    assert table.count('data-province="') == 63


def test_english_on_request(client_as, ministry):
    client = client_as(ministry)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/reports/2023/"})
    assert response.status_code == 302
    html = client.get("/reports/2023/").content.decode()
    assert "Nationwide summary, 2023" in html
    client.post("/i18n/setlang/", {"language": "vi", "next": "/reports/2023/"})
    assert "Nationwide summary" not in client.get("/reports/2023/").content.decode()


def test_provincial_user_sees_only_their_province(client_as, hanoi):
    html = client_as(hanoi).get("/reports/2023/").content.decode()
    assert figure(html, "registered") < 172
    table = client_as(hanoi).get("/reports/2023/by-province/").content.decode()
    assert table.count('data-province="') == 1
    assert 'data-province="01"' in table


@pytest.mark.parametrize(
    "user, url, status",
    [
        ("hanoi", "/reports/2023/provinces/01/", 200),
        ("hanoi", "/reports/2023/provinces/40/", 404),
        ("nghean", "/reports/2023/provinces/40/", 200),
        ("nghean", "/reports/2023/provinces/01/", 404),
        ("ministry", "/reports/2023/provinces/40/", 200),
        ("administrator", "/reports/2023/provinces/79/", 200),
        ("ministry", "/reports/2023/provinces/99/", 404),
        ("ministry", "/reports/1999/", 404),
    ],
)
def test_province_pages_by_role(request, client_as, user, url, status):
    assert client_as(request.getfixturevalue(user)).get(url).status_code == status


def test_province_page_lists_its_wards(client_as, nghean):
    html = client_as(nghean).get("/reports/2023/provinces/40/").content.decode()
    wards = registered("40")
    assert wards.unit.name in html
    assert "Tỉnh Nghệ An" in html


def test_ward_page_shows_every_criterion_and_both_bands(client_as, hanoi):
    registration = registered("01", status=Status.VERIFIED)
    html = client_as(hanoi).get(f"/wards/{registration.unit.code}/2023/").content.decode()
    assert html.count('data-criterion="') == 22
    assert registration.unit.name in html
    assert 'data-band="verified">—' not in html


def test_codes_without_their_leading_zeros_are_the_same_codes(client_as, hanoi, nghean):
    """Spreadsheets drop leading zeros: /provinces/1/ is province 01, /wards/4/ is ward 00004."""
    client = client_as(hanoi)
    short, full = client.get("/reports/2023/provinces/1/"), client.get("/reports/2023/provinces/01/")
    assert short.status_code == full.status_code == 200
    assert short.context["province"] == full.context["province"]
    registration = registered("01")
    short = registration.unit.code.lstrip("0")
    assert len(short) < 5
    page = client.get(f"/wards/{short}/2023/")
    assert page.status_code == 200 and registration.unit.name in page.content.decode()
    assert client_as(nghean).get(f"/wards/{short}/2023/").status_code == 404


def test_ward_of_another_province_is_not_found(client_as, nghean):
    registration = registered("01")
    assert client_as(nghean).get(f"/wards/{registration.unit.code}/2023/").status_code == 404


def test_unregistered_ward_says_so(client_as, ministry):
    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, registrations__isnull=True).first()
    response = client_as(ministry).get(f"/wards/{unit.code}/2023/")
    assert response.status_code == 200
    assert 'data-criterion="' not in response.content.decode()


# --- the assessment entry form ---------------------------------------------------------


def form_data(assessment, value=ResultValue.MET, note="", overrides=None, version=None):
    data = {"version": version or assessment.version}
    for criterion in assessment.registration.year.catalogue.criteria.all():
        data[f"c{criterion.number}_value"] = value
        data[f"c{criterion.number}_note"] = note
    data.update(overrides or {})
    return data


def submitted_assessment(province="01"):
    return registered(province, status=Status.SUBMITTED).assessment


def test_ministry_enters_the_verified_result_and_it_is_rescored(client_as, ministry):
    assessment = submitted_assessment()
    url = f"/wards/{assessment.registration.unit.code}/2023/assess/verified/"
    client = client_as(ministry)
    assert client.get(url).status_code == 200
    data = form_data(assessment, overrides={"c18_value": "not_met", "c18_note": "Trụ sở chưa đạt định mức"})
    response = client.post(url, data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.verified_met == 21
    assert assessment.version == 2
    result = assessment.results.get(criterion__number=18)
    assert (result.verified_value, result.verified_note) == ("not_met", "Trụ sở chưa đạt định mức")
    # the province's own figure is untouched
    assert assessment.self_met == Assessment.objects.get(pk=assessment.pk).self_met


def test_an_invalid_value_changes_nothing(client_as, ministry):
    assessment = submitted_assessment()
    before = list(Result.objects.filter(assessment=assessment).values_list("verified_value", "verified_note"))
    url = f"/wards/{assessment.registration.unit.code}/2023/assess/verified/"
    response = client_as(ministry).post(url, form_data(assessment, overrides={"c5_value": "probably"}))
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert list(Result.objects.filter(assessment=assessment).values_list("verified_value", "verified_note")) == before


def test_a_stale_form_is_refused_and_keeps_what_was_typed(client_as, ministry):
    assessment = submitted_assessment()
    url = f"/wards/{assessment.registration.unit.code}/2023/assess/verified/"
    client = client_as(ministry)
    assert client.post(url, form_data(assessment)).status_code == 302  # someone else saves first
    typed = "Ghi chú của người thứ hai"
    response = client.post(url, form_data(assessment, note=typed, value="not_met", version=1))
    assert response.status_code == 409
    html = response.content.decode()
    assert typed in html
    assessment.refresh_from_db()
    assert assessment.version == 2
    assert assessment.verified_met == 22
    assert not Result.objects.filter(assessment=assessment, verified_note=typed).exists()


def test_province_cannot_enter_the_verified_result(client_as, hanoi):
    assessment = submitted_assessment()
    url = f"/wards/{assessment.registration.unit.code}/2023/assess/verified/"
    assert client_as(hanoi).get(url).status_code == 403


def test_province_fills_its_own_draft_but_not_another_provinces(client_as, hanoi, year2023):
    unit = Unit.objects.filter(
        period=Period.LEGACY, kind=UnitKind.WARD, province__code="01", registrations__isnull=True
    ).first()
    registration = register(year2023, unit, by=hanoi).registration
    client = client_as(hanoi)
    url = f"/wards/{unit.code}/2023/assess/self/"
    assert client.get(url).status_code == 200
    assert client.post(url, form_data(registration.assessment)).status_code == 302
    registration.assessment.refresh_from_db()
    assert registration.assessment.self_met == 22
    other = registered("40")
    assert client.get(f"/wards/{other.unit.code}/2023/assess/self/").status_code == 404


def test_unknown_stage_is_not_found(client_as, ministry):
    assessment = submitted_assessment()
    url = f"/wards/{assessment.registration.unit.code}/2023/assess/everything/"
    assert client_as(ministry).get(url).status_code == 404


def test_search_is_scoped_to_the_users_province(client_as, hanoi, nghean):
    assert "Hoàn Kiếm" in client_as(hanoi).get("/wards/search/", {"q": "hoan kiem"}).content.decode()
    html = client_as(nghean).get("/wards/search/", {"q": "hoan kiem"}).content.decode()
    assert "Phường Hoàn Kiếm" not in html


def test_search_escapes_what_it_echoes(client_as, ministry):
    html = client_as(ministry).get("/wards/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_browser_language_does_not_override_vietnamese(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in html and "Đăng nhập" in html


def test_the_navigation_holds_the_years_in_one_menu_and_the_account_in_another(client_as, ministry):
    """However many programme years there are, the bar keeps one line: a year menu naming the year
    shown, and an account menu with the role, the password change and the log-out."""
    from django.urls import reverse

    from criteria.models import ProgrammeYear

    html = client_as(ministry).get("/reports/2023/").content.decode()
    years = html.split("data-nav-years", 1)[1].split("</li>\n        {% endif %}", 1)[0]
    menu = years.split('class="dropdown-menu"', 1)[1].split("</ul>", 1)[0]
    for year in ProgrammeYear.objects.values_list("year", flat=True):
        assert f'href="/reports/{year}/"' in menu
    assert 'dropdown-toggle text-nowrap active' in years and "Năm 2023</a>" in years
    account = html.split("data-nav-account", 1)[1].split("</ul>", 1)[0]
    assert "Cán bộ Bộ Công an" in account and f'href="{reverse("password_change")}"' in account
    assert f'action="{reverse("logout")}"' in account
