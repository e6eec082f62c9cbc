"""The ministry entering (or importing, or submitting) a province's self-assessment on its behalf,
the rule that someone else verifies it, and the province withdrawing its submission."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from criteria.access import scope_for
from criteria.models import Assessment, Notification, NotificationKind, Result, ResultValue, Stage, Status
from criteria.workflow import (
    Entry,
    TransitionRefused,
    register,
    return_to_province,
    save_results,
    submit,
    verify,
    withdraw,
)
from wards.models import Period, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(year2023, hanoi):
    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True).order_by("code").first()
    return register(year2023, unit, by=hanoi).registration.assessment


def current(assessment):
    return Assessment.objects.select_related("registration__unit__province").get(pk=assessment.pk)


def form_data(assessment, value=ResultValue.MET, overrides=None):
    data = {"version": current(assessment).version}
    for criterion in assessment.registration.year.catalogue.criteria.all():
        data[f"c{criterion.number}_value"] = (overrides or {}).get(criterion.number, value)
        data[f"c{criterion.number}_note"] = ""
    return data


def fill(assessment, user, value=ResultValue.MET):
    entries = {c: Entry(value) for c in assessment.registration.year.catalogue.criteria.all()}
    save_results(assessment, Stage.SELF, entries, by=user, version=current(assessment).version,
                 scope=scope_for(user))


def summary_json(client):
    return json.loads(client.get("/reports/2023/summary.json").content)


# --- entry on the province's behalf ---------------------------------------------------------


def test_the_ministry_enters_a_draft_and_the_history_names_it_and_the_province(client_as, ministry, draft):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    url = f"/wards/{draft.registration.unit.code}/2023/assess/self/"
    assert client.get(url).status_code == 200
    assert client.post(url, form_data(draft)).status_code == 302
    reasons = set(Result.history.filter(assessment_id=draft.pk).values_list("history_change_reason", flat=True))
    assert reasons == {"Entered by the ministry on behalf of Thành phố Hà Nội"}
    assert set(Result.history.filter(assessment_id=draft.pk).values_list("history_user__username", flat=True)) == {
        "bo.demo"}
    history = client.get(f"/wards/{draft.registration.unit.code}/2023/history/").content.decode()
    assert "bo.demo" in history and "Entered by the ministry on behalf of Thành phố Hà Nội" in history
    ward = client.get(f"/wards/{draft.registration.unit.code}/2023/").content.decode()
    assert "data-on-behalf" in ward
    province = client.get("/reports/2023/provinces/01/?q=" + draft.registration.unit.code).content.decode()
    assert "data-on-behalf" in province


def test_the_ministry_enters_a_returned_self_assessment_of_any_province(client_as, ministry):
    ward = registered("40", status=Status.RETURNED) or registered("40", status=Status.SUBMITTED)
    assessment = ward.assessment
    if assessment.status == Status.SUBMITTED:
        assessment = return_to_province(assessment, scope=scope_for(ministry), version=assessment.version,
                                        reason="Bổ sung")
    client = client_as(ministry)
    url = f"/wards/{ward.unit.code}/2023/assess/self/"
    assert client.get(url).status_code == 200
    assert client.post(url, form_data(assessment, overrides={1: ResultValue.NOT_MET})).status_code == 302
    record = Result.history.filter(assessment_id=assessment.pk).order_by("-history_date").first()
    assert record.history_user == ministry
    assert ward.unit.province.name in record.history_change_reason


def test_the_ministry_may_not_enter_a_submitted_self_assessment(client_as, ministry):
    ward = registered("01", status=Status.SUBMITTED)
    assert client_as(ministry).get(f"/wards/{ward.unit.code}/2023/assess/self/").status_code == 403


def test_the_province_corrects_it_and_it_counts_like_its_own(client_as, hanoi, ministry, draft):
    fill(draft, ministry, ResultValue.MET)
    province = client_as(hanoi)
    assert "data-on-behalf" in province.get(f"/wards/{draft.registration.unit.code}/2023/").content.decode()
    url = f"/wards/{draft.registration.unit.code}/2023/assess/self/"
    assert province.post(url, form_data(draft, overrides={22: ResultValue.NOT_MET})).status_code == 302
    assert current(draft).self_met == 21
    before = summary_json(province)
    submit(draft, scope=scope_for(ministry), version=current(draft).version)  # submitted on behalf, too
    after = summary_json(province)
    assert after["status"]["submitted"] == before["status"]["submitted"] + 1
    assert after["submitted"] == before["submitted"] + 1
    assert current(draft).submitted_self_met == 21
    reason = current(draft).history.first().history_change_reason
    assert "Hà Nội" in reason


def test_the_ministry_imports_on_the_province_s_behalf(client_as, ministry, draft):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    url = "/reports/2023/provinces/01/import/"
    header = ",".join(["Mã phường"] + [f"TC{n}" for n in range(1, 23)])
    line = ",".join([draft.registration.unit.code] + ["Đạt"] * 22)
    response = client.post(url, {"file": SimpleUploadedFile("giay.csv", f"{header}\n{line}\n".encode())})
    assert response.status_code == 200
    token = response.content.decode().split('name="token" value="')[1].split('"')[0]
    assert client.post(url + "apply/", {"token": token}).status_code == 302
    assert current(draft).self_met == 22
    reasons = set(Result.history.filter(assessment_id=draft.pk).values_list("history_change_reason", flat=True))
    assert reasons == {"Imported by the ministry on behalf of Thành phố Hà Nội from giay.csv"}


# --- who verifies what the ministry entered -----------------------------------------------


def test_who_entered_it_does_not_verify_it(settings, ministry, hanoi, administrator, draft):
    settings.MINISTRY_MAY_VERIFY_OWN_ENTRY = False
    fill(draft, ministry)
    submitted = submit(draft, scope=scope_for(ministry), version=current(draft).version)
    with translation.override("en"), pytest.raises(TransitionRefused, match="another member"):
        verify(submitted, scope=scope_for(ministry), version=submitted.version)
    with translation.override("en"), pytest.raises(TransitionRefused, match="another member"):
        return_to_province(submitted, scope=scope_for(ministry), version=submitted.version, reason="x")
    assert current(draft).status == Status.SUBMITTED
    # someone else does
    entries = {c: Entry(ResultValue.MET) for c in draft.registration.year.catalogue.criteria.all()}
    save_results(submitted, Stage.VERIFIED, entries, by=administrator, version=current(draft).version,
                 scope=scope_for(administrator))
    assert verify(draft, scope=scope_for(administrator), version=current(draft).version).status == Status.VERIFIED


def test_the_rule_looks_at_the_current_submission_only(settings, ministry, hanoi, administrator, draft):
    settings.MINISTRY_MAY_VERIFY_OWN_ENTRY = False
    fill(draft, ministry)
    submitted = submit(draft, scope=scope_for(hanoi), version=current(draft).version)
    with pytest.raises(TransitionRefused):
        verify(submitted, scope=scope_for(ministry), version=submitted.version)
    returned = return_to_province(submitted, scope=scope_for(administrator), version=submitted.version,
                                  reason="Bổ sung")
    fill(returned, hanoi, ResultValue.NOT_MET)
    fill(returned, hanoi, ResultValue.MET)
    resubmitted = submit(returned, scope=scope_for(hanoi), version=current(draft).version)
    # entered by the province this time: bo.demo may return it
    assert return_to_province(resubmitted, scope=scope_for(ministry), version=resubmitted.version,
                              reason="Thiếu biên bản").status == Status.RETURNED


def test_the_setting_lets_who_entered_it_verify_it(settings, ministry, draft):
    settings.MINISTRY_MAY_VERIFY_OWN_ENTRY = True
    fill(draft, ministry)
    submitted = submit(draft, scope=scope_for(ministry), version=current(draft).version)
    entries = {c: Entry(ResultValue.MET) for c in draft.registration.year.catalogue.criteria.all()}
    save_results(submitted, Stage.VERIFIED, entries, by=ministry, version=current(draft).version,
                 scope=scope_for(ministry))
    assert verify(draft, scope=scope_for(ministry), version=current(draft).version).status == Status.VERIFIED


# --- withdrawing a submission -------------------------------------------------------------


@pytest.fixture
def submitted(draft, hanoi):
    fill(draft, hanoi)
    return submit(draft, scope=scope_for(hanoi), version=current(draft).version)


def test_the_province_withdraws_its_submission(client_as, hanoi, ministry, submitted,
                                               django_capture_on_commit_callbacks):
    client = client_as(hanoi)
    client.cookies["django_language"] = "en"
    code = submitted.registration.unit.code
    page = client.get(f"/wards/{code}/2023/").content.decode()
    assert f"/wards/{code}/2023/withdraw/" in page
    before = summary_json(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/wards/{code}/2023/withdraw/",
                               {"version": submitted.version, "reason": "Nộp nhầm số liệu"})
    assert response.status_code == 302
    withdrawn = current(submitted)
    assert withdrawn.status == Status.RETURNED
    assert withdrawn.history.first().history_change_reason == "Withdrawn by the province: Nộp nhầm số liệu"
    after = summary_json(client)
    assert after["submitted"] == before["submitted"]  # submitted once, it keeps its band while corrected
    assert after["status"]["returned"] == before["status"]["returned"] + 1
    told = Notification.objects.get(user=ministry, kind=NotificationKind.WITHDRAWN, registration=withdrawn.registration)
    assert told.reason == "Nộp nhầm số liệu"
    assert not Notification.objects.filter(user=hanoi, kind=NotificationKind.WITHDRAWN).exists()
    # the page and the home queue show the withdrawal, still after the province's corrections
    fill(withdrawn, hanoi, ResultValue.NOT_MET)
    page = client.get(f"/wards/{code}/2023/").content.decode()
    assert "Withdrawn by the province" in page and "Nộp nhầm số liệu" in page
    assert "Withdrawn by the province: Nộp nhầm số liệu" in client.get("/").content.decode()
    # and it is submitted again as after a return
    fill(withdrawn, hanoi)
    assert submit(withdrawn, scope=scope_for(hanoi), version=current(withdrawn).version).status == Status.SUBMITTED


def test_withdrawing_needs_a_reason(client_as, hanoi, submitted):
    code = submitted.registration.unit.code
    response = client_as(hanoi).post(f"/wards/{code}/2023/withdraw/", {"version": submitted.version, "reason": "  "})
    assert response.status_code == 302
    assert current(submitted).status == Status.SUBMITTED
    with translation.override("en"), pytest.raises(TransitionRefused, match="reason"):
        withdraw(submitted, scope=scope_for(hanoi), version=submitted.version, reason="")


def test_no_withdrawing_once_verification_started(client_as, hanoi, ministry, submitted):
    Assessment.objects.filter(pk=submitted.pk).update(verification_started_at=timezone.now(),
                                                      verification_started_by=ministry)
    client = client_as(hanoi)
    client.cookies["django_language"] = "en"
    code = submitted.registration.unit.code
    page = client.get(f"/wards/{code}/2023/").content.decode()
    assert f"/wards/{code}/2023/withdraw/" not in page
    assert "data-withdraw-refusal" in page
    response = client.post(f"/wards/{code}/2023/withdraw/", {"version": submitted.version, "reason": "Nộp nhầm"},
                           follow=True)
    assert "can no longer be withdrawn" in response.content.decode()
    assert current(submitted).status == Status.SUBMITTED


def test_the_ministry_does_not_withdraw(ministry, submitted):
    with pytest.raises(TransitionRefused) as excinfo:
        withdraw(submitted, scope=scope_for(ministry), version=submitted.version, reason="x")
    assert excinfo.value.forbidden
