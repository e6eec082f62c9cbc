import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F

from criteria.access import Role, role_of
from criteria.demo import apportion
from criteria.models import Assessment, ProgrammeYear, Quota, Registration, Result, Status
from criteria.figures import year_summary
from wards.models import Period, Province, Unit, UnitKind

from .conftest import PASSWORD, delete_programme_data

pytestmark = pytest.mark.django_db


def test_demo_reproduces_the_published_figures(year2023):
    summary = year_summary(year2023, Province.objects.filter(period=Period.LEGACY))
    total = summary.total
    assert (total.registered, total.quota, total.exceeded_by) == (172, 106, 66)
    assert total.expected == {"22/22": 144, "21/22": 25, "20/22": 3, "below": 0}
    assert total.submitted == 172


def test_every_province_registers_at_least_its_quota(year2023):
    registered = dict(
        Registration.objects.filter(year=year2023)
        .values_list("unit__province__code")
        .annotate(n=Count("pk"))
    )
    quotas = dict(Quota.objects.filter(year=year2023).values_list("province__code", "amount"))
    assert len(registered) == 63 and len(quotas) == 63
    assert all(registered[code] >= quotas[code] >= 1 for code in quotas)


def test_quota_rule_for_the_centrally_run_cities(year2023):
    quotas = dict(Quota.objects.filter(year=year2023).values_list("province__short_name", "amount"))
    assert {k: quotas[k] for k in ["Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"]} == {
        "Hà Nội": 12, "Hồ Chí Minh": 16, "Hải Phòng": 8, "Đà Nẵng": 6, "Cần Thơ": 6,
    }
    assert sum(quotas.values()) == 106


def test_apportion_by_largest_remainder():
    assert apportion(43, {"a": 12, "b": 16, "c": 8, "d": 6, "e": 5}) == {"a": 11, "b": 15, "c": 7, "d": 5, "e": 5}
    assert sum(apportion(10, {"x": 1, "y": 1, "z": 1}).values()) == 10


def test_only_legacy_wards_are_registered(year2023):
    units = Registration.objects.filter(year=year2023).values_list("unit__period", "unit__kind").distinct()
    assert set(units) == {(Period.LEGACY, UnitKind.WARD)}


def test_a_verified_subset_with_notes(year2023):
    verified = Assessment.objects.filter(registration__year=year2023, status=Status.VERIFIED)
    assert verified.count() == 40
    assert Result.objects.filter(assessment__in=verified).exclude(verified_note="").count() >= 40
    # The ministry's check disagreed with three self-assessments: it never overwrote them.
    assert verified.exclude(verified_met=F("self_met")).count() == 3
    near_misses = Result.objects.filter(assessment__registration__year=year2023, self_value="not_met")
    assert near_misses.count() == 25 * 1 + 3 * 2
    assert not near_misses.filter(self_note="").exists()


def test_rerun_changes_nothing(year2023):
    counts = (Registration.objects.count(), Assessment.objects.count(), Result.objects.count())
    versions = list(Assessment.objects.order_by("pk").values_list("version", "self_met", "verified_met"))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "left unchanged" in out.getvalue()
    assert "Demo accounts unchanged" in out.getvalue()
    assert "172 registered, quota 106, exceeded by 66" in out.getvalue()
    assert (Registration.objects.count(), Assessment.objects.count(), Result.objects.count()) == counts
    assert list(Assessment.objects.order_by("pk").values_list("version", "self_met", "verified_met")) == versions


def test_demo_accounts_have_their_roles():
    User = get_user_model()
    roles = {u.username: role_of(u) for u in User.objects.filter(username__endswith=".demo")}
    assert roles == {
        "admin.demo": Role.ADMIN, "bo.demo": Role.MINISTRY, "hanoi.demo": Role.PROVINCE, "nghean.demo": Role.PROVINCE,
    }
    assert User.objects.get(username="hanoi.demo").profile.province.name == "Thành phố Hà Nội"
    assert User.objects.get(username="nghean.demo").check_password(PASSWORD)


def test_demo_password_change_is_applied(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "another-demo-password" in out.getvalue()
    assert get_user_model().objects.get(username="bo.demo").check_password("another-demo-password")


def test_demo_refuses_without_units():
    delete_programme_data()
    Unit.objects.all().delete()
    with pytest.raises(CommandError, match="load_units"):
        call_command("load_demo", stdout=io.StringIO())
    assert not ProgrammeYear.objects.exists()
