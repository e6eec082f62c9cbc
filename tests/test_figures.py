"""The figures mean one thing everywhere: each one recounted from the raw rows after every step of the workflow."""

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.access import Role, Scope
from criteria.figures import NEAR_MISS_SHORT, STATUSES, programme_years, year_summary
from criteria.models import Assessment, Registration, Result, ResultValue, Stage, Status
from criteria.scoring import band_keys, band_of
from criteria.workflow import (
    Entry,
    TransitionRefused,
    register,
    reopen,
    return_to_province,
    save_results,
    submit,
    verify,
    withdraw,
)
from reports.current_map import roll_up
from wards.models import Period, Province, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db


def summary_json(client):
    return json.loads(client.get("/reports/2023/summary.json").content)


# --- the acceptance on the demo -------------------------------------------------


def test_returning_a_ward_moves_it_from_waiting_to_returned(client_as, ministry):
    client = client_as(ministry)
    before = summary_json(client)
    ward = registered("01", status=Status.SUBMITTED)
    response = client.post(f"/wards/{ward.unit.code}/2023/return/",
                           {"version": ward.assessment.version, "reason": "Thiếu biên bản kiểm tra"})
    assert response.status_code == 302
    after = summary_json(client)
    assert after["status"]["submitted"] == before["status"]["submitted"] - 1
    assert after["status"]["returned"] == before["status"]["returned"] + 1
    assert after["submitted"] == before["submitted"]  # submitted at least once, still
    assert after["expected"] == before["expected"]  # its band as submitted stays
    hanoi_before = next(p for p in before["provinces"] if p["code"] == "01")
    hanoi_after = next(p for p in after["provinces"] if p["code"] == "01")
    assert hanoi_after["status"]["returned"] == hanoi_before["status"]["returned"] + 1


def test_registering_a_ward_adds_a_draft_and_no_band(client_as, hanoi):
    client = client_as(hanoi)
    before = summary_json(client)
    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True).order_by("code").first()
    assert client.post("/reports/2023/provinces/01/register/", {"unit": unit.pk}).status_code == 302
    after = summary_json(client)
    assert after["registered"] == before["registered"] + 1
    assert after["status"]["draft"] == before["status"]["draft"] + 1
    assert (after["expected"], after["verified"], after["near_misses"]) == (
        before["expected"], before["verified"], before["near_misses"])
    page = client.get(f"/wards/{unit.code}/2023/").content.decode()
    assert 'data-band="expected">—<' in page  # an empty draft is in no band


def test_a_returned_ward_keeps_its_band_as_submitted_while_it_is_corrected(hanoi, ministry, year2023):
    ward = registered("01", status=Status.SUBMITTED)
    assessment = ward.assessment
    size = year2023.catalogue.criteria.count()
    as_submitted = assessment.submitted_self_met
    returned = return_to_province(assessment, scope=Scope(ministry, Role.MINISTRY), version=assessment.version,
                                  reason="Bổ sung hồ sơ")
    criterion = year2023.catalogue.criteria.order_by("number").first()
    save_results(returned, Stage.SELF, {criterion: Entry(ResultValue.NOT_MET, "đang khắc phục")}, by=hanoi,
                 version=returned.version, scope=Scope(hanoi, Role.PROVINCE))
    corrected = Assessment.objects.get(pk=assessment.pk)
    assert corrected.submitted_self_met == as_submitted
    assert corrected.self_met == as_submitted - 1
    summary = year_summary(year2023, Province.objects.filter(pk=ward.unit.province_id))
    counted = Assessment.objects.filter(province=ward.unit.province, year=year2023, status__in=[
        Status.SUBMITTED, Status.RETURNED, Status.VERIFIED], submitted_self_met=as_submitted).count()
    assert summary.total.expected[band_of(as_submitted, size)] == counted


# --- the invariant ----------------------------------------------------------------------


def recount(year, size, provinces, as_submitted):
    """Every figure from the raw rows: registrations, statuses and criterion results, no stored score."""
    figures = {"registered": 0, "status": dict.fromkeys(STATUSES, 0), "expected": dict.fromkeys(band_keys(size), 0),
               "verified": dict.fromkeys(band_keys(size), 0), "near_misses": 0, "recognised": set()}
    met = {}
    for assessment_id, stage_value, verified_value in Result.objects.filter(
        assessment__registration__year=year, assessment__registration__unit__province__in=provinces
    ).values_list("assessment_id", "self_value", "verified_value"):
        counts = met.setdefault(assessment_id, [0, 0])
        counts[0] += stage_value == ResultValue.MET
        counts[1] += verified_value == ResultValue.MET
    for pk, status, unit_id in Registration.objects.filter(year=year, unit__province__in=provinces).values_list(
        "assessment__pk", "assessment__status", "unit_id"
    ):
        figures["registered"] += 1
        figures["status"][status] += 1
        verified_met = met.get(pk, [0, 0])[1]
        if status != Status.DRAFT:
            figures["expected"][band_of(as_submitted[pk], size)] += 1
        if status == Status.VERIFIED:
            figures["verified"][band_of(verified_met, size)] += 1
            if verified_met >= size:
                figures["recognised"].add(unit_id)
        standing = verified_met if status == Status.VERIFIED else as_submitted.get(pk)
        if status != Status.DRAFT and size - standing in NEAR_MISS_SHORT:
            figures["near_misses"] += 1
    figures["recognised"] = len(figures["recognised"])
    return figures


def as_recounted(figures):
    return {
        "registered": figures.registered, "status": dict(figures.status), "expected": figures.expected,
        "verified": figures.verified, "near_misses": figures.near_misses, "recognised": figures.recognised,
    }


ACTIONS = ["register", "save", "submit", "return", "verify", "reopen", "withdraw"]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=5),
              st.lists(st.booleans(), min_size=22, max_size=22)),
    min_size=1, max_size=12,
))
def test_every_figure_equals_a_recount_after_every_step(year2023, hanoi, ministry, steps):
    provinces = Province.objects.filter(period=Period.LEGACY, code__in=["01", "40"])
    province_scope = Scope(hanoi, Role.PROVINCE)
    ministry_scope = Scope(ministry, Role.MINISTRY)
    criteria = list(year2023.catalogue.criteria.order_by("number"))
    size = len(criteria)
    years = programme_years()
    with transaction.atomic():
        registered_units = list(Unit.objects.filter(
            province__code="01", period=Period.LEGACY, registrations__year=year2023).order_by("code")[:3])
        free_units = list(Unit.objects.filter(
            province__code="01", period=Period.LEGACY, kind=UnitKind.WARD,
            registrations__isnull=True).order_by("code")[:3])
        wards = registered_units + free_units
        # What each assessment was last submitted with: the demo's, then what each step submits.
        as_submitted = dict(Assessment.objects.filter(year=year2023).exclude(status=Status.DRAFT)
                            .values_list("pk", "self_met"))
        for action, index, values in steps:
            unit = wards[index]
            assessment = Assessment.objects.filter(unit=unit, year=year2023).first()
            try:
                if action == "register":
                    register(year2023, unit, by=hanoi)
                elif assessment is None:
                    continue
                elif action == "save":
                    stage = Stage.VERIFIED if assessment.status == Status.SUBMITTED else Stage.SELF
                    scope = ministry_scope if stage == Stage.VERIFIED else province_scope
                    entries = {c: Entry(ResultValue.MET if met else ResultValue.NOT_MET)
                               for c, met in zip(criteria, values)}
                    save_results(assessment, stage, entries, by=scope.user, version=assessment.version,
                                 scope=scope)
                elif action == "submit":
                    done = submit(assessment, scope=province_scope, version=assessment.version)
                    as_submitted[done.pk] = Result.objects.filter(
                        assessment=done, self_value=ResultValue.MET).count()
                elif action == "return":
                    return_to_province(assessment, scope=ministry_scope, version=assessment.version,
                                       reason="Bổ sung")
                elif action == "verify":
                    verify(assessment, scope=ministry_scope, version=assessment.version)
                elif action == "withdraw":
                    withdraw(assessment, scope=province_scope, version=assessment.version, reason="Nộp nhầm")
                else:
                    reopen(assessment, scope=ministry_scope, version=assessment.version, reason="Xem lại")
            except TransitionRefused:
                pass  # refused steps change nothing: the figures must still hold

            summary = year_summary(year2023, provinces, years=years)
            expected = recount(year2023, size, provinces, as_submitted)
            assert as_recounted(summary.total) == expected, (action, unit.code)
            assert sum(summary.total.status.values()) == summary.total.registered
            for row in summary.provinces:
                assert sum(row.status.values()) == row.registered
            current = roll_up(summary, years, year2023.eligible_kinds)
            assert as_recounted(current.total) == as_recounted(summary.total)
            assert current.total.covered <= current.total.recognised
        transaction.set_rollback(True)


def test_a_request_reads_the_programme_years_once_and_afresh_after_a_change(year2023, django_assert_num_queries):
    import datetime

    from criteria.access import get_year_or_404
    from criteria.calendar import _year_extensions
    from criteria.figures import years_read_once
    from criteria.models import Extension, ProgrammeYear, Window

    with years_read_once():
        with django_assert_num_queries(1):
            years = programme_years()
            years.clear()  # each caller gets a list of its own
            assert get_year_or_404(2023).size == 22 and [y.year for y in programme_years()] == [2023]
        # Saved through another instance (a form, the admin): the next read sees it.
        other = ProgrammeYear.objects.get(year=2023)
        other.is_open = not other.is_open
        other.save()
        with django_assert_num_queries(1):
            assert get_year_or_404(2023).is_open == other.is_open
            assert get_year_or_404(2023).is_open == other.is_open
        last = other.catalogue.criteria.order_by("number").last()
        other.catalogue.criteria.create(group=last.group, number=23, title="Tiêu chí thử", title_en="Test")
        assert get_year_or_404(2023).size == 23  # what `size` counts
        # A year object keeps the extensions it has read; a new extension gives a fresh one.
        held = get_year_or_404(2023)
        assert _year_extensions(held) == []
        Extension.objects.create(year=held, window=Window.SELF_ASSESSMENT, until=datetime.date(2023, 12, 31),
                                 province=Province.objects.get(period=Period.LEGACY, code="01"), reason="Lũ lụt")
        assert len(_year_extensions(get_year_or_404(2023))) == 1
        assert len(_year_extensions(held)) == 1  # the object a view holds reads them again too
    # Outside a request (commands, tests), every call reads the table.
    with django_assert_num_queries(2):
        programme_years()
        programme_years()
