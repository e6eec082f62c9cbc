"""The yearly report as the document sent upward: its content, built once (`reports/document.py` lays it out).

Every figure is read from the summary the exporter holds (`criteria/figures.py`,
`year_summary`; the criteria gaps from `reports/dashboard.py`): nothing is counted
here. The lists of decisions, commendations and recipients are read from their
models, within the exporter's scope: a provincial user's report names only their
province's collectives and individuals.

Figures and dates are written for people, in the language the report is made in:
"1.724", "4,4 %", "11/12/2023" in Vietnamese (the command's default).
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Commendation, CommendationRecipient, RecipientKind, RecognitionDecision

from . import dashboard
from .document import Closing, Document, Heading, Letterhead, PageBreak, Paragraph, Table
from .exporters import TARGET_LABELS
from .pdf import figure, percent, signed

# The body that runs the programme for the ministry and issues its reports: the
# programme's plan and criteria carry its symbol (Kế hoạch 556/KH-BCA-V05,
# Quyết định 5764/QĐ-BCA-V05; PROGRAMME.md).
PARENT_BODY = gettext_lazy("MINISTRY OF PUBLIC SECURITY")
ISSUING_BODY = gettext_lazy("DEPARTMENT FOR BUILDING THE MOVEMENT OF ALL PEOPLE PROTECTING NATIONAL SECURITY")
ISSUING_SYMBOL = "V05"
ISSUING_PLACE = gettext_lazy("Hanoi")
SIGNER_TITLE = gettext_lazy("DIRECTOR")
NUMBER_BLANK = "\u00a0" * 8  # the number is given by the clerk's office when the report is signed


def day_month_year(day):
    """Day, month and year as an administrative document writes them: 05, 01, 2024 (Nghị định 30, Phụ lục I:
    a day under 10 and the months January and February take a leading zero)."""
    return {"day": f"{day.day:02d}", "month": f"{day.month:02d}" if day.month < 3 else str(day.month),
            "year": day.year}


def short_date(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def yearly_document(exporter):
    """The exporter's year and scope as the yearly report (a `Document`)."""
    return YearlyReport(exporter).document()


class YearlyReport:
    def __init__(self, exporter):
        self.exporter = exporter
        self.year = exporter.year
        self.summary = exporter.summary()
        self.total = self.summary.total
        self.labels = [label for _key, label in self.summary.band_labels]
        self.number = f"{NUMBER_BLANK}/BC-{ISSUING_SYMBOL}"

    def document(self):
        today = timezone.localdate()
        scope = self.scope_name()
        heading = [
            _("REPORT"),
            _("Results of building the model of “exemplary, model ward police units for security, order and "
              "urban civility” in %(year)s") % {"year": self.year.year},
        ]
        if scope:
            heading.append(_("Scope: %(scope)s") % {"scope": scope})
        return Document(
            title=_("Yearly report %(year)s") % {"year": self.year.year},
            letterhead=Letterhead(
                parent_body=str(PARENT_BODY),
                body=str(ISSUING_BODY),
                number=_("No.: %(number)s") % {"number": self.number},
                nation=_("SOCIALIST REPUBLIC OF VIETNAM"),
                motto=_("Independence - Freedom - Happiness"),
                place_date=_("%(place)s, %(day)s/%(month)s/%(year)s") % {
                    "place": ISSUING_PLACE, **day_month_year(today)},
            ),
            heading=heading,
            body=[
                Paragraph(_(
                    "This report sets out the results of programme year %(year)s as recorded in the Kiểu Mẫu system "
                    "on %(date)s: registrations against the quota, the results of self-assessment and "
                    "verification, progress toward the 2025 and 2030 targets, the criteria still lacking, and the "
                    "recognition decisions and commendations of the year."
                ) % {"year": self.year.year, "date": short_date(today)}),
                *self.registration(),
                *self.bands(),
                *self.progress(),
                *self.gaps(),
                *self.outcomes(),
            ],
            closing=Closing(
                recipients_title=_("Recipients:"),
                recipients=[
                    _("- The Minister (for the report);"),
                    _("- The Deputy Ministers (for the report);"),
                    _("- Police of the provinces and centrally-run cities;"),
                    _("- Filed: Records, %(office)s.") % {"office": ISSUING_SYMBOL},
                ],
                signer_lines=[str(SIGNER_TITLE)],
            ),
            annex=[*self.province_annex(), *self.recipients_annex()],
        )

    def scope_name(self):
        """"" for the whole country; otherwise the provinces the report covers."""
        if self.exporter.province is not None:
            return self.exporter.province.name
        if self.exporter.provinces is None:
            return ""
        return ", ".join(row.province.name for row in self.summary.provinces)

    def _in_scope(self, path):
        provinces = self.exporter.provinces
        return Q() if provinces is None else Q(**{f"{path}__in": provinces})

    # --- the body ----------------------------------------------------------------------

    def registration(self):
        t = self.total
        figures = {"year": self.year.year, "quota": figure(t.quota), "registered": figure(t.registered)}
        if t.exceeded_by >= 0:
            text = _("The quota for %(year)s is %(quota)s ward police units; %(registered)s were registered, "
                     "exceeding the quota by %(exceeded)s.") % {**figures, "exceeded": figure(t.exceeded_by)}
        else:
            text = _("The quota for %(year)s is %(quota)s ward police units; %(registered)s were registered, "
                     "%(short)s short of the quota.") % {**figures, "short": figure(t.short_by)}
        return [
            Heading(_("I. REGISTRATION AGAINST THE QUOTA")),
            Paragraph(text),
            Paragraph(_("%(n)s of %(provinces)s provinces registered at least their quota.") % {
                "n": figure(self.summary.at_or_above_quota), "provinces": figure(len(self.summary.provinces))}),
        ]

    def bands(self):
        t = self.total

        def listed(counts):
            return "; ".join(_("%(n)s at %(band)s") % {"n": figure(n), "band": label}
                             for label, n in zip(self.labels, counts.values()))

        return [
            Heading(_("II. RESULTS OF SELF-ASSESSMENT AND VERIFICATION")),
            Paragraph(_("Expected (self-assessed by the provinces, as last submitted): %(submitted)s ward police "
                        "units submitted, %(bands)s.") % {"submitted": figure(t.submitted),
                                                         "bands": listed(t.expected)}),
            Paragraph(_("Verified by the ministry: %(verified)s ward police units, %(bands)s.") % {
                "verified": figure(t.verified_total), "bands": listed(t.verified)}),
            Table(
                [_("Result"), _("Expected (self-assessed)"), _("Verified by the ministry")],
                [[label, figure(e), figure(v)]
                 for label, e, v in zip(self.labels, t.expected.values(), t.verified.values())]
                + [[_("Total"), figure(t.submitted), figure(t.verified_total)]],
                [50, 55, 55], total=True,
            ),
            Paragraph(_("Expected and verified figures are counted apart and never added together."), italic=True),
        ]

    def recognised_sentence(self):
        t = self.total
        figures = {"recognised": figure(t.recognised), "eligible": figure(t.eligible), "pct": percent(t.pct),
                   "band": self.labels[0]}
        if self.summary.has_decisions:
            return _("Recognised by decisions in force: %(recognised)s of %(eligible)s eligible units "
                     "(%(pct)s).") % figures
        return _("Model units: %(recognised)s of %(eligible)s eligible units (%(pct)s), verified at %(band)s, "
                 "not yet recognised by decision.") % figures

    def progress(self):
        rows = self.summary.provinces
        by_target = {key: 0 for key in TARGET_LABELS}
        for row in rows:
            by_target[row.target_2025] += 1
        table = []
        for row in [*rows, self.total]:
            province = getattr(row, "province", None)
            table.append([
                province.code if province else "", province.name if province else _("Total"),
                figure(row.eligible), figure(row.recognised), percent(row.pct), figure(row.needed_30),
                figure(row.needed_50), figure(row.needed_100), str(TARGET_LABELS[row.target_2025]),
            ])
        return [
            Heading(_("III. PROGRESS TOWARD THE 2025 AND 2030 TARGETS")),
            Paragraph(_("The targets, per province: model units at least 30–50 % by 2025, and 100 % by 2030.")),
            Paragraph(self.recognised_sentence()),
            Paragraph(_("Provinces by the 2025 target: %(counts)s.") % {"counts": "; ".join(
                f"{TARGET_LABELS[key]}: {figure(n)}" for key, n in by_target.items())}),
            Table(
                [_("Code"), _("Province"), _("Eligible units"), _("Model units"), "%", _("More for 30 %"),
                 _("More for 50 %"), _("More for 100 %"), _("2025 target")],
                table, [9, 37, 17, 17, 14, 15, 15, 17, 19], numeric_from=2, total=True,
            ),
        ]

    def gaps(self):
        criteria = list(self.year.catalogue.criteria.order_by("number"))
        gaps = dashboard.criteria_gaps(self.year, self.exporter.provinces, self.summary.size, criteria)
        held = sorted((g for g in gaps if g.expected or g.verified), key=lambda g: (-g.expected, -g.verified,
                                                                                    g.criterion.number))
        blocks = [Heading(_("IV. CRITERIA THAT HELD WARDS BACK"))]
        if not held:
            return [*blocks, Paragraph(_("No criterion was reported as not met."))]
        near = self.labels[1] if len(self.labels) > 1 else ""
        return [
            *blocks,
            Paragraph(_("The criteria not met by the wards assessed, the most often missed first; the last column "
                        "counts the %(band)s wards that lack that criterion alone.") % {"band": near}),
            Table(
                [_("Criterion"), _("Not met (expected)"), _("Not met (verified)"),
                 _("Only gap of %(band)s wards (expected)") % {"band": near}],
                [[f"{g.criterion.number}. {g.criterion.title}", figure(g.expected), figure(g.verified),
                  figure(g.near_expected)] for g in held],
                [94, 22, 22, 22],
            ),
        ]

    def decisions(self):
        """The year's recognition decisions with the wards each recognises in the scope, in force."""
        in_force = Q(recognitions__withdrawn_on__isnull=True) & self._in_scope("recognitions__province")
        return (
            RecognitionDecision.objects.filter(year=self.year)
            .annotate(wards=Count("recognitions", filter=in_force))
            .filter(wards__gt=0)  # as the summary counts decisions: those in force for a ward in scope
            .order_by("signed_on", "number")
        )

    def commendations(self):
        def kind(value):
            return Q(recipients__kind=value) & self._in_scope("recipients__province")

        return (
            Commendation.objects.filter(year=self.year)
            .annotate(collectives=Count("recipients", filter=kind(RecipientKind.COLLECTIVE)),
                      individuals=Count("recipients", filter=kind(RecipientKind.INDIVIDUAL)))
            .filter(Q(collectives__gt=0) | Q(individuals__gt=0))
            .order_by("signed_on", "number")
        )

    def outcomes(self):
        t = self.total
        blocks = [Heading(_("V. RECOGNITION AND COMMENDATIONS")), Heading(_("1. Recognition decisions"), level=2)]
        if self.summary.has_decisions:
            blocks += [Paragraph(_("Decision %(number)s of %(date)s (signed by %(signer)s, %(title)s): %(wards)s ward "
                                   "police units recognised.") % {
                "number": d.number, "date": short_date(d.signed_on), "title": d.signer_title,
                "signer": d.signer_name, "wards": figure(d.wards)}) for d in self.decisions()]
            blocks.append(Paragraph(_("In all: %(decisions)s decisions; %(wards)s ward police units recognised by "
                                      "decisions in force; %(withdrawn)s recognitions withdrawn.") % {
                "decisions": figure(t.decisions), "wards": figure(t.recognised_wards),
                "withdrawn": figure(t.recognitions_withdrawn)}))
        else:
            blocks.append(Paragraph(_("No recognition decision is recorded for %(year)s: %(n)s ward police units "
                                      "verified at %(band)s, not yet recognised by decision.") % {
                "year": self.year.year, "n": figure(next(iter(t.verified.values()), 0)), "band": self.labels[0]}))
        blocks.append(Heading(_("2. Commendations"), level=2))
        commendations = list(self.commendations())
        if not commendations:
            return [*blocks, Paragraph(_("No commendation is recorded for %(year)s.") % {"year": self.year.year})]
        blocks += [Paragraph(_("%(level)s of %(issuer)s, decision %(number)s of %(date)s: %(collectives)s "
                               "collectives and %(individuals)s individuals.") % {
            "level": c.get_level_display(), "issuer": c.issuer, "number": c.number, "date": short_date(c.signed_on),
            "collectives": figure(c.collectives), "individuals": figure(c.individuals)}) for c in commendations]
        blocks.append(Paragraph(_("In all: %(collectives)s collectives and %(individuals)s individuals commended "
                                  "(listed in Annex II).") % {
            "collectives": figure(t.collectives), "individuals": figure(t.individuals)}))
        return blocks

    # --- the annex ---------------------------------------------------------------------

    def annex_title(self, numeral, title):
        return [
            Paragraph(_("ANNEX %(numeral)s") % {"numeral": numeral}, bold=True, align="center", indent=False),
            Paragraph(title, bold=True, align="center", indent=False),
            Paragraph(_("(Attached to report No. %(number)s)") % {"number": self.number}, italic=True,
                      align="center", indent=False),
        ]

    def province_annex(self):
        bands = self.summary.bands
        header = [_("Code"), _("Province"), _("Quota"), _("Registered"), _("Exceeded by"),
                  *[_("Expected %(band)s") % {"band": label} for label in self.labels[:3]],
                  _("Verified %(band)s") % {"band": self.labels[0]}, _("Model units"),
                  _("Collectives commended"), _("Individuals commended")]
        rows = []
        for row in [*self.summary.provinces, self.total]:
            province = getattr(row, "province", None)
            rows.append([
                province.code if province else "", province.name if province else _("Total"),
                figure(row.quota), figure(row.registered), signed(row.exceeded_by),
                *[figure(row.expected[key]) for key in bands[:3]], figure(row.verified[bands[0]]),
                figure(row.recognised), figure(row.collectives), figure(row.individuals),
            ])
        return [
            *self.annex_title("I", _("Figures by province, %(year)s") % {"year": self.year.year}),
            Table(header, rows, [8, 32] + [12] * (len(header) - 2), numeric_from=2, total=True),
        ]

    def recipients_annex(self):
        recipients = (
            CommendationRecipient.objects.filter(commendation__year=self.year)
            .filter(self._in_scope("province"))
            .select_related("commendation", "province")
            .order_by("commendation__signed_on", "commendation__number", "kind", "position_in_list", "pk")
        )
        by_commendation = {}
        for recipient in recipients:
            by_commendation.setdefault(recipient.commendation, []).append(recipient)
        if not by_commendation:
            return []
        blocks = [PageBreak(), *self.annex_title(
            "II", _("Collectives and individuals commended, %(year)s") % {"year": self.year.year})]
        for commendation, people in by_commendation.items():
            blocks.append(Heading(_("%(level)s of %(issuer)s, decision %(number)s of %(date)s") % {
                "level": commendation.get_level_display(), "issuer": commendation.issuer,
                "number": commendation.number, "date": short_date(commendation.signed_on)}, level=2))
            if commendation.is_demo:
                blocks.append(Paragraph(_("Demo data: the individuals' names are invented."), italic=True))
            collectives = [r for r in people if r.kind == RecipientKind.COLLECTIVE]
            individuals = [r for r in people if r.kind == RecipientKind.INDIVIDUAL]
            if collectives:
                blocks += [Paragraph(_("Collectives"), bold=True, indent=False), Table(
                    [_("No."), _("Collective"), _("Province")],
                    [[str(n), r.name, r.province.name if r.province else ""] for n, r in enumerate(collectives, 1)],
                    [12, 90, 58], numeric_from=99)]
            if individuals:
                blocks += [Paragraph(_("Individuals"), bold=True, indent=False), Table(
                    [_("No."), _("Full name"), _("Rank"), _("Position"), _("Unit")],
                    [[str(n), r.name, r.rank, r.position, r.work_unit] for n, r in enumerate(individuals, 1)],
                    [12, 40, 30, 34, 44], numeric_from=99)]
        return blocks
