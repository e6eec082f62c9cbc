from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ResultValue, Stage
from .workflow import STAGE_FIELDS, Entry

NOTE_MAX_LENGTH = 2000


class AssessmentForm(forms.Form):
    """All criteria of one stage on one page: a result and a note each.

    Built from the year's catalogue, so it follows the catalogue's size and wording.
    `version` carries the assessment version the form was built from, for the
    no-lost-edits check when saving.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, criteria, results, stage, **kwargs):
        self.criteria = criteria
        self.results = results
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
        """[(group, [(criterion, value field, note field, saved result)])] for the template."""
        rows = [
            (c, self[self.value_name(c)], self[self.note_name(c)], self.results.get(c.pk)) for c in self.criteria
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
