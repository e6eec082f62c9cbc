"""Provincial spreadsheets in: registrations and self-assessments from XLSX or CSV.

Three steps, so that nothing is applied by surprise:

1. `read_upload` turns an uploaded file into a plain table (header and rows of
   text), or refuses it with one clear message: too large (packed or unpacked), too
   many rows or columns, not a spreadsheet, damaged, hostile (XML entities,
   formulas, control characters), or in an encoding it cannot tell.
2. `build_plan` checks every row against the database — ward codes, province,
   year, values, duplicates, state of the assessment — and says what would be
   created, changed and left alone, with every problem by row and column.
3. `apply_plan` re-checks and applies it in one transaction, through the same
   workflow (and so the same history) as a browser edit: all or nothing.

An import writes the province's self-assessment; it cannot change one that has
been submitted or verified.
"""

import csv
import io
import logging
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from criteria.access import Role
from criteria.calendar import window_open
from criteria.models import Registration, ResultValue, Stage, Status, Window
from criteria.workflow import ConflictError, Entry, TransitionRefused, register, save_results
from wards.lineage import successors_of
from wards.models import Period, Unit
from wards.text import fold

from .exporters import xlsx_text

SHEET = "Nhập liệu"
MET_WORDS = {"dat", "met"}
NOT_MET_WORDS = {"khong dat", "not met", "not_met"}
BLANK_WORDS = {"", "chua danh gia", "not yet assessed"}
CODE_HEADERS = {"ma phuong", "ma don vi", "ma", "ward code", "code", "unit code"}
CRITERION_HEADER = re.compile(r"^(?:tc|tieu chi|criterion)\s*\.?\s*(\d+)\b")
EDITABLE = (Status.DRAFT, Status.RETURNED)
log = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The file cannot be read at all; the message says why."""


@dataclass
class Problem:
    row: int | None
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    unit: object
    registration: object  # None when the import would register the ward
    values: dict  # criterion -> value
    changes: list = field(default_factory=list)  # (criterion, old, new)


@dataclass
class Plan:
    year: object
    province: object
    filename: str
    creates: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    @property
    def has_changes(self):
        return bool(self.creates or self.changes)


# --- reading the file -----------------------------------------------------------------

# What a sheet may hold, beyond the settings: a template has 25 columns and, at most,
# IMPORT_MAX_ROWS rows × 25 cells. These bound the time and memory that a crafted file
# can take once it is within IMPORT_MAX_UNZIPPED_BYTES.
MAX_COLUMNS = 200  # cells in a row, and the last column a cell may be in
MAX_CELLS = 250_000  # cells in all the sheets of a file
MAX_XML_ELEMENTS = 1_000_000  # XML elements in all the parts of a file
MAX_OTHER_ELEMENTS = 20_000  # XML elements outside the cells: styles, merged cells, validations...
MAX_ROW_ELEMENTS = 10 * MAX_COLUMNS  # XML elements in one row, or in one shared string
MAX_CELL_CHARS = 32_767  # the most Excel puts in a cell
EMPTY_ROWS_FACTOR = 10  # rows read, empty ones included, per row that may be imported
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORMULA = re.compile(r"\s*(?:=|[+\-@]\s*[A-Za-z_][\w.]*\s*[(|!])")


def read_upload(upload):
    """(header, rows) of text from an uploaded XLSX or CSV file; rows keep their sheet row numbers.

    Every file that cannot be read raises ImportRefused with one line that says why.
    Rows are read one at a time and reading stops at the first limit passed, so that a
    file that unpacks to gigabytes costs no more than one that is merely too long.
    """
    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ImportRefused(_("The file is %(size)s; the limit is %(limit)s.")
                            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
    content = upload.read()
    if not content.strip():
        raise ImportRefused(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if upload.name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportRefused(_("This is not a spreadsheet, though its name ends in .xlsx: it may be another kind "
                              "of file renamed. Upload the XLSX file itself, or a CSV file."))
    if content.startswith((b"\x89PNG", b"\xff\xd8\xff", b"%PDF", b"GIF8")):
        raise ImportRefused(_("This is an image or a PDF, not a spreadsheet. Upload an XLSX or CSV file."))
    return _read_csv(content)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _table(numbered_rows):
    """(header, rows) from (row number, values) pairs, refusing at the first cell or row over a limit.

    Empty rows are skipped but counted, so that a sheet of a million formatted empty
    rows is refused as quickly as one of a million full ones.
    """
    limit = settings.IMPORT_MAX_ROWS
    table = []
    for number, values in numbered_rows:
        if number > EMPTY_ROWS_FACTOR * limit:
            raise ImportRefused(_("The sheet goes on past row %(limit)s, empty rows included: delete the rows "
                                  "below the data, save the file and upload it again.")
                                % {"limit": _number(EMPTY_ROWS_FACTOR * limit)})
        if all(value is None or value == "" for value in values):
            continue
        cells = [_cell(value, number, index) for index, value in enumerate(values)]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        table.append((number, cells))
        if len(table) > limit + 1:  # the header, then the rows
            raise ImportRefused(_("The file has more than %(limit)s rows; at most %(limit)s can be imported "
                                  "at once.") % {"limit": limit})
    if not table:
        return None, []
    return table[0][1], table[1:]


def _cell(value, number, index):
    """The text of one cell, or ImportRefused naming the cell if it holds what no import should."""
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        value = value.text
    if not isinstance(value, str):
        return _text(value)
    where = {"cell": f"{get_column_letter(index + 1)}{number}"}
    if len(value) > MAX_CELL_CHARS:
        raise ImportRefused(_("Cell %(cell)s holds more than %(limit)s characters, more than a spreadsheet cell "
                              "can.") % {**where, "limit": _number(MAX_CELL_CHARS)})
    if FORMULA.match(value):
        raise ImportRefused(_("Cell %(cell)s holds a formula: an import takes values only. Copy the cells and "
                              "paste them as values, then upload the file again.") % where)
    control = CONTROL_CHARACTER.search(value)
    if control:
        raise ImportRefused(_("Cell %(cell)s holds an invisible control character (U+%(code)s): delete it and "
                              "upload the file again.") % {**where, "code": f"{ord(control.group()):04X}"})
    return _text(value)


def _read_xlsx(content):
    """(header, rows) of the import sheet (or the first one), once the zip has passed `_check_xlsx`.

    openpyxl raises whatever its parsers meet in a malformed part (zip, XML, number,
    index and key errors among others): any failure inside it means a damaged file.
    """
    _check_xlsx(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        try:
            sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            header, rows = _table(enumerate(rows, start=1))
        finally:
            workbook.close()
    except ImportRefused:
        raise
    except DefusedXmlException:
        raise ImportRefused(_xml_features()) from None
    except Exception:
        log.info("import: unreadable spreadsheet", exc_info=True)
        raise ImportRefused(_damaged()) from None
    if header is None:
        raise ImportRefused(_("The spreadsheet is empty."))
    return header, rows


def _check_xlsx(content):
    """Refuse a zip that would take too long or too much memory to open, before openpyxl opens it.

    The sizes an archive declares can lie, but Python's zipfile never unpacks more than
    the declared size of an entry (it stops there, and the checksum then fails), so
    checking the declared sizes bounds what is unpacked. Each XML part is then read
    once with expat, counting as it goes: no part may declare a document type or an
    entity (billion laughs, external entities), and the counts of elements, cells and
    columns stay below the limits, so that openpyxl, which builds a whole row — and a
    whole part, for the parts other than sheets — in memory, never meets a huge one.
    """
    too_many = _("The spreadsheet holds more than %(limit)s parts: it is not a province's import file.") % {
        "limit": settings.IMPORT_MAX_ZIP_ENTRIES}
    if content.count(b"PK\x01\x02") > settings.IMPORT_MAX_ZIP_ENTRIES:  # zipfile would read every entry's header
        raise ImportRefused(too_many)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ImportRefused(_damaged()) from None
    if len(entries) > settings.IMPORT_MAX_ZIP_ENTRIES:
        raise ImportRefused(too_many)
    if "[Content_Types].xml" not in {entry.filename for entry in entries}:
        raise ImportRefused(_("This is a ZIP archive, not an XLSX spreadsheet. Upload the XLSX file itself, or a "
                              "CSV file."))
    limit = settings.IMPORT_MAX_UNZIPPED_BYTES
    if sum(entry.file_size for entry in entries) > limit:
        raise ImportRefused(_("The spreadsheet unpacks to more than %(limit)s: it is not a province's import file. "
                              "Delete what is not needed (other sheets, pictures) and upload it again.")
                            % {"limit": filesizeformat(limit)})
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > settings.IMPORT_MAX_ZIP_RATIO * entry.compress_size:
            raise ImportRefused(_("A part of the spreadsheet unpacks to more than %(ratio)s times its size, which "
                                  "no spreadsheet does: it is not a province's import file.")
                                % {"ratio": settings.IMPORT_MAX_ZIP_RATIO})
    counter = _XmlCounter()
    try:
        for entry in entries:
            with archive.open(entry) as part:
                counter.read(part)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, LookupError, RuntimeError,
            NotImplementedError, expat.ExpatError):
        raise ImportRefused(_damaged()) from None


class _XmlCounter:
    """Reads the XML parts of a spreadsheet with expat, refusing them at the first thing over a limit.

    Cells (a sheet's rows, the shared strings) are streamed by openpyxl, one row or one
    string at a time; everything else (styles, merged cells, validations...) it turns
    into Python objects all at once, about half a kilobyte each: hence a far smaller
    budget outside the cells.
    """

    def __init__(self):
        self.elements = self.other = self.cells = self.row_cells = self.row_elements = 0
        self.inside = False  # in a sheet's rows or in the shared strings

    def read(self, part):
        start = part.read(64 * 1024)
        if not start.lstrip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe").startswith(b"<"):
            return  # not XML (a picture, a printer setting): openpyxl does not parse it as XML either
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self.refuse_doctype
        parser.EntityDeclHandler = self.refuse_doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        chunk = start
        while chunk:
            parser.Parse(chunk, False)
            chunk = part.read(64 * 1024)
        parser.Parse(b"", True)
        self.inside = False

    def refuse_doctype(self, *args):
        raise ImportRefused(_xml_features())

    def start(self, name, attributes):
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise ImportRefused(_too_much(MAX_XML_ELEMENTS))
        name = name.rpartition(":")[2]
        if not self.inside:
            self.other += 1
            if self.other > MAX_OTHER_ELEMENTS:
                raise ImportRefused(_too_much(MAX_OTHER_ELEMENTS))
            self.inside = name in ("sheetData", "sst")
            return
        self.row_elements += 1
        if name in ("row", "si"):
            self.row_cells = self.row_elements = 0
            self.cells += name == "si"
        elif name == "c":
            self.cells += 1
            self.row_cells += 1
            letters = attributes.get("r", "").rstrip("0123456789")
            if self.row_cells > MAX_COLUMNS or len(letters) > 2 or (
                letters and column_index_from_string(letters) > MAX_COLUMNS
            ):
                raise ImportRefused(_("A sheet has cells beyond column %(column)s (%(limit)s columns): an import "
                                      "sheet has the template's columns only. Delete the others and upload it "
                                      "again.") % {"column": get_column_letter(MAX_COLUMNS), "limit": MAX_COLUMNS})
        if self.cells > MAX_CELLS:
            raise ImportRefused(_("The spreadsheet holds more than %(limit)s cells: it is not a province's import "
                                  "file.") % {"limit": _number(MAX_CELLS)})
        if self.row_elements > MAX_ROW_ELEMENTS:
            raise ImportRefused(_("A row or a text of the spreadsheet holds more than %(limit)s XML elements: it is "
                                  "not a province's import file.") % {"limit": _number(MAX_ROW_ELEMENTS)})

    def end(self, name):
        if self.inside and name.rpartition(":")[2] in ("sheetData", "sst"):
            self.inside = False


def _too_much(limit):
    return _("The spreadsheet holds more than %(limit)s XML elements where an import file holds far fewer: it is "
             "not a province's import file.") % {"limit": _number(limit)}


def _number(n):
    return number_format(n, force_grouping=True)


def _damaged():
    return _("The spreadsheet cannot be read: it is damaged or incomplete (was the upload cut short?). Save it "
             "again in Excel and upload it anew.")


def _xml_features():
    return _("The spreadsheet contains XML features that no spreadsheet needs (a document type or entities): they "
             "are not allowed. Save it again in Excel and upload it anew.")


def _decode(content):
    """Text from CSV bytes: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1258."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict"), "UTF-8"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "UTF-16"
    if b"\x00" in content:
        raise ImportRefused(_("This file is not text: upload an XLSX file, or a CSV file saved from Excel."))
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes some tone marks as separate combining characters: compose them.
        return unicodedata.normalize("NFC", content.decode("cp1258")), "Windows-1258"
    except UnicodeDecodeError:
        raise ImportRefused(_("The file's encoding cannot be recognised. Save it as “CSV UTF-8” in Excel.")) from None


def _read_csv(content):
    """(header, rows) of a CSV file, parsed one record at a time.

    csv refuses a field longer than its field_size_limit (128 KiB), more than any
    spreadsheet cell holds (32,767 characters): that is the reason given, not a quote.
    """
    try:
        text, encoding = _decode(content)
    except UnicodeDecodeError:
        raise ImportRefused(_("The file's encoding cannot be recognised. Save it as “CSV UTF-8” in Excel.")) from None
    if "\x00" in text:
        raise ImportRefused(_("The file's encoding cannot be recognised. Save it as “CSV UTF-8” in Excel."))
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header, rows = _table(enumerate(reader, start=1))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ImportRefused(_("Line %(line)s of the file holds a cell of more than %(limit)s characters, more "
                                  "than a spreadsheet cell can (is a quote not closed before it?).")
                                % {"line": reader.line_num, "limit": _number(MAX_CELL_CHARS)}) from None
        raise ImportRefused(_("The CSV file cannot be read (a quote is not closed?).")) from None
    if header is None:
        raise ImportRefused(_("The file is empty."))
    if not any(fold(h) in CODE_HEADERS for h in header):
        if encoding == "Windows-1258":
            raise ImportRefused(_("The file's encoding cannot be recognised. Save it as “CSV UTF-8” in Excel."))
    return header, rows


# --- checking it ----------------------------------------------------------------------


def _value(cell):
    word = fold(cell)
    if word in MET_WORDS:
        return ResultValue.MET
    if word in NOT_MET_WORDS:
        return ResultValue.NOT_MET
    if word in BLANK_WORDS:
        return ResultValue.PENDING
    return None


def _columns(header, criteria, problems):
    """(index of the ward code column, {column index: criterion})."""
    by_number = {c.number: c for c in criteria}
    code_index, columns = None, {}
    for index, title in enumerate(header):
        folded = fold(title)
        if folded in CODE_HEADERS and code_index is None:
            code_index = index
            continue
        match = CRITERION_HEADER.match(folded)
        if match:
            number = int(match.group(1))
            if number not in by_number:
                problems.append(Problem(1, title, _("There is no criterion %(number)s in this year's catalogue.")
                                        % {"number": number}))
            elif by_number[number] in columns.values():
                problems.append(Problem(1, title, _("Criterion %(number)s has two columns.") % {"number": number}))
            else:
                columns[index] = by_number[number]
    if code_index is None:
        problems.append(Problem(1, "", _("No ward code column: the first row must name the columns, as in the "
                                         "template (Mã phường, TC1 … TC%(n)s).") % {"n": len(criteria)}))
    if not columns:
        problems.append(Problem(1, "", _("No criterion column (TC1 … TC%(n)s).") % {"n": len(criteria)}))
    return code_index, columns


def build_plan(year, province, header, rows, filename=""):
    """What importing these rows into `province` for `year` would do, and every problem with it."""
    plan = Plan(year=year, province=province, filename=filename)
    criteria = list(year.catalogue.criteria.order_by("number"))
    if not year.is_open:
        plan.problems.append(Problem(None, "", _("Programme year %(year)s is closed for entry.") % {"year": year.year}))
    code_index, columns = _columns(header, criteria, plan.problems)
    if code_index is None or not columns:
        return plan
    codes = {row[code_index].zfill(5) for _n, row in rows if len(row) > code_index and row[code_index]}
    units = {u.code: u for u in Unit.objects.filter(period=year.period, code__in=codes).select_related("province")}
    registrations = {
        r.unit_id: r for r in Registration.objects.filter(year=year, unit__in=units.values())
        .select_related("assessment").prefetch_related("assessment__results")
    }
    seen = {}
    for number, row in rows:
        cells = row + [""] * (len(header) - len(row))
        code = cells[code_index]
        if not code:
            plan.problems.append(Problem(number, header[code_index], _("The ward code is missing.")))
            continue
        if not code.isdigit() or len(code) > 5:
            plan.problems.append(Problem(number, header[code_index], _("%(code)s is not a ward code (five digits).")
                                         % {"code": code}))
            continue
        code = code.zfill(5)
        if code in seen:
            plan.problems.append(Problem(number, header[code_index], _("Ward %(code)s is already on row %(row)s.")
                                         % {"code": code, "row": seen[code]}))
            continue
        seen[code] = number
        unit = units.get(code)
        if unit is None:
            plan.problems.append(Problem(number, header[code_index], _unknown_code_message(code, year)))
            continue
        if unit.province_id != province.pk:
            plan.problems.append(Problem(number, header[code_index], _("Ward %(code)s is not a unit of %(province)s.")
                                         % {"code": code, "province": province.name}))
            continue
        values, bad = {}, False
        for index, criterion in columns.items():
            value = _value(cells[index])
            if value is None:
                bad = True
                plan.problems.append(Problem(number, header[index], _(
                    "“%(value)s” is not a result: write Đạt, Không đạt, or leave the cell empty."
                ) % {"value": cells[index]}))
            else:
                values[criterion] = value
        if bad:
            continue
        registration = registrations.get(unit.pk)
        item = RowPlan(row=number, unit=unit, registration=registration, values=values)
        if registration is None and all(v == ResultValue.PENDING for v in values.values()):
            plan.unchanged.append(item)  # an unregistered unit with no result: nothing to import
            continue
        if registration is None:
            try:
                Registration(year=year, unit=unit).full_clean(validate_unique=False)
            except ValidationError as exc:
                plan.problems.append(Problem(number, header[code_index], " ".join(exc.messages)))
                continue
            closed = (window_open(year, Window.REGISTRATION, province=province)
                      or window_open(year, Window.SELF_ASSESSMENT, province=province))
            if closed:
                plan.problems.append(Problem(number, header[code_index], closed))
                continue
            item.changes = [(c, ResultValue.PENDING, v) for c, v in values.items() if v != ResultValue.PENDING]
            plan.creates.append(item)
            continue
        assessment = registration.assessment
        current = {r.criterion_id: r.self_value for r in assessment.results.all()}
        item.changes = [
            (c, current.get(c.pk, ResultValue.PENDING), v)
            for c, v in values.items() if current.get(c.pk, ResultValue.PENDING) != v
        ]
        if item.changes and assessment.status not in EDITABLE:
            plan.problems.append(Problem(number, header[code_index], _(
                "The assessment of %(unit)s is %(status)s: an import cannot change it."
            ) % {"unit": unit.name, "status": assessment.get_status_display().lower()}))
            continue
        closed = item.changes and window_open(year, Window.SELF_ASSESSMENT, registration=registration,
                                              province=province)
        if closed:
            plan.problems.append(Problem(number, header[code_index], closed))
            continue
        (plan.changes if item.changes else plan.unchanged).append(item)
    return plan


def _unknown_code_message(code, year):
    if year.period == Period.CURRENT:
        legacy = Unit.objects.filter(period=Period.LEGACY, code=code).first()
        if legacy is not None:
            became = ", ".join(f"{u.name} ({u.code})" for u in successors_of(legacy))
            return _("%(code)s is a code from before 1 July 2025 (%(unit)s); for %(year)s use the current unit it "
                     "became: %(became)s.") % {"code": code, "unit": legacy.name, "year": year.year, "became": became}
    return _("No ward has the code %(code)s in %(year)s's administrative units.") % {"code": code, "year": year.year}


# --- applying it ----------------------------------------------------------------------


@transaction.atomic
def apply_plan(year, province, header, rows, *, scope, filename=""):
    """Check again and apply, all or nothing. Returns the plan that was applied.

    Raises ImportRefused (nothing written) if the data has changed so that the file
    no longer applies cleanly.
    """
    plan = build_plan(year, province, header, rows, filename)
    if not plan.ok:
        raise ImportRefused(_("The file no longer applies cleanly (the data changed since the preview). "
                              "Upload it again to see why."))
    if scope.role == Role.PROVINCE:
        reason = _("Imported from %(file)s") % {"file": filename or _("a file")}
    else:
        reason = _("Imported by the ministry on behalf of %(province)s from %(file)s") % {
            "province": province.name, "file": filename or _("a file")}
    try:
        for item in plan.creates:
            registration = register(year, item.unit, by=scope.user).registration
            item.registration = registration
            _save(registration.assessment, item, scope, reason)
        for item in plan.changes:
            _save(item.registration.assessment, item, scope, reason)
    except (TransitionRefused, ConflictError) as exc:
        # Someone registered, submitted or saved one of these wards since the check above
        # (a second import of the same file at the same moment, say): nothing is applied.
        raise ImportRefused(_("The file no longer applies cleanly: %(reason)s Upload it again to see what "
                              "changed.") % {"reason": exc}) from None
    return plan


def _save(assessment, item, scope, reason):
    entries = {criterion: Entry(value) for criterion, _old, value in item.changes}
    if not entries:
        return
    existing = {r.criterion_id: r.self_note for r in assessment.results.all()}
    for criterion, entry in entries.items():
        entry.note = existing.get(criterion.pk, "")  # an import sets values; notes stay as they are
    assessment.refresh_from_db(fields=["version"])
    save_results(assessment, Stage.SELF, entries, by=scope.user, version=assessment.version, scope=scope,
                 reason=reason)


# --- the template ---------------------------------------------------------------------


def write_template(year, province, target):
    """An XLSX template with the province's eligible units, the criteria as columns, and lists of values."""
    criteria = list(year.catalogue.criteria.order_by("number"))
    units = (
        Unit.objects.filter(province=province, period=year.period, kind__in=year.eligible_kinds)
        .select_related("district").order_by("district__code", "code")
    )
    current = {}
    for registration in Registration.objects.filter(year=year, unit__province=province).select_related(
        "assessment"
    ).prefetch_related("assessment__results"):
        current[registration.unit_id] = {r.criterion_id: r.self_value for r in registration.assessment.results.all()}
    labels = {ResultValue.MET: "Đạt", ResultValue.NOT_MET: "Không đạt", ResultValue.PENDING: ""}

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    header = ["Mã phường", "Tên đơn vị", "Quận, huyện"] + [f"TC{c.number}" for c in criteria]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1B4332")
    for unit in units:
        values = current.get(unit.pk, {})
        sheet.append([unit.code, unit.name, unit.district.name if unit.district_id else ""]
                     + [labels[values.get(c.pk, ResultValue.PENDING)] for c in criteria])
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"  # codes keep their leading zeros
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["A"].width = 11
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 22
    for index in range(4, 4 + len(criteria)):
        sheet.column_dimensions[get_column_letter(index)].width = 10
    validation = DataValidation(type="list", formula1='"Đạt,Không đạt"', allow_blank=True,
                                error=_("Choose Đạt or Không đạt, or leave the cell empty."),
                                errorTitle=_("Not a result"), showErrorMessage=True)
    sheet.add_data_validation(validation)
    last = max(sheet.max_row, 2) + 200  # room for units added by hand
    validation.add(f"D2:{get_column_letter(3 + len(criteria))}{last}")

    legend = workbook.create_sheet("Tiêu chí")
    legend.append(["TC", "Tiêu chí", "English", "Hướng dẫn"])
    for criterion in criteria:
        legend.append([xlsx_text(f"TC{criterion.number}"), xlsx_text(criterion.title), xlsx_text(criterion.title_en),
                       xlsx_text(criterion.guidance)])
    for cell in legend[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCD", (6, 70, 60, 90)):
        legend.column_dimensions[column].width = width

    notes = workbook.create_sheet("Hướng dẫn")
    for line in [
        f"Năm {year.year} · {province.name} · {year.catalogue.title}",
        "Mỗi dòng là một đơn vị: giữ nguyên cột Mã phường; các cột TC1… nhận Đạt, Không đạt hoặc để trống "
        "(chưa đánh giá).",
        "Đơn vị chưa đăng ký sẽ được đăng ký khi nhập có kết quả; dòng không có kết quả nào được bỏ qua.",
        "Chỉ thay đổi được bản tự đánh giá đang ở trạng thái Nháp hoặc Trả lại.",
        "Có thể lưu thành CSV (UTF-8) nếu cần; giữ nguyên dòng tiêu đề.",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    workbook.save(target)
