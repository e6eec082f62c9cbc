import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from criteria.models import Assessment, Quota, Registration, Result, ResultValue
from criteria.workflow import TransitionRefused, register
from wards.models import Period, Province, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db


def free_unit(kind=UnitKind.WARD, period=Period.LEGACY, province="01"):
    return (
        Unit.objects.filter(period=period, kind=kind, province__code=province)
        .exclude(registrations__isnull=False)
        .order_by("code")
        .first()
    )


def test_register_creates_a_draft_assessment(year2023, hanoi):
    unit = free_unit()
    registration = register(year2023, unit, by=hanoi).registration
    assert registration.assessment.status == "draft"
    assert registration.created_by == hanoi


def test_one_registration_per_ward_and_year(year2023):
    existing = registered("01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(year=year2023, unit=existing.unit)


def test_registration_refuses_a_unit_of_another_period(year2023):
    unit = free_unit(period=Period.CURRENT)
    with pytest.raises(TransitionRefused) as excinfo:
        register(year2023, unit)
    assert "2023" in str(excinfo.value)
    assert not Registration.objects.filter(unit=unit).exists()


def test_registration_refuses_an_ineligible_unit_type(year2023):
    commune = free_unit(kind=UnitKind.COMMUNE)
    with pytest.raises(TransitionRefused) as excinfo:
        register(year2023, commune)
    assert commune.name in str(excinfo.value)
    assert not Registration.objects.filter(unit=commune).exists()


def test_eligible_types_are_configurable(year2023):
    year2023.eligible_kinds = [UnitKind.WARD, UnitKind.COMMUNE]
    year2023.save()
    commune = free_unit(kind=UnitKind.COMMUNE)
    assert register(year2023, commune).registration.unit == commune


def test_one_result_per_assessment_and_criterion(year2023):
    assessment = registered("01").assessment
    criterion = year2023.catalogue.criteria.get(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(assessment=assessment, criterion=criterion)


def test_result_values_are_checked_by_the_database():
    result = Result.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(self_value="maybe")


def test_one_quota_per_province_and_year(year2023):
    province = Province.objects.get(period=Period.LEGACY, code="01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(year=year2023, province=province, amount=3)


def test_quota_of_a_province_of_another_period_is_refused(year2023):
    quota = Quota(year=year2023, province=Province.objects.get(period=Period.CURRENT, code="01"), amount=1)
    with pytest.raises(ValidationError):
        quota.full_clean()


def test_legacy_unit_cannot_have_a_current_province_successor():
    province = Province.objects.get(period=Period.CURRENT, code="01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Province.objects.filter(pk=province.pk).update(successor=province)


def test_rescore_counts_in_the_database(year2023):
    assessment = registered("01").assessment
    Result.objects.filter(assessment=assessment, criterion__number__in=[1, 2, 3]).update(
        self_value=ResultValue.NOT_MET
    )
    assessment.rescore()
    assert assessment.self_met == 19
    assert Assessment.objects.get(pk=assessment.pk).self_met == 19


def test_rescore_keeps_which_criteria_are_not_met(year2023):
    assessment = registered("01").assessment
    Result.objects.filter(assessment=assessment, criterion__number__in=[1, 7, 22]).update(
        self_value=ResultValue.NOT_MET
    )
    Result.objects.filter(assessment=assessment, criterion__number=5).update(self_value=ResultValue.PENDING)
    assessment.rescore()
    assert assessment.self_not_met_numbers == [1, 7, 22]
    assert Assessment.objects.get(pk=assessment.pk).self_not_met == (1 << 0) | (1 << 6) | (1 << 21)


def test_a_registrations_year_and_unit_cannot_be_changed_in_the_admin(client_as, administrator, year2023):
    registration = registered("01")
    html = client_as(administrator).get(f"/admin/criteria/registration/{registration.pk}/change/").content.decode()
    assert registration.unit.name in html
    assert 'name="unit"' not in html and 'name="year"' not in html


def test_an_assessment_follows_its_unit_to_another_province(client_as, administrator, year2023):
    """Assessments repeat their unit's province: moving the unit (admin, load_units) moves them too."""
    import io

    from django.core.management import call_command

    from criteria.figures import year_summary

    registration = registered("01")
    unit = registration.unit
    elsewhere = Province.objects.get(period=Period.LEGACY, code="79")
    response = client_as(administrator).post(f"/admin/wards/unit/{unit.pk}/change/", {
        "province": elsewhere.pk, "district": unit.district_id or "", "name": unit.name,
        "short_name": unit.short_name, "kind": unit.kind,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Assessment.objects.get(registration=registration).province == elsewhere

    def by_province():
        legacy = Province.objects.filter(period=Period.LEGACY)
        return {row.province.code: row.registered for row in year_summary(year2023, legacy).provinces
                if row.province.code in ("01", "79")}

    def by_unit():
        rows = Registration.objects.filter(year=year2023, unit__province__code__in=["01", "79"])
        return {code: rows.filter(unit__province__code=code).count() for code in ("01", "79")}

    assert by_province() == by_unit()
    call_command("load_units", stdout=io.StringIO())  # the official list puts the unit back
    assert Assessment.objects.get(registration=registration).province.code == "01"
    assert by_province() == by_unit()


def test_renumbering_a_criterion_in_the_admin_recounts_the_not_met_masks(client_as, administrator, year2023):
    from reports import dashboard

    criterion = year2023.catalogue.criteria.get(number=18)
    missing = Result.objects.filter(criterion=criterion, self_value=ResultValue.NOT_MET)
    assert missing.exists()
    response = client_as(administrator).post(f"/admin/criteria/criterion/{criterion.pk}/change/", {
        "catalogue": criterion.catalogue_id, "group": criterion.group_id, "number": 30,
        "title": criterion.title, "title_en": criterion.title_en, "guidance": criterion.guidance,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    for assessment in Assessment.objects.filter(pk__in=missing.values("assessment")):
        assert 30 in assessment.self_not_met_numbers and 18 not in assessment.self_not_met_numbers
    criteria = list(year2023.catalogue.criteria.order_by("number"))
    gaps = {gap.criterion.pk: gap for gap in dashboard.criteria_gaps(year2023, None, len(criteria), criteria)}
    assert gaps[criterion.pk].expected == missing.filter(assessment__status__in=["submitted", "returned",
                                                                                "verified"]).count()
