"""The yearly report as an A4 PDF, in Vietnamese, fit to print and file.

Figures are written as on the pages, in the language the report is rendered in:
"1.724" and "4,4 %" in Vietnamese (the management command's default), "1,724" and
"4.4 %" in English. Years and codes are written as they are ("2023", "01").

Be Vietnam Pro (from the fontpkg-be-vietnam-pro wheel) is embedded, so every
diacritic renders on any machine and the text can be extracted back (a test does).
"""

import io
from functools import lru_cache

from django.utils import timezone
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import dashboard
from .exporters import STATUS_LABELS
from criteria.figures import programme_years

GREEN = colors.HexColor("#1B4332")
GREY = colors.HexColor("#DEE2E6")


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
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9.5),
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


def grid(data, widths, header_rows=1):
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts()[0], 7.5),
        ("FONT", (0, 0), (-1, header_rows - 1), fonts()[1], 7.5),
        ("TEXTCOLOR", (0, 0), (-1, header_rows - 1), colors.white),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), GREEN),
        ("GRID", (0, 0), (-1, -1), 0.25, GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (2, header_rows), (-1, -1), "RIGHT"),
        ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#F5F7F6")]),
    ]))
    return table


def band_chart(summary):
    """The band distribution, expected against verified, as a printable bar chart."""
    drawing = Drawing(170 * mm, 42 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30 * mm, 6 * mm, 130 * mm, 33 * mm
    # The chart draws its first category at the bottom: reverse, so that the best band is on top.
    expected = list(summary.total.expected.values())[::-1]
    verified = list(summary.total.verified.values())[::-1]
    chart.data = [expected, verified]
    chart.categoryAxis.categoryNames = [label for _key, label in summary.band_labels][::-1]
    chart.valueAxis.valueMax = max(expected + verified + [1]) * 1.15
    chart.categoryAxis.labels.fontName = fonts()[0]
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = fonts()[0]
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#4C7FBF")
    chart.bars[1].fillColor = colors.HexColor("#2D6A4F")
    chart.barLabelFormat = figure
    chart.valueAxis.labelTextFormat = figure
    chart.barLabels.fontName = fonts()[0]
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


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
        Paragraph(_("Scope: %(scope)s · Issued %(date)s · Criteria: %(catalogue)s (%(size)s)") % {
            "scope": scope, "date": today, "catalogue": year.catalogue.title, "size": summary.size}, s["subtitle"]),
        Spacer(0, 4 * mm),
        Paragraph(_("Headline figures"), s["h2"]),
        grid([
            [_("Registered"), _("Quota"), _("Exceeded by"), _("Submitted"), _("Recognised model units")],
            [figure(total.registered), figure(total.quota), signed(total.exceeded_by), figure(total.submitted),
             share(total.recognised, total.eligible, total.pct)],
        ], [30 * mm, 30 * mm, 30 * mm, 30 * mm, 60 * mm]),
        Spacer(0, 3 * mm),
        grid([
            [str(STATUS_LABELS[status]) for status in total.status],
            [figure(n) for n in total.status.values()],
        ], [45 * mm] * len(total.status)),
        Spacer(0, 3 * mm),
        grid([
            [_("Wards per band"), *labels],
            [_("Expected (self-assessed)"), *map(figure, total.expected.values())],
            [_("Verified by the ministry"), *map(figure, total.verified.values())],
        ], [60 * mm] + [30 * mm] * len(labels)),
        band_chart(summary),
        Paragraph(_('"Expected" counts submitted self-assessments (dự kiến đạt); "verified" counts what the '
                    'ministry has checked (đạt). The two are never added together.'), s["subtitle"]),
        Paragraph(_("By province"), s["h2"]),
    ]
    # The province table is the exporter's (one definition): the columns a portrait page holds.
    keys = ["code", "province", "registered", "quota", "exceeded_by", "recognised", "pct",
            *[f"expected:{key}" for key in summary.bands[:2]], *[f"verified:{key}" for key in summary.bands[:2]]]
    columns = {column.key: column for column in exporter.columns()}
    printed = [columns[key] for key in keys]
    shown = {"exceeded_by": signed, "pct": percent, "code": str, "province": lambda name: Paragraph(name, s["cell"])}
    rows = [[Paragraph(str(column.heading), s["cell"]) for column in printed]]
    for row in [*summary.provinces, total]:
        rows.append([shown.get(column.key, figure)(column.value(row)) for column in printed])
    story.append(grid(rows, [10 * mm, 36 * mm] + [14.9 * mm] * (len(printed) - 2)))

    criteria = list(year.catalogue.criteria.order_by("number"))
    gaps = dashboard.criteria_gaps(year, exporter.provinces, summary.size, criteria)
    gap_rows = [[Paragraph(str(h), s["cell"]) for h in (
        _("Criterion"), _("Not met (expected)"), _("Not met (verified)"),
        _("Only gap of %(band)s wards") % {"band": labels[1]})]]
    gap_rows += [[Paragraph(f"{g.criterion.number}. {g.criterion.title}", s["cell"]), figure(g.expected),
                  figure(g.verified), figure(g.near_expected)] for g in gaps]
    story += [Paragraph(_("Which criteria hold wards back"), s["h2"]),
              grid(gap_rows, [100 * mm, 25 * mm, 25 * mm, 28 * mm])]

    trend = dashboard.trend(exporter.provinces if exporter.provinces is not None else None, programme_years())
    trend_rows = [[_("Year"), _("Registered"), _("Quota"), _("Expected %(band)s") % {"band": labels[0]},
                   _("Verified %(band)s") % {"band": labels[0]}]]
    trend_rows += [[str(r.year.year), figure(r.registered), figure(r.quota), figure(next(iter(r.expected.values()))),
                    figure(r.verified_full)]
                   for r in trend if r.year.period == year.period]
    story.append(KeepTogether([Paragraph(_("Year on year"), s["h2"]),
                               grid(trend_rows, [25 * mm, 30 * mm, 30 * mm, 40 * mm, 40 * mm])]))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm,
        title=_("Yearly summary report, %(year)s") % {"year": year.year}, author="Kiểu Mẫu",
    )
    footer = _("Kiểu Mẫu — yearly summary %(year)s — %(scope)s") % {"year": year.year, "scope": scope}
    document.build(story, canvasmaker=lambda *args, **kwargs: NumberedCanvas(*args, footer=footer, **kwargs))
    return buffer.getvalue()
