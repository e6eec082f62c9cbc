"""An administrative document as a small structure, rendered to DOCX (python-docx) and to PDF (reportlab).

The yearly report (`reports/yearly.py`) is built once as a `Document` — the
letterhead, the title, headings, paragraphs, tables, the closing ("Nơi nhận" and
the signature) and the annex — and each renderer only lays it out. So the Word
file and the PDF hold the same text and the same figures, and the PDF needs no
office suite to be made.

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, margins 20 mm top and
bottom, 30 mm left, 20 mm right; Times New Roman 13 pt in Word (LibreOffice
substitutes Liberation Serif, which has every Vietnamese glyph); the issuing body
and the number on the left, the national title and motto (bold, the motto
underlined) and the place and date (italic) on the right; page numbers at the top,
centred, from page 2. The PDF uses the embedded Be Vietnam Pro of the tables PDF.
Every string is written in Unicode NFC, so that a search for "Hà Nội" finds it
whatever form the data was typed in.
"""

import io
import unicodedata
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import TableStyle

from criteria.forms import CONTROL_CHARACTER
from .pdf import vietnamese_fonts

WORD_FONT = "Times New Roman"
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 20}  # mm, Nghị định 30/2020/NĐ-CP
TEXT_WIDTH = 210 - MARGINS["left"] - MARGINS["right"]  # mm
BODY_PT, SMALL_PT, TABLE_PT = 13, 11, 9


def nfc(text):
    """Text as written: Unicode NFC, and a percent sign kept on its number's line ("4,4 %").

    Control characters a form once let through are dropped: a DOCX (XML) cannot hold them.
    """
    return CONTROL_CHARACTER.sub("", unicodedata.normalize("NFC", str(text))).replace(" %", "\u00a0%")


@dataclass
class Letterhead:
    parent_body: str  # cơ quan chủ quản: "BỘ CÔNG AN"
    body: str  # the issuing body: bold
    number: str  # "Số:      /BC-V05"
    nation: str  # Quốc hiệu
    motto: str  # Tiêu ngữ
    place_date: str


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: a section (bold, capitals as written); 2: a sub-section (bold)


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    align: str = "justify"  # justify, center, left
    indent: bool = True  # first-line indent, as body paragraphs have


@dataclass
class Table:
    header: list
    rows: list  # lists of str; the figures already written for people
    widths: list  # mm, adding up to at most TEXT_WIDTH
    numeric_from: int = 1  # columns from this one on are right-aligned
    total: bool = False  # the last row is a total: bold


@dataclass
class PageBreak:
    pass


@dataclass
class Closing:
    recipients_title: str  # "Nơi nhận:"
    recipients: list
    signer_lines: list  # "KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG": bold capitals
    signer_note: str = ""  # italic, under the title
    signer_name: str = ""


@dataclass
class Document:
    title: str  # the file's title (metadata)
    letterhead: Letterhead
    heading: list  # the report's title lines: the first is the kind of document (BÁO CÁO)
    body: list = field(default_factory=list)
    closing: Closing = None
    annex: list = field(default_factory=list)  # after a page break

    def to_docx(self, target):
        """Write the document to `target` (a path or a binary file) as DOCX."""
        WordRenderer(self).save(target)

    def to_pdf(self):
        """The document as PDF bytes."""
        return render_pdf(self)


# --- Word ------------------------------------------------------------------------------


ALIGN = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}


class WordRenderer:
    def __init__(self, document):
        self.document = document
        self.word = WordDocument()
        self._page_setup()
        self._fonts()

    def save(self, target):
        d = self.document
        self.word.core_properties.title = nfc(d.title)
        self.word.core_properties.author = "Kiểu Mẫu"
        self._letterhead(d.letterhead)
        for index, line in enumerate(d.heading):
            p = self._paragraph(line, bold=True, align="center", indent=False, size=BODY_PT + (1 if index == 0 else 0))
            p.paragraph_format.space_before = Pt(12 if index == 0 else 0)
        self._blocks(d.body)
        if d.closing is not None:
            self._closing(d.closing)
        if d.annex:
            self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            self._blocks(d.annex)
        self.word.save(target)

    def _page_setup(self):
        section = self.word.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)  # python-docx starts from US Letter
        section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
        section.header_distance = Mm(10)
        # The page number at the top, centred, from page 2 on (page 1 carries the letterhead).
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field_code = OxmlElement("w:fldSimple")
        field_code.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        field_code.append(run)
        header._p.append(field_code)

    def _fonts(self):
        for name in ("Normal", "Table Grid"):
            style = self.word.styles[name]
            style.font.name = WORD_FONT
            style.font.size = Pt(BODY_PT)
            fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
            for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(attribute), WORD_FONT)
        normal = self.word.styles["Normal"].paragraph_format
        normal.space_before, normal.space_after, normal.line_spacing = Pt(0), Pt(6), 1.15

    def _paragraph(self, text, container=None, bold=False, italic=False, underline=False, align="justify",
                   indent=True, size=BODY_PT, after=None):
        p = (container or self.word).add_paragraph()
        p.alignment = ALIGN[align]
        if indent:
            p.paragraph_format.first_line_indent = Mm(10)
        if after is not None:
            p.paragraph_format.space_after = Pt(after)
        run = p.add_run(nfc(text))
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
        return p

    def _borderless(self, rows, widths):
        table = self.word.add_table(rows=rows, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_widths(table, widths)
        return table

    def _letterhead(self, head):
        # Two rows, so that the number and the place and date stand on one line, as the decree lays them out.
        table = self._borderless(2, [70, TEXT_WIDTH + 10 - 70])  # the national title needs ~95 mm at 12 pt bold
        (left, right), (number, place_date) = (row.cells for row in table.rows)
        for cell in (left, right, number, place_date):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        self._paragraph(head.parent_body, left, align="center", indent=False, size=SMALL_PT + 1, after=0)
        self._paragraph(head.body, left, bold=True, align="center", indent=False, size=SMALL_PT + 1, after=0)
        self._paragraph("───────", left, align="center", indent=False, size=8, after=6)
        self._paragraph(head.nation, right, bold=True, align="center", indent=False, size=SMALL_PT + 1, after=0)
        self._paragraph(head.motto, right, bold=True, underline=True, align="center", indent=False, size=BODY_PT,
                        after=6)
        self._paragraph(head.number, number, align="center", indent=False, size=BODY_PT, after=0)
        self._paragraph(head.place_date, place_date, italic=True, align="center", indent=False, size=BODY_PT,
                        after=0)

    def _blocks(self, blocks):
        for block in blocks:
            if isinstance(block, Heading):
                p = self._paragraph(block.text, bold=True, align="left" if block.level > 1 else "justify",
                                    indent=block.level > 1)
                p.paragraph_format.space_before = Pt(6)
                p.paragraph_format.keep_with_next = True
            elif isinstance(block, Paragraph):
                self._paragraph(block.text, bold=block.bold, italic=block.italic, align=block.align,
                                indent=block.indent)
            elif isinstance(block, Table):
                self._table(block)
            elif isinstance(block, PageBreak):
                self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _table(self, block):
        table = self.word.add_table(rows=1 + len(block.rows), cols=len(block.header))
        table.style = self.word.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_widths(table, block.widths)
        for index, row in enumerate([block.header, *block.rows]):
            bold = index == 0 or (block.total and index == len(block.rows))
            cells = table.rows[index].cells
            if index == 0:  # the header row repeats on every page
                table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for column, (cell, value) in enumerate(zip(cells, row)):
                p = cell.paragraphs[0]
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.line_spacing = 1.0
                p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if index == 0 else
                               WD_ALIGN_PARAGRAPH.RIGHT if column >= block.numeric_from else WD_ALIGN_PARAGRAPH.LEFT)
                run = p.add_run(nfc(value))
                run.bold = bold
                run.font.size = Pt(TABLE_PT)
        self.word.add_paragraph().paragraph_format.space_after = Pt(0)

    def _closing(self, closing):
        table = self._borderless(1, [85, TEXT_WIDTH + 10 - 85])
        left, right = table.rows[0].cells
        for cell in (left, right):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        self._paragraph(closing.recipients_title, left, bold=True, italic=True, align="left", indent=False,
                        size=SMALL_PT + 1, after=0)
        for line in closing.recipients:
            self._paragraph(line, left, align="left", indent=False, size=SMALL_PT, after=0)
        for line in closing.signer_lines:
            self._paragraph(line, right, bold=True, align="center", indent=False, size=BODY_PT, after=0)
        if closing.signer_note:
            self._paragraph(closing.signer_note, right, italic=True, align="center", indent=False, size=SMALL_PT,
                            after=0)
        for _blank in range(4):
            self._paragraph("", right, align="center", indent=False, after=0)
        self._paragraph(closing.signer_name, right, bold=True, align="center", indent=False, after=0)


def _set_widths(table, widths):
    """Column widths that Word and LibreOffice both keep: on the grid and on every cell, with autofit off."""
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Mm(width)


# --- PDF -------------------------------------------------------------------------------


def _styles():
    regular, bold, italic, bold_italic = vietnamese_fonts()

    def style(name, font=regular, size=11, align=TA_JUSTIFY, **kwargs):
        kwargs.setdefault("leading", size * 1.35)
        return ParagraphStyle(name, fontName=font, fontSize=size, alignment=align, **kwargs)

    return {
        "body": style("body", firstLineIndent=10 * mm, spaceAfter=5),
        "plain": style("plain", spaceAfter=5),
        "heading": style("heading", bold, spaceBefore=5, spaceAfter=5),
        "heading2": style("heading2", bold, firstLineIndent=10 * mm, spaceBefore=3, spaceAfter=4, align=TA_LEFT),
        "title": style("title", bold, 12.5, TA_CENTER),
        "head": style("head", regular, 10, TA_CENTER, leading=13),
        "head_bold": style("head_bold", bold, 10, TA_CENTER, leading=13),
        "head_italic": style("head_italic", italic, 10.5, TA_CENTER, leading=14),
        "recipients_title": style("recipients_title", bold_italic, 10, TA_LEFT, leading=12.5),
        "recipient": style("recipient", regular, 9, TA_LEFT, leading=11.5),
        "signer": style("signer", bold, 11, TA_CENTER),
        "signer_note": style("signer_note", italic, 9.5, TA_CENTER),
        "cell": style("cell", regular, 7.5, TA_LEFT, leading=9.5),
        "cell_number": style("cell_number", regular, 7.5, TA_RIGHT, leading=9.5),
        "cell_head": style("cell_head", bold, 7.5, TA_CENTER, leading=9.5),
        "cell_bold": style("cell_bold", bold, 7.5, TA_LEFT, leading=9.5),
        "cell_bold_number": style("cell_bold_number", bold, 7.5, TA_RIGHT, leading=9.5),
    }


def _p(text, style, bold=False, italic=False, underline=False):
    markup = escape(nfc(text))
    if underline:
        markup = f"<u>{markup}</u>"
    if bold and italic:
        markup = f"<b><i>{markup}</i></b>"
    elif bold:
        markup = f"<b>{markup}</b>"
    elif italic:
        markup = f"<i>{markup}</i>"
    return PdfParagraph(markup, style)


def _borderless(data, widths):
    table = PdfTable(data, colWidths=[w * mm for w in widths])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _pdf_blocks(blocks, s):
    story = []
    for block in blocks:
        if isinstance(block, Heading):
            story.append(_p(block.text, s["heading" if block.level == 1 else "heading2"]))
        elif isinstance(block, Paragraph):
            style = s["body"] if block.indent else s["plain"]
            if block.align == "center":
                style = ParagraphStyle("centred", parent=style, alignment=TA_CENTER, firstLineIndent=0)
            story.append(_p(block.text, style, bold=block.bold, italic=block.italic))
        elif isinstance(block, Table):
            story.append(_pdf_table(block, s))
            story.append(Spacer(0, 3 * mm))
        elif isinstance(block, PageBreak):
            story.append(PdfPageBreak())
    return story


def _pdf_table(block, s):
    last = len(block.rows)
    data = [[_p(h, s["cell_head"]) for h in block.header]]
    for index, row in enumerate(block.rows, start=1):
        bold = block.total and index == last
        data.append([
            _p(value, s[("cell_bold" if bold else "cell") if column < block.numeric_from else
                        ("cell_bold_number" if bold else "cell_number")])
            for column, value in enumerate(row)
        ])
    table = PdfTable(data, colWidths=[w * mm for w in block.widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def render_pdf(document):
    """The document as an A4 PDF (bytes): the same blocks as the Word file, laid out by reportlab."""
    s = _styles()
    head = document.letterhead
    left = [_p(head.parent_body, s["head"]), _p(head.body, s["head_bold"]), _p("───────", s["head"])]
    right = [_p(head.nation, s["head_bold"]), _p(head.motto, s["head_bold"], underline=True)]
    story = [
        _borderless([[left, right], [_p(head.number, s["head"]), _p(head.place_date, s["head_italic"])]],
                    [68, TEXT_WIDTH - 68]),
        Spacer(0, 7 * mm),
    ]
    story += [_p(line, s["title"]) for line in document.heading]
    story.append(Spacer(0, 5 * mm))
    story += _pdf_blocks(document.body, s)
    if document.closing is not None:
        c = document.closing
        recipients = [_p(c.recipients_title, s["recipients_title"]), *[_p(r, s["recipient"]) for r in c.recipients]]
        signer = [*[_p(line, s["signer"]) for line in c.signer_lines],
                  *([_p(c.signer_note, s["signer_note"])] if c.signer_note else []),
                  Spacer(0, 22 * mm), _p(c.signer_name, s["signer"])]
        story += [Spacer(0, 4 * mm), _borderless([[recipients, signer]], [80, TEXT_WIDTH - 80])]
    if document.annex:
        story.append(PdfPageBreak())
        story += _pdf_blocks(document.annex, s)

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(vietnamese_fonts()[0], 10)
        canvas.drawCentredString(MARGINS["left"] * mm + TEXT_WIDTH * mm / 2, A4[1] - 12 * mm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=nfc(document.title), author="Kiểu Mẫu",
        leftMargin=MARGINS["left"] * mm, rightMargin=MARGINS["right"] * mm,
        topMargin=MARGINS["top"] * mm, bottomMargin=MARGINS["bottom"] * mm,
    ).build(story, onLaterPages=page_number)
    return buffer.getvalue()
