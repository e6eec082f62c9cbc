import pytest
from django.utils import formats, timezone, translation

from criteria.access import scope_for
from criteria.models import Assessment, ResultValue, Stage, Status
from criteria.workflow import Entry, register, return_to_province, save_results, submit
from wards.models import Period, Unit, UnitKind

from .conftest import registered
from .test_workflow import current, fill

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
    # Who, by name (family name first, as Vietnamese writes it), not by log-in
    assert "Trần Minh Đức" in html and "Nguyễn Thu Hà" in html and "bo.demo" not in html
    # criterion 18 went not met -> met after the return: old -> new is shown
    assert "Không đạt → <strong>Đạt</strong>" in rows[-1] and "18" in rows[-1]
    # the status changes are there, in order
    statuses = [row for row in rows if "Đã gửi" in row or "Trả lại" in row]
    assert len(statuses) >= 2
    assert current(assessment).status == Status.RETURNED


def test_history_of_another_province_is_not_found(client_as, nghean):
    from .conftest import registered

    assert client_as(nghean).get(f"/wards/{registered('01').unit.code}/2023/history/").status_code == 404


def test_who_started_verifying_and_when_read_as_a_person_and_a_local_time(client_as, ministry, hanoi, year2023):
    assessment = registered("01", status=Status.SUBMITTED).assessment
    criterion = assessment.registration.year.catalogue.criteria.get(number=19)
    save_results(assessment, Stage.VERIFIED, {criterion: Entry(ResultValue.NOT_MET, "Thiếu thiết bị")}, by=ministry,
                 version=assessment.version, scope=scope_for(ministry))
    started = Assessment.objects.get(pk=assessment.pk).verification_started_at
    html = client_as(hanoi).get(f"/wards/{assessment.registration.unit.code}/2023/history/").content.decode()
    with translation.override("vi"):
        when = formats.date_format(timezone.localtime(started), "SHORT_DATETIME_FORMAT")
    assert when in html and "+00:00" not in html, "a time as people read it, not as stored"
    assert "Trần Minh Đức" in html and "bo.demo" not in html, "the person who started, by name"
    # One save, one event: the verified result and the start of verification it recorded.
    saved = [row for row in html.split("<tr data-event>")[1:] if "Thiếu thiết bị" in row]
    assert len(saved) == 1 and "người bắt đầu thẩm định" in saved[0] and "→ <strong>Trần Minh Đức" in saved[0]
