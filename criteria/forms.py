import re
from itertools import groupby

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import calendar
from .models import ResultValue, Stage, Window
from .outcomes import parse_codes
from .workflow import STAGE_FIELDS, Entry

NOTE_MAX_LENGTH = 2000
# Characters no one types on purpose (pasted from another program); XML, and so DOCX and XLSX, cannot hold them.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A decision lists wards by code; more than this is not one decision.
MAX_DECISION_WARDS = 5000


class NoControlCharacters:
    """A form mixin: text holding a control character is refused, field by field, before anything is saved."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and CONTROL_CHARACTER.search(value):
                self.add_error(name, _("This text holds an invisible control character (pasted from another "
                                       "program): type it again without it."))
        return data


class AssessmentForm(forms.Form):
    """All criteria of one stage on one page: a result and a note each.

    Built from the year's catalogue, so it follows the catalogue's size and wording.
    `version` carries the assessment version the form was built from, for the
    no-lost-edits check when saving.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, criteria, results, stage, evidence=None, **kwargs):
        self.criteria = criteria
        self.results = results
        self.evidence = evidence or {}  # criterion id -> current files, shown beside the verified result
        self.stage = Stage(stage)
        value_field, note_field = STAGE_FIELDS[self.stage]
        kwargs.setdefault("initial", {})
        for criterion in criteria:
            result = results.get(criterion.pk)
            kwargs["initial"].setdefault(
                self.value_name(criterion), getattr(result, value_field) if result else ResultValue.PENDING
            )
            kwargs["initial"].setdefault(self.note_name(criterion), getattr(result, note_field) if result else "")
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[self.value_name(criterion)] = forms.ChoiceField(
                label=_("Result"), choices=ResultValue.choices, widget=forms.RadioSelect
            )
            self.fields[self.note_name(criterion)] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def value_name(criterion):
        return f"c{criterion.number}_value"

    @staticmethod
    def note_name(criterion):
        return f"c{criterion.number}_note"

    def groups(self):
        """[(group, [(criterion, value field, note field, saved result, files)])] for the template."""
        rows = [
            (c, self[self.value_name(c)], self[self.note_name(c)], self.results.get(c.pk), self.evidence.get(c.pk, []))
            for c in self.criteria
        ]
        return [(group, list(items)) for group, items in groupby(rows, key=lambda row: row[0].group)]

    def entries(self):
        """{criterion: Entry} from the cleaned data."""
        return {
            c: Entry(
                value=self.cleaned_data[self.value_name(c)],
                note=self.cleaned_data[self.note_name(c)],
            )
            for c in self.criteria
        }


class VersionForm(forms.Form):
    """A transition button: carries the version of the assessment the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(VersionForm):
    """Accept the self-assessed result of one criterion, or of all of them when none is named."""

    criterion = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria

    def clean_criterion(self):
        """The criteria to accept: the one named, or every one."""
        number = self.cleaned_data["criterion"]
        if number is None:
            return list(self.criteria)
        chosen = [c for c in self.criteria if c.number == number]
        if not chosen:
            raise forms.ValidationError(_("There is no criterion %(number)s in this catalogue.") % {"number": number})
        return chosen


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The province sees it, and it stays in the history."),
    )


class ExtensionForm(forms.Form):
    """More time for one window, for a ward or a province: until a day (inclusive), and why."""

    window = forms.ChoiceField(label=_("Window"), choices=Window.choices)
    until = forms.DateField(label=_("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The province sees it, and it stays in the history."),
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until < calendar.today():
            raise forms.ValidationError(_("An extension runs until today or a later day."))
        return until


class RegisterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Ward"), queryset=None, empty_label=_("Choose a ward…"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        # static/js/ward-picker.js puts a search box over the list (the field stays `unit`).
        self.fields["unit"].widget.attrs.update({
            "data-ward-picker": "",
            "data-placeholder": _("Type part of the name or the code, with or without diacritics"),
            "data-count-label": _("%s wards match"),
        })
        self.fields["unit"].label_from_instance = (
            lambda unit: f"{unit.name} ({unit.district.name}) · {unit.code}" if unit.district else f"{unit.name} · {unit.code}"
        )


# The first bytes that identify each accepted type: the name a file is uploaded
# under says nothing about what it is.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


def sniff(upload):
    """The content type of an uploaded file, judged from its first bytes, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


class EvidenceForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = {c.number: c for c in criteria}

    def clean_criterion(self):
        number = self.cleaned_data["criterion"]
        if number not in self.criteria:
            raise forms.ValidationError(_("There is no criterion %(number)s in this catalogue.") % {"number": number})
        return self.criteria[number]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.EVIDENCE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(size_refusal(upload.size, limit))
        self.content_type = sniff(upload)
        if self.content_type is None:
            raise forms.ValidationError(
                _("This file is not a PDF, JPEG or PNG (judged from its content, not its name).")
            )
        return upload


def size_refusal(size, limit):
    """Why a file of `size` bytes is refused, readable even when both sizes round to the same figure."""
    shown, limit_shown = filesizeformat(size), filesizeformat(limit)
    if shown == limit_shown:
        return _("The file is larger than the limit of %(limit)s.") % {"limit": limit_shown}
    return _("The file is %(size)s; the limit is %(limit)s.") % {"size": shown, "limit": limit_shown}


def body_exceeds(request, limit):
    """Whether the request body is larger than an upload of `limit` bytes could be.

    Checked before the body is read, so that an oversized upload is refused at once
    rather than spooled to disk first.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit + 64 * 1024  # room for the form's other fields and multipart headers


# --- the year's outcomes --------------------------------------------------------------


class DecisionForm(NoControlCharacters, forms.Form):
    """A recognition decision as printed: number, date, signer, the wards it lists, and its scan."""

    number = forms.CharField(label=_("Number and symbol"), max_length=50,
                             help_text=_("As printed on the decision, e.g. 2878/QĐ-BCA."))
    signed_on = forms.DateField(label=_("Date signed"), widget=forms.DateInput(attrs={"type": "date"}))
    signer_name = forms.CharField(label=_("Signed by"), max_length=120)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=200,
                                   help_text=_("E.g. Bộ trưởng, or Thứ trưởng for the Minister."))
    wards = forms.CharField(
        label=_("Wards recognised (codes)"), max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("The unit codes listed in the decision, separated by commas, spaces or lines. "
                    "Each must be verified with every criterion met."),
    )
    scan = forms.FileField(label=_("Scanned decision (PDF, optional)"), required=False)

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_number(self):
        return " ".join(self.cleaned_data["number"].split())

    def clean_wards(self):
        wards = self.cleaned_data["wards"]
        if len(parse_codes(wards)) > MAX_DECISION_WARDS:
            raise forms.ValidationError(_("A decision lists at most %(n)s wards: split the list.")
                                        % {"n": MAX_DECISION_WARDS})
        return wards

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on.year < self.year.year:
            raise forms.ValidationError(_("A decision recognising %(year)s is signed in %(year)s or later.")
                                        % {"year": self.year.year})
        if signed_on > calendar.today():
            raise forms.ValidationError(_("Record a decision once it is signed: this date is in the future."))
        return signed_on

    def clean_scan(self):
        upload = self.cleaned_data.get("scan")
        if not upload:
            return None
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(size_refusal(upload.size, settings.EVIDENCE_MAX_BYTES))
        if sniff(upload) != "application/pdf":
            raise forms.ValidationError(_("The scan must be a PDF (judged from its content, not its name)."))
        return upload


class WithdrawalForm(NoControlCharacters, forms.Form):
    """A later decision withdrawing the title of some wards of a decision (or all of them)."""

    recognitions = forms.ModelMultipleChoiceField(
        label=_("Wards whose title is withdrawn"), queryset=None, widget=forms.CheckboxSelectMultiple,
    )
    withdrawn_on = forms.DateField(label=_("Date of the withdrawing decision"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.CharField(label=_("Number of the withdrawing decision"), max_length=50)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, recognitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recognitions"].queryset = recognitions
        self.fields["recognitions"].label_from_instance = lambda r: f"{r.unit_name} ({r.unit.code}, {r.province_name})"
