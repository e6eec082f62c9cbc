import pytest
from django.utils import translation

from criteria.access import scope_for
from criteria.models import Assessment, Result, ResultValue, Stage, Status
from criteria.workflow import (
    ConflictError,
    Entry,
    TransitionRefused,
    register,
    reopen,
    return_to_province,
    save_results,
    submit,
    verify,
)
from wards.models import Period, Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Refusal messages are matched in English here; pages test the Vietnamese."""
    with translation.override("en"):
        yield


@pytest.fixture
def draft(year2023, hanoi):
    """A fresh registration of a Hà Nội ward, its assessment in draft."""
    unit = Unit.objects.filter(
        period=Period.LEGACY, kind=UnitKind.WARD, province__code="01", registrations__isnull=True
    ).first()
    return register(year2023, unit, by=hanoi).registration.assessment


def fill(assessment, user, stage, value=ResultValue.MET, overrides=None):
    criteria = assessment.registration.year.catalogue.criteria.all()
    entries = {c: Entry((overrides or {}).get(c.number, value), "") for c in criteria}
    saved, _changed = save_results(
        assessment, stage, entries, by=user, version=Assessment.objects.get(pk=assessment.pk).version,
        scope=scope_for(user),
    )
    return saved


def current(assessment):
    return Assessment.objects.get(pk=assessment.pk)


def test_full_path_submit_return_resubmit_verify(draft, hanoi, ministry):
    province, bo = scope_for(hanoi), scope_for(ministry)
    fill(draft, hanoi, Stage.SELF, overrides={18: ResultValue.NOT_MET})
    submitted = submit(draft, scope=province, version=current(draft).version)
    assert submitted.status == Status.SUBMITTED and submitted.self_met == 21

    returned = return_to_province(submitted, scope=bo, version=submitted.version, reason="Thiếu hồ sơ trụ sở")
    assert returned.status == Status.RETURNED

    fill(returned, hanoi, Stage.SELF)
    resubmitted = submit(returned, scope=province, version=current(returned).version)
    assert resubmitted.self_met == 22

    fill(resubmitted, ministry, Stage.VERIFIED, overrides={20: ResultValue.NOT_MET})
    verified = verify(resubmitted, scope=bo, version=current(resubmitted).version)
    assert verified.status == Status.VERIFIED
    assert (verified.self_met, verified.verified_met) == (22, 21)  # both kept, side by side
    reasons = list(verified.history.values_list("history_change_reason", flat=True))
    assert "Thiếu hồ sơ trụ sở" in reasons


def test_submission_freezes_the_self_assessment(draft, hanoi):
    fill(draft, hanoi, Stage.SELF)
    submit(draft, scope=scope_for(hanoi), version=current(draft).version)
    with pytest.raises(TransitionRefused, match="submitted"):
        fill(draft, hanoi, Stage.SELF, value=ResultValue.NOT_MET)
    assert current(draft).self_met == 22


def test_incomplete_self_assessment_cannot_be_submitted(draft, hanoi):
    fill(draft, hanoi, Stage.SELF, overrides={4: ResultValue.PENDING, 19: ResultValue.PENDING})
    with pytest.raises(TransitionRefused, match="4, 19"):
        submit(draft, scope=scope_for(hanoi), version=current(draft).version)
    assert current(draft).status == Status.DRAFT


@pytest.mark.parametrize("action", ["verify", "return", "reopen"])
def test_province_cannot_do_the_ministrys_transitions(draft, hanoi, action):
    functions = {"verify": verify, "return": return_to_province, "reopen": reopen}
    kwargs = {"reason": "x"} if action != "verify" else {}
    with pytest.raises(TransitionRefused) as excinfo:
        functions[action](draft, scope=scope_for(hanoi), version=draft.version, **kwargs)
    assert excinfo.value.forbidden


def test_ministry_does_not_edit_a_submitted_self_assessment(draft, hanoi, ministry):
    # A draft it may enter and submit on the province's behalf (tests/test_on_behalf.py); once
    # submitted, the self-assessment is frozen for the ministry as for the province.
    fill(draft, hanoi, Stage.SELF)
    submit(draft, scope=scope_for(hanoi), version=current(draft).version)
    with pytest.raises(TransitionRefused):
        fill(current(draft), ministry, Stage.SELF)


def test_return_needs_a_reason(draft, hanoi, ministry):
    fill(draft, hanoi, Stage.SELF)
    submitted = submit(draft, scope=scope_for(hanoi), version=current(draft).version)
    with pytest.raises(TransitionRefused, match="reason"):
        return_to_province(submitted, scope=scope_for(ministry), version=submitted.version, reason="   ")
    assert current(draft).status == Status.SUBMITTED


def test_wrong_state_says_why(draft, ministry):
    with pytest.raises(TransitionRefused, match="Only a submitted assessment can be verified") as excinfo:
        verify(draft, scope=scope_for(ministry), version=draft.version)
    assert not excinfo.value.forbidden


def test_verified_is_read_only_until_reopened(draft, hanoi, ministry):
    bo = scope_for(ministry)
    fill(draft, hanoi, Stage.SELF)
    submit(draft, scope=scope_for(hanoi), version=current(draft).version)
    with pytest.raises(TransitionRefused, match="Criteria not yet assessed"):
        verify(draft, scope=bo, version=current(draft).version)
    fill(draft, ministry, Stage.VERIFIED)
    verify(draft, scope=bo, version=current(draft).version)
    with pytest.raises(TransitionRefused, match="read-only"):
        fill(draft, ministry, Stage.VERIFIED, value=ResultValue.NOT_MET)
    with pytest.raises(TransitionRefused, match="reason"):
        reopen(draft, scope=bo, version=current(draft).version, reason="")
    reopened = reopen(draft, scope=bo, version=current(draft).version, reason="Phát hiện sai sót khi hậu kiểm")
    assert reopened.status == Status.SUBMITTED
    fill(draft, ministry, Stage.VERIFIED, overrides={1: ResultValue.NOT_MET})
    assert current(draft).verified_met == 21


def test_a_stale_version_is_refused(draft, hanoi):
    fill(draft, hanoi, Stage.SELF)
    with pytest.raises(ConflictError):
        submit(draft, scope=scope_for(hanoi), version=1)
    assert current(draft).status == Status.DRAFT


def test_closed_year_refuses_changes(draft, hanoi, year2023):
    fill(draft, hanoi, Stage.SELF)
    year2023.is_open = False
    year2023.save()
    with pytest.raises(TransitionRefused, match="closed"):
        submit(draft, scope=scope_for(hanoi), version=current(draft).version)


def test_a_failure_mid_save_leaves_the_previous_state(draft, hanoi, monkeypatch):
    fill(draft, hanoi, Stage.SELF)
    before = list(Result.objects.filter(assessment=draft).order_by("pk").values_list("self_value", "self_note"))
    version = current(draft).version

    def fail(self):
        raise RuntimeError("disk full")

    # The results are written, then the recount fails: the whole save must roll back.
    monkeypatch.setattr(Assessment, "rescore", fail)
    with pytest.raises(RuntimeError):
        fill(draft, hanoi, Stage.SELF, value=ResultValue.NOT_MET)
    assert list(Result.objects.filter(assessment=draft).order_by("pk").values_list("self_value", "self_note")) == before
    assert current(draft).version == version
    assert current(draft).self_met == 22


def test_register_warns_over_quota_but_does_not_block(year2023, hanoi):
    units = Unit.objects.filter(
        period=Period.LEGACY, kind=UnitKind.WARD, province__code="01", registrations__isnull=True
    )[:2]
    first = register(year2023, units[0], by=hanoi)
    second = register(year2023, units[1], by=hanoi)
    assert second.quota == 12
    assert second.registered == first.registered + 1
    assert second.over_quota_by == second.registered - 12 > 0
