"""The Giấy chứng nhận handed to a recognised ward's police chief: one A4 landscape page each.

A certificate is an official document of the ministry, so it is written in Vietnamese
whatever language the user reads the app in: its wording is plain Vietnamese
constants here, never a translated string, and the dates are written the way
Nghị định 30/2020/NĐ-CP writes them ("ngày 05 tháng 02 năm 2024").

The names printed are the ward's and province's as of the decision
(`Recognition.unit_name`, `.province_name`): a later rename does not change a
certificate already handed over. Each page carries the verification code and where
to look it up, so that a printed copy can be checked against the record (and found
withdrawn).
"""

import io
import unicodedata
from functools import lru_cache

from django.urls import reverse
from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .pdf import fonts

PAGE = landscape(A4)  # 842 x 595 points
RED = colors.HexColor("#9B1B1E")
GOLD = colors.HexColor("#B8892E")
INK = colors.HexColor("#1F1F1F")
GREY = colors.HexColor("#5A5A5A")

MINISTRY = "BỘ CÔNG AN"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TITLE = "GIẤY CHỨNG NHẬN"
PLACE = "Hà Nội"  # the ministry's seat, where its decisions are signed
HONOUR = "Đạt danh hiệu: Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị năm {year}"
DECISION = "Theo Quyết định số {number} {date} của Bộ trưởng Bộ Công an"
CODE = "Mã xác thực: {code}"
LOOKUP = "Tra cứu giấy chứng nhận tại: {url}"
DEMO = "DỮ LIỆU MẪU - không có giá trị pháp lý"


@lru_cache(maxsize=1)
def _italic():
    pdfmetrics.registerFont(TTFont("BeVietnamPro-Italic", FONT_ROOT / "files" / "BeVietnamPro-Italic.ttf"))
    return "BeVietnamPro-Italic"


def vietnamese_date(day):
    """"ngày 19 tháng 4 năm 2024"; a day below 10 and the months 1 and 2 take a leading zero (NĐ 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def lookup_address(base, code):
    """Where a printed certificate is checked: the lookup page with the code filled in."""
    return f"{base}?code={code}"


class Certificate:
    """Draws one certificate per page on a reportlab canvas, from the top down."""

    margin = 22  # the outer border's distance from the paper's edge
    text_width = PAGE[0] - 2 * 80

    def __init__(self, pdf, lookup_base):
        self.pdf = pdf
        self.lookup_base = lookup_base
        self.regular, self.bold = fonts()
        self.italic = _italic()

    def page(self, recognition):
        decision = recognition.decision
        self.border()
        if decision.is_demo:
            self.text(DEMO, self.regular, 7.5, PAGE[1] - self.margin - 17, color=GREY, x=self.margin + 14, align="left")
        self.letterhead()
        y = self.centred(TITLE, self.bold, 40, 462, color=RED)
        y = self.centred(f"Công an {recognition.unit_name}", self.bold, 26, y - 22, min_size=15)
        y = self.centred(recognition.province_name, self.bold, 17, y - 8, min_size=11)
        y = self.centred(HONOUR.format(year=recognition.year.year), self.bold, 14, y - 18, color=RED, min_size=11,
                         width=PAGE[0] - 2 * 130, shrink=0.9)
        y = self.centred(DECISION.format(number=decision.number, date=vietnamese_date(decision.signed_on)),
                         self.italic, 12, y - 8, min_size=9)
        # The signature block sits below the body, however many lines a long ward name took.
        self.signature(decision, top=min(212, y - 20))
        self.verification(recognition)
        self.pdf.showPage()

    def border(self):
        width, height = PAGE
        m = self.margin
        self.pdf.setStrokeColor(RED)
        self.pdf.setLineWidth(3.2)
        self.pdf.rect(m, m, width - 2 * m, height - 2 * m)
        self.pdf.setStrokeColor(GOLD)
        self.pdf.setLineWidth(1)
        self.pdf.rect(m + 7, m + 7, width - 2 * (m + 7), height - 2 * (m + 7))
        # small squares in the corners of the inner frame
        self.pdf.setFillColor(GOLD)
        for x in (m + 7, width - m - 7):
            for y in (m + 7, height - m - 7):
                self.pdf.rect(x - 3.5, y - 3.5, 7, 7, stroke=0, fill=1)

    def letterhead(self):
        """The issuing body on the left, the Quốc hiệu and Tiêu ngữ on the right (NĐ 30/2020's layout)."""
        top = PAGE[1] - 78
        left, right = 215, PAGE[0] - 250
        self.text(MINISTRY, self.bold, 13, top, x=left)
        self.rule(left, top - 6, 50)
        self.text(NATION, self.bold, 12.5, top, x=right)
        self.text(MOTTO, self.bold, 13, top - 18, x=right)
        self.rule(right, top - 24, pdfmetrics.stringWidth(MOTTO, self.bold, 13))

    def signature(self, decision, top):
        x, width = PAGE[0] - 235, 330
        y = self.centred(f"{PLACE}, {vietnamese_date(decision.signed_on)}", self.italic, 12, top, x=x, width=width)
        self.centred(nfc(decision.signer_title).upper(), self.bold, 12, y - 8, x=x, width=width, min_size=9)
        # room for the signature and the seal above the name
        self.centred(decision.signer_name, self.bold, 13, 76, x=x, width=width, min_size=9)

    def verification(self, recognition):
        x, y = self.margin + 36, 84
        self.text(CODE.format(code=recognition.code), self.bold, 12, y, x=x, align="left")
        address = LOOKUP.format(url=lookup_address(self.lookup_base, recognition.code))
        lines = simpleSplit(nfc(address), self.regular, 8.5, 330)
        for number, line in enumerate(lines[:3]):
            self.text(line, self.regular, 8.5, y - 15 - 10.5 * number, x=x, align="left", color=GREY)

    # --- drawing helpers ---

    def text(self, text, font, size, y, x=None, align="centre", color=INK):
        self.pdf.setFillColor(color)
        self.pdf.setFont(font, size)
        text = nfc(text)
        if align == "left":
            self.pdf.drawString(x, y, text)
        else:
            self.pdf.drawCentredString(PAGE[0] / 2 if x is None else x, y, text)

    def rule(self, centre, y, length):
        self.pdf.setStrokeColor(INK)
        self.pdf.setLineWidth(0.8)
        self.pdf.line(centre - length / 2, y, centre + length / 2, y)

    def centred(self, text, font, size, top, x=None, color=INK, width=None, min_size=None, shrink=0.75):
        """Draws `text` centred, its first line's top at `top`; returns the bottom of its last line.

        One line if the text fits at `shrink` × `size` or more; otherwise two lines at the
        largest size down to `min_size`; otherwise as many lines as it takes at `min_size`.
        A long ward name never runs over the border.
        """
        width = width or self.text_width
        min_size = min_size or size
        size_now, lines = fit(nfc(text), font, width, ((1, size, max(size * shrink, min_size)), (2, size, min_size)))
        leading = size_now * 1.25
        y = top - size_now
        for line in lines:
            self.text(line, font, size_now, y, x=x, color=color)
            y -= leading
        return y + leading - size_now * 0.3

def fit(text, font, width, attempts):
    """(size, lines) of the first attempt (most lines, largest size, smallest size) that fits in `width`."""
    for most, largest, smallest in attempts:
        size = largest
        while size >= smallest:
            lines = simpleSplit(text, font, size, width)
            if len(lines) <= most:
                return size, lines
            size -= 0.5
    return smallest, simpleSplit(text, font, smallest, width)


def nfc(text):
    return unicodedata.normalize("NFC", str(text))


def render(recognitions, lookup_base=None):
    """The certificates of `recognitions` (in force, with decision and year loaded) as one PDF, a page each.

    `lookup_base`: the lookup page's absolute address, built from the request; its path without one.
    """
    lookup_base = lookup_base or reverse("reports:certificate_lookup")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=PAGE, pageCompression=1)
    pdf.setTitle(TITLE.capitalize())
    pdf.setAuthor(MINISTRY.title())
    drawer = Certificate(pdf, lookup_base)
    for recognition in recognitions:
        drawer.page(recognition)
    pdf.save()
    return buffer.getvalue()
