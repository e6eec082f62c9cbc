"""Changing assessments: registering wards and saving results, safely.

Every change goes through here so that the rules hold everywhere: who may change
which stage in which status, one transaction per save, and no lost edits (a
save made from an out-of-date form is refused, not applied over the other one).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Assessment, Registration, Result, ResultValue, Stage, Status

STAGE_FIELDS = {
    Stage.SELF: ("self_value", "self_note"),
    Stage.VERIFIED: ("verified_value", "verified_note"),
}


class ConflictError(Exception):
    """The assessment changed since the form was opened."""

    def __init__(self, assessment):
        super().__init__(_("Someone else saved this assessment while you were editing it."))
        self.assessment = assessment


@dataclass
class Entry:
    value: str
    note: str = ""


def edit_refusal(scope, assessment, stage):
    """Why `scope`'s user may not edit `stage` of `assessment` now, or None when they may."""
    if not assessment.registration.year.is_open:
        return _("Programme year %(year)s is closed for entry.") % {"year": assessment.registration.year.year}
    if stage == Stage.SELF:
        if assessment.status not in (Status.DRAFT, Status.RETURNED):
            return _("The self-assessment was submitted; it can change only if the ministry returns it.")
        return None
    if not scope.is_national:
        return _("Only ministry staff enter the verified result.")
    if assessment.status != Status.SUBMITTED:
        return _("The verified result is entered once the province has submitted its self-assessment.")
    return None


@transaction.atomic
def register(year, unit, *, by=None):
    """Register `unit` for `year` and open its (draft) assessment."""
    registration = Registration(year=year, unit=unit, created_by=by)
    registration.full_clean()
    registration.save()
    Assessment.objects.create(registration=registration, updated_by=by)
    return registration


@transaction.atomic
def save_results(assessment, stage, entries, *, by, version):
    """Write one stage's values and notes for several criteria, all or nothing.

    `entries` maps criteria to `Entry`. `version` is the assessment version the
    user's form was built from; if the assessment has moved on since, nothing is
    written and ConflictError is raised. Returns the number of results changed.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != version:
        raise ConflictError(locked)
    value_field, note_field = STAGE_FIELDS[Stage(stage)]
    existing = {result.criterion_id: result for result in locked.results.all()}
    to_create, to_update = [], []
    for criterion, entry in entries.items():
        if entry.value not in ResultValue.values:
            raise ValidationError(_("%(value)s is not a valid result.") % {"value": entry.value})
        result = existing.get(criterion.pk)
        if result is None:
            result = Result(assessment=locked, criterion=criterion)
            setattr(result, value_field, entry.value)
            setattr(result, note_field, entry.note)
            to_create.append(result)
        elif (getattr(result, value_field), getattr(result, note_field)) != (entry.value, entry.note):
            setattr(result, value_field, entry.value)
            setattr(result, note_field, entry.note)
            to_update.append(result)
    Result.objects.bulk_create(to_create)
    Result.objects.bulk_update(to_update, [value_field, note_field])
    changed = len(to_create) + len(to_update)
    if changed:
        locked.version += 1
        locked.updated_by = by
        locked.save(update_fields=["version", "updated_by", "updated_at"])
        locked.rescore()
    return locked, changed
