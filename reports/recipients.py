"""A commendation's recipients in: one at a time from a form, or a list from XLSX or CSV.

Both go through `check_row`, so that one rule decides what a recipient may be:

- the kind is a collective (Tập thể) or an individual (Cá nhân);
- the province code is one of the year's map, or empty for a body of the ministry;
- a ward code names a unit of the year's map in that province, for a collective only
  (its province is the ward's when the province code is left empty);
- an individual has a full name; a collective has one, or takes its ward's;
- rank, position and unit are an individual's, never a collective's;
- no field is longer than the database holds;
- the same recipient (kind, name and province, or the same ward) is not listed twice,
  neither in the file nor in the commendation.

The file is read by the assessments import's hardened reader (`importers.read_upload`:
size, zip bomb, rows, cells, formulas, encodings), then previewed (`build_plan`), then
applied all or nothing (`apply_plan`), which checks everything again.
"""

import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from criteria.models import Commendation, CommendationRecipient, RecipientKind
from criteria.outcomes import add_recipients
from wards.models import Province, Unit, UnitKind
from wards.text import fold

from .exporters import xlsx_text
from .importers import SHEET, ImportRefused, Problem

KIND_WORDS = {
    "tap the": RecipientKind.COLLECTIVE, "collective": RecipientKind.COLLECTIVE,
    "ca nhan": RecipientKind.INDIVIDUAL, "individual": RecipientKind.INDIVIDUAL,
}
# Column -> the headers it is known by (folded: lower case, no diacritics, no parenthesis).
HEADERS = {
    "kind": {"loai", "doi tuong", "hinh thuc", "kind", "type", "recipient"},
    "name": {"ten", "ten tap the / ho va ten", "ten tap the, ho va ten", "ho va ten", "ho ten", "ten tap the",
             "name", "full name"},
    "province": {"ma tinh", "tinh", "province code", "province"},
    "ward": {"ma phuong", "ma don vi", "ward code", "ward", "unit code"},
    "rank": {"cap bac", "rank"},
    "position": {"chuc vu", "position"},
    "work_unit": {"don vi cong tac", "don vi", "unit", "work unit"},
    "reason": {"ly do", "thanh tich", "reason"},
}
IGNORED_HEADERS = {"stt", "tt", "so thu tu", "no", "no.", "#", "ghi chu", "note", "notes"}
TEMPLATE_HEADER = ["Loại", "Tên tập thể / Họ và tên", "Mã tỉnh", "Mã phường", "Cấp bậc", "Chức vụ",
                   "Đơn vị công tác", "Lý do"]
TEMPLATE_COLUMNS = ["kind", "name", "province", "ward", "rank", "position", "work_unit", "reason"]
EXAMPLE_PREFIX = "Ví dụ:"


def _max_length(name):
    return CommendationRecipient._meta.get_field(name).max_length


def _clean(value):
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split())


def _header_key(title):
    folded = fold(title)
    if "(" in folded:
        folded = folded.split("(")[0].strip()
    return folded


def duplicate_key(kind, name, province_id):
    """What makes two recipients the same one: kind, name (any case and spacing) and province."""
    return (kind, " ".join(unicodedata.normalize("NFC", name).casefold().split()), province_id)


@dataclass
class Row:
    """One recipient as typed: text fields, before any check."""

    kind: str = ""
    name: str = ""
    province: str = ""
    ward: str = ""
    rank: str = ""
    position: str = ""
    work_unit: str = ""
    reason: str = ""


class Lookup:
    """The year's provinces and the units named, and the commendation's recipients: fetched once."""

    def __init__(self, commendation, ward_codes=()):
        period = commendation.year.period
        self.year = commendation.year
        self.provinces = {p.code: p for p in Province.objects.filter(period=period)}
        self.units = {
            u.code: u for u in Unit.objects.filter(period=period, code__in=set(ward_codes)).select_related("province")
        }
        self.existing, self.existing_units, counters = {}, {}, {}
        for recipient in commendation.recipients.order_by("position_in_list", "pk"):
            # its number as the page shows it: collectives 1…n, individuals 1…m
            counters[recipient.kind] = recipient.number = counters.get(recipient.kind, 0) + 1
            self.existing.setdefault(duplicate_key(recipient.kind, recipient.name, recipient.province_id), recipient)
            if recipient.unit_id:
                self.existing_units.setdefault(recipient.unit_id, recipient)
        self.seen, self.seen_units = {}, {}  # rows of this file: key -> row number


def normal_code(text, width):
    """A code as typed, with the leading zeros a spreadsheet drops put back ("1" -> "01")."""
    text = _clean(text)
    return text.zfill(width) if text.isdigit() else text


def check_row(row, lookup, *, number=None, columns=None):
    """(an unsaved CommendationRecipient, [], False), or (None, [(column, message), ...], already) for one row.

    `already` says that the row's only fault is to be in the commendation's list already.

    `columns` names the columns as the file titles them (for the messages); `number`
    is the row number in the file, remembered to report a later duplicate of this row.
    """
    columns = columns or {}
    problems = []

    def refuse(column, message):
        problems.append((columns.get(column, column), message))

    kind = KIND_WORDS.get(fold(row.kind))
    if kind is None:
        if _clean(row.kind):
            refuse("kind", _("“%(value)s” is not a kind of recipient: write Tập thể (a collective) or Cá nhân "
                             "(an individual).") % {"value": _clean(row.kind)})
        else:
            refuse("kind", _("The kind is missing: write Tập thể (a collective) or Cá nhân (an individual)."))
    fields = {name: _clean(getattr(row, name)) for name in ("name", "rank", "position", "work_unit", "reason")}
    for name, value in fields.items():
        limit = _max_length(name)
        if len(value) > limit:
            refuse(name, _("Too long: %(length)s characters, at most %(limit)s.") % {"length": len(value),
                                                                                  "limit": limit})
    province = None
    province_code = normal_code(row.province, 2)
    if province_code:
        province = lookup.provinces.get(province_code)
        if province is None:
            refuse("province", _("No province has the code %(code)s in %(year)s's map.")
                   % {"code": province_code, "year": lookup.year.year})
    unit = None
    ward_code = normal_code(row.ward, 5)
    if ward_code:
        unit = lookup.units.get(ward_code)
        if kind == RecipientKind.INDIVIDUAL:
            refuse("ward", _("A ward is named for a collective only; an individual's unit goes in its own column."))
        elif unit is None or unit.kind != UnitKind.WARD:
            refuse("ward", _("No ward has the code %(code)s in %(year)s's map.")
                   % {"code": ward_code, "year": lookup.year.year})
        elif province is not None and unit.province_id != province.pk:
            refuse("ward", _("Ward %(code)s (%(ward)s) is not in %(province)s.")
                   % {"code": ward_code, "ward": unit.name, "province": province.name})
        elif province is None and not province_code:
            province = unit.province  # the ward says whose it is
    if kind == RecipientKind.COLLECTIVE:
        for name in ("rank", "position", "work_unit"):
            if fields[name]:
                refuse(name, _("Rank, position and unit are an individual's: leave them empty for a collective."))
        if not fields["name"] and unit is not None and not problems:
            fields["name"] = f"Công an {unit.name}"
    if not fields["name"]:
        if kind == RecipientKind.INDIVIDUAL:
            refuse("name", _("An individual needs a full name."))
        else:
            refuse("name", _("The name is missing: the collective's name, or a ward code."))
    elif fields["name"].startswith(EXAMPLE_PREFIX):
        refuse("name", _("This is the template's example row: delete it."))
    if problems or kind is None:
        return None, problems, False
    key = duplicate_key(kind, fields["name"], province.pk if province else None)
    existing = lookup.existing.get(key) or (unit is not None and lookup.existing_units.get(unit.pk))
    if existing:
        refuse("name", _("Already in the list: %(name)s (no. %(number)s of the %(kind)s).")
               % {"name": existing.name, "number": existing.number,
                  "kind": _("collectives") if kind == RecipientKind.COLLECTIVE else _("individuals")})
    elif key in lookup.seen or (unit is not None and unit.pk in lookup.seen_units):
        refuse("name", _("%(name)s is already on row %(row)s of this file.")
               % {"name": fields["name"], "row": lookup.seen.get(key) or lookup.seen_units.get(unit.pk)})
    if problems:
        return None, problems, bool(existing)
    lookup.seen[key] = number
    if unit is not None:
        lookup.seen_units[unit.pk] = number
    recipient = CommendationRecipient(kind=kind, province=province, unit=unit, **fields)
    return recipient, [], False


# --- a file -------------------------------------------------------------------------


@dataclass
class Item:
    row: int
    recipient: object


@dataclass
class Plan:
    commendation: object
    filename: str
    adds: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    already: int = 0  # rows refused only because they are in the list already

    @property
    def ok(self):
        return not self.problems

    @property
    def all_already(self):
        """Every row is in the list already (the same file imported again): nothing to add, nothing wrong."""
        return bool(self.already) and not self.adds and self.already == len(self.problems)

    def collectives(self):
        return [i for i in self.adds if i.recipient.kind == RecipientKind.COLLECTIVE]

    def individuals(self):
        return [i for i in self.adds if i.recipient.kind == RecipientKind.INDIVIDUAL]


def _columns(header, problems):
    """{column: index} from the header row."""
    columns = {}
    for index, title in enumerate(header):
        key = _header_key(title)
        if not key or key in IGNORED_HEADERS:
            continue
        column = next((c for c, titles in HEADERS.items() if key in titles), None)
        if column is None:
            problems.append(Problem(1, title, _("This column is not one of the template's: %(columns)s.")
                                    % {"columns": ", ".join(TEMPLATE_HEADER)}))
        elif column in columns:
            problems.append(Problem(1, title, _("Two columns hold the same thing: %(a)s and %(b)s.")
                                    % {"a": header[columns[column]], "b": title}))
        else:
            columns[column] = index
    for column in ("kind", "name"):
        if column not in columns:
            problems.append(Problem(1, "", _("No column “%(title)s”: the first row must name the columns, as in "
                                              "the template.") % {"title": TEMPLATE_HEADER[TEMPLATE_COLUMNS.index(column)]}))
    return columns


def build_plan(commendation, header, rows, filename=""):
    """What importing these rows would add to `commendation`, and every problem by row and column."""
    plan = Plan(commendation=commendation, filename=filename)
    columns = _columns(header, plan.problems)
    if plan.problems:
        return plan
    titles = {column: header[index] for column, index in columns.items()}
    ward_index = columns.get("ward")
    codes = [normal_code(cells[ward_index], 5) for _n, cells in rows if ward_index is not None and len(cells) > ward_index]
    lookup = Lookup(commendation, codes)
    for number, cells in rows:
        row = Row(**{column: cells[index] if index < len(cells) else "" for column, index in columns.items()})
        recipient, problems, already = check_row(row, lookup, number=number, columns=titles)
        if recipient is not None:
            plan.adds.append(Item(row=number, recipient=recipient))
        for column, message in problems:
            plan.problems.append(Problem(number, column, message))
        plan.already += already
    if not rows:
        plan.problems.append(Problem(None, "", _("The file has no row below its header.")))
    return plan


class NothingToAdd(Exception):
    """Every row of the file is in the list already: applying it again adds nothing."""


@transaction.atomic
def apply_plan(commendation, header, rows, *, scope, filename=""):
    """Check the file again and add its recipients, all or nothing; returns the plan applied.

    Raises NothingToAdd when every row is in the list already (the file was applied
    before), ImportRefused (nothing written) when the file no longer applies cleanly.
    """
    # One import at a time per commendation: two applies of one file cannot both add it.
    Commendation.objects.select_for_update().filter(pk=commendation.pk).first()
    plan = build_plan(commendation, header, rows, filename)
    if plan.all_already:
        raise NothingToAdd(_("Nothing added: every row of %(file)s is already in the list.") % {"file": filename})
    if not plan.ok or not plan.adds:
        raise ImportRefused(_("The file no longer applies cleanly (the list changed since the preview). "
                              "Upload it again to see why."))
    add_recipients(commendation, [item.recipient for item in plan.adds], scope=scope)
    return plan


# --- the template ---------------------------------------------------------------------


def write_template(commendation, target):
    """An XLSX template: the columns, one example row of each kind, a list of kinds, the year's province codes."""
    year = commendation.year
    provinces = list(Province.objects.filter(period=year.period).order_by("code"))
    ward = (Unit.objects.filter(period=year.period, kind=UnitKind.WARD).select_related("province")
            .order_by("province__code", "code").first())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(TEMPLATE_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1B4332")
    if ward is not None:
        sheet.append(["Tập thể", f"{EXAMPLE_PREFIX} Công an {ward.name}", ward.province.code, ward.code,
                      "", "", "", ""])
        sheet.append(["Cá nhân", f"{EXAMPLE_PREFIX} Nguyễn Văn A", ward.province.code, "", "Thiếu tá",
                      "Trưởng Công an phường", f"Công an {ward.name}, Công an {ward.province.name}", ""])
    for row in sheet.iter_rows(min_row=2, max_row=500, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = "@"  # codes keep their leading zeros
    for column, width in zip("ABCDEFGH", (10, 42, 9, 11, 12, 26, 42, 50)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"Tập thể,Cá nhân"', allow_blank=False, showErrorMessage=True,
                           error=_("Choose Tập thể or Cá nhân."), errorTitle=_("Not a kind of recipient"))
    sheet.add_data_validation(kinds)
    kinds.add("A2:A500")

    codes = workbook.create_sheet("Mã tỉnh")
    codes.append(["Mã tỉnh", "Tỉnh, thành phố"])
    for province in provinces:
        codes.append([province.code, xlsx_text(province.name)])
    codes["A1"].font = codes["B1"].font = Font(bold=True)
    codes.column_dimensions["B"].width = 30

    notes = workbook.create_sheet("Hướng dẫn")
    for line in [
        f"{commendation.get_level_display()} {commendation.number} · {commendation.issuer} · năm {year.year}",
        "Mỗi dòng là một tập thể hoặc một cá nhân; cột Loại nhận Tập thể hoặc Cá nhân.",
        "Mã tỉnh theo bản đồ hành chính của năm (xem trang Mã tỉnh); để trống cho đơn vị thuộc Bộ.",
        "Mã phường chỉ dùng cho tập thể là Công an phường; phải là phường của tỉnh đã ghi.",
        "Cấp bậc, Chức vụ, Đơn vị công tác chỉ dùng cho cá nhân. Lý do để trống: lấy lý do của quyết định.",
        "Xóa hai dòng ví dụ trước khi nhập. Có thể lưu thành CSV (UTF-8); giữ nguyên dòng tiêu đề.",
    ]:
        notes.append([xlsx_text(line)])
    notes.column_dimensions["A"].width = 110
    workbook.save(target)
