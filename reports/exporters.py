"""The yearly exports: one small interface, a registry, and renderers for CSV and XLSX.

An exporter has an identifier, a title and the roles that may run it, and renders
each format it declares in `formats` with a method of its own (pretix's exporter
pattern): `render_xlsx(target)`, `render_csv()`, `render_pdf()`, `render_json()`,
`render_docx(target)`. What each format is (content type, extension, text or
binary, what its method returns) is declared once, in `FORMATS`; the view and the
command dispatch through it, so a new format is a new method and a `Format`, never
another branch in either.

Most exporters yield tables, each a header then rows; the base renders them as
CSV (UTF-8 with a BOM, so that Excel shows Vietnamese correctly) and XLSX (a sheet
per table). The tables PDF is `reports/pdf.py`, the yearly report as a document
(DOCX and PDF) `reports/yearly.py` and `reports/document.py`. Every exporter is
built for a user's scope, so a provincial user exports their own province only.

Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) is neutralised in both formats. Control characters that XLSX
cannot hold (a vertical tab pasted into a note, say) are dropped from XLSX cells
only: CSV, JSON and the pages keep the text as it was entered.

Numbers stay numbers in both. XLSX cells carry a display format ("#,##0", "#,##0.0")
so that Excel writes them as its reader's system does: 1.724 and 4,4 on a Vietnamese
computer. CSV is for re-import and other programs: plain digits and a dot decimal
(README, "Exports").
"""

import csv
import io
import json
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from criteria.access import Role
from criteria.figures import (
    STATUSES,
    Target2025,
    map_of,
    near_miss_q,
    programme_years,
    standing_met,
    year_summary,
)
from criteria.models import Assessment, Result, ResultValue, Stage, Status
from criteria.scoring import band_label, band_of
from wards.models import Period, Province

from . import dashboard
from .current_map import roll_up

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
VALUE_LABELS = {
    ResultValue.MET: gettext_lazy("Met"),
    ResultValue.NOT_MET: gettext_lazy("Not met"),
    ResultValue.PENDING: gettext_lazy("Not yet assessed"),
}
# How each status reads in the summary: who is waiting on whom.
STATUS_LABELS = {
    Status.DRAFT: gettext_lazy("Draft (never submitted)"),
    Status.SUBMITTED: gettext_lazy("Waiting for the ministry"),
    Status.RETURNED: gettext_lazy("Returned to the province"),
    Status.VERIFIED: gettext_lazy("Verified"),
}
MAP_LABELS = {
    "legacy": gettext_lazy("before 1 July 2025 (63 provinces)"),
    "current": gettext_lazy("from 1 July 2025 (34 provinces)"),
}
TARGET_LABELS = {
    Target2025.BELOW: gettext_lazy("below 30 %"),
    Target2025.WITHIN: gettext_lazy("30–50 %"),
    Target2025.ABOVE: gettext_lazy("50 % or more"),
}


class Label(int):
    """A number that names rather than counts (a programme year): never written with a thousands separator."""


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def xlsx_text(value):
    """`value` as text an XLSX cell can hold: without the control characters the format forbids."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


# What a format's `render_<format>` method gives back.
CHUNKS = "chunks"  # text, an iterable of str chunks (made as they are read: streamed)
DATA = "data"  # JSON-serialisable data
BYTES = "bytes"  # a whole binary file, as bytes
FILE = "file"  # written by the method to a binary file it is given (spreadsheets, documents)


@dataclass(frozen=True)
class Format:
    """A file format: declared once, used by the view, the command and the export menus."""

    identifier: str
    content_type: str
    returns: str  # CHUNKS, DATA, BYTES or FILE
    attachment: bool = True  # saved as a file; JSON is read in place

    def render(self, exporter, *args):
        """Call the exporter's method for this format: what it gives back is `returns`."""
        return getattr(exporter, f"render_{self.identifier}")(*args)

    @property
    def extension(self):
        return self.identifier

    @property
    def binary(self):
        """Binary formats are files, not text for a terminal."""
        return self.returns in (BYTES, FILE)

    def text(self, exporter):
        """A text format's content as str chunks (the CSV streamed as it is made)."""
        rendered = self.render(exporter)
        if self.returns == DATA:
            return [json.dumps(rendered, ensure_ascii=False, indent=2) + "\n"]
        return rendered

    def write(self, exporter, target):
        """Write the export in this format to `target`, a binary file."""
        if self.returns == FILE:
            self.render(exporter, target)
        elif self.returns == BYTES:
            target.write(self.render(exporter))
        else:
            for chunk in self.text(exporter):
                target.write(chunk.encode("utf-8"))


FORMATS = {
    spec.identifier: spec for spec in (
        Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", FILE),
        Format("csv", "text/csv; charset=utf-8", CHUNKS),
        Format("pdf", "application/pdf", BYTES),
        Format("json", "application/json", DATA, attachment=False),
        Format("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", FILE),
    )
}


@dataclass
class Table:
    name: str
    header: list
    rows: object  # an iterable of lists, possibly a generator: read it once
    widths: list = field(default_factory=list)


class Exporter:
    identifier = ""
    title = ""
    roles = (Role.ADMIN, Role.MINISTRY, Role.PROVINCE)
    csv_table = 0  # CSV holds one table: this one; XLSX has a sheet for each
    formats = ("xlsx", "csv")  # each has its `render_<format>` method
    on_current_map = False  # whether a legacy year can be rolled up on today's map (reports/current_map.py)
    do_not_call_in_templates = True  # templates list the classes themselves

    def __init__(self, year, scope, province=None, current_map=False):
        """`province` narrows the export to one province the scope already holds; `current_map` rolls a
        legacy year up on today's 34 provinces, for the exporters that can (`on_current_map`)."""
        self.year = year
        self.scope = scope
        if province is not None:
            self.provinces = scope.provinces(year.period).filter(pk=province.pk)
        elif scope.is_national:
            self.provinces = None
        else:
            self.provinces = scope.provinces(year.period)
        self.province = province
        self.current_map = current_map and self.on_current_map and year.period == Period.LEGACY

    @classmethod
    def allowed(cls, scope):
        return scope.role in cls.roles

    @classmethod
    def offers(cls, fmt):
        return fmt in cls.formats

    def filename(self, fmt):
        where = f"-{self.province.code}" if self.province is not None else ""
        return f"kieumau-{self.identifier}-{self.year.year}{where}.{FORMATS[fmt].extension}"

    def text(self, fmt):
        """A text format (CSV, JSON) as str chunks."""
        return FORMATS[fmt].text(self)

    def write(self, fmt, target):
        """Write format `fmt` to `target`, a binary file."""
        FORMATS[fmt].write(self, target)

    def tables(self):
        raise NotImplementedError

    def render_csv(self):
        """The exporter's CSV table, a chunk at a time."""
        return csv_chunks(self.tables()[self.csv_table])

    def render_xlsx(self, target):
        write_xlsx(self.tables(), target, title=self.title)

    def _scope_q(self, path):
        return Q() if self.provinces is None else Q(**{f"{path}__in": self.provinces})


class SummaryExporter(Exporter):
    identifier = "summary"
    title = gettext_lazy("Yearly summary")
    csv_table = 1  # the province table, whose last row is the total
    formats = ("xlsx", "csv", "pdf", "json", "docx")
    on_current_map = True

    def render_json(self):
        return self.summary().as_dict()

    def render_pdf(self):
        """The tables PDF (reports/pdf.py)."""
        from .pdf import render_pdf  # pdf.py reads this module's labels

        return render_pdf(self)

    def render_docx(self, target):
        """The yearly report as a Word document: the `yearly` report's document."""
        from .yearly import yearly_document  # yearly.py builds on this exporter

        yearly_document(self).to_docx(target)

    def summary(self):
        if not hasattr(self, "_summary"):
            provinces = self.provinces if self.provinces is not None else Province.objects.filter(
                period=self.year.period
            )
            years = programme_years()
            self._summary = year_summary(self.year, provinces, years=years)
            if self.current_map:
                self._summary = roll_up(self._summary, years, self.year.eligible_kinds)
        return self._summary

    def tables(self):
        summary = self.summary()
        total = summary.total
        labels = [label for _key, label in summary.band_labels]
        headline = [
            [_("Programme year"), Label(self.year.year)],
            [_("Registered"), total.registered],
            [_("Quota"), total.quota],
            [_("Exceeded by"), total.exceeded_by],
            *[[_("Expected %(band)s") % {"band": label}, n] for label, n in zip(labels, total.expected.values())],
            *[[_("Verified %(band)s") % {"band": label}, n] for label, n in zip(labels, total.verified.values())],
            [_("Provinces at or above their quota"), summary.at_or_above_quota],
            [_("Eligible units"), total.eligible],
            [_("Recognised model units"), total.recognised],
            [_("Recognised model units (%)"), round(total.pct, 1)],
            # Added later: after the rows readers already find by position.
            *[[str(STATUS_LABELS[status]), n] for status, n in total.status.items()],
            [_("Near-misses (one or two criteria short)"), total.near_misses],
            [_("Map"), str(MAP_LABELS["current" if self.current_map else map_of(self.year)])],
            *([[_("Today's units"), total.current_units], [_("Today's units covered"), total.covered]]
              if self.current_map else []),
        ]
        columns = self.columns()

        def rows():
            for row in [*summary.provinces, total]:
                yield [column.value(row) for column in columns]

        return [
            Table(_("Summary"), [_("Figure"), _("Value")], headline, widths=[44, 14]),
            Table(_("By province"), [column.label for column in columns], rows(),
                  widths=[7, 30] + [12] * (len(columns) - 2)),
        ]


    def columns(self):
        """The province table's columns, in the XLSX and CSV (all) and in the PDF (those it prints).

        New columns go last: readers of the CSV find the earlier ones by position.
        """
        labels = self.summary().band_labels

        def province(row, attribute, total=""):
            return getattr(row.province, attribute) if getattr(row, "province", None) else total

        return [
            Column("code", _("Code"), lambda r: province(r, "code")),
            Column("province", _("Province"), lambda r: province(r, "name", _("Total"))),
            Column("registered", _("Registered"), lambda r: r.registered),
            Column("quota", _("Quota"), lambda r: r.quota),
            Column("exceeded_by", _("Exceeded by"), lambda r: r.exceeded_by),
            Column("eligible", _("Eligible units"), lambda r: r.eligible),
            Column("recognised", _("Recognised model units"), lambda r: r.recognised, short=_("Model units")),
            Column("pct", _("Recognised model units (%)"), lambda r: round(r.pct, 1), short="%"),
            Column("target_2025", _("2025 target"), lambda r: str(TARGET_LABELS[r.target_2025])),
            *[Column(f"expected:{key}", _("Expected %(band)s") % {"band": label},
                     lambda r, key=key: r.expected[key]) for key, label in labels],
            *[Column(f"verified:{key}", _("Verified %(band)s") % {"band": label},
                     lambda r, key=key: r.verified[key]) for key, label in labels],
            *[Column(f"status:{status}", str(STATUS_LABELS[status]), lambda r, status=status: r.status[status])
              for status in STATUSES],
        ]


@dataclass
class Column:
    key: str
    label: str
    value: object  # row -> value
    short: str = ""  # the heading where space is short (the PDF), when the label would not fit

    @property
    def heading(self):
        return self.short or self.label


class WardResultsExporter(Exporter):
    identifier = "wards"
    title = gettext_lazy("Ward results")

    def tables(self):
        criteria = list(self.year.catalogue.criteria.order_by("number"))
        size = len(criteria)
        header = [
            _("Province code"), _("Province"), _("District"), _("Ward"), _("Ward code"), _("Status"), _("Stage"),
            _("Result"), *[_("Criterion %(number)s") % {"number": c.number} for c in criteria], _("Notes"),
        ]
        # Plain tuples, not model instances: this export is every ward of the country.
        assessments = (
            Assessment.objects.filter(year=self.year)
            .filter(self._scope_q("registration__unit__province"))
            .order_by("registration__unit__province__code", "registration__unit__code")
            .values_list(
                "pk", "status", "submitted_self_met", "verified_met", "registration__unit__province__code",
                "registration__unit__province__name", "registration__unit__district__name",
                "registration__unit__name", "registration__unit__code",
            )
        )
        # Labels translated once, not once a cell: this export can be 300,000 cells.
        labels = {
            "status": {key: str(label) for key, label in Status.choices},
            "value": {key: str(label) for key, label in VALUE_LABELS.items()},
            "stage": {True: str(_("Verified")), False: str(_("Self-assessed (expected)"))},
            "band": {met: band_label(band_of(met, size), size) for met in range(size + 1)},
        }

        def rows():
            # Constant memory: a chunk of assessments at a time, with their results in one query.
            chunk = []
            for assessment in assessments.iterator(chunk_size=CHUNK):
                chunk.append(assessment)
                if len(chunk) == CHUNK:
                    yield from self._rows(chunk, criteria, labels)
                    chunk = []
            yield from self._rows(chunk, criteria, labels)

        return [Table(_("Ward results"), header, rows(), widths=[8, 24, 22, 26, 10, 14, 20, 10] + [9] * size + [60])]

    def _rows(self, chunk, criteria, labels):
        if not chunk:
            return
        # Each assessment's results as a list in the criteria's order: (self value, self note,
        # verified value, verified note), "not yet assessed" where a criterion has no result.
        position = {c.pk: index for index, c in enumerate(criteria)}
        pending = (ResultValue.PENDING, "", ResultValue.PENDING, "")
        results = {}
        for row in (
            Result.objects.filter(assessment_id__in=[a[0] for a in chunk]).order_by().values_list(
                "assessment_id", "criterion_id", "self_value", "self_note", "verified_value", "verified_note"
            )
        ):
            index = position.get(row[1])
            if index is not None:
                mine = results.get(row[0])
                if mine is None:
                    mine = results[row[0]] = [pending] * len(criteria)
                mine[index] = row[2:]
        value_label = labels["value"]
        numbers = [c.number for c in criteria]
        none = [pending] * len(criteria)
        for pk, status, submitted_self_met, verified_met, province_code, province, district, name, code in chunk:
            verified = status == Status.VERIFIED
            met = standing_met(status, submitted_self_met, verified_met)
            mine = results.get(pk, none)
            at = 2 if verified else 0
            values = [value_label[result[at]] for result in mine]
            notes = [f"{number}: {result[at + 1]}" for number, result in zip(numbers, mine) if result[at + 1]]
            yield [
                province_code, province, district or "", name, code, labels["status"][status],
                labels["stage"][verified], labels["band"].get(met, "") if met is not None else "",
                *values, "; ".join(notes),
            ]


class GapsExporter(Exporter):
    identifier = "gaps"
    title = gettext_lazy("Criteria gaps")

    def tables(self):
        criteria = list(self.year.catalogue.criteria.order_by("number"))
        size = len(criteria)
        gaps = dashboard.criteria_gaps(self.year, self.provinces, size, criteria)
        near_label = band_label(f"{size - 1}/{size}", size)
        return [
            Table(
                _("Criteria gaps"),
                [_("Criterion"), _("Title"), _("English gloss"), _("Not met (expected)"), _("Not met (verified)"),
                 _("Only gap of %(band)s wards (expected)") % {"band": near_label},
                 _("Only gap of %(band)s wards (verified)") % {"band": near_label}],
                [[g.criterion.number, g.criterion.title, g.criterion.title_en, g.expected, g.verified,
                  g.near_expected, g.near_verified] for g in gaps],
                widths=[9, 60, 50, 14, 14, 18, 18],
            ),
            *NearMissExporter(self.year, self.scope, self.province).tables(),
        ]


class NearMissExporter(Exporter):
    identifier = "near-misses"
    title = gettext_lazy("Near-misses")

    def tables(self):
        criteria = list(self.year.catalogue.criteria.order_by("number"))
        size = len(criteria)
        near = (
            Assessment.objects.filter(year=self.year)
            .filter(near_miss_q(size))
            .filter(self._scope_q("registration__unit__province"))
            .select_related("registration__unit__province")
            .order_by("registration__unit__province__code", "registration__unit__code")
        )
        by_pk = {c.pk: c for c in criteria}

        def rows():
            chunk = list(near)
            missing = {}
            for assessment_id, criterion_id, self_value, verified_value in (
                Result.objects.filter(assessment__in=[a.pk for a in chunk])
                .filter(~Q(self_value=ResultValue.MET) | ~Q(verified_value=ResultValue.MET))
                .order_by().values_list("assessment_id", "criterion_id", "self_value", "verified_value")
            ):
                missing.setdefault(assessment_id, []).append((by_pk[criterion_id], self_value, verified_value))
            for a in chunk:
                verified = a.stage == Stage.VERIFIED
                met = standing_met(a.status, a.submitted_self_met, a.verified_met)
                lacking = sorted(
                    (c for c, s, v in missing.get(a.pk, []) if (v if verified else s) != ResultValue.MET),
                    key=lambda c: c.number,
                )
                yield [
                    a.registration.unit.province.name, a.registration.unit.name, a.registration.unit.code,
                    band_label(band_of(met, size), size),
                    str(_("Verified") if verified else _("Self-assessed (expected)")),
                    "; ".join(f"{c.number}. {c.title}" for c in lacking),
                ]

        return [Table(
            _("Near-misses"),
            [_("Province"), _("Ward"), _("Ward code"), _("Result"), _("Stage"), _("Missing criteria")],
            rows(),
            widths=[26, 26, 10, 10, 22, 90],
        )]


class YearlyReportExporter(SummaryExporter):
    """The yearly report as the document sent upward (Nghị định 30/2020/NĐ-CP): one content, DOCX or PDF."""

    identifier = "yearly"
    title = gettext_lazy("Yearly report (document)")
    formats = ("docx", "pdf")
    on_current_map = False  # the report is on the map the year was registered on

    def render_pdf(self):
        from .yearly import yearly_document

        return yearly_document(self).to_pdf()


EXPORTERS = {
    cls.identifier: cls for cls in (
        SummaryExporter, YearlyReportExporter, WardResultsExporter, GapsExporter, NearMissExporter,
    )
}


# --- renderers ------------------------------------------------------------------------


def csv_chunks(table):
    """The table as CSV text, a chunk at a time (for streaming), starting with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([_csv_cell(v) for v in table.header])
    for count, row in enumerate(table.rows, start=1):
        # Most cells are text that cannot be read as a formula: written as they are, without a call.
        writer.writerow([v if v.__class__ is str and not v.startswith(FORMULA_STARTS) else _csv_cell(v) for v in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value):
    if value.__class__ is str:  # most cells: checked without the generic path
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    value = str(value) if not isinstance(value, (int, float)) else value
    return "'" + value if is_formula_like(value) else value


HEADER_FONT = Font(bold=True, color="FFFFFF")
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"  # percentages are stored as per cent (4.4), one decimal as on the pages
HEADER_FILL = PatternFill("solid", fgColor="1B4332")


def write_xlsx(tables, target, title=""):
    """Write the tables to `target` (a path or binary file) as a workbook, a sheet per table.

    openpyxl's write-only mode streams rows to disk, so memory stays flat however
    many rows there are.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.title = xlsx_text(title)
    workbook.properties.created = timezone.now().replace(tzinfo=None)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.name))
        sheet.freeze_panes = "A2"
        for index, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for value in table.header:
            cell = WriteOnlyCell(sheet, value=xlsx_text(value))
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


def _xlsx_cell(sheet, value):
    if value is None or isinstance(value, (bool, Label)):
        return value
    if isinstance(value, (int, float)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DECIMAL_FORMAT if isinstance(value, float) else INTEGER_FORMAT
        return cell
    value = xlsx_text(value)
    if is_formula_like(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # stored as text: never evaluated
        return cell
    return value


def _sheet_name(name):
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    name = xlsx_text(name)
    for char in "[]:*?/\\":
        name = name.replace(char, " ")
    return name[:31]
