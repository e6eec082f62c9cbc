"""The yearly report as an A4 PDF, in Vietnamese, fit to print and file.

Figures are written as on the pages, in the language the report is rendered in:
"1.724" and "4,4 %" in Vietnamese (the management command's default), "1,724" and
"4.4 %" in English. Years and codes are written as they are ("2023", "01").

Be Vietnam Pro (from the fontpkg-be-vietnam-pro wheel) is embedded, so every
diacritic renders on any machine and the text can be extracted back (a test does).

Laid out to be read (tests/test_pdf_layout.py): column headings white bold on the dark
green, wrapped between words and never inside one; long tables repeat their header on
each page; a heading never stays alone at the foot of a page; the chart has its legend.
"""

import io
from functools import lru_cache
from xml.sax.saxutils import escape

from django.utils import timezone
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import dashboard
from .exporters import STATUS_LABELS
from criteria.figures import programme_years

GREEN = colors.HexColor("#1B4332")
GREY = colors.HexColor("#DEE2E6")
HEADER_TEXT = colors.white  # on GREEN: a contrast of 11:1 (WCAG asks 4.5:1)
EXPECTED_COLOUR = colors.HexColor("#4C7FBF")
VERIFIED_COLOUR = colors.HexColor("#2D6A4F")
HEADER_SIZES = (7.5, 7, 6.5, 6)  # the header row's font size: the largest at which every word fits its column
PADDING = 3  # points either side of a cell's text


@lru_cache(maxsize=1)
def vietnamese_fonts():
    """Be Vietnam Pro registered with reportlab: (regular, bold, italic, bold italic)."""
    names = ("BeVietnamPro", "BeVietnamPro-Bold", "BeVietnamPro-Italic", "BeVietnamPro-BoldItalic")
    for name, file in zip(names, ("Regular", "Bold", "Italic", "BoldItalic")):
        pdfmetrics.registerFont(TTFont(name, FONT_ROOT / "files" / f"BeVietnamPro-{file}.ttf"))
    pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])
    return names


def fonts():
    return vietnamese_fonts()[:2]


def figure(value):
    """A count as the pages write it: "1.724" in Vietnamese, "1,724" in English."""
    return number_format(value)


def signed(value):
    """A difference: "+66", "-3", "0"."""
    return f"+{figure(value)}" if value > 0 else figure(value)


def percent(value):
    """A percentage rounded as the pages round it (`floatformat:1`): "4,4 %"."""
    return f"{floatformat(value, 1)} %"


def share(part, whole, pct):
    """"12/1.724 (0,7 %)": recognised units of the eligible ones."""
    return f"{figure(part)}/{figure(whole)} ({percent(pct)})"


def styles():
    regular, bold = fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=15, leading=19, spaceAfter=4, textColor=GREEN),
        "subtitle": ParagraphStyle("subtitle", fontName=regular, fontSize=9.5, leading=13, textColor=colors.grey),
        # Kept with what follows by `section()`, not keepWithNext: that would push a long table to the next page.
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9.5),
        "total": ParagraphStyle("total", fontName=bold, fontSize=7.5, leading=9.5),
        "number": ParagraphStyle("number", fontName=regular, fontSize=7.5, leading=9.5, alignment=TA_RIGHT),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9, leading=12),
    }


class NumberedCanvas(canvas.Canvas):
    """Writes "page N of M" on every page, once the number of pages is known."""

    def __init__(self, *args, footer="", **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []
        self.footer = footer

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(fonts()[0], 7.5)
            self.setFillColor(colors.grey)
            self.drawString(15 * mm, 10 * mm, self.footer)
            self.drawRightString(A4[0] - 15 * mm, 10 * mm, _("Page %(n)s of %(total)s") % {"n": self._pageNumber,
                                                                                            "total": total})
            super().showPage()
        super().save()


def words_fit(text, width, size):
    """Whether every word of `text` fits `width` points (less the padding) in bold at `size`."""
    bold = fonts()[1]
    return all(stringWidth(word, bold, size) <= width - 2 * PADDING for word in str(text).split())


def headings(rows, widths, spans=()):
    """The header rows as white bold Paragraphs that wrap between words only, never inside one.

    The font size is the table's largest of HEADER_SIZES at which every word of every
    heading fits its column. Where a column is too narrow for its label, give it a short
    one (the exporters' `Column.short`, which `Column.heading` prefers).
    """
    # The width each cell has: its column's, or the columns it spans.
    span_of = {(c0, r0): (c1, r1) for (c0, r0), (c1, r1) in spans}
    cells = []  # (row, column, width, text)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text in ("", None):
                continue
            last = span_of.get((c, r), (c, r))[0]
            cells.append((r, c, sum(widths[c:last + 1]), text))

    size = next((size for size in HEADER_SIZES if all(words_fit(text, width, size) for _r, _c, width, text in cells)),
                HEADER_SIZES[-1])
    style = ParagraphStyle("header", fontName=fonts()[1], fontSize=size, leading=size * 1.25,
                           textColor=HEADER_TEXT, splitLongWords=0)
    out = [list(row) for row in rows]
    for r, c, width, text in cells:
        out[r][c] = Paragraph(escape(str(text)), style)
    return out


def grid(data, widths, header_rows=1, spans=(), numbers_from=2):
    """A table whose header rows (white bold on green) repeat on every page it runs over.

    Columns from `numbers_from` on hold figures: aligned right.
    """
    data = headings(data[:header_rows], widths, spans) + list(data[header_rows:])
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts()[0], 7.5),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), GREEN),
        ("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.25, GREY),
        ("INNERGRID", (0, header_rows), (-1, -1), 0.25, GREY),
        ("BOX", (0, 0), (-1, -1), 0.25, GREY),
        ("LINEAFTER", (0, 0), (-1, header_rows - 1), 0.25, colors.HexColor("#40705A")),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, header_rows - 1), "BOTTOM"),
        ("ALIGN", (numbers_from, header_rows), (-1, -1), "RIGHT"),
        ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#F5F7F6")]),
        *[("SPAN", start, end) for start, end in spans],
    ]))
    return table


def section(heading, body, rows=3):
    """A heading kept with what follows it: all of it when it is short, else its first rows.

    A long table splits across pages, repeating its header, but never leaves its heading
    alone at the foot of a page: when the page has no room left for the heading, the
    table's header and `rows` rows, the heading starts the next page.
    """
    width = 180 * mm
    needed = heading.wrap(width, A4[1])[1] + heading.getSpaceBefore() + heading.getSpaceAfter()
    body.wrap(width, A4[1])
    if isinstance(body, Table) and len(body._rowHeights) > body.repeatRows + rows:
        return [CondPageBreak(needed + sum(body._rowHeights[:body.repeatRows + rows])), heading, body]
    return [KeepTogether([heading, body])]


def whole(value):
    """An axis tick: "50", not "50,0"."""
    return figure(int(value)) if float(value).is_integer() else figure(value)


def band_chart(summary):
    """The band distribution, expected against verified, as a printable bar chart with its legend."""
    regular = fonts()[0]
    drawing = Drawing(180 * mm, 50 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 22 * mm, 12 * mm, 95 * mm, 35 * mm
    # The chart draws its first category at the bottom: reverse, so that the best band is on top.
    expected = list(summary.total.expected.values())[::-1]
    verified = list(summary.total.verified.values())[::-1]
    chart.data = [expected, verified]
    chart.categoryAxis.categoryNames = [label for _key, label in summary.band_labels][::-1]
    chart.valueAxis.valueMax = max(expected + verified + [1]) * 1.15
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = whole
    chart.bars[0].fillColor = EXPECTED_COLOUR
    chart.bars[1].fillColor = VERIFIED_COLOUR
    chart.bars.strokeColor = None
    chart.barLabelFormat = figure
    chart.barLabels.fontName = regular
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(chart.x + chart.width / 2, 2 * mm, _("Number of wards"), fontName=regular, fontSize=8,
                       textAnchor="middle"))
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 6 * mm, chart.y + chart.height
    legend.alignment = "right"
    legend.fontName, legend.fontSize = regular, 8
    legend.columnMaximum = 2
    legend.boxAnchor = "nw"
    legend.dx = legend.dy = 8
    legend.deltay = 12
    legend.strokeColor = None
    # In the order the bars stand in each group, top to bottom.
    legend.colorNamePairs = [(VERIFIED_COLOUR, _("Verified by the ministry")),
                             (EXPECTED_COLOUR, _("Expected (self-assessed)"))]
    drawing.add(legend)
    return drawing


def province_table(exporter, summary, s):
    """The exporter's province table (one definition), the columns a portrait page holds.

    The bands are grouped under one heading each ("Expected (self-assessed)" over 22/22 and
    21/22), so that the narrow columns carry a band only.
    """
    bands = summary.bands[:2]
    band_label = dict(summary.band_labels)
    keys = ["code", "province", "registered", "quota", "exceeded_by", "recognised", "pct"]
    columns = {column.key: column for column in exporter.columns()}
    printed = [columns[key] for key in keys]
    plain = len(printed)
    groups = [(_("Expected (self-assessed)"), "expected"), (_("Verified by the ministry"), "verified")]
    printed += [columns[f"{prefix}:{key}"] for _label, prefix in groups for key in bands]
    widths = [9 * mm, 33 * mm, 16 * mm, 14 * mm, 16 * mm, 15 * mm, 14 * mm]
    widths += [(180 * mm - sum(widths)) / (len(printed) - plain)] * (len(printed) - plain)
    top = [column.heading for column in printed[:plain]]
    sub = [""] * plain
    spans = [((c, 0), (c, 1)) for c in range(plain)]
    for index, (label, _prefix) in enumerate(groups):
        start = plain + index * len(bands)
        top += [label] + [""] * (len(bands) - 1)
        sub += [band_label[key] for key in bands]
        spans.append(((start, 0), (start + len(bands) - 1, 0)))
    shown = {"exceeded_by": signed, "pct": percent, "code": str,
             "province": lambda name: Paragraph(escape(str(name)), s["cell"])}
    rows = [top, sub]
    for row in [*summary.provinces, summary.total]:
        rows.append([shown.get(column.key, figure)(column.value(row)) for column in printed])
    rows[-1][1] = Paragraph(escape(str(printed[1].value(summary.total))), s["total"])
    table = grid(rows, widths, header_rows=2, spans=spans)
    table.setStyle([("FONT", (0, -1), (-1, -1), fonts()[1], 7.5), ("LINEABOVE", (0, -1), (-1, -1), 0.75, GREEN)])
    return table


def render_pdf(exporter):
    """The summary exporter's year and scope as a PDF report (bytes)."""
    s = styles()
    summary = exporter.summary()
    year = exporter.year
    total = summary.total
    labels = [label for _key, label in summary.band_labels]
    scope = exporter.province.name if exporter.province is not None else (
        _("Whole country") if exporter.scope.is_national else ", ".join(p.province.name for p in summary.provinces)
    )
    today = date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    story = [
        Paragraph(_("Model ward police units for security, order and urban civility"), s["subtitle"]),
        Paragraph(_("Yearly summary report, %(year)s") % {"year": year.year}, s["title"]),
        Paragraph(escape(_("Scope: %(scope)s · Issued %(date)s · Criteria: %(catalogue)s (%(size)s)") % {
            "scope": scope, "date": today, "catalogue": year.catalogue.title, "size": summary.size}), s["subtitle"]),
        Spacer(0, 4 * mm),
        *section(Paragraph(_("Headline figures"), s["h2"]), grid([
            [_("Registered"), _("Quota"), _("Exceeded by"), _("Submitted"), _("Recognised model units")],
            [figure(total.registered), figure(total.quota), signed(total.exceeded_by), figure(total.submitted),
             share(total.recognised, total.eligible, total.pct)],
        ], [30 * mm, 30 * mm, 30 * mm, 30 * mm, 60 * mm], numbers_from=0)),
        Spacer(0, 3 * mm),
        grid([
            [str(STATUS_LABELS[status]) for status in total.status],
            [figure(n) for n in total.status.values()],
        ], [180 * mm / len(total.status)] * len(total.status), numbers_from=0),
        Spacer(0, 3 * mm),
        KeepTogether([
            grid([
                [_("Wards per band"), *labels],
                [_("Expected (self-assessed)"), *map(figure, total.expected.values())],
                [_("Verified by the ministry"), *map(figure, total.verified.values())],
            ], [60 * mm] + [120 * mm / len(labels)] * len(labels), numbers_from=1),
            Spacer(0, 2 * mm),
            band_chart(summary),
            Paragraph(escape(_('"Expected" counts submitted self-assessments (dự kiến đạt); "verified" counts what '
                               'the ministry has checked (đạt). The two are never added together.')), s["subtitle"]),
        ]),
        *section(Paragraph(_("By province"), s["h2"]), province_table(exporter, summary, s)),
    ]

    criteria = list(year.catalogue.criteria.order_by("number"))
    gaps = dashboard.criteria_gaps(year, exporter.provinces, summary.size, criteria)
    gap_rows = [[_("Criterion"), _("Not met (expected)"), _("Not met (verified)"),
                 _("Only gap of %(band)s wards") % {"band": labels[1]}]]
    gap_rows += [[Paragraph(escape(f"{g.criterion.number}. {g.criterion.title}"), s["cell"]), figure(g.expected),
                  figure(g.verified), figure(g.near_expected)] for g in gaps]
    story += section(Paragraph(_("Which criteria hold wards back"), s["h2"]),
                     grid(gap_rows, [102 * mm, 26 * mm, 26 * mm, 26 * mm], numbers_from=1))

    trend = dashboard.trend(exporter.provinces if exporter.provinces is not None else None, programme_years())
    trend_rows = [[_("Year"), _("Registered"), _("Quota"), _("Expected %(band)s") % {"band": labels[0]},
                   _("Verified %(band)s") % {"band": labels[0]}]]
    trend_rows += [[str(r.year.year), figure(r.registered), figure(r.quota), figure(next(iter(r.expected.values()))),
                    figure(r.verified_full)]
                   for r in trend if r.year.period == year.period]
    story += section(Paragraph(_("Year on year"), s["h2"]),
                     grid(trend_rows, [25 * mm, 35 * mm, 35 * mm, 42.5 * mm, 42.5 * mm], numbers_from=1))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm,
        title=_("Yearly summary report, %(year)s") % {"year": year.year}, author="Kiểu Mẫu",
    )
    footer = _("Kiểu Mẫu — yearly summary %(year)s — %(scope)s") % {"year": year.year, "scope": scope}
    document.build(story, canvasmaker=lambda *args, **kwargs: NumberedCanvas(*args, footer=footer, **kwargs))
    return buffer.getvalue()
