"""The yearly report as a document (issue 16): DOCX and PDF from one content, every figure the summary's.

Each figure written is read back (python-docx, pypdf) and compared with the summary
JSON of `export_summary --format json`, on the 2023 demo. The report is in
Vietnamese, as the command writes it: "1.724", "2,1 %", "ngày 27 tháng 11 năm 2026".
"""

import io
import json
import math
import os
import re
import shutil
import subprocess
import unicodedata

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from docx.shared import Mm
from pypdf import PdfReader

from criteria.models import CommendationRecipient, Recognition, RecognitionDecision, RecipientKind

from .browser import SCREENSHOTS

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def vn(n):
    """A count as the report writes it in Vietnamese: 1.724."""
    return f"{n:,}".replace(",", ".")


def vn_signed(n):
    return f"+{vn(n)}" if n > 0 else vn(n)


def vn_pct(value):
    return f"{value:.1f}".replace(".", ",") + f"{NBSP}%"


def needed(eligible, recognised, pct):
    return max(0, math.ceil(eligible * pct / 100) - recognised)


def summary_json(*args):
    out = io.StringIO()
    call_command("export_summary", "--year", "2023", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def docx_text(document):
    """Every paragraph, in the body and in every table cell, in order."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def rows_of(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.fixture
def report(tmp_path):
    target = tmp_path / "report.docx"
    call_command("export_summary", "--year", "2023", "--format", "docx", "--output", str(target))
    return target


def test_every_figure_of_the_document_is_the_summarys(report):
    data = summary_json()
    document = Document(report)
    text = docx_text(document)
    paragraphs = [p.text for p in document.paragraphs]

    # I. registered against quota, and by how much exceeded
    assert any(f"{vn(data['quota'])} Công an phường" in p and f"đăng ký {vn(data['registered'])} Công an phường" in p
               and f"vượt chỉ tiêu {vn(data['exceeded_by'])} Công an phường" in p for p in paragraphs)
    assert f"{data['provinces_at_or_above_quota']}/{len(data['provinces'])} tỉnh" in text
    # II. expected and verified bands, in the text and in their table
    for band, n in data["expected"].items():
        if band != "below":
            assert f"{vn(n)} Công an phường đạt {band} tiêu chí" in text
    bands = next(rows_of(t) for t in document.tables if len(t.rows) == 6 and len(t.columns) == 3)
    assert [row[1:] for row in bands[1:5]] == [[vn(e), vn(v)] for e, v in zip(data["expected"].values(),
                                                                             data["verified"].values())]
    assert bands[5][1:] == [vn(data["submitted"]), vn(sum(data["verified"].values()))]
    # III. progress per province, to 30, 50 and 100 %
    progress = next(rows_of(t) for t in document.tables if len(t.columns) == 9)
    assert len(progress) == 1 + 63 + 1
    for row, province in zip(progress[1:-1], data["provinces"]):
        eligible, recognised = province["eligible_units"], province["recognised_units"]
        assert row[:2] == [province["code"], province["name"]]
        assert row[2:8] == [vn(eligible), vn(recognised), vn_pct(province["recognised_pct"]),
                            vn(needed(eligible, recognised, 30)), vn(needed(eligible, recognised, 50)),
                            vn(needed(eligible, recognised, 100))]
    assert progress[-1][2:5] == [vn(data["eligible_units"]), vn(data["recognised_units"]),
                                 vn_pct(data["recognised_pct"])]
    assert (f"{vn(data['recognised_units'])}/{vn(data['eligible_units'])} đơn vị thuộc diện "
            f"({vn_pct(data['recognised_pct'])})") in text
    # V. recognition and commendations
    recognition, commendations = data["recognition"], data["commendations"]
    assert (f"Tổng số: {vn(recognition['decisions'])} quyết định; {vn(recognition['wards'])} Công an phường được "
            f"công nhận theo quyết định còn hiệu lực; {vn(recognition['withdrawn'])} trường hợp đã thu hồi.") in text
    for decision in RecognitionDecision.objects.filter(year__year=2023):
        assert f"Quyết định số {decision.number} ngày {decision.signed_on:%d/%m/%Y}" in text
    assert (f"Tổng số: {vn(commendations['collectives'])} tập thể, {vn(commendations['individuals'])} cá nhân "
            "được khen thưởng") in text
    # Annex I: per province
    annex = next(rows_of(t) for t in document.tables if len(t.columns) == 12)
    assert len(annex) == 1 + 63 + 1
    for row, p in zip(annex[1:], [*data["provinces"], {**data, "code": "", "name": "Tổng cộng"}]):
        assert row == [p["code"], p["name"], vn(p["quota"]), vn(p["registered"]), vn_signed(p["exceeded_by"]),
                       vn(p["expected"]["22/22"]), vn(p["expected"]["21/22"]), vn(p["expected"]["20/22"]),
                       vn(p["verified"]["22/22"]), vn(p["recognised_units"]),
                       vn(p["commendations"]["collectives"]), vn(p["commendations"]["individuals"])], p["code"]


def test_the_2023_demo_document_holds_the_published_figures(report):
    text = docx_text(Document(report))
    for figure in ("172", "106", "66", "144", "25", "3", "30 tập thể", "29 cá nhân", "1.724"):
        assert figure in text, figure
    # Annex II lists each recipient: collectives by name; individuals with name, rank, position and unit.
    for recipient in CommendationRecipient.objects.filter(commendation__year__year=2023):
        assert recipient.name in text
        if recipient.kind == RecipientKind.INDIVIDUAL:
            assert recipient.rank in text and recipient.position in text and recipient.work_unit in text


def test_the_document_is_a4_nfc_with_the_decree_s_header_and_closing(report):
    document = Document(report)
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.left_margin - Mm(30)) < Mm(0.5)
    assert Mm(20) <= section.top_margin <= Mm(25) and Mm(20) <= section.bottom_margin <= Mm(25)
    text = docx_text(document)
    assert text == unicodedata.normalize("NFC", text)
    assert document.styles["Normal"].font.name == "Times New Roman"

    (left, right), (number, date) = (row.cells for row in document.tables[0].rows)
    assert [p.text for p in left.paragraphs][:2] == ["BỘ CÔNG AN", "CỤC XÂY DỰNG PHONG TRÀO BẢO VỆ AN NINH TỔ QUỐC"]
    assert re.fullmatch(rf"Số: {NBSP}+/BC-V05", number.text)
    nation, motto = right.paragraphs
    date = date.paragraphs[0]
    assert nation.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and nation.runs[0].bold
    assert motto.text == "Độc lập - Tự do - Hạnh phúc" and motto.runs[0].bold and motto.runs[0].underline
    assert re.fullmatch(r"Hà Nội, ngày \d\d tháng (0[12]|[3-9]|1[012]) năm \d{4}", date.text) and date.runs[0].italic
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "BÁO CÁO"
    assert paragraphs[1].startswith("Kết quả xây dựng mô hình “Công an phường điển hình, kiểu mẫu về an ninh, trật tự")
    closing = [cell for table in document.tables for cell in table.rows[0].cells if "Nơi nhận:" in cell.text]
    assert len(closing) == 1 and "- Lưu: VT, V05." in closing[0].text
    assert "PHỤ LỤC I" in paragraphs and "PHỤ LỤC II" in paragraphs


def test_without_a_decision_the_figure_is_verified_not_recognised(tmp_path):
    Recognition.objects.filter(year__year=2023).delete()
    RecognitionDecision.objects.filter(year__year=2023).delete()
    target = tmp_path / "report.docx"
    call_command("export_summary", "--year", "2023", "--format", "docx", "--output", str(target))
    text = docx_text(Document(target))
    assert "đạt 22/22 qua thẩm định, chưa có quyết định công nhận" in text
    assert "Năm 2023 chưa có quyết định công nhận" in text


def test_the_pdf_is_the_same_document(report, tmp_path):
    target = tmp_path / "report.pdf"
    call_command("export_summary", "--year", "2023", "--report", "yearly", "--format", "pdf", "--output", str(target))
    reader = PdfReader(target)
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=1)  # A4
    pdf = " ".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Nơi nhận:", "BÁO CÁO"):
        assert line in pdf
    # Every number of the Word file, with its thousands separator or decimal comma, is in the PDF.
    numbers = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
    words = set(numbers.findall(docx_text(Document(report))))
    assert words and words <= set(numbers.findall(pdf)), words - set(numbers.findall(pdf))


def test_the_command_offers_docx_and_pdf_of_the_yearly_report_only():
    with pytest.raises(CommandError, match="comes as docx, pdf"):
        call_command("export_summary", "--year", "2023", "--report", "yearly", "--format", "json",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="--output FILE is needed for docx"):
        call_command("export_summary", "--year", "2023", "--format", "docx", stdout=io.StringIO())


def test_the_national_page_offers_the_document(client_as, ministry):
    html = client_as(ministry).get("/reports/2023/").content.decode()
    assert "/reports/2023/export/summary.docx" in html
    assert "/reports/2023/export/yearly.docx" in html and "/reports/2023/export/yearly.pdf" in html


def test_the_ministry_downloads_both(client_as, ministry):
    client = client_as(ministry)
    response = client.get("/reports/2023/export/summary.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == 'attachment; filename="kieumau-summary-2023.docx"'
    assert "no-store" in response["Cache-Control"]
    text = docx_text(Document(io.BytesIO(b"".join(response.streaming_content))))
    assert "Tỉnh Nghệ An" in text and "172" in text
    response = client.get("/reports/2023/export/yearly.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Tỉnh Nghệ An" in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_a_province_s_report_holds_its_province_only(client_as, hanoi):
    client = client_as(hanoi)
    own = client.get("/reports/2023/summary.json").json()
    text = docx_text(Document(io.BytesIO(b"".join(client.get("/reports/2023/export/summary.docx").streaming_content))))
    assert "Thành phố Hà Nội" in text and "Tỉnh Nghệ An" not in text
    assert (f"Tổng số: {vn(own['commendations']['collectives'])} tập thể, "
            f"{vn(own['commendations']['individuals'])} cá nhân") in text
    individuals = CommendationRecipient.objects.filter(commendation__year__year=2023, kind=RecipientKind.INDIVIDUAL)
    others = individuals.exclude(province__code="01")
    assert others.exists() and individuals.filter(province__code="01").exists()
    for person in others:
        assert person.name not in text
    for person in individuals.filter(province__code="01"):
        assert person.name in text
    pdf = client.get("/reports/2023/export/yearly.pdf")
    assert pdf.status_code == 200
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Tỉnh Nghệ An" not in pdf_text and all(person.name not in pdf_text for person in others)
    assert client.get("/reports/2023/export/yearly.docx?province=40").status_code == 404


def test_libreoffice_opens_the_document(report, tmp_path):
    """The DOCX converts to PDF in LibreOffice (headless, its own profile), holding the figures; page 1 is kept
    as a PNG beside the browser tests' screenshots, to be looked at."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("REQUIRE_LIBREOFFICE=1 but soffice is not installed (libreoffice-writer-nogui)")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui fonts-liberation2")
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(report)],
        check=True, timeout=180, capture_output=True,
    )
    converted = tmp_path / "report.pdf"
    assert converted.exists()
    reader = PdfReader(converted)
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)
    text = " ".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")
    for figure in ("172", "106", "66", "144", "25", "1.724", "30 tập thể", "29 cá nhân",
                   "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Nơi nhận:"):
        assert figure in text, figure
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(converted),
                        str(SCREENSHOTS / "yearly-report-2023-page1")], check=True, timeout=60)
