"""Importing a province's self-assessments from XLSX and CSV: preview, apply, and every bad file refused."""

import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from criteria.models import Assessment, Registration, Result, Status
from criteria.workflow import register
from wards.models import Period, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db

IMPORT = "/reports/2023/provinces/01/import/"


def snapshot():
    """Everything an import could touch: compared before and after a refused one."""
    return (
        list(Registration.objects.order_by("pk").values_list("pk", "unit_id")),
        list(Assessment.objects.order_by("pk").values_list("pk", "version", "status", "self_met")),
        list(Result.objects.order_by("pk").values_list("pk", "self_value", "self_note")),
    )


@pytest.fixture
def wards(year2023, hanoi):
    """Two unregistered Hà Nội wards, and one registered as a draft."""
    free = list(Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                                    registrations__isnull=True).order_by("code")[:3])
    draft = register(year2023, free[2], by=hanoi).registration
    return free[0], free[1], draft


def csv_text(rows, header=None, delimiter=","):
    header = header or ["Mã phường"] + [f"TC{n}" for n in range(1, 23)]
    return "\n".join(delimiter.join(row) for row in [header, *rows]) + "\n"


def row(code, value="Đạt", overrides=None):
    values = [value] * 22
    for number, v in (overrides or {}).items():
        values[number - 1] = v
    return [code, *values]


def upload(client, name, content):
    client.cookies["django_language"] = "en"  # messages are matched in English here
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def plan_counts(response):
    html = response.content.decode()
    import re

    counts = {k: int(re.search(rf'data-count="{k}">(\d+)', html).group(1)) for k in ("creates", "changes",
                                                                                     "unchanged")}
    return counts, html


def test_template_lists_the_province_units_with_value_lists(client_as, hanoi):
    response = client_as(hanoi).get("/reports/2023/provinces/01/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Nhập liệu"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Mã phường" and header[3:] == [f"TC{n}" for n in range(1, 23)]
    codes = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(codes) == Unit.objects.filter(period=Period.LEGACY, province__code="01", kind=UnitKind.WARD).count()
    assert all(len(c) == 5 for c in codes)
    assert sheet.data_validations.dataValidation[0].formula1 == '"Đạt,Không đạt"'
    assert workbook["Tiêu chí"]["B2"].value.startswith("Không có tội phạm")


def test_good_xlsx_preview_then_apply_then_reimport_changes_nothing(client_as, hanoi, wards):
    first, second, draft = wards
    client = client_as(hanoi)
    template = load_workbook(io.BytesIO(b"".join(
        client.get("/reports/2023/provinces/01/import/template.xlsx").streaming_content)))
    sheet = template["Nhập liệu"]
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value in (first.code, second.code):
            for cell in cells[3:]:
                cell.value = "Đạt"
        if cells[0].value == draft.unit.code:
            for cell in cells[3:]:
                cell.value = "Đạt"
            cells[3 + 17].value = "Không đạt"  # TC18
    buffer = io.BytesIO()
    template.save(buffer)
    content = buffer.getvalue()
    before = snapshot()

    response = upload(client, "ha-noi-2023.xlsx", content)
    counts, html = plan_counts(response)
    assert counts["creates"] == 2 and counts["changes"] == 1
    assert snapshot() == before  # the preview writes nothing
    token = html.split('name="token" value="')[1].split('"')[0]

    response = client.post(IMPORT + "apply/", {"token": token})
    assert response.status_code == 302
    assert Registration.objects.filter(unit__in=[first, second], year__year=2023).count() == 2
    draft.assessment.refresh_from_db()
    assert draft.assessment.self_met == 21
    reasons = set(Result.history.filter(assessment_id=draft.assessment.pk).values_list(
        "history_change_reason", flat=True))
    assert any("ha-noi-2023.xlsx" in (r or "") for r in reasons)
    assert Result.history.filter(assessment_id=draft.assessment.pk).first().history_user == hanoi

    again = upload(client, "ha-noi-2023.xlsx", content)
    counts, html = plan_counts(again)
    assert counts["creates"] == 0 and counts["changes"] == 0
    assert "data-nothing" in html
    assert 'name="token"' not in html


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_in_the_encodings_seen_in_the_wild(client_as, hanoi, wards, encoding):
    first, _second, _draft = wards
    text = csv_text([row(first.code, "Đạt", {5: "Không đạt"})], delimiter="\t" if encoding == "utf-16" else ",")
    if encoding == "cp1258":
        content = to_cp1258(text)
    else:
        content = text.encode(encoding)
    counts, html = plan_counts(upload(client_as(hanoi), "tinh.csv", content))
    assert counts["creates"] == 1, html


def to_cp1258(text):
    """Windows-1258 as Vietnamese Windows writes it: precomposed letters, combining tone marks."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            out += unicodedata.normalize("NFC", decomposed[:-1]).encode("cp1258") + decomposed[-1].encode("cp1258")
    return bytes(out)


def test_semicolon_csv_and_codes_without_leading_zeros(client_as, hanoi, wards):
    first, _second, _draft = wards
    text = csv_text([row(str(int(first.code)))], delimiter=";")
    counts, _html = plan_counts(upload(client_as(hanoi), "x.csv", text.encode()))
    assert counts["creates"] == 1


def bad_files(wards):
    first, second, draft = wards
    verified = registered("01", status=Status.VERIFIED)
    other_province = registered("40")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    good = csv_text([row(first.code)]).encode()
    return {
        "unknown ward code": ("a.csv", csv_text([row("99999")]).encode(), "No ward has the code 99999"),
        "ward of another province": ("a.csv", csv_text([row(other_province.unit.code)]).encode(),
                                     "Thành phố Hà Nội"),
        "value not a result": ("a.csv", csv_text([row(first.code, overrides={3: "có lẽ"})]).encode(), "có lẽ"),
        "duplicate row": ("a.csv", csv_text([row(first.code), row(first.code)]).encode(), "is already on row 2"),
        "assessment already verified": ("a.csv", csv_text([row(verified.unit.code, "Không đạt")]).encode(),
                                        verified.unit.name),
        "not a ward code": ("a.csv", csv_text([row("abc")]).encode(), "abc"),
        "no ward code column": ("a.csv", csv_text([row(first.code)], header=["Tên", *[f"TC{n}" for n in range(1, 23)]])
                                .encode(), "TC1"),
        "criterion beyond the catalogue": ("a.csv", csv_text([row(first.code) + ["Đạt"]],
                                           header=["Mã phường", *[f"TC{n}" for n in range(1, 24)]]).encode(),
                                           "no criterion 23"),
        "wrong encoding": ("a.csv", good.decode().encode("utf-32"), "encoding cannot be recognised"),
        "truncated xlsx": ("a.xlsx", None, "damaged or incomplete"),
        "renamed image": ("a.xlsx", png, "renamed"),
        "pdf as csv": ("a.csv", b"%PDF-1.4\n%%EOF\n", "PDF"),
        "empty file": ("a.csv", b"   \n", "empty"),
        "binary junk": ("a.csv", b"\x00\x01\x02\x03" * 50, "not text"),
    }


def truncated_xlsx(client):
    response = client.get("/reports/2023/provinces/01/import/template.xlsx")
    content = b"".join(response.streaming_content)
    return content[: len(content) // 2]


@pytest.mark.parametrize("case", [
    "unknown ward code", "ward of another province", "value not a result", "duplicate row",
    "assessment already verified", "not a ward code", "no ward code column", "criterion beyond the catalogue",
    "wrong encoding", "truncated xlsx", "renamed image", "pdf as csv", "empty file", "binary junk",
])
def test_bad_files_give_a_clear_message_and_change_nothing(client_as, hanoi, wards, case):
    client = client_as(hanoi)
    name, content, expected = bad_files(wards)[case]
    if content is None:
        content = truncated_xlsx(client)
    before = snapshot()
    response = upload(client, name, content)
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert "data-import-error" in html or "data-problem" in html, case
    assert expected in html, (case, expected)
    assert 'name="token"' not in html  # nothing to apply
    assert snapshot() == before


def test_closed_year_is_refused(client_as, hanoi, wards, year2023):
    first, _second, _draft = wards
    year2023.is_open = False
    year2023.save()
    response = upload(client_as(hanoi), "a.csv", csv_text([row(first.code)]).encode())
    assert "data-problem" in response.content.decode()
    assert 'name="token"' not in response.content.decode()


@pytest.mark.parametrize("setting, value", [("IMPORT_MAX_BYTES", 200), ("IMPORT_MAX_ROWS", 1)])
def test_size_and_row_limits(client_as, hanoi, wards, settings, setting, value):
    first, second, _draft = wards
    setattr(settings, setting, value)
    before = snapshot()
    response = upload(client_as(hanoi), "a.csv", csv_text([row(first.code), row(second.code)]).encode())
    assert response.status_code == 400
    assert "data-import-error" in response.content.decode()
    assert snapshot() == before


def test_apply_is_all_or_nothing_when_data_changed_meanwhile(client_as, hanoi, wards):
    first, _second, draft = wards
    client = client_as(hanoi)
    _counts, html = plan_counts(upload(client, "a.csv", csv_text([row(first.code), row(draft.unit.code)]).encode()))
    token = html.split('name="token" value="')[1].split('"')[0]
    # meanwhile the draft is submitted elsewhere: the import no longer applies cleanly
    Assessment.objects.filter(pk=draft.assessment.pk).update(status=Status.SUBMITTED)
    before = snapshot()
    response = client.post(IMPORT + "apply/", {"token": token}, follow=True)
    assert snapshot() == before
    assert not Registration.objects.filter(unit=first).exists()
    assert "alert-danger" in response.content.decode()


def test_apply_needs_the_preview_token(client_as, hanoi):
    before = snapshot()
    response = client_as(hanoi).post(IMPORT + "apply/", {"token": "forged"})
    assert response.status_code == 302
    assert snapshot() == before


def test_other_provinces_cannot_import(client_as, ministry, nghean):
    assert client_as(nghean).get(IMPORT).status_code == 404
    assert client_as(ministry).get(IMPORT).status_code == 200  # on the province's behalf: tests/test_on_behalf.py


def test_values_in_english_and_blank_are_understood(client_as, hanoi, wards):
    first, _second, _draft = wards
    text = csv_text([row(first.code, "met", {2: "not met", 3: ""})])
    counts, _html = plan_counts(upload(client_as(hanoi), "a.csv", text.encode()))
    assert counts["creates"] == 1


def test_messages_are_vietnamese_by_default(client, hanoi, wards):
    client.force_login(hanoi)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("a.csv", b"   ")})
    assert 'lang="vi"' in response.content.decode()
    assert "empty" not in response.content.decode()
