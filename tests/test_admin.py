"""The Django admin: it shows assessments but never changes them, and its pages stay cheap.

Assessments, their results and registrations change only through criteria.workflow
(version check, completeness check, a reason in the history). A catalogue, criterion
or programme year in use cannot be deleted, and the delete page says so with counts
instead of listing thousands of rows.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import RestrictedError
from django.urls import reverse

from criteria.access import scope_for

from criteria.models import (
    Assessment,
    CatalogueVersion,
    CriterionGroup,
    ProgrammeYear,
    Registration,
    Result,
    ResultValue,
    Status,
)
from criteria.workflow import attach_evidence, register
from wards.models import Period, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_as, administrator):
    client = client_as(administrator)
    client.cookies["django_language"] = "en"  # messages are matched in English here
    return client


def snapshot(assessment):
    """Everything the workflow guards on one assessment, and how much history it has."""
    assessment = Assessment.objects.get(pk=assessment.pk)
    return {
        "fields": [assessment.status, assessment.version, assessment.submitted_at, assessment.verified_at,
                   assessment.self_met, assessment.verified_met, assessment.updated_by_id],
        "results": list(assessment.results.order_by("pk").values_list(
            "self_value", "self_note", "verified_value", "verified_note")),
        "history": Assessment.history.filter(id=assessment.pk).count(),
        "result_history": Result.history.filter(assessment_id=assessment.pk).count(),
        "registration_history": Registration.history.filter(id=assessment.registration_id).count(),
    }


def test_an_assessment_is_shown_read_only_with_a_link_to_its_ward(admin_client):
    assessment = registered("01", status=Status.SUBMITTED).assessment
    response = admin_client.get(f"/admin/criteria/assessment/{assessment.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="status"' not in html and 'name="version"' not in html and 'name="results-0-self_value"' not in html
    assert reverse("wards:ward", kwargs={"code": assessment.registration.unit.code, "year": 2023}) in html
    assert "/delete/" not in html and 'name="_save"' not in html


def test_an_admin_post_changes_no_assessment(admin_client, administrator):
    """Status, dates, version and results stay as the workflow left them; no history row appears."""
    assessment = registered("01", status=Status.SUBMITTED).assessment
    results = list(assessment.results.order_by("pk"))
    before = snapshot(assessment)
    url = f"/admin/criteria/assessment/{assessment.pk}/change/"
    data = {
        "status": Status.VERIFIED, "version": assessment.version + 5,
        "submitted_at_0": "2023-01-01", "submitted_at_1": "00:00:00",
        "verified_at_0": "2023-01-02", "verified_at_1": "00:00:00",
        "results-TOTAL_FORMS": len(results), "results-INITIAL_FORMS": len(results),
        "results-MIN_NUM_FORMS": 0, "results-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for i, result in enumerate(results):
        data.update({f"results-{i}-id": result.pk, f"results-{i}-assessment": assessment.pk,
                     f"results-{i}-criterion": result.criterion_id, f"results-{i}-self_value": ResultValue.NOT_MET,
                     f"results-{i}-verified_value": ResultValue.MET, f"results-{i}-verified_note": "admin"})

    assert admin_client.post(url, data).status_code == 403
    assert admin_client.post(f"/admin/criteria/assessment/{assessment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post("/admin/criteria/assessment/add/", {"registration": assessment.registration_id,
                                                                  "status": Status.VERIFIED}).status_code == 403
    admin_client.post("/admin/criteria/assessment/", {"action": "delete_selected",
                                                      "_selected_action": [assessment.pk], "post": "yes"})
    registration = f"/admin/criteria/registration/{assessment.registration_id}/"
    assert admin_client.post(registration + "change/", {"year": 2023, "unit": 1}).status_code == 403
    assert admin_client.post(registration + "delete/", {"post": "yes"}).status_code == 403

    assert snapshot(assessment) == before


def test_a_catalogue_in_use_cannot_be_deleted_and_says_why(admin_client, year2023):
    catalogue = year2023.catalogue
    results = Result.objects.filter(criterion__catalogue=catalogue).count()
    assert results > 1000
    url = f"/admin/criteria/catalogueversion/{catalogue.pk}/delete/"

    html = admin_client.get(url).content.decode()
    assert "This criteria catalogue is used by 1 programme year" in html
    assert f"{results:,} criterion results" in html and "it cannot be deleted." in html
    assert html.count("<li>") < 50  # no list of the results

    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert CatalogueVersion.objects.filter(pk=catalogue.pk).exists()
    assert Result.objects.filter(criterion__catalogue=catalogue).count() == results


def test_a_catalogue_in_use_offers_no_delete_boxes_for_its_criteria_and_groups(admin_client, year2023):
    html = admin_client.get(f"/admin/criteria/catalogueversion/{year2023.catalogue_id}/change/").content.decode()
    assert 'name="criteria-0-title"' in html
    assert "-DELETE" not in html


def test_deleting_catalogues_from_the_list_is_refused_in_one_sentence(admin_client, year2023):
    response = admin_client.post("/admin/criteria/catalogueversion/", {
        "action": "delete_selected", "_selected_action": [year2023.catalogue_id], "post": "yes",
    })
    assert response.status_code == 200
    assert "This criteria catalogue is used by 1 programme year" in response.content.decode()
    assert CatalogueVersion.objects.filter(pk=year2023.catalogue_id).exists()


def test_a_criterion_and_a_year_in_use_cannot_be_deleted(admin_client, year2023):
    criterion = year2023.catalogue.criteria.get(number=1)
    html = admin_client.get(f"/admin/criteria/criterion/{criterion.pk}/delete/").content.decode()
    used = criterion.results.count()
    assert f"This criterion is used by {used:,} criterion results" in html

    html = admin_client.get(f"/admin/criteria/programmeyear/{year2023.pk}/delete/").content.decode()
    count = year2023.registrations.count()
    assert f"This programme year is used by {count:,} registrations and {count:,} assessments: " in html
    admin_client.post(f"/admin/criteria/programmeyear/{year2023.pk}/delete/", {"post": "yes"})
    assert ProgrammeYear.objects.filter(pk=year2023.pk).exists()


def test_an_unused_catalogue_is_deleted_with_its_groups_and_criteria(admin_client):
    catalogue = CatalogueVersion.objects.create(code="nhap", title="Bản nháp")
    group = catalogue.groups.create(position=1, title="Nhóm", title_en="Group")
    catalogue.criteria.create(group=group, number=1, title="Tiêu chí", title_en="Criterion")
    url = f"/admin/criteria/catalogueversion/{catalogue.pk}/delete/"

    html = admin_client.get(url).content.decode()
    assert "Are you sure" in html and "Tiêu chí" in html
    html = admin_client.get(f"/admin/criteria/catalogueversion/{catalogue.pk}/change/").content.decode()
    assert 'name="criteria-0-DELETE"' in html and 'name="groups-0-DELETE"' in html

    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not CatalogueVersion.objects.filter(pk=catalogue.pk).exists()
    assert not CriterionGroup.objects.filter(pk=group.pk).exists()


def test_a_group_with_criteria_is_not_deleted_alone(year2023):
    group = year2023.catalogue.groups.order_by("position").first()
    with pytest.raises(RestrictedError):
        group.delete()


def test_an_evidence_file_keeps_its_criterion(admin_client, year2023, hanoi):
    """Evidence is not in the admin; its criterion still counts as in use."""
    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True).order_by("code").first()
    assessment = register(year2023, unit, by=hanoi).registration.assessment
    criterion = year2023.catalogue.criteria.get(number=3)
    attach_evidence(assessment, criterion, SimpleUploadedFile("e.pdf", b"%PDF-1.4\n%%EOF\n"),
                    scope=scope_for(hanoi), content_type="application/pdf")
    html = admin_client.get(f"/admin/criteria/criterion/{criterion.pk}/delete/").content.decode()
    assert "and 1 evidence file: it cannot be deleted." in html


def admin_url(year2023, model, view):
    """The changelist ("") or an object's change or delete page for one demo object."""
    if not view:
        return f"/admin/criteria/{model}/"
    assessment = registered("01", status=Status.SUBMITTED).assessment
    pk = {
        "catalogueversion": year2023.catalogue_id,
        "criterion": year2023.catalogue.criteria.get(number=1).pk,
        "programmeyear": year2023.pk,
        "assessment": assessment.pk,
        "registration": assessment.registration_id,
    }[model]
    return f"/admin/criteria/{model}/{pk}/{view}/"


# Every page starts with the session and the user and ends with the programme years
# for the menu: 3 queries. The changelists count their rows twice (filtered, then all).
BUDGETS = [
    # the counts; the rows
    ("catalogueversion", "", 6),
    # the catalogue; whether a year uses it (no delete boxes then); the group inline's
    # count and rows; the groups for the criterion rows' select (read once, not once
    # per row); the criterion rows; the content type
    ("catalogueversion", "change", 10),
    # the catalogue; how many years, results and evidence files keep it
    ("catalogueversion", "delete", 7),
    # the catalogue and group filters; the counts; the rows with catalogue and group
    ("criterion", "", 8),
    # the criterion; the content type; the catalogue and group selects
    ("criterion", "change", 7),
    # the criterion; how many results and evidence files keep it
    ("criterion", "delete", 6),
    # the counts; the rows with their catalogue
    ("programmeyear", "", 6),
    # the year; the content type; the catalogue select
    ("programmeyear", "change", 6),
    # the year; how many registrations and assessments keep it
    ("programmeyear", "delete", 6),
    # the year filter; the counts; the rows with registration, unit and year
    ("assessment", "", 7),
    # the assessment with registration, unit and year; its results with their
    # criteria; the content type
    ("assessment", "change", 6),
    # the year filter; the counts; the rows with unit and year
    ("registration", "", 7),
    # the registration with unit, year and author; the content type
    ("registration", "change", 5),
]


@pytest.mark.parametrize(("model", "view", "budget"), BUDGETS)
def test_admin_pages_run_a_bounded_number_of_queries(admin_client, year2023, django_assert_max_num_queries,
                                                    model, view, budget):
    """Before: the catalogue's delete page ran 15,146 queries on the demo, the
    assessment's change page 141, the criterion's and year's delete pages about 700."""
    url = admin_url(year2023, model, view)
    with django_assert_max_num_queries(budget):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_the_admin_speaks_of_the_programme_not_of_django(client_as, administrator):
    html = client_as(administrator).get("/admin/").content.decode()
    assert "Quản trị Kiểu Mẫu" in html and "Dữ liệu chương trình" in html
    assert "Django" not in html.split("<body", 1)[1].split("</header>", 1)[0]
