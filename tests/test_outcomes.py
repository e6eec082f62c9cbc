"""Recognition decisions and the figures that read them: one definition of "recognised".

The demo year 2023 holds decision 2150/QĐ-BCA (19/4/2024) recognising the wards the
ministry verified at 22/22, and the commendations of the review conference
(11/12/2023): 30 collectives and 29 individuals.
"""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from criteria.access import Role, Scope
from criteria.models import Assessment, Recognition, RecognitionDecision, Status
from criteria.outcomes import DecisionFields, OutcomeRefused, normalise_code, parse_codes, recognise, withdraw_recognitions
from criteria.workflow import TransitionRefused, reopen

from .conftest import recognised_in, registered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Refusals are matched in English here (their Vietnamese is checked by test_i18n)."""
    with translation.override("en"):
        yield
ADMIN = Scope(user=None, role=Role.ADMIN)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def summary_json(year=2023):
    out = io.StringIO()
    call_command("export_summary", "--year", str(year), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def verified_full(year=2023):
    return Assessment.objects.filter(year__year=year, status=Status.VERIFIED, verified_met__gte=22)


def fields(number="3001/QĐ-BCA", signed_on=datetime.date(2024, 6, 3)):
    return DecisionFields(number=number, signed_on=signed_on, signer_name="Lê Văn Thử", signer_title="Thứ trưởng")


def test_the_demo_summary_holds_the_years_outcomes():
    data = summary_json()
    assert data["commendations"] == {"collectives": 30, "individuals": 29}
    assert data["recognition"]["decisions"] >= 1
    assert data["recognition"]["wards"] == verified_full().count() == 36
    assert data["recognition"]["withdrawn"] == 0
    assert data["recognised_units"] == 36
    # per province, and the provinces add up (one decision counts once nationally)
    provinces = data["provinces"]
    assert sum(p["recognition"]["wards"] for p in provinces) == 36
    assert sum(p["commendations"]["collectives"] for p in provinces) == 30
    assert sum(p["commendations"]["individuals"] for p in provinces) == 29
    assert sum(p["recognition"]["decisions"] for p in provinces) > data["recognition"]["decisions"]
    hanoi = next(p for p in provinces if p["code"] == "01")
    assert hanoi["recognition"]["wards"] == verified_full().filter(province__code="01").count()


def test_a_decision_naming_a_ward_not_verified_at_22_is_refused_whole_naming_the_ward(year2023):
    short = Assessment.objects.filter(year=year2023, status=Status.VERIFIED, verified_met=21).select_related(
        "unit").first()
    submitted = registered("01", status=Status.SUBMITTED)
    good = registered("79", status=Status.VERIFIED)
    decisions, recognitions = RecognitionDecision.objects.count(), Recognition.objects.count()
    with pytest.raises(OutcomeRefused) as refused:
        recognise(year2023, fields(), [short.unit.code, submitted.unit.code, "99999", good.unit.code], scope=ADMIN)
    reasons = refused.value.reasons
    assert len(reasons) == 4
    assert short.unit.name in reasons[0] and "21/22" in reasons[0]
    assert submitted.unit.name in reasons[1]
    assert "99999" in reasons[2]
    assert good.unit.name in reasons[3] and "2150/QĐ-BCA" in reasons[3]  # already recognised
    assert (RecognitionDecision.objects.count(), Recognition.objects.count()) == (decisions, recognitions)


def test_an_unregistered_ward_and_an_empty_list_are_refused(year2023):
    from wards.models import Period, Unit, UnitKind

    free = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, registrations__isnull=True).first()
    with pytest.raises(OutcomeRefused, match="not registered"):
        recognise(year2023, fields(), [free.code], scope=ADMIN)
    with pytest.raises(OutcomeRefused, match="at least one"):
        recognise(year2023, fields(), [], scope=ADMIN)


def test_only_the_ministry_and_administrators_record_decisions(year2023, hanoi):
    recognition = recognised_in("40")  # a fresh decision: Nghệ An has none in the demo
    assert recognition.decision.number == "940/QĐ-BCA"
    with pytest.raises(OutcomeRefused):
        recognise(year2023, fields(), [recognition.unit.code], scope=Scope(user=hanoi, role=Role.PROVINCE))


def test_the_same_decision_number_and_day_cannot_be_recorded_twice(year2023):
    recognition = recognised_in("40")
    withdraw_recognitions([recognition], scope=ADMIN, on=datetime.date(2024, 7, 1), number="1/QĐ", reason="Sai sót")
    with pytest.raises(OutcomeRefused, match="recorded already"):
        recognise(year2023, fields("940/QĐ-BCA", datetime.date(2024, 5, 2)), [recognition.unit.code], scope=ADMIN)


def test_a_withdrawn_recognition_drops_out_of_every_figure_and_stays_on_record(client_as, ministry):
    recognition = Recognition.objects.in_force().filter(province__code="01").select_related("unit").first()
    before = summary_json()
    withdraw_recognitions([recognition], scope=ADMIN, on=datetime.date(2024, 9, 1), number="4120/QĐ-BCA",
                          reason="Để xảy ra vụ việc nghiêm trọng về an ninh, trật tự")
    after = summary_json()
    assert after["recognition"]["wards"] == before["recognition"]["wards"] - 1
    assert after["recognition"]["withdrawn"] == 1
    assert after["recognised_units"] == before["recognised_units"] - 1
    hanoi = next(p for p in after["provinces"] if p["code"] == "01")
    assert hanoi["recognition"]["withdrawn"] == 1
    # the targets on today's map, the dashboards and the current-map roll-up read the same figure
    current = json.loads(client_as(ministry).get("/reports/2023/summary.json?map=current").content)
    assert current["recognition"]["wards"] == after["recognition"]["wards"]
    # on record: the row, its history, the ward's page and the decision's page
    recognition.refresh_from_db()
    assert recognition.withdrawal_number == "4120/QĐ-BCA"
    assert recognition.history.count() == 2
    page = client_as(ministry).get(f"/wards/{recognition.unit.code}/2023/").content.decode()
    assert "<s>" in page and "4120/QĐ-BCA" in page and "2150/QĐ-BCA" in page
    decision_page = client_as(ministry).get(f"/reports/2023/decisions/{recognition.decision_id}/").content.decode()
    assert f'data-recognition="{recognition.unit.code}" data-in-force="0"' in decision_page
    # and it can be recognised again by a later decision
    decision = recognise(recognition.year, fields("5001/QĐ-BCA", datetime.date(2024, 10, 1)),
                         [recognition.unit.code], scope=ADMIN)
    assert decision.recognitions.count() == 1
    assert summary_json()["recognition"]["wards"] == before["recognition"]["wards"]


def test_withdrawal_needs_a_number_a_reason_and_a_sensible_date():
    recognition = recognised_in("40")
    for kwargs, message in (
        ({"number": "", "reason": "x", "on": datetime.date(2024, 7, 1)}, "number"),
        ({"number": "1/QĐ", "reason": " ", "on": datetime.date(2024, 7, 1)}, "reason"),
        ({"number": "1/QĐ", "reason": "x", "on": datetime.date(2100, 1, 1)}, "future"),
        ({"number": "1/QĐ", "reason": "x", "on": datetime.date(2024, 1, 1)}, "precede"),
    ):
        with pytest.raises(OutcomeRefused, match=message):
            withdraw_recognitions([recognition], scope=ADMIN, **kwargs)
    recognition.refresh_from_db()
    assert recognition.in_force


def test_a_recognised_wards_verification_cannot_be_reopened_until_the_title_is_withdrawn(ministry):
    recognition = recognised_in("40")
    assessment = recognition.assessment
    scope = Scope(user=ministry, role=Role.MINISTRY)
    with pytest.raises(TransitionRefused, match=recognition.decision.number):
        reopen(assessment, scope=scope, version=assessment.version, reason="Kiểm tra lại")
    withdraw_recognitions([recognition], scope=ADMIN, on=datetime.date(2024, 7, 1), number="1/QĐ", reason="Sai")
    assessment.refresh_from_db()
    assert reopen(assessment, scope=scope, version=assessment.version, reason="Kiểm tra lại").status == Status.SUBMITTED


def test_until_a_year_has_a_decision_recognised_means_verified_at_22(client_as, ministry):
    Recognition.objects.all().delete()
    RecognitionDecision.objects.all().delete()
    data = summary_json()
    assert data["recognition"] == {"decisions": 0, "wards": 0, "withdrawn": 0}
    assert data["recognised_units"] == verified_full().count()
    page = client_as(ministry).get("/reports/2023/").content.decode()
    assert "data-no-decision" in page
    outcomes = client_as(ministry).get("/reports/2023/outcomes/").content.decode()
    assert "data-no-decision" in outcomes


def test_once_a_year_has_a_decision_a_ward_verified_at_22_but_not_in_it_is_not_recognised(client_as, ministry):
    left_out = Recognition.objects.in_force().filter(province__code="79").first()
    # a year whose only decision leaves a verified ward out: that ward is not recognised
    Recognition.objects.filter(pk=left_out.pk).delete()
    data = summary_json()
    assert data["recognised_units"] == verified_full().count() - 1
    assert "data-no-decision" not in client_as(ministry).get("/reports/2023/").content.decode()


# --- the pages ------------------------------------------------------------------------


def test_the_ward_page_shows_its_title_history_in_vietnamese(client_as, hanoi):
    recognition = Recognition.objects.in_force().filter(province__code="01").select_related("unit").first()
    client = client_as(hanoi)
    client.cookies["django_language"] = "vi"
    page = client.get(f"/wards/{recognition.unit.code}/2023/").content.decode()
    assert "Kiểu mẫu năm 2023 — QĐ 2150/QĐ-BCA ngày 19/4/2024" in page
    unit_page = client_as(hanoi).get(f"/wards/unit/legacy/{recognition.unit.code}/").content.decode()
    assert "2150/QĐ-BCA" in unit_page


def test_the_outcomes_page_as_the_ministry_and_as_a_province(client_as, ministry, hanoi, nghean):
    page = client_as(ministry).get("/reports/2023/outcomes/").content.decode()
    assert 'data-figure="recognised-wards">36<' in page
    assert 'data-figure="collectives">30<' in page and 'data-figure="individuals">29<' in page
    assert "2150/QĐ-BCA" in page and "9368/QĐ-BCA" in page
    assert "/reports/2023/decisions/new/" in page
    own = client_as(hanoi).get("/reports/2023/outcomes/").content.decode()
    hanoi_wards = Recognition.objects.in_force().filter(province__code="01").count()
    assert f'data-figure="recognised-wards">{hanoi_wards}<' in own
    assert "/reports/2023/decisions/new/" not in own
    # Nghệ An has no recognised ward in the demo: the decision is not theirs to see
    decision = RecognitionDecision.objects.get(number="2150/QĐ-BCA")
    assert client_as(nghean).get(f"/reports/2023/decisions/{decision.pk}/").status_code == 404
    hanoi_page = client_as(hanoi).get(f"/reports/2023/decisions/{decision.pk}/").content.decode()
    assert hanoi_page.count('data-recognition="') == hanoi_wards
    assert "Thành phố Hồ Chí Minh" not in hanoi_page


def test_recording_a_decision_through_the_form(client_as, ministry, year2023):
    recognition = recognised_in("40")
    withdraw_recognitions([recognition], scope=ADMIN, on=datetime.date(2024, 7, 1), number="1/QĐ", reason="Sai")
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    form = client.get("/reports/2023/decisions/new/").content.decode()
    assert f'data-code="{recognition.unit.code}"' in form
    short = Assessment.objects.filter(year=year2023, status=Status.VERIFIED, verified_met=21).select_related(
        "unit").first()
    data = {"number": "2878/QĐ-BCA", "signed_on": "2024-04-22", "signer_name": "Lê Văn Thử",
            "signer_title": "Thứ trưởng", "wards": f"{recognition.unit.code}, {short.unit.code}"}
    refused = client.post("/reports/2023/decisions/new/", data)
    assert refused.status_code == 200
    assert short.unit.name in refused.content.decode() and "data-problems" in refused.content.decode()
    assert not RecognitionDecision.objects.filter(number="2878/QĐ-BCA").exists()
    # a scan that is not a PDF is refused; a PDF is kept and served back
    data["wards"] = recognition.unit.code.lstrip("0")  # codes typed without their leading zeros
    html = SimpleUploadedFile("qd.pdf", b"<html>not a pdf</html>")
    assert "must be a PDF" in client.post("/reports/2023/decisions/new/", {**data, "scan": html}).content.decode()
    response = client.post("/reports/2023/decisions/new/", {**data, "scan": SimpleUploadedFile("QĐ 2878.pdf", PDF)})
    assert response.status_code == 302
    decision = RecognitionDecision.objects.get(number="2878/QĐ-BCA")
    assert decision.recognitions.get().unit == recognition.unit
    assert decision.created_by == ministry
    scan = client.get(f"/reports/2023/decisions/{decision.pk}/scan.pdf")
    assert scan["Content-Type"] == "application/pdf" and b"".join(scan.streaming_content) == PDF
    assert scan["Cache-Control"].startswith("max-age=0") or "no-store" in scan["Cache-Control"]


@pytest.mark.parametrize("signed_on, message", [("2022-12-31", "2023 or later"), ("2100-01-01", "future"),
                                                ("2024-13-45", "valid date")])
def test_the_decision_form_refuses_dates_that_cannot_be(client_as, ministry, signed_on, message):
    recognition = recognised_in("40")
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    response = client.post("/reports/2023/decisions/new/", {
        "number": "1/QĐ-BCA", "signed_on": signed_on, "signer_name": "A", "signer_title": "B",
        "wards": recognition.unit.code})
    assert response.status_code == 200 and message in response.content.decode()
    assert not RecognitionDecision.objects.filter(number="1/QĐ-BCA").exists()


def test_withdrawing_through_the_page(client_as, ministry):
    recognition = recognised_in("40")
    url = f"/reports/2023/decisions/{recognition.decision_id}/withdraw/"
    bad = client_as(ministry).post(url, {"recognitions": [recognition.pk], "withdrawn_on": "2024-07-01",
                                          "number": "", "reason": "x"})
    assert bad.status_code == 400
    recognition.refresh_from_db()
    assert recognition.in_force
    good = client_as(ministry).post(url, {"recognitions": [recognition.pk], "withdrawn_on": "2024-07-01",
                                           "number": "12/QĐ-BCA", "reason": "Vi phạm"})
    assert good.status_code == 302
    recognition.refresh_from_db()
    assert recognition.withdrawn_on == datetime.date(2024, 7, 1) and recognition.withdrawn_by == ministry


def test_codes_are_read_as_typed():
    assert parse_codes("4, 00004\n  12;abc 12") == ["00004", "00012", "abc"]
    assert normalise_code(" 7kq4 m9xt2c ") == "7KQ4-M9XT2C"
    assert normalise_code("7KQ4-M9XT2") == ""
    assert normalise_code("0OIL-M9XT2C") == ""


def test_the_recognised_rule_reads_a_year_however_it_was_fetched(year2023):
    from criteria.figures import programme_years, recognised_in

    annotated = next(y for y in programme_years() if y.year == 2023)
    plain = Assessment.objects.filter(recognised_in(year2023)).count()
    assert plain == Assessment.objects.filter(recognised_in(annotated)).count() == 36


def test_the_signed_scan_is_the_ministrys_to_read(client_as, hanoi, ministry, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    decision = RecognitionDecision.objects.get(number="2150/QĐ-BCA")
    decision.scan.save("x.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    decision.scan_name, decision.scan_size = "quyet-dinh-2150.pdf", 15
    decision.save()
    page = client_as(hanoi).get(f"/reports/2023/decisions/{decision.pk}/").content.decode()
    assert "quyet-dinh-2150.pdf" not in page and "scan.pdf" not in page
    assert "data-scan-kept" in page  # it exists; the page says why the province does not read it
    assert client_as(hanoi).get(f"/reports/2023/decisions/{decision.pk}/scan.pdf").status_code == 404
    page = client_as(ministry).get(f"/reports/2023/decisions/{decision.pk}/").content.decode()
    assert "quyet-dinh-2150.pdf" in page and "data-scan-kept" not in page
    assert client_as(ministry).get(f"/reports/2023/decisions/{decision.pk}/scan.pdf").status_code == 200


def test_a_control_character_is_refused_by_the_forms_and_never_breaks_the_report(client_as, ministry):
    from criteria.models import Commendation, CommendationRecipient, RecipientKind

    recognition = recognised_in("40")
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    response = client.post("/reports/2023/decisions/new/", {
        "number": "7/QĐ-BCA", "signed_on": "2024-06-01", "signer_name": "Lê\x01 Văn Thử", "signer_title": "Thứ trưởng",
        "wards": recognition.unit.code})
    assert "control character" in response.content.decode()
    assert not RecognitionDecision.objects.filter(number="7/QĐ-BCA").exists()
    commendation = Commendation.objects.get(number="9368/QĐ-BCA")
    before = commendation.recipients.count()
    client.post(f"/reports/2023/commendations/{commendation.pk}/add/", {
        "kind": RecipientKind.INDIVIDUAL, "name": "Nguyễn\x01 Văn B", "province": "01"})
    assert commendation.recipients.count() == before
    # a control character already in the database (from before the check) is dropped from the DOCX
    CommendationRecipient.objects.create(commendation=commendation, kind=RecipientKind.INDIVIDUAL,
                                         name="Trần\x0b Thị C", position_in_list=99)
    response = client.get("/reports/2023/export/yearly.docx")
    assert response.status_code == 200
    import zipfile

    from docx import Document

    data = b"".join(response.streaming_content) if response.streaming else response.content
    Document(io.BytesIO(data))  # Word's XML parses
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "Trần Thị C" in body and "\x0b" not in body


def test_a_decision_list_is_bounded(client_as, ministry):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    codes = " ".join(str(n) for n in range(1, 5003))
    response = client.post("/reports/2023/decisions/new/", {
        "number": "8/QĐ-BCA", "signed_on": "2024-06-01", "signer_name": "A", "signer_title": "B", "wards": codes})
    assert "at most 5000 wards" in response.content.decode()
