"""The ministry's verify form: the province's result, note and files beside each criterion, and
accepting the self-assessed result, one criterion or all, as a deliberate step recorded in the history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from criteria.access import scope_for
from criteria.models import Assessment, Result, ResultValue, Stage, Status
from criteria.views.transitions import STALE
from criteria.workflow import (
    ACCEPTED,
    ConflictError,
    Entry,
    TransitionRefused,
    accept_self_assessed,
    attach_evidence,
    register,
    return_to_province,
    save_results,
    submit,
    verify,
)
from wards.models import Period, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def current(assessment):
    return Assessment.objects.get(pk=assessment.pk)


def new_ward(year, province_code, user):
    unit = Unit.objects.filter(
        period=Period.LEGACY, kind=UnitKind.WARD, province__code=province_code, registrations__isnull=True
    ).order_by("code").first()
    return register(year, unit, by=user).registration.assessment


def self_assess(assessment, user, files=(18,)):
    """Fill the self-assessment (18 not met, with a note), attach a file to `files`, and submit."""
    scope = scope_for(user)
    criteria = assessment.registration.year.catalogue.criteria.all()
    entries = {
        c: Entry(ResultValue.NOT_MET, "Trụ sở đang chờ bàn giao đất") if c.number == 18 else Entry(ResultValue.MET)
        for c in criteria
    }
    save_results(assessment, Stage.SELF, entries, by=user, version=current(assessment).version, scope=scope)
    for number in files:
        attach_evidence(
            assessment, criteria.get(number=number), SimpleUploadedFile(f"biên bản {number}.pdf", PDF),
            scope=scope, content_type="application/pdf",
        )
    return submit(assessment, scope=scope, version=current(assessment).version)


@pytest.fixture
def submitted(year2023, hanoi):
    """A Hà Nội ward just submitted: 21 of 22 met, criterion 18 not met with a note and a file."""
    return self_assess(new_ward(year2023, "01", hanoi), hanoi)


def form_url(assessment):
    unit = assessment.registration.unit
    return reverse("wards:assess", kwargs={"code": unit.code, "year": 2023, "stage": "verified"})


def accept_url(assessment):
    unit = assessment.registration.unit
    return reverse("wards:accept", kwargs={"code": unit.code, "year": 2023})


def verified_values(assessment):
    return dict(Result.objects.filter(assessment=assessment).values_list("criterion__number", "verified_value"))


def self_values(assessment):
    return dict(Result.objects.filter(assessment=assessment).values_list("criterion__number", "self_value"))


def vietnamese(text):
    """`text` as the pages show it (in Vietnamese once translated, in English until then)."""
    with translation.override("vi"):
        return gettext(str(text))


def accepted_entries(assessment):
    return Result.history.filter(assessment_id=assessment.pk, history_change_reason=str(ACCEPTED))


# --- the form -------------------------------------------------------------------------


def test_the_verify_form_shows_the_self_assessed_result_note_and_files(client_as, ministry, submitted):
    response = client_as(ministry).get(form_url(submitted))
    assert response.status_code == 200
    page = response.content.decode()
    assert vietnamese("Verify the results — %(year)s") % {"year": 2023} in page  # what the form is for ...
    assert f"{vietnamese(Stage.VERIFIED.label)} — 2023" not in page  # ... not that it is done already
    assert page.count("data-self=") == 22
    assert page.count('data-self="met"') == 21 and page.count('data-self="not_met"') == 1
    assert "Trụ sở đang chờ bàn giao đất" in page
    evidence = submitted.evidence.get()
    unit = submitted.registration.unit
    assert reverse("wards:evidence", kwargs={"code": unit.code, "year": 2023, "pk": evidence.pk}) in page
    assert "biên bản 18.pdf" in page
    assert page.count('form="accept-one"') == 22  # an accept button per criterion
    assert 'id="accept-all"' in page and "data-confirm=" in page
    # The ministry's own choice still starts at "not yet assessed": accepting is a deliberate step.
    assert 'name="c1_value" id="id_c1_value_2" value="pending" checked' in page


def test_the_page_costs_the_same_queries_whatever_the_files(client_as, ministry, year2023, hanoi, submitted):
    many = self_assess(new_ward(year2023, "01", hanoi), hanoi, files=range(1, 23))
    counts = query_counts(client_as(ministry), [form_url(submitted), form_url(many)])
    assert counts[0] == counts[1]
    # 1 session, 2 user, 3 the programme years (read once a request: the URL's year and the
    # menu's), 4 profile (role), 5 unit, 6 registration with its assessment, 7 criteria with
    # their groups, 8 results, 9 every file at once; the menu's 10 waiting count and 11 unread
    # notifications.
    assert counts[0] == 11


def query_counts(http, urls):
    """The queries each page of `urls` costs, after a first request has warmed the session and caches."""
    http.get(urls[0])
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        counts.append(len(queries))
    return counts


# --- accepting ------------------------------------------------------------------------


def test_accept_one_criterion(client_as, ministry, submitted):
    response = client_as(ministry).post(accept_url(submitted), {"version": submitted.version, "criterion": 18})
    assert response.status_code == 302
    assert response["Location"] == form_url(submitted) + "#criterion-18"
    after = current(submitted)
    assert verified_values(after)[18] == ResultValue.NOT_MET
    assert sorted(set(verified_values(after).values())) == [ResultValue.NOT_MET, ResultValue.PENDING]
    assert after.version == submitted.version + 1
    assert [e.criterion.number for e in accepted_entries(after)] == [18]
    # the ministry's note stays its own: the province's note is not copied
    assert Result.objects.get(assessment=after, criterion__number=18).verified_note == ""


def test_accept_all_then_verify_takes_two_steps_and_leaves_22_entries(client_as, ministry, submitted):
    http = client_as(ministry)
    response = http.post(accept_url(submitted), {"version": submitted.version})
    unit = submitted.registration.unit
    assert response["Location"] == reverse("wards:ward", kwargs={"code": unit.code, "year": 2023})
    accepted = current(submitted)
    assert accepted.status == Status.SUBMITTED  # accepting is not verifying
    assert verified_values(accepted) == self_values(accepted)
    assert (accepted.verified_met, accepted.verified_not_met) == (21, accepted.self_not_met)  # rescored
    assert accepted_entries(accepted).count() == 22
    assert accepted.history.first().history_change_reason == str(ACCEPTED)

    http.post(reverse("wards:verify", kwargs={"code": unit.code, "year": 2023}), {"version": accepted.version})
    verified = current(submitted)
    assert verified.status == Status.VERIFIED and verified.verified_met == 21
    assert accepted_entries(verified).count() == 22
    history = http.get(reverse("wards:history", kwargs={"code": unit.code, "year": 2023})).content.decode()
    assert history.count(vietnamese(ACCEPTED)) >= 1


def test_accepting_again_changes_nothing(ministry, submitted):
    criteria = list(submitted.registration.year.catalogue.criteria.all())
    accepted, changed = accept_self_assessed(submitted, criteria, scope=scope_for(ministry), version=submitted.version)
    assert changed == 22
    again, changed = accept_self_assessed(accepted, criteria, scope=scope_for(ministry), version=accepted.version)
    assert changed == 0 and again.version == accepted.version


def test_a_provincial_user_may_not_accept(client_as, hanoi, submitted):
    response = client_as(hanoi).post(accept_url(submitted), {"version": submitted.version})
    assert response.status_code == 403
    assert set(verified_values(current(submitted)).values()) == {ResultValue.PENDING}


def test_another_provinces_ward_does_not_exist(client_as, nghean, submitted):
    response = client_as(nghean).post(accept_url(submitted), {"version": submitted.version})
    assert response.status_code == 404


def test_accept_is_refused_unless_submitted(client_as, ministry, year2023, hanoi):
    draft = new_ward(year2023, "01", hanoi)
    response = client_as(ministry).post(accept_url(draft), {"version": draft.version})
    assert response.status_code == 403
    assert current(draft).version == draft.version
    verified = registered("01", status=Status.VERIFIED) or registered("79", status=Status.VERIFIED)
    with translation.override("en"), pytest.raises(TransitionRefused, match="verified and read-only"):
        accept_self_assessed(verified.assessment, [], scope=scope_for(ministry), version=verified.assessment.version)


def test_accept_from_a_stale_page_changes_nothing(client_as, ministry, submitted):
    bo = scope_for(ministry)
    criterion = submitted.registration.year.catalogue.criteria.get(number=1)
    save_results(submitted, Stage.VERIFIED, {criterion: Entry(ResultValue.NOT_MET, "Thiếu")}, by=ministry,
                 version=submitted.version, scope=bo)
    response = client_as(ministry).post(accept_url(submitted), {"version": submitted.version}, follow=True)
    assert vietnamese(STALE) in response.content.decode()
    after = current(submitted)
    assert after.version == submitted.version + 1
    assert verified_values(after)[1] == ResultValue.NOT_MET
    assert accepted_entries(after).count() == 0
    with pytest.raises(ConflictError):
        accept_self_assessed(submitted, [criterion], scope=bo, version=submitted.version)


def test_an_unknown_criterion_is_refused(client_as, ministry, submitted):
    response = client_as(ministry).post(accept_url(submitted), {"version": submitted.version, "criterion": 99})
    assert response.status_code == 302
    assert current(submitted).version == submitted.version


# --- verification started -------------------------------------------------------------


def test_verification_started_is_recorded_once_and_reset_by_a_new_submission(client_as, ministry, administrator,
                                                                               hanoi, submitted):
    assert submitted.verification_started_at is None
    criteria = list(submitted.registration.year.catalogue.criteria.order_by("number"))
    accepted, _n = accept_self_assessed(submitted, criteria[:1], scope=scope_for(ministry), version=submitted.version)
    started = (accepted.verification_started_at, accepted.verification_started_by)
    assert started[0] is not None and started[1] == ministry

    later, _n = accept_self_assessed(accepted, criteria[1:2], scope=scope_for(administrator), version=accepted.version)
    assert (current(later).verification_started_at, current(later).verification_started_by) == started

    unit = submitted.registration.unit
    page = client_as(ministry).get(reverse("wards:ward", kwargs={"code": unit.code, "year": 2023})).content.decode()
    assert "data-verification-started" in page and "bo.demo" in page

    returned = return_to_province(later, scope=scope_for(ministry), version=current(later).version, reason="Bổ sung")
    resubmitted = submit(returned, scope=scope_for(hanoi), version=returned.version)
    assert (resubmitted.verification_started_at, resubmitted.verification_started_by) == (None, None)


def test_verifying_starts_verification_if_nothing_was_entered_since(ministry, hanoi, submitted):
    """A resubmission whose verified results were entered before it can be verified at once."""
    bo = scope_for(ministry)
    criteria = list(submitted.registration.year.catalogue.criteria.all())
    accepted, _n = accept_self_assessed(submitted, criteria, scope=bo, version=submitted.version)
    returned = return_to_province(accepted, scope=bo, version=accepted.version, reason="Bổ sung")
    resubmitted = submit(returned, scope=scope_for(hanoi), version=returned.version)
    verified = verify(resubmitted, scope=bo, version=resubmitted.version)
    assert verified.verification_started_by == ministry and verified.verification_started_at == verified.verified_at


def test_the_ward_page_costs_the_same_queries_whatever_the_files_and_history(client_as, ministry, year2023, hanoi,
                                                                             submitted):
    many = self_assess(new_ward(year2023, "01", hanoi), hanoi, files=range(1, 23))
    http = client_as(ministry)
    for turn in range(3):  # a longer history for `many`
        entries = {f"c{n}_value": ResultValue.MET for n in range(1, 23)}
        entries.update({f"c{n}_note": f"lượt {turn}" for n in range(1, 23)})
        assert http.post(form_url(many), {"version": current(many).version, **entries}).status_code == 302
    counts = query_counts(http, [ward_url(submitted), ward_url(many)])
    assert counts[0] == counts[1]
    # 1 session, 2 user, 3 the programme years with their sizes (read once a request: the URL's
    # year, the unit's years and the menu's), 4 profile (role), 5 unit, 6 registration with its
    # assessment, 7 criteria with their groups, 8 the unit's registrations over the years, 9 what it
    # became, 10 results, 11 every file at once, 12 criteria still to assess, 13-14 who entered the
    # self-assessment (history), 15 title history; the menu's 16 waiting count and 17 unread
    # notifications.
    assert counts[0] == 17


def ward_url(assessment):
    return reverse("wards:ward", kwargs={"code": assessment.registration.unit.code, "year": 2023})
