"""The tables PDF (reports/pdf.py) as a reader sees it: headings whole, a chart with its legend,
white on green, no unexplained abbreviation, no heading alone at the foot of a page.

Pages 1 and 2 of the Vietnamese national PDF are rendered to PNG (poppler's pdftoppm) next to
the browser tests' screenshots, to be looked at.
"""

import io
import re
import shutil
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from criteria.access import Role, Scope
from reports import pdf
from reports.exporters import SummaryExporter
from wards.models import Province

from .browser import SCREENSHOTS

pytestmark = pytest.mark.django_db

HEADINGS = ["Headline figures", "By province", "Which criteria hold wards back", "Year on year"]


def render(year, language, province=None, current_map=False, monkeypatch=None):
    """The PDF's bytes, and every header cell's Paragraph (caught on its way into a table)."""
    cells = []
    if monkeypatch is not None:
        headings = pdf.headings

        def spy(rows, widths, spans=()):
            out = headings(rows, widths, spans)
            cells.extend((p, width_of(c, widths, spans, r)) for r, row in enumerate(out)
                         for c, p in enumerate(row) if isinstance(p, Paragraph))
            return out

        monkeypatch.setattr(pdf, "headings", spy)
    with translation.override(language):
        selected = Province.objects.get(period=year.period, code=province) if province else None
        exporter = SummaryExporter(year, Scope(user=None, role=Role.ADMIN), selected, current_map=current_map)
        return exporter.render_pdf(), cells


def width_of(column, widths, spans, row):
    for (c0, r0), (c1, _r1) in spans:
        if (c0, r0) == (column, row):
            return sum(widths[c0:c1 + 1])
    return widths[column]


def pages_of(content):
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def contrast(a, b):
    """WCAG 2 contrast ratio of two reportlab colours."""
    def luminance(colour):
        def channel(value):
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(colour.red) + 0.7152 * channel(colour.green) + 0.0722 * channel(colour.blue)
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


CASES = [("vi", None, False), ("en", None, False), ("vi", "01", False), ("en", "01", False), ("vi", None, True)]


@pytest.mark.parametrize("language, province, current_map", CASES)
def test_column_headings_wrap_between_words_only(year2023, monkeypatch, language, province, current_map):
    content, cells = render(year2023, language, province, current_map, monkeypatch)
    text = "\n".join(pages_of(content))
    assert len(cells) > 30  # every table's header: summary, statuses, bands, provinces, gaps, trend
    words = set()
    for paragraph, width in cells:
        style = paragraph.style
        assert style.splitLongWords == 0
        assert style.fontSize >= 6
        for word in paragraph.text.split():
            # Each word fits its column at the size it is set in: it is never broken to fit.
            assert pdf.stringWidth(word, style.fontName, style.fontSize) <= width - 2 * pdf.PADDING, (word, width)
            words.add(word)
    for word in words:
        assert word in text
        for cut in range(1, len(word)):
            assert f"{word[:cut]}\n{word[cut:]}" not in text, f"heading word split: {word[:cut]}/{word[cut:]}"
    if language == "vi":
        for heading in ["Đăng ký", "Vượt chỉ tiêu", "Chỉ tiêu", "Tỉnh", "Dự kiến đạt (tự đánh giá)"]:
            assert heading.split()[0] in words and heading.replace(" ", "") in text.replace(" ", "").replace("\n", "")
    else:
        assert {"Registered", "Exceeded", "Quota", "Code", "Province"} <= words


@pytest.mark.parametrize("language, province, current_map", CASES)
def test_no_unexplained_abbreviation_and_figures_as_before(year2023, language, province, current_map):
    content, _cells = render(year2023, language, province, current_map)
    text = "\n".join(pages_of(content))
    assert not re.search(r"\b(ĐK|DK|TB|SL|CT)\b", text)
    if language == "vi" and province is None and not current_map:
        assert "36/1.724 (2,1 %)" in text and "4,4 %" in text and "+66" in text
    if language == "en" and province is None and not current_map:
        assert "36/1,724 (2.1 %)" in text and "4.4 %" in text


def test_header_text_is_white_on_dark_green(year2023, monkeypatch):
    _content, cells = render(year2023, "vi", monkeypatch=monkeypatch)
    assert pdf.GREEN.hexval().lower() == "0x1b4332"
    for paragraph, _width in cells:
        assert contrast(paragraph.style.textColor, pdf.GREEN) >= 4.5
        assert paragraph.style.fontName == pdf.fonts()[1]  # bold
    assert contrast(pdf.HEADER_TEXT, pdf.GREEN) >= 7  # 11:1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_chart_has_a_legend_and_an_axis_title(year2023, language):
    with translation.override(language):
        summary = SummaryExporter(year2023, Scope(user=None, role=Role.ADMIN)).summary()
        drawing = pdf.band_chart(summary)
        chart = next(c for c in drawing.contents if isinstance(c, HorizontalBarChart))
        legend = next(c for c in drawing.contents if isinstance(c, Legend))
        names = dict((name, colour) for colour, name in legend.colorNamePairs)
        assert names == {_("Expected (self-assessed)"): chart.bars[0].fillColor,
                         _("Verified by the ministry"): chart.bars[1].fillColor}
        assert chart.categoryAxis.labels.fontSize >= 7.5 and chart.valueAxis.labels.fontSize >= 7.5
        assert [chart.valueAxis.labelTextFormat(v) for v in (0.0, 50.0)] == ["0", "50"]  # not "50,0"
        content, _cells = render(year2023, language)
        first = pages_of(content)[0]
        for label in [*names, _("Number of wards")]:
            assert label in first


@pytest.mark.parametrize("language, province, current_map", CASES)
def test_no_heading_is_the_last_line_of_a_page(year2023, language, province, current_map):
    content, _cells = render(year2023, language, province, current_map)
    with translation.override(language):
        headings = {_(h) for h in HEADINGS}
    for number, page in enumerate(pages_of(content), start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()][:-1]  # the footer last
        assert lines and lines[-1] not in headings, f"page {number} ends with its heading {lines[-1]!r}"


def test_a_heading_goes_to_the_next_page_with_its_table():
    """Where only the heading would fit, it moves to the next page with the table's first rows."""
    styles = pdf.styles()
    frame = A4[1] - 15 * mm - 18 * mm - 12  # the page's frame, less its padding

    def build(table_rows):
        table = pdf.grid([["Heading A", "Heading B"], *[[f"row {n}", str(n)] for n in range(table_rows)]],
                         [90 * mm, 90 * mm])
        story = [Spacer(0, frame - 24 * mm), *pdf.section(Paragraph("Orphan check", styles["h2"]), table)]
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4, topMargin=15 * mm, bottomMargin=18 * mm).build(story)
        return pages_of(buffer.getvalue())

    for rows in (5, 80):  # kept together whole; split after its first rows
        pages = build(rows)
        assert "Orphan check" not in pages[0] and "Orphan check" in pages[1]
        assert "row 0" in pages[1]
    assert "Heading A" in build(80)[-1]  # the header row repeats on the table's last page


def test_pages_one_and_two_as_png(year2023):
    """Pages 1 and 2 of the Vietnamese national PDF as PNG, to be looked at."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm is missing (apt-get install poppler-utils)")
    content, _cells = render(year2023, "vi")
    folder = SCREENSHOTS / "pdf"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "summary-2023.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(folder / "summary-2023.pdf"),
                    str(folder / "summary-2023")], check=True, timeout=60)
    pngs = sorted(folder.glob("summary-2023-*.png"))
    assert [p.name for p in pngs] == ["summary-2023-1.png", "summary-2023-2.png"]
    assert all(p.stat().st_size > 20_000 for p in pngs)
