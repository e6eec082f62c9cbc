"""The programme calendar (issue 14): windows, extensions, overdue marks, the calendar page.

The demo year sets no date; each test sets the dates it needs and moves the clock by
monkeypatching `criteria.calendar.today`. Messages are matched in English.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from criteria import calendar
from criteria.access import scope_for
from criteria.admin import ProgrammeYearForm
from criteria.models import Assessment, Extension, ResultValue, Stage, Status, Window
from criteria.workflow import Entry, TransitionRefused, register, save_results, submit
from wards.models import Period, Province, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2023, 3, 31)
AFTER = datetime.date(2023, 4, 1)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    """clock(day): today is `day` for the calendar."""

    def move(day):
        monkeypatch.setattr(calendar, "today", lambda: day)

    move(datetime.date(2023, 3, 1))
    return move


def set_dates(year, **dates):
    for name, value in dates.items():
        setattr(year, name, value)
    year.save()


def free_ward(code="01", n=0):
    return Unit.objects.filter(
        period=Period.LEGACY, kind=UnitKind.WARD, province__code=code, registrations__isnull=True
    ).order_by("code")[n]


@pytest.fixture
def complete_draft(year2023, hanoi):
    """A Hà Nội draft with every criterion assessed: ready to submit."""
    assessment = register(year2023, free_ward(), by=hanoi).registration.assessment
    entries = {c: Entry(ResultValue.MET) for c in year2023.catalogue.criteria.all()}
    save_results(assessment, Stage.SELF, entries, by=hanoi, version=assessment.version, scope=scope_for(hanoi))
    return Assessment.objects.select_related("registration__unit").get(pk=assessment.pk)


def post_submit(client, assessment):
    unit = assessment.registration.unit
    return client.post(f"/wards/{unit.code}/2023/submit/", {"version": assessment.version}, follow=True)


def status(assessment):
    return Assessment.objects.get(pk=assessment.pk).status


# --- the acceptance: a submission after the self-assessment deadline ----------------------


def test_submission_after_the_deadline_is_refused_naming_the_window(client_as, hanoi, year2023, complete_draft,
                                                                      clock):
    set_dates(year2023, self_assessment_deadline=DEADLINE)
    clock(AFTER)
    html = post_submit(client_as(hanoi), complete_draft).content.decode()
    assert "Self-assessment for 2023 closed on 31 Mar 2023." in html
    assert status(complete_draft) == Status.DRAFT


def test_the_deadline_day_itself_is_allowed(client_as, hanoi, year2023, complete_draft, clock):
    set_dates(year2023, self_assessment_deadline=DEADLINE)
    clock(DEADLINE)
    post_submit(client_as(hanoi), complete_draft)
    assert status(complete_draft) == Status.SUBMITTED


@pytest.mark.parametrize("who, allowed", [("ward", True), ("province", True), ("other province", False)])
def test_an_extension_for_the_ward_or_its_province_lets_it_through(client_as, hanoi, ministry, year2023,
                                                                   complete_draft, clock, who, allowed):
    set_dates(year2023, self_assessment_deadline=DEADLINE)
    clock(AFTER)
    target = {
        "ward": {"registration": complete_draft.registration},
        "province": {"province": complete_draft.registration.unit.province},  # the legacy province, in 2023
        "other province": {"province": Province.objects.get(period=Period.LEGACY, code="40")},
    }[who]
    calendar.grant_extension(year2023, Window.SELF_ASSESSMENT, until=datetime.date(2023, 4, 10),
                             reason="Lũ lụt", by=ministry, **target)
    html = post_submit(client_as(hanoi), complete_draft).content.decode()
    assert status(complete_draft) == (Status.SUBMITTED if allowed else Status.DRAFT)
    assert ("closed on 31 Mar 2023" in html) is not allowed


def test_an_expired_extension_is_named_in_the_refusal(hanoi, ministry, year2023, complete_draft, clock):
    set_dates(year2023, self_assessment_deadline=DEADLINE)
    calendar.grant_extension(year2023, Window.SELF_ASSESSMENT, until=datetime.date(2023, 4, 10), reason="Lũ",
                             by=ministry, registration=complete_draft.registration)
    clock(datetime.date(2023, 4, 11))
    with pytest.raises(TransitionRefused, match="closed on 31 Mar 2023; the extension granted ran until 10 Apr 2023"):
        submit(complete_draft, scope=scope_for(hanoi), version=complete_draft.version)


def test_editing_the_self_assessment_after_the_deadline_is_refused(client_as, hanoi, year2023, complete_draft,
                                                                   clock):
    set_dates(year2023, self_assessment_deadline=DEADLINE)
    clock(AFTER)
    client = client_as(hanoi)
    unit = complete_draft.registration.unit
    response = client.get(f"/wards/{unit.code}/2023/assess/self/")
    assert response.status_code == 403
    assert "Self-assessment for 2023 closed on 31 Mar 2023." in response.content.decode()
    ward = client.get(f"/wards/{unit.code}/2023/").content.decode()
    assert "data-calendar-refusal" in ward
    assert f"/wards/{unit.code}/2023/submit/" not in ward  # no button that would be refused


# --- registration and verification windows ----------------------------------------------


@pytest.mark.parametrize("day, message", [
    (datetime.date(2023, 1, 15), "Registration for 2023 opens on 1 Feb 2023."),
    (AFTER, "Registration for 2023 closed on 31 Mar 2023."),
])
def test_registration_outside_its_window_is_refused(client_as, hanoi, year2023, clock, day, message):
    set_dates(year2023, registration_opens=datetime.date(2023, 2, 1), registration_closes=DEADLINE)
    clock(day)
    unit = free_ward()
    response = client_as(hanoi).post("/reports/2023/provinces/01/register/", {"unit": unit.pk})
    assert message in response.content.decode()
    assert not unit.registrations.exists()
    province = client_as(hanoi).get("/reports/2023/provinces/01/").content.decode()
    assert message in province  # said where the "Register a ward" button was


def test_registration_inside_its_window_or_extended(hanoi, ministry, year2023, clock):
    set_dates(year2023, registration_opens=datetime.date(2023, 2, 1), registration_closes=DEADLINE)
    clock(DEADLINE)
    assert register(year2023, free_ward(), by=hanoi).registration.pk
    clock(AFTER)
    calendar.grant_extension(year2023, Window.REGISTRATION, until=AFTER, reason="Sáp nhập",
                             by=ministry, province=Province.objects.get(period=Period.LEGACY, code="01"))
    assert register(year2023, free_ward(), by=hanoi).registration.pk
    with pytest.raises(TransitionRefused, match="Registration for 2023 closed"):
        register(year2023, free_ward("40"), by=hanoi)


@pytest.mark.parametrize("action, data", [
    ("verify", {}), ("return", {"reason": "Bổ sung hồ sơ"}),
])
def test_verification_after_its_deadline_is_refused(client_as, ministry, year2023, clock, action, data):
    submitted = registered("01", status=Status.SUBMITTED)
    set_dates(year2023, verification_deadline=datetime.date(2023, 6, 30))
    clock(datetime.date(2023, 7, 1))
    response = client_as(ministry).post(f"/wards/{submitted.unit.code}/2023/{action}/",
                                        {"version": submitted.assessment.version, **data}, follow=True)
    assert "Verification for 2023 closed on 30 Jun 2023." in response.content.decode()
    assert status(submitted.assessment) == Status.SUBMITTED
    edit = client_as(ministry).get(f"/wards/{submitted.unit.code}/2023/assess/verified/")
    assert edit.status_code == 403


def test_an_import_after_the_deadline_reports_the_window(client_as, hanoi, year2023, complete_draft, clock):
    set_dates(year2023, self_assessment_deadline=DEADLINE)
    clock(AFTER)
    header = ["Mã phường"] + [f"TC{n}" for n in range(1, 23)]
    rows = [[complete_draft.registration.unit.code, "Không đạt"] + ["Đạt"] * 21, [free_ward().code] + ["Đạt"] * 22]
    content = "\n".join(",".join(row) for row in [header, *rows]).encode()
    response = client_as(hanoi).post("/reports/2023/provinces/01/import/", {"file": SimpleUploadedFile("a.csv", content)})
    html = response.content.decode()
    assert html.count("Self-assessment for 2023 closed on 31 Mar 2023.") == 2
    assert 'name="token"' not in html


# --- overdue marks ------------------------------------------------------------------------


def test_overdue_marks_on_the_province_and_ward_pages(client_as, hanoi, year2023, clock):
    draft = register(year2023, free_ward(), by=hanoi).registration
    client = client_as(hanoi)
    set_dates(year2023, self_assessment_deadline=DEADLINE)
    assert "data-overdue" not in client.get("/reports/2023/provinces/01/?status=draft").content.decode()
    clock(AFTER)
    province = client.get("/reports/2023/provinces/01/?status=draft").content.decode()
    assert "data-overdue" in province and "Overdue" in province
    assert "data-overdue" in client.get(f"/wards/{draft.unit.code}/2023/").content.decode()


def test_who_is_overdue(year2023, ministry):
    set_dates(year2023, self_assessment_deadline=DEADLINE, verification_deadline=datetime.date(2023, 6, 30))
    draft = register(year2023, free_ward(), by=ministry).registration.assessment
    submitted = registered("01", status=Status.SUBMITTED).assessment
    verified = registered("01", status=Status.VERIFIED).assessment
    assert not calendar.is_overdue(draft, DEADLINE)
    assert calendar.is_overdue(draft, AFTER)
    assert not calendar.is_overdue(submitted, AFTER)
    assert calendar.is_overdue(submitted, datetime.date(2023, 7, 1))
    assert not calendar.is_overdue(verified, datetime.date(2024, 1, 1))
    calendar.grant_extension(year2023, Window.SELF_ASSESSMENT, until=datetime.date(2023, 4, 5), reason="Bão",
                             by=ministry, province=draft.province)
    year2023.refresh_from_db()
    assert not calendar.is_overdue(draft, AFTER, year=year2023)


def test_deadlines_for_reminders_and_the_home_page(year2023, ministry):
    draft = register(year2023, free_ward(), by=ministry).registration
    set_dates(year2023, registration_closes=datetime.date(2023, 2, 28), self_assessment_deadline=DEADLINE,
              verification_deadline=datetime.date(2023, 6, 30))
    hanoi_2023 = Province.objects.get(period=Period.LEGACY, code="01")
    assert calendar.window_dates(year2023)[Window.SELF_ASSESSMENT] == (None, DEADLINE)
    assert calendar.next_deadline(year2023, hanoi_2023, datetime.date(2023, 3, 1)) == calendar.Deadline(
        Window.SELF_ASSESSMENT, DEADLINE)
    calendar.grant_extension(year2023, Window.SELF_ASSESSMENT, until=datetime.date(2023, 4, 15), reason="Bão",
                             by=ministry, province=hanoi_2023)
    assert calendar.deadline_for(year2023, Window.SELF_ASSESSMENT, province=hanoi_2023) == datetime.date(2023, 4, 15)
    assert calendar.deadline_for(year2023, Window.SELF_ASSESSMENT) == DEADLINE
    assert calendar.deadline_for(year2023, Window.SELF_ASSESSMENT, draft) == datetime.date(2023, 4, 15)
    assert calendar.next_deadline(year2023, hanoi_2023, datetime.date(2023, 4, 2)).date == datetime.date(2023, 4, 15)
    assert calendar.next_deadline(year2023, None, datetime.date(2023, 4, 2)).window == Window.VERIFICATION
    assert calendar.next_deadline(year2023, None, datetime.date(2023, 7, 1)) is None


# --- the demo year --------------------------------------------------------------------------


def test_the_demo_year_sets_no_deadline_and_everything_is_open(client_as, hanoi, year2023, complete_draft):
    assert all(dates == (None, None) for dates in calendar.window_dates(year2023).values())
    html = client_as(hanoi).get("/reports/2023/calendar/").content.decode()
    assert html.count("no deadline set") == 3
    assert html.count('data-state="open"') == 3
    post_submit(client_as(hanoi), complete_draft)
    assert status(complete_draft) == Status.SUBMITTED
    assert "/reports/2023/calendar/" in client_as(hanoi).get("/reports/2023/").content.decode()


def test_the_calendar_page_shows_dates_and_state(client_as, hanoi, year2023, clock):
    set_dates(year2023, registration_opens=datetime.date(2023, 2, 1), registration_closes=datetime.date(2023, 2, 28),
              self_assessment_deadline=DEADLINE, expected_recognition=datetime.date(2023, 11, 20))
    clock(datetime.date(2023, 3, 10))
    html = client_as(hanoi).get("/reports/2023/calendar/").content.decode()
    assert "1 Feb 2023 – 28 Feb 2023" in html and "until 31 Mar 2023" in html and "20 Nov 2023" in html
    assert html.count('data-state="closed"') == 1 and html.count("no deadline set") == 1  # verification


# --- granting extensions ------------------------------------------------------------------


def extend(client, url, **data):
    return client.post(url, {"window": "self_assessment", "until": "2023-04-10", "reason": "Lũ lụt", **data},
                       follow=True)


def test_ministry_grants_an_extension_and_the_history_shows_it(client_as, ministry, hanoi, clock):
    draft = registered("01")
    response = extend(client_as(ministry), f"/wards/{draft.unit.code}/2023/extend/")
    assert "Self-assessment extended until 10 Apr 2023." in response.content.decode()
    extension = Extension.objects.get(registration=draft)
    assert (extension.until, extension.reason, extension.granted_by) == (datetime.date(2023, 4, 10), "Lũ lụt",
                                                                         ministry)
    assert extension.history.get().history_user == ministry
    history = client_as(hanoi).get(f"/wards/{draft.unit.code}/2023/history/").content.decode()
    assert "data-extension" in history and "Lũ lụt" in history and "Trần Minh Đức" in history


def test_ministry_grants_a_province_extension(client_as, ministry, hanoi, nghean, clock):
    extend(client_as(ministry), "/reports/2023/provinces/40/extend/", reason="Bão số 3")
    extension = Extension.objects.get()
    assert extension.province == Province.objects.get(period=Period.LEGACY, code="40")
    assert "Bão số 3" in client_as(nghean).get("/reports/2023/calendar/").content.decode()
    assert "Bão số 3" not in client_as(hanoi).get("/reports/2023/calendar/").content.decode()  # scoped
    assert "Bão số 3" in client_as(ministry).get("/reports/2023/calendar/").content.decode()


@pytest.mark.parametrize("url, expected", [
    ("/reports/2023/provinces/01/extend/", 403),
    ("/reports/2023/provinces/40/extend/", 404),
    ("ward:01", 403),
    ("ward:40", 404),
])
def test_a_provincial_user_cannot_grant_extensions(client_as, hanoi, url, expected):
    if url.startswith("ward:"):
        url = f"/wards/{registered(url[5:]).unit.code}/2023/extend/"
    assert extend(client_as(hanoi), url).status_code == expected
    assert not Extension.objects.exists()


@pytest.mark.parametrize("data, message", [
    ({"reason": ""}, "This field is required."),
    ({"until": "31/13/2023"}, "Enter a valid date."),
    ({"until": ""}, "This field is required."),
    ({"window": "recognition"}, "Select a valid choice."),
])
def test_extension_form_errors_give_a_message_and_change_nothing(client_as, ministry, clock, data, message):
    draft = registered("01")
    for url in (f"/wards/{draft.unit.code}/2023/extend/", "/reports/2023/provinces/01/extend/"):
        response = extend(client_as(ministry), url, **data)
        assert response.status_code == 200 and message in response.content.decode()
    assert not Extension.objects.exists()


def test_an_extension_cannot_end_in_the_past(client_as, ministry, clock):
    clock(AFTER)
    response = extend(client_as(ministry), "/reports/2023/provinces/01/extend/", until="2023-03-31")
    assert "An extension runs until today or a later day." in response.content.decode()
    assert not Extension.objects.exists()


def test_extension_is_get_only_refused(client_as, ministry):
    assert client_as(ministry).get("/reports/2023/provinces/01/extend/").status_code == 405


# --- the administrators' dates ----------------------------------------------------------------


def test_admin_form_keeps_the_dates_in_order(year2023):
    data = {"year": 2023, "catalogue": year2023.catalogue_id, "period": year2023.period,
            "eligible_kinds": year2023.eligible_kinds, "is_open": True,
            "registration_opens": "2023-02-01", "registration_closes": "2023-03-31",
            "self_assessment_deadline": "2023-03-15", "verification_deadline": ""}
    form = ProgrammeYearForm(data, instance=year2023)
    assert not form.is_valid()
    assert list(form.errors) == ["self_assessment_deadline"]
    form = ProgrammeYearForm({**data, "self_assessment_deadline": "2023-04-30"}, instance=year2023)
    assert form.is_valid(), form.errors
