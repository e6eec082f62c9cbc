import pytest

from criteria.access import scope_for
from criteria.models import Status
from criteria.workflow import register

from .test_workflow import current, fill
from criteria.models import ResultValue, Stage
from criteria.workflow import return_to_province, submit
from wards.models import Period, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_history_lists_every_step_with_who_when_old_new_and_why(client_as, year2023, hanoi, ministry):
    unit = Unit.objects.filter(
        period=Period.LEGACY, kind=UnitKind.WARD, province__code="01", registrations__isnull=True
    ).first()
    assessment = register(year2023, unit, by=hanoi).registration.assessment
    fill(assessment, hanoi, Stage.SELF, overrides={18: ResultValue.NOT_MET})
    submit(assessment, scope=scope_for(hanoi), version=current(assessment).version)
    return_to_province(assessment, scope=scope_for(ministry), version=current(assessment).version,
                       reason="Bổ sung biên bản kiểm tra trụ sở")
    fill(assessment, hanoi, Stage.SELF)

    html = client_as(hanoi).get(f"/wards/{unit.code}/2023/history/").content.decode()
    rows = html.split("<tr data-event>")[1:]
    # registration, the first save (22 results), submission, return, the fix of criterion 18
    assert len(rows) == 5
    assert html.count("data-change") == 1 + 22 + 1 + 1 + 1
    assert "Bổ sung biên bản kiểm tra trụ sở" in html
    assert "bo.demo" in html and "hanoi.demo" in html
    # criterion 18 went not met -> met after the return: old -> new is shown
    assert "Không đạt → <strong>Đạt</strong>" in rows[-1] and "18" in rows[-1]
    # the status changes are there, in order
    statuses = [row for row in rows if "Đã gửi" in row or "Trả lại" in row]
    assert len(statuses) >= 2
    assert current(assessment).status == Status.RETURNED


def test_history_of_another_province_is_not_found(client_as, nghean):
    from .conftest import registered

    assert client_as(nghean).get(f"/wards/{registered('01').unit.code}/2023/history/").status_code == 404
