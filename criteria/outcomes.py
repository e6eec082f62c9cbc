"""What the programme year ends in: recognition decisions and commendations.

- **Recognition** (`recognise`): a decision of the Minister recognises wards as model
  units of a programme year. Only a ward whose verified result meets every criterion
  of that year's catalogue may be in it, and only once while a recognition is in
  force; a list with any other ward is refused whole, with the reason per ward.
- **Withdrawal** (`withdraw_recognitions`): a later decision withdraws the title of
  one ward or of every ward of a decision; the rows stay, with the withdrawing
  decision's number, date and reason, and drop out of every figure
  (`criteria.figures.recognised_in`).
- **Certificates** carry a verification code (`Recognition.code`) that the ministry can
  look up, and a province for its own wards.
- **Commendations** (`Bằng khen`, `Giấy khen`) are recorded with their recipients:
  collectives and individuals. Individuals' personal data is seen by the ministry and
  the recipient's own province only (`visible_province_ids`).
"""

import logging
import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wards.models import Unit

from .access import Role
from .models import (
    Assessment,
    Commendation,
    CommendationRecipient,
    ProgrammeYear,
    Recognition,
    RecognitionDecision,
    Status,
)

audit = logging.getLogger("kieumau.audit")

OUTCOME_ROLES = (Role.MINISTRY, Role.ADMIN)
# The verification code's alphabet: no 0/O, 1/I/L, so that a code read off paper is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
UNIT_CODE_WIDTH = 5


class OutcomeRefused(Exception):
    """A decision or withdrawal that cannot be recorded; `reasons` says why, one line each."""

    def __init__(self, reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = [str(r) for r in reasons]


def require_outcome_role(scope):
    if scope.role not in OUTCOME_ROLES:
        raise OutcomeRefused([_("Only the ministry's staff and administrators record decisions.")])


def new_code():
    """A fresh verification code, e.g. "7KQ4-M9XT2C" (10 characters, about 50 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text):
    """A code as typed (lower case, spaces, missing dash) in its stored form, or "" if it cannot be one."""
    raw = re.sub(r"[\s\-]", "", str(text or "")).upper()
    if len(raw) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return ""
    return f"{raw[:4]}-{raw[4:]}"


def parse_codes(text):
    """Unit codes from a pasted list (commas, semicolons, spaces or lines), in order, without repeats."""
    seen = []
    for code in re.split(r"[\s,;]+", str(text or "")):
        code = code.zfill(UNIT_CODE_WIDTH) if code.isdigit() else code  # official codes: "00004", typed "4"
        if code and code not in seen:
            seen.append(code)
    return seen


def eligible_assessments(year):
    """The year's assessments that may be recognised now: verified at every criterion, not recognised in force."""
    size = year.catalogue.criteria.count()
    return (
        Assessment.objects.filter(year=year, status=Status.VERIFIED, verified_met__gte=size)
        .exclude(Exists(Recognition.objects.in_force().filter(assessment=OuterRef("pk"))))
        .select_related("unit__province", "unit__district")
        .order_by("unit__province__code", "unit__code")
    )


def _refusals(year, codes, size):
    """(assessments to recognise, reasons to refuse) for the unit codes of a decision's list."""
    units = {u.code: u for u in Unit.objects.filter(period=year.period, code__in=codes).select_related("province")}
    assessments = {
        a.unit_id: a for a in Assessment.objects.filter(year=year, unit__in=units.values()).select_related("unit")
    }
    in_force = dict(
        Recognition.objects.in_force().filter(year=year, unit__in=units.values())
        .values_list("unit", "decision__number")
    )
    chosen, reasons = [], []
    for code in codes:
        unit = units.get(code)
        if unit is None:
            reasons.append(_("%(code)s: no unit of %(year)s's map has this code.") % {"code": code, "year": year.year})
            continue
        assessment = assessments.get(unit.pk)
        name = f"{unit.name} ({unit.code}, {unit.province.name})"
        if assessment is None:
            reasons.append(_("%(ward)s: not registered for %(year)s.") % {"ward": name, "year": year.year})
        elif assessment.status != Status.VERIFIED:
            reasons.append(_("%(ward)s: not verified yet (%(status)s).")
                           % {"ward": name, "status": assessment.get_status_display()})
        elif assessment.verified_met < size:
            reasons.append(_("%(ward)s: verified at %(met)s/%(size)s; a model unit meets every criterion.")
                           % {"ward": name, "met": assessment.verified_met, "size": size})
        elif unit.pk in in_force:
            reasons.append(_("%(ward)s: already recognised by decision %(number)s.")
                           % {"ward": name, "number": in_force[unit.pk]})
        else:
            chosen.append(assessment)
    return chosen, reasons


@dataclass
class DecisionFields:
    number: str
    signed_on: object
    signer_name: str
    signer_title: str


def recognise(year, fields, codes, *, scope, scan=None):
    """Record a recognition decision for `year` and the wards of the unit `codes`; all or nothing.

    `scan`: an uploaded PDF, already checked (`criteria.forms.sniff`); stored with the
    decision, and deleted again if the decision is not recorded.
    """
    require_outcome_role(scope)
    size = year.catalogue.criteria.count()
    if not codes:
        raise OutcomeRefused([_("List at least one ward.")])
    stored = []
    try:
        with transaction.atomic():
            # One decision at a time per year: two decisions cannot both take the same ward.
            ProgrammeYear.objects.select_for_update().filter(pk=year.pk).first()
            chosen, reasons = _refusals(year, codes, size)
            if reasons:
                raise OutcomeRefused(reasons)
            decision = RecognitionDecision(
                year=year, number=fields.number, signed_on=fields.signed_on, signer_name=fields.signer_name,
                signer_title=fields.signer_title, created_by=scope.user,
            )
            if scan is not None:
                decision.scan.save("decision.pdf", scan, save=False)
                stored.append(decision.scan.name)
                decision.scan_name, decision.scan_size = scan.name[:255], scan.size
            decision._change_reason = _("Decision recorded")
            decision._history_user = scope.user
            try:
                with transaction.atomic():
                    decision.save()
            except IntegrityError:
                raise OutcomeRefused([_("Decision %(number)s of %(date)s is recorded already.")
                                      % {"number": fields.number, "date": date_format(fields.signed_on,
                                                                                      "SHORT_DATE_FORMAT")}]) from None
            for assessment in chosen:
                recognition = Recognition(
                    decision=decision, assessment=assessment, year=year, unit=assessment.unit,
                    province=assessment.unit.province, unit_name=assessment.unit.name,
                    province_name=assessment.unit.province.name, code=new_code(),
                )
                recognition._change_reason = _("Recognised by decision %(number)s") % {"number": decision.number}
                recognition._history_user = scope.user
                recognition.save()
    except BaseException:
        for name in stored:
            decision.scan.storage.delete(name)
        raise
    audit.info("recognise", extra={"action": "recognise", "user": getattr(scope.user, "username", None),
                                   "year": year.year, "decision": decision.number, "wards": len(chosen)})
    return decision


@transaction.atomic
def withdraw_recognitions(recognitions, *, scope, on, number, reason):
    """Withdraw the title of `recognitions` (in force) by the decision `number` of day `on`, saying why."""
    require_outcome_role(scope)
    number, reason = (number or "").strip(), (reason or "").strip()
    problems = []
    if not number:
        problems.append(_("Give the number of the withdrawing decision."))
    if not reason:
        problems.append(_("Give the reason for the withdrawal."))
    if on is None:
        problems.append(_("Give the date of the withdrawing decision."))
    elif on > timezone.localdate():
        problems.append(_("The withdrawing decision cannot be dated in the future."))
    locked = list(Recognition.objects.select_for_update(of=("self",)).select_related("decision", "unit")
                  .filter(pk__in=[r.pk for r in recognitions]))
    if not problems and not any(r.in_force for r in locked):
        problems.append(_("Nothing to withdraw: these wards' titles are withdrawn already."))
    for recognition in locked:
        if on is not None and on < recognition.decision.signed_on:
            problems.append(_("The withdrawal cannot precede the decision it withdraws (%(date)s).")
                            % {"date": date_format(recognition.decision.signed_on, "SHORT_DATE_FORMAT")})
            break
    if problems:
        raise OutcomeRefused(problems)
    withdrawn = []
    for recognition in locked:
        if not recognition.in_force:
            continue
        recognition.withdrawn_on, recognition.withdrawal_number = on, number
        recognition.withdrawal_reason, recognition.withdrawn_by = reason, scope.user
        recognition._change_reason = _("Withdrawn by decision %(number)s: %(reason)s") % {
            "number": number, "reason": reason}
        recognition._history_user = scope.user
        recognition.save()
        withdrawn.append(recognition)
    audit.info("withdraw_recognition", extra={
        "action": "withdraw_recognition", "user": getattr(scope.user, "username", None),
        "wards": [r.unit.code for r in withdrawn], "by_decision": number})
    return withdrawn


def title_history(unit_ids):
    """Every recognition of these units (any year, in force or withdrawn), newest year first."""
    return (
        Recognition.objects.filter(unit__in=unit_ids)
        .select_related("decision", "year")
        .order_by("-year__year", "decision__signed_on")
    )


# --- commendations --------------------------------------------------------------------


def visible_province_ids(scope, period):
    """The provinces of `period` whose individuals' data the user may read; None for all."""
    if scope.is_national:
        return None
    return set(scope.provinces(period).values_list("pk", flat=True))


def record_commendation(year, fields, recipients, *, scope, is_demo=False):
    """A commendation decision with its recipients (`CommendationRecipient`s, unsaved), all or nothing."""
    require_outcome_role(scope)
    with transaction.atomic():
        commendation = Commendation(year=year, created_by=scope.user, is_demo=is_demo, **fields)
        commendation._history_user = scope.user
        try:
            with transaction.atomic():
                commendation.save()
        except IntegrityError:
            raise OutcomeRefused([_("Decision %(number)s of %(date)s is recorded already.")
                                  % {"number": fields["number"],
                                     "date": date_format(fields["signed_on"], "SHORT_DATE_FORMAT")}]) from None
        add_recipients(commendation, recipients, scope=scope)
    return commendation


@transaction.atomic
def add_recipients(commendation, recipients, *, scope):
    """Add recipients to a commendation, numbered after those it has (one addition at a time)."""
    require_outcome_role(scope)
    Commendation.objects.select_for_update().filter(pk=commendation.pk).first()
    start = CommendationRecipient.objects.filter(commendation=commendation).count()
    for index, recipient in enumerate(recipients, start=start + 1):
        recipient.commendation = commendation
        recipient.position_in_list = index
        recipient._history_user = scope.user
        recipient.save()
    return recipients
