"""Commendations: recording a decision, reading it (personal data for the ministry and the recipient's own
province only), adding recipients one at a time and importing a list (preview, apply, every refusal)."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from criteria.access import scope_for
from criteria.models import Commendation, CommendationLevel, CommendationRecipient, RecipientKind
from criteria.outcomes import record_commendation
from wards.models import Period, Province, Unit, UnitKind

pytestmark = pytest.mark.django_db

NEW = "/reports/2023/commendations/new/"
HEADER = ["Loại", "Tên tập thể / Họ và tên", "Mã tỉnh", "Mã phường", "Cấp bậc", "Chức vụ", "Đơn vị công tác",
          "Lý do"]


@pytest.fixture
def demo():
    return Commendation.objects.get(year__year=2023, number="9368/QĐ-BCA")


@pytest.fixture
def empty(year2023, ministry):
    """A commendation with no recipient yet."""
    return record_commendation(year2023, {"level": CommendationLevel.GIAY_KHEN, "issuer": "Công an TP Hà Nội",
                                          "number": "15/QĐ-CAHN", "signed_on": "2023-12-20",
                                          "reason": "Thành tích xuất sắc"}, [], scope=scope_for(ministry))


def page(commendation):
    return f"/reports/2023/commendations/{commendation.pk}/"


def snapshot():
    return (list(Commendation.objects.order_by("pk").values_list("pk", "number")),
            list(CommendationRecipient.objects.order_by("pk").values_list("pk", "name", "province", "unit")),
            CommendationRecipient.history.count())


def free_wards(code, n=2):
    """Wards of legacy province `code` that no commendation names yet."""
    return list(Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code=code,
                                    commendations__isnull=True).order_by("code")[:n])


# --- recording a decision ---------------------------------------------------------------


def decision(**overrides):
    return {"level": "bang_khen", "issuer": "Bộ Công an", "number": "100/QĐ-BCA", "signed_on": "2023-12-15",
            "reason": "Đã có thành tích xuất sắc", **overrides}


def test_ministry_records_a_commendation_and_lands_on_its_page(client_as, ministry):
    client = client_as(ministry)
    form = client.get(NEW)
    assert form.status_code == 200 and 'value="Bộ Công an"' in form.content.decode()
    response = client.post(NEW, decision())
    commendation = Commendation.objects.get(number="100/QĐ-BCA")
    assert response.status_code == 302 and response["Location"] == page(commendation)
    assert commendation.created_by == ministry and not commendation.is_demo and commendation.year.year == 2023
    html = client.get(page(commendation)).content.decode()
    assert "100/QĐ-BCA" in html and "data-demo" not in html


@pytest.mark.parametrize("user", ["hanoi", "nghean"])
def test_a_province_may_not_record_one(client_as, user, request):
    client = client_as(request.getfixturevalue(user))
    assert client.get(NEW).status_code == 403
    before = snapshot()
    assert client.post(NEW, decision()).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("data, message", [
    (decision(number=""), "This field is required"),
    (decision(signed_on="31/02/2023"), "Enter a valid date"),
    (decision(signed_on="2100-01-01"), "cannot be dated in the future"),
    (decision(signed_on="2022-06-01"), "signed in 2023 or later"),
    (decision(level="huan_chuong"), "Select a valid choice"),
    (decision(number="x" * 51), "at most 50 characters"),
])
def test_bad_input_is_refused_clearly_and_nothing_is_saved(client_as, ministry, data, message):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_duplicate_decision_is_refused(client_as, ministry, demo):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(NEW, decision(number=demo.number, signed_on="2023-12-11"))
    assert response.status_code == 400
    assert "Decision 9368/QĐ-BCA of " in response.content.decode() and "is recorded already" in response.content.decode()
    assert snapshot() == before


# --- reading it -------------------------------------------------------------------------


def rows(html, kind):
    return re.findall(rf'<tr data-recipient="{kind}">', html)


def test_the_ministry_sees_every_recipient_with_names(client_as, ministry, demo):
    html = client_as(ministry).get(page(demo)).content.decode()
    assert len(rows(html, "collective")) == 30 and len(rows(html, "individual")) == 29
    for name in demo.recipients.values_list("name", flat=True):
        assert name in html
    ward = demo.recipients.filter(unit__isnull=False).select_related("unit").first()
    assert f'href="/wards/{ward.unit.code}/2023/"' in html
    assert "data-own-only" not in html and 'action="/reports/2023/commendations/' in html


def test_the_page_takes_a_fixed_number_of_queries(client_as, ministry, demo, django_assert_max_num_queries):
    client = client_as(ministry)
    client.get(page(demo))
    # session, user, profile, navigation (years, queue, notifications), the year, the commendation,
    # the numbering, the recipients, the totals, the provinces of the form: not one per recipient.
    with django_assert_max_num_queries(20):
        client.get(page(demo))


def test_a_province_sees_its_own_recipients_only(client_as, hanoi, demo):
    html = client_as(hanoi).get(page(demo)).content.decode()
    own = demo.recipients.filter(province__code="01")
    others = demo.recipients.exclude(province__code="01")
    assert own.filter(kind=RecipientKind.INDIVIDUAL).exists() and others.filter(kind=RecipientKind.INDIVIDUAL).exists()
    assert len(rows(html, "collective")) == own.filter(kind=RecipientKind.COLLECTIVE).count()
    assert len(rows(html, "individual")) == own.filter(kind=RecipientKind.INDIVIDUAL).count()
    for name in own.values_list("name", flat=True):
        assert name in html
    own_names = set(own.values_list("name", flat=True))
    for recipient in others.filter(kind=RecipientKind.INDIVIDUAL):
        assert recipient.name not in html, recipient.name
    assert any(name not in own_names for name in others.values_list("name", flat=True))
    assert "Nghệ An" not in html  # nothing of another province: not its wards, people or departments
    # the national counts, and no editing
    assert "30 tập thể" in html or "30 collectives" in html
    assert "29 cá nhân" in html or "29 individuals" in html
    assert "data-own-only" in html and "commendation_add" not in html and "/add/" not in html and "/import/" not in html


def test_a_commendation_without_the_provinces_recipients_is_not_found(client_as, hanoi, nghean, empty, ministry):
    nghean_unit = free_wards("40", 1)[0]
    from criteria.outcomes import add_recipients

    add_recipients(empty, [CommendationRecipient(kind=RecipientKind.COLLECTIVE, name="Công an phường X",
                                                 province=nghean_unit.province, unit=nghean_unit)],
                   scope=scope_for(ministry))
    assert client_as(hanoi).get(page(empty)).status_code == 404
    assert client_as(nghean).get(page(empty)).status_code == 200


def test_demo_commendation_is_marked(client_as, ministry, hanoi, demo):
    for user in (ministry, hanoi):
        html = client_as(user).get(page(demo)).content.decode()
        assert "data-demo" in html
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    html = client.get(page(demo)).content.decode().replace("&#x27;", "'")
    assert "Demo data: the individuals' names are invented" in html


def test_a_year_or_commendation_that_does_not_exist(client_as, ministry, demo):
    client = client_as(ministry)
    assert client.get(f"/reports/2023/commendations/{demo.pk + 1000}/").status_code == 404
    assert client.get(f"/reports/1999/commendations/{demo.pk}/").status_code == 404


# --- adding one recipient ---------------------------------------------------------------


def test_ministry_adds_a_collective_by_ward_code_and_an_individual(client_as, ministry, empty):
    client = client_as(ministry)
    ward = free_wards("01", 1)[0]
    response = client.post(page(empty) + "add/", {"kind": "collective", "ward": ward.code.lstrip("0")})
    assert response.status_code == 302
    collective = empty.recipients.get()
    assert collective.unit == ward and collective.province == ward.province
    assert collective.name == f"Công an {ward.name}" and collective.position_in_list == 1
    response = client.post(page(empty) + "add/", {"kind": "individual", "name": "Lê Văn Bình", "province": "01",
                                                  "rank": "Đại úy", "position": "Cảnh sát khu vực"})
    assert response.status_code == 302
    assert empty.recipients.get(kind=RecipientKind.INDIVIDUAL).position_in_list == 2


@pytest.mark.parametrize("data, message", [
    ({"kind": "individual", "name": ""}, "An individual needs a full name"),
    ({"kind": "collective", "name": "Công an phường A", "rank": "Đại úy"}, "an individual&#x27;s"),
    ({"kind": "collective", "name": "Công an phường A", "province": "01", "ward": "99999"}, "No ward has the code"),
])
def test_a_bad_recipient_is_refused_on_the_page(client_as, ministry, empty, data, message):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(page(empty) + "add/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_the_same_recipient_is_not_added_twice(client_as, ministry, empty):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    data = {"kind": "individual", "name": "Lê Văn Bình", "province": "01", "rank": "Đại úy"}
    assert client.post(page(empty) + "add/", data).status_code == 302
    before = snapshot()
    response = client.post(page(empty) + "add/", {**data, "name": "lê văn  bình"})
    assert response.status_code == 400
    assert "Already in the list: Lê Văn Bình (no. 1 of the individuals)." in response.content.decode()
    assert snapshot() == before
    assert client.post(page(empty) + "add/", {**data, "province": "40"}).status_code == 302  # another province's


def test_a_province_cannot_add(client_as, hanoi, demo):
    before = snapshot()
    response = client_as(hanoi).post(page(demo) + "add/", {"kind": "individual", "name": "A", "province": "01"})
    assert response.status_code == 403
    assert snapshot() == before


# --- importing a list -------------------------------------------------------------------


def xlsx(data_rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in data_rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(data_rows, header=HEADER, bom=True):
    text = "\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in [header, *data_rows]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def good_rows():
    """Two ward collectives of Hà Nội (one with its name), a provincial department, and two individuals."""
    first, second = free_wards("01", 2)
    return [
        ["Tập thể", f"Công an {first.name}", "01", first.code, "", "", "", ""],
        ["Tập thể", "", "1", second.code.lstrip("0"), "", "", "", ""],
        ["Tập thể", "Phòng Tham mưu, Bộ Công an", "", "", "", "", "", ""],
        ["Cá nhân", "Đỗ Thị Hồng Nhung", "01", "", "Thiếu tá", "Phó Trưởng Công an phường",
         f"Công an {first.name}", "Có thành tích xuất sắc"],
        ["individual", "Trịnh Văn Khải", "40", "", "Đại úy", "Cảnh sát khu vực", "Công an phường Hưng Bình", ""],
    ]


def upload(client, commendation, name, content):
    client.cookies["django_language"] = "en"
    return client.post(page(commendation) + "import/", {"file": SimpleUploadedFile(name, content)})


def counts(response):
    html = response.content.decode()
    found = {k: int(re.search(rf'data-count="{k}">(\d+)', html).group(1)) for k in ("collectives", "individuals")}
    return found, html


def token_of(html):
    return html.split('name="token" value="')[1].split('"')[0]


def summary(client):
    return json.loads(client.get("/reports/2023/summary.json").content)["commendations"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_import_preview_then_apply_then_again_changes_nothing(client_as, ministry, demo, fmt):
    client = client_as(ministry)
    data = good_rows()
    content = xlsx(data) if fmt == "xlsx" else csv(data)
    national = summary(client)
    assert national == {"collectives": 30, "individuals": 29}
    before = snapshot()

    preview = upload(client, demo, f"danh-sach.{fmt}", content)
    found, html = counts(preview)
    assert preview.status_code == 200 and found == {"collectives": 3, "individuals": 2}, html[-3000:]
    assert "Đỗ Thị Hồng Nhung" in html and "data-table=\"problems\"" not in html
    assert snapshot() == before  # the preview writes nothing

    response = client.post(page(demo) + "import/apply/", {"token": token_of(html)})
    assert response.status_code == 302 and response["Location"] == page(demo) + "#recipients"
    added = demo.recipients.order_by("-position_in_list")[:5]
    assert [r.position_in_list for r in added] == [64, 63, 62, 61, 60]
    named = demo.recipients.get(name="Đỗ Thị Hồng Nhung")
    assert (named.rank, named.province.code, named.reason) == ("Thiếu tá", "01", "Có thành tích xuất sắc")
    ministry_body = demo.recipients.get(name="Phòng Tham mưu, Bộ Công an")
    assert ministry_body.province is None and ministry_body.unit is None
    second = demo.recipients.get(position_in_list=61)
    assert second.unit.code == data[1][3].zfill(5) and second.name == f"Công an {second.unit.name}"
    assert summary(client) == {"collectives": 33, "individuals": 31}  # the figures follow the import
    assert CommendationRecipient.history.filter(history_user=ministry).count() == 5

    after = snapshot()
    again = upload(client, demo, f"danh-sach.{fmt}", content)
    found, html = counts(again)
    assert found == {"collectives": 0, "individuals": 0}
    assert "data-nothing" in html and 'name="token"' not in html
    assert html.count("Already in the list") == 5
    assert snapshot() == after


def test_applying_a_file_a_second_time_adds_nothing_and_says_so(client_as, ministry, empty):
    client = client_as(ministry)
    html = upload(client, empty, "a.csv", csv(good_rows())).content.decode()
    pending = dict(client.session["kieumau-commendation-import"])
    client.post(page(empty) + "import/apply/", {"token": token_of(html)})
    assert empty.recipients.count() == 5
    session = client.session
    session["kieumau-commendation-import"] = pending  # a second tab that previewed the same file
    session.save()
    after = snapshot()
    response = client.post(page(empty) + "import/apply/", {"token": pending["token"]}, follow=True)
    assert "Nothing added: every row of a.csv is already in the list." in response.content.decode()
    assert snapshot() == after


def test_a_stale_or_foreign_token_applies_nothing(client_as, ministry, demo, empty):
    client = client_as(ministry)
    html = upload(client, empty, "a.csv", csv(good_rows())).content.decode()
    before = snapshot()
    assert client.post(page(empty) + "import/apply/", {"token": "guess"}).status_code == 302
    # the token of one commendation's preview does not apply to another
    assert client.post(page(demo) + "import/apply/", {"token": token_of(html)}).status_code == 302
    assert snapshot() == before


def test_a_file_that_no_longer_applies_is_refused_whole(client_as, ministry, empty):
    client = client_as(ministry)
    data = good_rows()
    html = upload(client, empty, "a.csv", csv(data)).content.decode()
    client.post(page(empty) + "add/", {"kind": "individual", "name": "Trịnh Văn Khải", "province": "40"})
    before = snapshot()
    response = client.post(page(empty) + "import/apply/", {"token": token_of(html)}, follow=True)
    assert "no longer applies cleanly" in response.content.decode()
    assert snapshot() == before


def refusal_cases():
    hanoi_ward = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01").order_by("code")
    ward = hanoi_ward.first()
    current = Unit.objects.filter(period=Period.CURRENT, kind=UnitKind.WARD).exclude(
        code__in=Unit.objects.filter(period=Period.LEGACY).values("code")).order_by("code").first()
    return {
        "unknown kind": (["Tổ chức", "Công an phường A", "01", "", "", "", "", ""], "Loại",
                         "is not a kind of recipient"),
        "missing kind": (["", "Công an phường A", "01", "", "", "", "", ""], "Loại", "The kind is missing"),
        "unknown province": (["Tập thể", "Công an phường A", "99", "", "", "", "", ""], "Mã tỉnh",
                             "No province has the code 99 in 2023"),
        "unknown ward": (["Tập thể", "Công an phường A", "01", "99999", "", "", "", ""], "Mã phường",
                         "No ward has the code 99999 in 2023"),
        "ward of the other map": (["Tập thể", "Công an phường A", "", current.code if current else "99998",
                                   "", "", "", ""], "Mã phường", "in 2023&#x27;s map"),
        "ward not in that province": (["Tập thể", "Công an phường A", "40", ward.code, "", "", "", ""],
                                      "Mã phường", "is not in Tỉnh Nghệ An"),
        "ward on an individual": (["Cá nhân", "Lê Văn A", "01", ward.code, "", "", "", ""], "Mã phường",
                                  "for a collective only"),
        "individual without name": (["Cá nhân", "", "01", "", "Đại úy", "", "", ""], "Tên tập thể / Họ và tên",
                                    "An individual needs a full name"),
        "collective without name or ward": (["Tập thể", "", "01", "", "", "", "", ""], "Tên tập thể / Họ và tên",
                                            "The name is missing"),
        "rank on a collective": (["Tập thể", "Công an phường A", "01", "", "Đại úy", "", "", ""], "Cấp bậc",
                                 "leave them empty for a collective"),
        "position on a collective": (["Tập thể", "Công an phường A", "01", "", "", "Trưởng phòng", "", ""],
                                     "Chức vụ", "leave them empty for a collective"),
        "name too long": (["Cá nhân", "A" * 201, "01", "", "", "", "", ""], "Tên tập thể / Họ và tên",
                          "Too long: 201 characters, at most 200"),
        "rank too long": (["Cá nhân", "Lê Văn A", "01", "", "Đ" * 101, "", "", ""], "Cấp bậc",
                          "at most 100"),
        "reason too long": (["Cá nhân", "Lê Văn A", "01", "", "", "", "", "x" * 2001], "Lý do", "at most 2000"),
        "the template's example": (["Tập thể", "Ví dụ: Công an phường B", "01", "", "", "", "", ""],
                                   "Tên tập thể / Họ và tên", "example row"),
    }


REFUSALS = ["unknown kind", "missing kind", "unknown province", "unknown ward", "ward of the other map",
            "ward not in that province", "ward on an individual", "individual without name",
            "collective without name or ward", "rank on a collective", "position on a collective", "name too long",
            "rank too long", "reason too long", "the template's example"]


def problems(html):
    return re.findall(r"<tr data-problem><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)


@pytest.mark.parametrize("case", REFUSALS)
def test_each_bad_row_is_refused_with_row_and_column_and_nothing_changes(client_as, ministry, demo, case):
    bad, column, message = refusal_cases()[case]
    client = client_as(ministry)
    before = snapshot()
    html = upload(client, demo, "a.xlsx", xlsx(good_rows()[:1] + [bad])).content.decode()
    found = problems(html)
    assert len(found) == 1, found
    row, col, text = found[0]
    assert row == "3" and col == column and message in text, found
    assert 'name="token"' not in html
    assert snapshot() == before
    # and apply without a preview does nothing either
    client.post(page(demo) + "import/apply/", {"token": "x"})
    assert snapshot() == before


def test_duplicates_within_the_file_and_with_the_list_are_refused(client_as, ministry, demo):
    client = client_as(ministry)
    existing = demo.recipients.filter(kind=RecipientKind.INDIVIDUAL).select_related("province").first()
    rows_ = [
        ["Cá nhân", "Lê Văn Mới", "01", "", "", "", "", ""],
        ["Cá nhân", "lê  văn mới", "1", "", "", "", "", ""],  # the same person, typed differently
        ["Cá nhân", existing.name, existing.province.code, "", "", "", "", ""],
        ["Cá nhân", "Lê Văn Mới", "40", "", "", "", "", ""],  # another province: another person
    ]
    before = snapshot()
    html = upload(client, demo, "a.csv", csv(rows_)).content.decode()
    found = problems(html)
    assert [(r, c) for r, c, _m in found] == [("3", "Tên tập thể / Họ và tên"), ("4", "Tên tập thể / Họ và tên")]
    assert "already on row 2 of this file" in found[0][2]
    assert "Already in the list" in found[1][2]
    assert "data-nothing" not in html and 'name="token"' not in html
    assert snapshot() == before


def test_a_ward_already_commended_is_a_duplicate_whatever_its_name(client_as, ministry, demo):
    ward = demo.recipients.filter(unit__isnull=False).select_related("unit").first().unit
    html = upload(client_as(ministry), demo, "a.csv",
                  csv([["Tập thể", "Tập thể Công an phường", "", ward.code, "", "", "", ""]])).content.decode()
    assert "Already in the list" in html and 'name="token"' not in html


def test_english_headers_are_accepted_and_unknown_ones_refused(client_as, ministry, empty):
    client = client_as(ministry)
    header = ["No.", "Kind", "Name", "Province code", "Ward code", "Rank", "Position", "Unit", "Reason"]
    found, html = counts(upload(client, empty, "a.csv", csv([["1", "individual", "Lê Văn A", "01", "", "Đại úy",
                                                               "", "", ""]], header=header)))
    assert found == {"collectives": 0, "individuals": 1}
    html = upload(client, empty, "a.csv", csv([["Cá nhân", "Lê Văn A", "Hà Nội"]],
                                              header=["Loại", "Họ và tên", "Tỉnh thành"])).content.decode()
    assert [(r, c) for r, c, _m in problems(html)] == [("1", "Tỉnh thành")]
    html = upload(client, empty, "a.csv", csv([["Lê Văn A"]], header=["Họ và tên"])).content.decode()
    assert "No column “Loại”" in html


HOSTILE = {
    "formula": ("a.xlsx", lambda: xlsx([["Cá nhân", "=HYPERLINK(\"http://x\",\"A\")", "01"]]),
                "Cell B2 holds a formula"),
    "CSV formula": ("a.csv", lambda: csv([["Cá nhân", "@SUM(1+1)", "01"]]), "Cell B2 holds a formula"),
    "too many rows": ("a.csv", lambda: csv([["Cá nhân", f"Người {n}", "01"] for n in range(5001)]),
                      "more than 5000 rows"),
    "too large": ("a.csv", lambda: b"a" * (5 * 1024 * 1024 + 1), "the limit is 5.0"),
    "a picture": ("a.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not a spreadsheet"),
    "control character": ("a.csv", lambda: csv([["Cá nhân", "Lê\x07 Văn A", "01"]]), "control character"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_file_is_refused_clearly(client_as, ministry, demo, case):
    name, make, expected = HOSTILE[case]
    before = snapshot()
    response = upload(client_as(ministry), demo, name, make())
    html = response.content.decode()
    assert response.status_code == 400 and "data-import-error" in html and expected in html, html[-2000:]
    assert 'name="token"' not in html
    assert snapshot() == before


def test_a_zip_bomb_is_refused(client_as, ministry, demo):
    from .test_hostile_imports import bomb

    response = upload(client_as(ministry), demo, "bomb.xlsx", bomb(41))
    assert response.status_code == 400 and "unpacks to more than" in response.content.decode()


def test_the_template_has_the_headers_and_an_example_of_each_kind(client_as, ministry, demo):
    response = client_as(ministry).get(page(demo) + "import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Nhập liệu"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    assert [row[0] for row in values[1:] if any(row)] == ["Tập thể", "Cá nhân"]
    assert len(list(workbook["Mã tỉnh"].iter_rows(min_row=2))) == Province.objects.filter(period=Period.LEGACY).count()


def test_the_template_filled_in_imports(client_as, ministry, empty):
    """The template as downloaded, example rows replaced: the import reads its own template."""
    client = client_as(ministry)
    workbook = load_workbook(io.BytesIO(b"".join(client.get(page(empty) + "import/template.xlsx").streaming_content)))
    sheet = workbook["Nhập liệu"]
    sheet["B2"] = sheet["B2"].value.removeprefix("Ví dụ: ")
    sheet["B3"] = "Lê Thị Thu"
    buffer = io.BytesIO()
    workbook.save(buffer)
    found, html = counts(upload(client, empty, "mau.xlsx", buffer.getvalue()))
    assert found == {"collectives": 1, "individuals": 1}, html[-3000:]


@pytest.mark.parametrize("url", ["import/", "import/template.xlsx"])
def test_a_province_cannot_import(client_as, hanoi, demo, url):
    assert client_as(hanoi).get(page(demo) + url).status_code == 403
