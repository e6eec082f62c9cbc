"""Hostile files through the import: each refused with one clear line, the database untouched, memory bounded.

The corpus is made here, at test time and in memory: minimal XLSX files written part
by part with zipfile (a sheet can be streamed into the archive from a generator, so
that a bomb costs its compressed size, not its unpacked one), and CSV text. The
tester's probes of issue 12 are among them; bench/import_bomb.py runs the full-size
bomb (3.4 MB unpacking to 1.1 GB) against gunicorn.
"""

import io
import json
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from criteria.models import Assessment, Registration, Result
from reports.importers import ImportRefused, read_upload

from .test_imports import csv_text, row, snapshot, to_cp1258, upload

pytestmark = [pytest.mark.django_db,
              pytest.mark.filterwarnings("ignore:Workbook contains no default style")]  # the minimal workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="{PACKAGE}/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE}/relationships">
<Relationship Id="rId1" Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}"><sheets><sheet name="Nhập liệu" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE}/relationships">
<Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELATIONS}/styles" Target="styles.xml"/>
<Relationship Id="rId3" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
STYLES = f'<styleSheet xmlns="{MAIN}"><cellXfs count="1"><xf/></cellXfs></styleSheet>'
STRINGS = f'<sst xmlns="{MAIN}"><si><t>Đạt</t></si></sst>'
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_END = b"</sheetData></worksheet>"
HEADER = ["Mã phường", *[f"TC{n}" for n in range(1, 23)]]
BOMB_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'  # as in the tester's bomb


def xlsx(sheet, **parts):
    """A minimal workbook: `sheet` is the sheet's XML, as bytes or as an iterable of chunks.

    `parts` replace or add parts by name (`styles`, `strings`, `workbook`, or a path).
    """
    names = {"styles": "xl/styles.xml", "strings": "xl/sharedStrings.xml", "workbook": "xl/workbook.xml"}
    contents = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS, "xl/styles.xml": STYLES, "xl/sharedStrings.xml": STRINGS,
    }
    contents.update({names.get(name, name): content for name, content in parts.items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in [sheet] if isinstance(sheet, bytes) else sheet:
                part.write(chunk)
    return buffer.getvalue()


def sheet_xml(rows):
    """A sheet's XML from rows of text, written as inline strings."""
    out = [SHEET_START]
    for number, cells in enumerate(rows, start=1):
        out.append(b'<row r="%d">' % number)
        for index, text in enumerate(cells):
            text = text.replace("&", "&amp;").replace("<", "&lt;")
            out.append(f'<c r="{column(index)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'.encode())
        out.append(b"</row>")
    out.append(SHEET_END)
    return b"".join(out)


def column(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def good_rows(code="00001"):
    return [HEADER, [code] + ["Đạt"] * 22]


def bomb(unpacked_mb):
    """A sheet of identical rows streamed into the archive: a few hundred times smaller packed."""
    cells = '<c t="inlineStr"><is><t>Đạt</t></is></c>'.encode() * 23
    chunk = (b"<row>" + cells + b"</row>") * 1000
    count = unpacked_mb * 1024 * 1024 // len(chunk)
    return xlsx([SHEET_START, *(chunk for _ in range(count)), SHEET_END])


def real_bomb(unpacked_mb=1100):
    """The tester's bomb at full size: 3.4 MB unpacking to 1.1 GB (22 million rows), made in a second.

    After a full flush deflate forgets what came before, so one compressed megabyte of
    rows can be repeated as it is; the archive is written by hand around it.
    """
    chunk = BOMB_ROW * (1024 * 1024 // len(BOMB_ROW))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    sheet = bytearray(compressor.compress(SHEET_START) + compressor.flush(zlib.Z_FULL_FLUSH))
    crc = zlib.crc32(SHEET_START)
    for _ in range(unpacked_mb):
        sheet += block
        crc = zlib.crc32(chunk, crc)
    sheet += compressor.compress(SHEET_END) + compressor.flush()
    crc = zlib.crc32(SHEET_END, crc)
    size = len(SHEET_START) + unpacked_mb * len(chunk) + len(SHEET_END)
    with zipfile.ZipFile(io.BytesIO(xlsx(b""))) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()
                 if info.filename != "xl/worksheets/sheet1.xml"]
    entries = [(name, zlib.compress(data, 9)[2:-4], zlib.crc32(data), len(data)) for name, data in parts]
    entries.append(("xl/worksheets/sheet1.xml", bytes(sheet), crc, size))
    out, directory = bytearray(), bytearray()
    for name, data, checksum, length in entries:
        name = name.encode()
        fields = (8, 0, 0, checksum, len(data), length, len(name), 0)  # deflated, no date, sizes, name
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0, len(out)) + name
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields) + name + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + end)


def lying_bomb():
    """A 40 MB sheet whose archive says it unpacks to 40 kB: zipfile must stop there."""
    content = bytearray(bomb(40))
    name = b"xl/worksheets/sheet1.xml"
    at = content.index(b"PK\x01\x02")
    while content[at + 46:at + 46 + len(name)] != name:
        at = content.index(b"PK\x01\x02", at + 4)
    content[at + 24:at + 28] = struct.pack("<I", 40_000)  # the uncompressed size in the central directory
    return bytes(content)


def many_parts():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for number in range(150):
            archive.writestr(f"xl/media/image{number}.png", b"")
    return buffer.getvalue()


def not_an_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bao-cao.csv", csv_text([row("00001")]))
    return buffer.getvalue()


def encrypted():
    """The sheet flagged as encrypted: zipfile asks for a password it will not get."""
    content = bytearray(xlsx(sheet_xml(good_rows())))
    at = 0
    while (at := content.find(b"PK\x01\x02", at + 1)) != -1:
        content[at + 8] |= 1
    return bytes(content)


def wide_rows(cells_per_row, rows=1, references=True):
    def cells(number):
        for index in range(cells_per_row):
            reference = f' r="{column(index)}{number}"' if references else ""
            yield f'<c{reference}><v>1</v></c>'.encode()

    return xlsx([SHEET_START, *(b"<row>" + b"".join(cells(n)) + b"</row>" for n in range(1, rows + 1)),
                 SHEET_END])


ENTITIES = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>""".encode()
EXTERNAL_ENTITY = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>
</sheetData></worksheet>""".encode()
DAMAGED = "damaged or incomplete"
XML_FEATURES = "XML features that no spreadsheet needs"
TOO_MUCH = "XML elements where an import file holds far fewer"
COLUMNS = "cells beyond column GR (200 columns)"


def styles_bomb(count=200_000):
    """Styles openpyxl turns into objects all at once (half a kilobyte each), packed under the ratio check."""
    return xlsx(sheet_xml(good_rows()), styles=f'<styleSheet xmlns="{MAIN}"><cellXfs>' + "<xf/>" * count
                + "</cellXfs></styleSheet>")


def strings_bomb():
    strings = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{n}</t></si>" for n in range(300_000)) + "</sst>"
    return xlsx(sheet_xml(good_rows()), strings=strings)


def one_row(cells):
    return xlsx(SHEET_START + b'<row r="1">' + cells + b"</row>" + SHEET_END)


HYPERLINK = ('<c r="A1" t="inlineStr"><is><t>Mã phường</t></is></c></row><row r="2">'
             '<c r="B2" t="str"><f>HYPERLINK("http://x.vn","Đạt")</f><v>Đạt</v></c>').encode()
CMD = "=cmd|' /C calc'!A0"

# name -> (file name, how to make the content, what the message says). Made when a test runs, not when collected.
HOSTILE = {
    # The tester's probes (issue 12).
    "3.4 MB bomb: 1.1 GB of rows": ("bomb.xlsx", real_bomb, "unpacks to more than 30.0"),
    "156 kB bomb: 41 MB of rows": ("bomb.xlsx", lambda: bomb(41), "unpacks to more than 30.0"),
    "sheet XML cut short": ("a.xlsx", lambda: xlsx(b"<worksheet><sheetData><row"), DAMAGED),
    "billion laughs": ("a.xlsx", lambda: xlsx(ENTITIES), XML_FEATURES),
    "external entity (XXE)": ("a.xlsx", lambda: xlsx(EXTERNAL_ENTITY), XML_FEATURES),
    "200 kB CSV cell": ("a.csv", lambda: ("Mã phường,TC1\n00001," + "x" * 200_000 + "\n").encode(),
                        "Line 2 of the file holds a cell of more than 32,767 characters"),
    # Bombs.
    "bomb by ratio, under the unpacked limit": (
        "a.xlsx", lambda: xlsx([SHEET_START, b"<row/>" * 1_000_000, SHEET_END]), "more than 100 times its size"),
    "bomb that lies about its size": ("a.xlsx", lying_bomb, DAMAGED),
    "rows beyond the import limit": ("a.xlsx", lambda: xlsx(sheet_xml([HEADER] + [["00001", "Đạt"]] * 5001)),
                                     "more than 5000 rows"),
    "a row a million rows down": ("a.xlsx", lambda: xlsx(SHEET_START + b'<row r="1048576"><c><v>1</v></c></row>'
                                                         + SHEET_END), "goes on past row 50,000"),
    "more cells than a province has": ("a.xlsx", lambda: wide_rows(200, rows=1300), "more than 250,000 cells"),
    "a sheet of 16384 columns": ("a.xlsx", lambda: wide_rows(16384), COLUMNS),
    "16384 cells without references": ("a.xlsx", lambda: wide_rows(16384, references=False), COLUMNS),
    "one cell in column XFD": ("a.xlsx", lambda: one_row(b'<c r="XFD1"><v>1</v></c>'), COLUMNS),
    "200,000 styles": ("a.xlsx", styles_bomb, TOO_MUCH),
    "a cell of 5000 rich-text runs": (
        "a.xlsx", lambda: one_row(b'<c r="A1" t="inlineStr"><is>' + b"<r><t>x</t></r>" * 5000 + b"</is></c>"),
        "A row or a text of the spreadsheet holds more than 2,000 XML elements"),
    "300,000 shared strings": ("a.xlsx", strings_bomb, "more than 250,000 cells"),
    "too many parts": ("a.xlsx", many_parts, "more than 100 parts"),
    # Damaged and disguised.
    "zip cut in half": ("a.xlsx", lambda: xlsx(sheet_xml(good_rows()))[:1500], DAMAGED),
    "a zip that is not an xlsx": ("a.xlsx", not_an_xlsx, "ZIP archive, not an XLSX"),
    "encrypted part": ("a.xlsx", encrypted, DAMAGED),
    "document type in the workbook": (
        "a.xlsx", lambda: xlsx(sheet_xml(good_rows()), workbook='<!DOCTYPE workbook SYSTEM "http://x.vn/w.dtd">'
                               + WORKBOOK.split("?>", 1)[1]), XML_FEATURES),
    "unknown XML encoding": ("a.xlsx", lambda: xlsx(b'<?xml version="1.0" encoding="x-hostile"?>'
                                                    + SHEET_START.split(b"\n", 1)[1] + SHEET_END), DAMAGED),
    "sheet not in its declared encoding": (
        "a.xlsx", lambda: xlsx(sheet_xml(good_rows()).replace("Đạt".encode(), to_cp1258("Đạt"))), DAMAGED),
    "control character in the XML": ("a.xlsx", lambda: one_row(b'<c r="A1" t="inlineStr"><is><t>M\x07</t></is></c>'),
                                     DAMAGED),
    "control character as a reference": ("a.xlsx", lambda: one_row(b'<c r="A1" t="inlineStr"><is><t>M&#7;</t></is>'
                                                                    b"</c>"), DAMAGED),
    "shared string index out of range": ("a.xlsx", lambda: one_row(b'<c r="A1" t="s"><v>99</v></c>'), DAMAGED),
    # Formulas.
    "=HYPERLINK in a sheet": ("a.xlsx", lambda: one_row(HYPERLINK), "Cell B2 holds a formula"),
    "=cmd as a sheet's text": ("a.xlsx", lambda: xlsx(sheet_xml([HEADER, ["00001", CMD]])),
                               "Cell B2 holds a formula"),
    "=cmd in a CSV": ("a.csv", lambda: csv_text([row("00001", overrides={4: CMD})]).encode(),
                      "Cell E2 holds a formula"),
    "@SUM in a CSV": ("a.csv", lambda: csv_text([row("@SUM(1+1)*cmd|' /C calc'!A0")]).encode(),
                      "Cell A2 holds a formula"),
    "-HYPERLINK in a CSV": ("a.csv", lambda: csv_text([row("00001", overrides={22: '-HYPERLINK("x")'})]).encode(),
                            "Cell W2 holds a formula"),
    # CSV.
    "40 kB CSV cell": ("a.csv", lambda: ("Mã phường,TC1\n00001," + "x" * 40_000 + "\n").encode(),
                       "Cell B2 holds more than 32,767 characters"),
    "CSV quote never closed": ("a.csv", lambda: ('Mã phường,TC1\n00001,"Đạt\n' + "x," * 70_000).encode(),
                               "more than 32,767 characters"),
    "CSV rows beyond the import limit": ("a.csv", lambda: csv_text([row("00001")] * 5001).encode(),
                                         "more than 5000 rows"),
    "CSV of empty lines": ("a.csv", lambda: csv_text([row("00001")]).encode() + b"\n" * 1_000_000, "past row 50,000"),
    "CSV in UTF-32": ("a.csv", lambda: csv_text([row("00001")]).encode("utf-32"), "encoding cannot be recognised"),
    "CSV in no known encoding": ("a.csv", lambda: csv_text([row("00001")]).encode() + b"\x81\x8d\x8f\x90",
                                 "encoding cannot be recognised"),
}

# Control characters in a CSV, in every kind of column: the cell is named. (XML cannot hold
# them at all: in an XLSX file they are damage, above.)
CONTROL = {
    "ward code": ("A2", [row("\x0700001")]),
    "first criterion": ("B2", [row("00001", overrides={1: "Đạt\x1b[31m"})]),
    "last criterion": ("W2", [row("00001", overrides={22: "\x0cĐạt"})]),
    "a column the import ignores": ("X2", [row("00001") + ["ghi chú\x7f"]]),
}


def database():
    """What an import could change: rows and versions, every history table, and the published summary."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="bo.demo"))
    summary = client.get("/reports/2023/summary.json")
    assert summary.status_code == 200
    histories = [model.history.count() for model in (Registration, Assessment, Result)]
    return snapshot(), json.loads(summary.content), histories


def refused(client, name, content, expected):
    before = database()
    response = upload(client, name, content)
    html = response.content.decode()
    assert response.status_code == 400, html[-2000:]
    assert "data-import-error" in html
    assert expected in html
    assert 'name="token"' not in html
    assert database() == before


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_file_is_refused_with_its_reason(client_as, hanoi, case):
    name, make, expected = HOSTILE[case]
    refused(client_as(hanoi), name, make(), expected)


@pytest.mark.parametrize("case", CONTROL)
def test_control_characters_are_refused_in_every_column(client_as, hanoi, case):
    cell, rows = CONTROL[case]
    refused(client_as(hanoi), "a.csv", csv_text(rows).encode(), f"Cell {cell} holds an invisible control character")


def test_control_character_in_the_header(client_as, hanoi):
    refused(client_as(hanoi), "a.csv", csv_text([row("00001")], header=["Mã\x1fphường", "TC1"]).encode(),
            "Cell A1 holds an invisible control character (U+001F)")


def test_the_minimal_workbook_of_these_tests_is_read(client_as, hanoi):
    """The corpus is built on a workbook the import accepts: each refusal is for its own hostile part."""
    header, rows = read_upload(SimpleUploadedFile("a.xlsx", xlsx(sheet_xml(good_rows()))))
    assert header == HEADER and rows == [(2, ["00001"] + ["Đạt"] * 22)]
    header, rows = read_upload(SimpleUploadedFile("a.xlsx", xlsx(SHEET_START + (
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1001</v></c></row>') + SHEET_END)))
    assert header == ["Đạt", "1001"]


def test_the_full_size_bomb_is_what_the_tester_sent():
    content = real_bomb()
    assert 3_300_000 < len(content) < 3_500_000
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 1_150_000_000
        with archive.open("xl/worksheets/sheet1.xml") as sheet:
            first = sheet.read(len(SHEET_START) + len(BOMB_ROW))
        assert first == SHEET_START + BOMB_ROW
    small = real_bomb(2)  # the same construction, small enough to unpack whole: checksums and all
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        assert archive.testzip() is None
        assert archive.read("xl/worksheets/sheet1.xml").count(b"<row>") == 2 * (1024 * 1024 // len(BOMB_ROW))


@pytest.mark.parametrize("make", [real_bomb, lambda: bomb(50), lying_bomb, styles_bomb],
                         ids=["3.4 MB bomb", "50 MB bomb", "lying bomb", "200,000 styles"])
def test_bombs_are_refused_in_bounded_memory(make):
    content = make()
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused):
            read_upload(SimpleUploadedFile("bomb.xlsx", content))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, peak
