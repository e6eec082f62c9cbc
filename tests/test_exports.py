import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from criteria.access import Role, Scope
from criteria.models import Registration, Result, Status
from reports.exporters import SummaryExporter, WardResultsExporter, csv_chunks, write_xlsx

from .conftest import registered

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows_of_csv(data):
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_xlsx_summary_carries_the_figures(client_as, ministry):
    response = client_as(ministry).get("/reports/2023/export/summary.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kieumau-summary-2023.xlsx"')
    workbook = load_workbook(io.BytesIO(body(response)))
    headline = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    values = list(headline.values())
    assert values[1:4] == [172, 106, 66]  # numbers as numbers
    assert values[4:7] == [144, 25, 3]
    provinces = workbook.worksheets[1]
    assert provinces.freeze_panes == "A2"
    assert provinces["A1"].font.bold
    assert provinces.column_dimensions["B"].width >= 20
    names = [row[1] for row in provinces.iter_rows(min_row=2, values_only=True)]
    assert "Thành phố Hồ Chí Minh" in names and "Tỉnh Nghệ An" in names and len(names) == 64


def test_csv_summary_has_a_bom_and_the_figures(client_as, ministry):
    rows = rows_of_csv(body(client_as(ministry).get("/reports/2023/export/summary.csv")))
    total = rows[-1]
    assert total[2:5] == ["172", "106", "66"]
    assert total[9:12] == ["144", "25", "3"]
    assert any(row[1] == "Thành phố Đà Nẵng" for row in rows)


def test_pdf_summary_text_has_the_figures_and_the_diacritics(client_as, ministry):
    response = client_as(ministry).get("/reports/2023/export/summary.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name in ["Thành phố Hồ Chí Minh", "Tỉnh Nghệ An", "Thành phố Đà Nẵng", "Tỉnh Quảng Ngãi"]:
        assert name in text
    for figure in ["172", "106", "66", "144", "25"]:
        assert figure in text
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):  # "page N of M" in every footer
        footer = page.extract_text().splitlines()[-1]
        assert f"{number}" in footer and f"{pages}" in footer
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=1)  # A4


def test_json_summary_matches_the_command(client_as, ministry):
    data = client_as(ministry).get("/reports/2023/summary.json").json()
    out = io.StringIO()
    call_command("export_summary", "--year", "2023", stdout=out)
    assert data == json.loads(out.getvalue())
    assert (data["registered"], data["quota"], data["exceeded_by"]) == (172, 106, 66)


def test_a_province_exports_only_its_own(client_as, hanoi):
    client = client_as(hanoi)
    rows = rows_of_csv(body(client.get("/reports/2023/export/summary.csv")))
    assert [row[0] for row in rows[1:-1]] == ["01"]
    wards = rows_of_csv(body(client.get("/reports/2023/export/wards.csv")))
    assert {row[0] for row in wards[1:]} == {"01"}
    assert len(wards) - 1 == Registration.objects.filter(year__year=2023, unit__province__code="01").count()
    assert client.get("/reports/2023/export/summary.csv?province=40").status_code == 404
    assert client.get("/reports/2023/provinces/40/summary.json").status_code == 404
    data = client.get("/reports/2023/provinces/01/summary.json").json()
    assert [p["code"] for p in data["provinces"]] == ["01"]


def test_ward_results_have_a_column_per_criterion_and_notes(client_as, ministry):
    workbook = load_workbook(io.BytesIO(body(client_as(ministry).get("/reports/2023/export/wards.xlsx"))))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert len(header) == 8 + 22 + 1
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 172
    near = registered("01", status=Status.SUBMITTED)
    note = Result.objects.filter(assessment__registration__year__year=2023).exclude(self_note="").first()
    row = next(r for r in rows if r[4] == note.assessment.registration.unit.code)
    assert note.self_note in row[-1]
    assert near is not None


@pytest.mark.parametrize("identifier, fmt", [("gaps", "xlsx"), ("gaps", "csv"), ("near-misses", "csv"),
                                             ("near-misses", "xlsx"), ("wards", "csv")])
def test_every_export_renders(client_as, ministry, identifier, fmt):
    response = client_as(ministry).get(f"/reports/2023/export/{identifier}.{fmt}")
    assert response.status_code == 200
    assert len(body(response)) > 100


@pytest.mark.parametrize("url", ["/reports/2023/export/nothing.csv", "/reports/2023/export/wards.pdf",
                                 "/reports/2023/export/summary.exe", "/reports/1999/export/summary.csv"])
def test_unknown_exports_are_not_found(client_as, ministry, url):
    assert client_as(ministry).get(url).status_code == 404


def test_formula_injection_is_neutralised(year2023, hanoi):
    result = Result.objects.filter(assessment__registration__unit__province__code="01").exclude(self_note="").first()
    if result is None:
        result = Result.objects.filter(assessment__registration__unit__province__code="01").first()
    hostile = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    Result.objects.filter(pk=result.pk).update(self_note=hostile[0], verified_note=hostile[0])
    scope = Scope(user=hanoi, role=Role.PROVINCE)
    table = WardResultsExporter(year2023, scope).tables()[0]
    table.rows = list(table.rows) + [["x"] * 5 + hostile]
    rows = list(csv.reader(io.StringIO("".join(csv_chunks(table)).lstrip("\ufeff"))))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any(cell == "'+1+1" for cell in rows[-1])
    target = io.BytesIO()
    table = WardResultsExporter(year2023, scope).tables()[0]
    table.rows = list(table.rows) + [["x"] * 5 + hostile]
    write_xlsx([table], target)
    sheet = load_workbook(io.BytesIO(target.getvalue())).worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == "=HYPERLINK(\"http://evil\",\"x\")" and c.data_type == "s" for c in cells)


def test_command_writes_xlsx_pdf_and_a_province(tmp_path):
    call_command("export_summary", "--year", "2023", "--format", "xlsx", "--output", str(tmp_path / "s.xlsx"))
    sheet = load_workbook(tmp_path / "s.xlsx").worksheets[1]
    assert sheet.max_row == 1 + 63 + 1
    call_command("export_summary", "--year", "2023", "--format", "pdf", "--output", str(tmp_path / "s.pdf"))
    assert "Tỉnh Nghệ An" in "".join(p.extract_text() for p in PdfReader(tmp_path / "s.pdf").pages)
    out = io.StringIO()
    call_command("export_summary", "--year", "2023", "--province", "40", stdout=out)
    data = json.loads(out.getvalue())
    assert [p["code"] for p in data["provinces"]] == ["40"]
    call_command("export_summary", "--year", "2023", "--report", "wards", "--format", "csv",
                 "--output", str(tmp_path / "w.csv"))
    assert (tmp_path / "w.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("args, message", [
    (["--format", "xlsx"], "--output FILE is needed"),
    (["--province", "99"], "Unknown province '99'"),
    (["--report", "everything"], "Unknown report"),
    (["--report", "wards", "--format", "pdf", "--output", "x.pdf"], "comes as"),
])
def test_command_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_summary", "--year", "2023", *args, stdout=io.StringIO())


def test_summary_exporter_scope_is_the_users(year2023, nghean):
    exporter = SummaryExporter(year2023, Scope(user=nghean, role=Role.PROVINCE))
    assert [row.province.code for row in exporter.summary().provinces] == ["40"]


def test_dashboards_offer_the_exports(client_as, hanoi):
    client = client_as(hanoi)
    html = client.get("/reports/2023/").content.decode()
    assert "/reports/2023/export/summary.xlsx" in html and "/reports/2023/export/summary.pdf" in html
    assert "/reports/2023/export/wards.csv" in html
    province = client.get("/reports/2023/provinces/01/").content.decode()
    assert "/reports/2023/export/summary.pdf?province=01" in province


def test_a_streamed_csv_is_in_the_language_of_the_page(client_as, ministry):
    client = client_as(ministry)
    client.cookies["django_language"] = "en"
    rows = list(csv.reader(io.StringIO(
        b"".join(client.get("/reports/2023/export/summary.csv").streaming_content).decode("utf-8-sig"))))
    assert rows[-1][1] == "Total"
    assert "Tổng cộng" not in {cell for row in rows for cell in row}


PRINTABLE = st.characters(
    codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"),
    include_characters="ẠạẶặỄễỘộỨứỰựĐđ<>&\"'=+-@",
)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(note=st.text(PRINTABLE, min_size=1, max_size=80).map(str.strip).filter(bool))
def test_a_note_reads_the_same_on_the_page_and_in_xlsx_and_csv(client_as, ministry, note):
    """Any printable text: the ward page, the XLSX and the CSV show it as entered (a formula-like start
    is kept as text in XLSX and behind an apostrophe in CSV, so that no spreadsheet runs it)."""
    import html
    import unicodedata

    note = unicodedata.normalize("NFC", note)
    result = Result.objects.filter(assessment__registration__unit__province__code="01",
                                   assessment__status=Status.SUBMITTED).order_by("pk").first()
    Result.objects.filter(pk=result.pk).update(self_note=note)
    unit = result.assessment.registration.unit
    client = client_as(ministry)
    page = client.get(f"/wards/{unit.code}/2023/").content.decode()
    assert html.escape(note, quote=False) in page.replace("&#x27;", "'").replace("&quot;", '"')

    sheet = load_workbook(io.BytesIO(body(client.get("/reports/2023/export/wards.xlsx")))).worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[4] == unit.code)
    assert f"{result.criterion.number}: {note}" in row[-1]

    rows = list(csv.reader(io.StringIO(body(client.get("/reports/2023/export/wards.csv")).decode("utf-8-sig"))))
    cell = next(r for r in rows if len(r) > 4 and r[4] == unit.code)[-1]
    assert f"{result.criterion.number}: {note}" in cell


def test_ward_results_give_the_result_that_stands_in_a_fixed_number_of_queries(client_as, ministry, hanoi):
    """A verified ward shows its verified values and band, a submitted one its self-assessment; the
    export reads every ward in the same few queries however many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from criteria.models import ResultValue
    from reports.exporters import VALUE_LABELS

    counts, tables = [], []
    for user in (ministry, hanoi):
        http = client_as(user)
        with CaptureQueriesContext(connection) as queries:
            tables.append(rows_of_csv(body(http.get("/reports/2023/export/wards.csv"))))
        counts.append(len(queries))
    assert len(tables[0]) - 1 == 172 and 1 < len(tables[1]) - 1 < 172
    assert counts[0] == counts[1]
    with translation.override("vi"):
        labels = {key: str(label) for key, label in VALUE_LABELS.items()}
        for status, field in ((Status.VERIFIED, "verified_value"), (Status.SUBMITTED, "self_value")):
            assessment = registered("01", status=status).assessment
            row = next(r for r in tables[0][1:] if r[4] == assessment.registration.unit.code)
            assert row[5] == str(Status(status).label)
            values = dict(assessment.results.values_list("criterion__number", field))
            assert row[8:30] == [labels[values.get(n, ResultValue.PENDING)] for n in range(1, 23)]
            assert row[7]  # the band
