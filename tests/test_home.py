"""The home page is each role's work queue: what waits for the ministry, what is back with a province."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from criteria.access import Role, Scope
from criteria.models import Assessment, Profile, Status
from criteria.workflow import return_to_province, submit
from wards.models import Period, Province

from .conftest import PASSWORD, registered

pytestmark = pytest.mark.django_db


def rows(html, attribute="data-ward"):
    return re.findall(rf'<tr {attribute}="(\d+)"', html)


def test_the_ministry_sees_every_submitted_assessment_with_the_total(client_as, ministry):
    waiting = Assessment.objects.filter(status=Status.SUBMITTED).count()
    assert waiting == 132  # the demo: 172 registered, 40 verified
    html = client_as(ministry).get("/").content.decode()
    assert f'data-queue-total="{waiting}"' in html
    assert f'data-nav-waiting title="chờ bạn xử lý">{waiting}<' in html
    assert len(rows(html)) == 50  # a page of 50, the rest on the next pages
    assert "20/11/2023" in html  # submitted dates
    assert "?page=2" in html
    second = client_as(ministry).get("/?page=3").content.decode()
    assert len(rows(second)) == waiting - 100


def test_the_oldest_submission_comes_first_and_each_row_links_to_its_ward(client_as, ministry, hanoi):
    ward = registered("01", status=Status.SUBMITTED)
    assessment = ward.assessment
    returned = return_to_province(assessment, scope=Scope(ministry, Role.MINISTRY), version=assessment.version,
                                  reason="Bổ sung")
    submit(returned, scope=Scope(hanoi, Role.PROVINCE), version=returned.version)  # the newest submission
    html = client_as(ministry).get("/?sort=-waiting").content.decode()
    assert rows(html)[0] == ward.unit.code
    assert f'href="/wards/{ward.unit.code}/2023/"' in html
    assert f'href="/wards/{ward.unit.code}/2023/assess/verified/"' in html
    oldest = client_as(ministry).get("/").content.decode()
    assert ward.unit.code not in rows(oldest)[:5]


def test_the_queue_filters_by_province_on_todays_map_and_by_status(client_as, ministry):
    hanoi_today = Province.objects.get(period=Period.CURRENT, code="01")
    expected = Assessment.objects.filter(status=Status.SUBMITTED, province__successor=hanoi_today).count()
    html = client_as(ministry).get("/?province=01").content.decode()
    assert f'data-queue-total="{expected}"' in html
    verified = client_as(ministry).get("/?status=verified").content.decode()
    assert 'data-queue-total="40"' in verified
    nonsense = client_as(ministry).get("/?status=lost&province=99&sort=drop+table&page=x")
    assert nonsense.status_code == 200
    assert 'data-queue-total="132"' in nonsense.content.decode()


def test_a_returned_ward_is_on_the_provinces_home_page_with_the_reason_in_full(client_as, ministry, hanoi):
    ward = registered("01", status=Status.SUBMITTED)
    reason = "Đề nghị bổ sung biên bản bàn giao đất trụ sở.\nKèm ảnh chụp hiện trạng."
    client_as(ministry).post(f"/wards/{ward.unit.code}/2023/return/",
                             {"version": ward.assessment.version, "reason": reason})
    html = client_as(hanoi).get("/").content.decode()
    block = re.search(rf'data-returned="{ward.unit.code}">(.*?)</li>', html, re.S).group(1)
    assert "Đề nghị bổ sung biên bản bàn giao đất trụ sở.<br>Kèm ảnh chụp hiện trạng." in block
    assert "Trần Minh Đức" in block
    assert f'href="/wards/{ward.unit.code}/2023/assess/self/"' in block
    assert 'data-count="returned">1<' in html
    assert 'data-nav-waiting title="chờ bạn xử lý">1<' in html


def test_a_province_sees_nothing_of_another_province(client_as, ministry, nghean):
    ward = registered("01", status=Status.SUBMITTED)
    client_as(ministry).post(f"/wards/{ward.unit.code}/2023/return/",
                             {"version": ward.assessment.version, "reason": "Bổ sung"})
    html = client_as(nghean).get("/").content.decode()
    assert ward.unit.code not in html
    assert 'data-count="returned">0<' in html
    assert "Tỉnh Nghệ An" in html  # its own registration room


def log_in(client):
    response = client.post("/accounts/login/", {"username": "hanoi.demo", "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_since_the_last_visit_lists_what_others_changed(client, ministry, hanoi):
    log_in(client)  # a first visit: nothing to compare
    first = client.get("/").content.decode()
    assert "lần truy cập đầu tiên" in first
    client.logout()
    ward = registered("01", status=Status.SUBMITTED)
    return_to_province(ward.assessment, scope=Scope(ministry, Role.MINISTRY), version=ward.assessment.version,
                       reason="Thiếu biên bản")
    log_in(client)
    assert Profile.objects.get(user=hanoi).previous_login is not None
    html = client.get("/").content.decode()
    changes = re.search(r"data-changes>(.*?)</ul>", html, re.S).group(1)
    assert ward.unit.name in changes and "Thiếu biên bản" in changes and "Trần Minh Đức" in changes


def test_the_ministry_queue_runs_the_same_queries_on_every_page(client_as, ministry):
    client = client_as(ministry)
    client.get("/")

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count("/") == count("/?page=2") == count("/?province=01&status=verified")


def test_overdue_items_are_marked_in_both_queues(client_as, ministry, hanoi, year2023):
    import datetime

    from django.utils import timezone

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ward = registered("01", status=Status.SUBMITTED)
    return_to_province(ward.assessment, scope=Scope(ministry, Role.MINISTRY), version=ward.assessment.version,
                       reason="Bổ sung")
    type(year2023).objects.filter(pk=year2023.pk).update(self_assessment_deadline=yesterday,
                                                         verification_deadline=yesterday)
    ministry_html = client_as(ministry).get("/").content.decode()
    assert ministry_html.count("data-overdue") == 50  # every waiting row on the page is past its deadline
    province_html = client_as(hanoi).get("/").content.decode()
    block = re.search(rf'data-returned="{ward.unit.code}">(.*?)</li>', province_html, re.S).group(1)
    assert "data-overdue" in block and "Quá hạn" in block


def test_the_province_sees_its_next_deadline_and_the_administrator_what_the_calendar_lacks(
        client_as, hanoi, administrator, year2023):
    import datetime

    from django.utils import timezone

    html = client_as(administrator).get("/").content.decode()
    assert html.count("data-no-deadline=") == 3  # the demo year sets no deadline
    assert "chưa đặt hạn" in html
    soon = timezone.localdate() + datetime.timedelta(days=5)
    type(year2023).objects.filter(pk=year2023.pk).update(self_assessment_deadline=soon)
    province = client_as(hanoi).get("/").content.decode()
    line = re.search(r"data-next-deadline>(.*?)</div>", province, re.S).group(1)
    assert soon.strftime("%d/%m/%Y") in line


def test_a_withdrawn_ward_says_it_was_withdrawn_not_returned(client_as, hanoi):
    from criteria.workflow import withdraw

    ward = registered("01", status=Status.SUBMITTED)
    withdraw(ward.assessment, scope=Scope(hanoi, Role.PROVINCE), version=ward.assessment.version,
             reason="Cần bổ sung ảnh trụ sở")
    html = client_as(hanoi).get("/").content.decode()
    block = re.search(rf'data-returned="{ward.unit.code}">(.*?)</li>', html, re.S).group(1)
    assert "Nguyễn Thu Hà rút lại" in block
    assert "Cần bổ sung ảnh trụ sở" in block
