"""Changing assessments: registration, results, evidence and the submit → verify path.

Every change goes through here so that the rules hold everywhere:

- draft → submitted (by the province) → verified (by the ministry), or
  submitted → returned (by the ministry, with a reason) → submitted again;
  verified → submitted again only when the ministry reopens it, with a reason;
- the province edits its self-assessment only while draft or returned, so the
  self-assessed result is frozen at submission; the ministry edits the verified
  result only while submitted, so a verified assessment is read-only;
- the ministry may also enter and submit a province's self-assessment on its behalf
  (a paper one that arrived signed), recorded as such; whoever entered it does not
  verify it too, unless MINISTRY_MAY_VERIFY_OWN_ENTRY is set;
- the province may withdraw its submission, with a reason, until the ministry has
  started verifying it;
- one transaction per change; a change made from an out-of-date page (the
  assessment's version moved on) is refused, never applied over the other one;
- every change is recorded in the history with who, when and why.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import calendar
from .access import Role, users_with_role
from .history import self_entered
from .models import Assessment, Evidence, Quota, Registration, Result, ResultValue, Stage, Status, Window
from .notifications import notify_reopened, notify_returned, notify_submitted, notify_verified, notify_withdrawn

audit = logging.getLogger("kieumau.audit")

STAGE_FIELDS = {
    Stage.SELF: ("self_value", "self_note"),
    Stage.VERIFIED: ("verified_value", "verified_note"),
}
PROVINCE_ROLES = (Role.PROVINCE, Role.ADMIN)
MINISTRY_ROLES = (Role.MINISTRY, Role.ADMIN)
# The self-assessment is the province's, but ministry staff may enter it on its behalf.
SELF_ENTRY_ROLES = (Role.PROVINCE, Role.MINISTRY, Role.ADMIN)


class ConflictError(Exception):
    """The assessment changed since the user's page was built from it."""

    def __init__(self, assessment):
        super().__init__(_("Someone else saved this assessment while you were editing it."))
        self.assessment = assessment


class TransitionRefused(Exception):
    """A change that is not allowed; the message says why.

    `forbidden` is set when the user's role may never do this (answered 403);
    otherwise the assessment is in the wrong state for it, or incomplete.
    """

    def __init__(self, message, forbidden=False):
        super().__init__(message)
        self.forbidden = forbidden


class AlreadyRegistered(TransitionRefused):
    """The unit is registered for the year already (often by a second click a moment earlier)."""

    def __init__(self, year, unit):
        super().__init__(_("%(unit)s is already registered for %(year)s.") % {"unit": unit.name, "year": year.year})
        self.year = year
        self.unit = unit


@dataclass
class Entry:
    value: str
    note: str = ""


def edit_refusal(scope, assessment, stage):
    """Why `scope`'s user may not edit `stage` of `assessment` now, or None when they may."""
    year = assessment.registration.year
    if not year.is_open:
        return _("Programme year %(year)s is closed for entry.") % {"year": year.year}
    if stage == Stage.SELF:
        if scope.role not in SELF_ENTRY_ROLES:
            return _("The self-assessment is the province's: ministry staff read it and enter the verified result.")
        if assessment.status not in (Status.DRAFT, Status.RETURNED):
            return _("The self-assessment was submitted; it can change only if the ministry returns it.")
        return window_refusal(assessment, Window.SELF_ASSESSMENT)
    if scope.role not in MINISTRY_ROLES:
        return _("Only ministry staff enter the verified result.")
    if assessment.status == Status.VERIFIED:
        return _("This assessment is verified and read-only; ministry staff can reopen it, giving a reason.")
    if assessment.status != Status.SUBMITTED:
        return _("The verified result is entered once the province has submitted its self-assessment.")
    return window_refusal(assessment, Window.VERIFICATION)


def window_refusal(assessment, window):
    """Why the calendar shuts `window` for this ward today (naming the window), or None.

    After the self-assessment deadline the province can neither edit nor submit its
    self-assessment; after the verification deadline the ministry can neither edit,
    verify nor return it; unless an extension covers the ward or its province.
    """
    return calendar.window_open(assessment.registration.year, window, registration=assessment.registration)


def editable_stage(scope, assessment):
    """The stage this user may edit now (self or verified), or None."""
    for stage in (Stage.SELF, Stage.VERIFIED):
        if edit_refusal(scope, assessment, stage) is None:
            return stage
    return None


def _lock(assessment, version):
    """The assessment, locked for this transaction; ConflictError if it moved past `version`."""
    locked = (
        Assessment.objects.select_for_update()
        .select_related("registration__year", "registration__unit")
        .get(pk=assessment.pk)
    )
    if version is not None and locked.version != version:
        raise ConflictError(locked)
    return locked


def _bump(assessment, by, reason, action, when=None):
    """Save the assessment as a new version, recording who and why in its history and the log.

    `when`: the time of the results written with it, so that the history shows one save as one
    event (its records share time, person and reason).
    """
    assessment.version += 1
    assessment.updated_by = by
    assessment._change_reason = reason
    assessment._history_user = by
    if when is not None:
        assessment._history_date = when
    try:
        assessment.save()
    finally:
        assessment.__dict__.pop("_history_date", None)
    log(action, by, assessment.registration, status=assessment.status, version=assessment.version)


def log(action, user, registration, **fields):
    """One structured line per change: who, what, which ward and year."""
    audit.info(
        action,
        extra={"action": action, "user": getattr(user, "username", None), "ward": registration.unit.code,
               "period": registration.unit.period, "year": registration.year.year, **fields},
    )


# --- registration ---------------------------------------------------------------------


@dataclass
class Registered:
    registration: Registration
    quota: int | None
    registered: int

    @property
    def over_quota_by(self):
        return self.registered - self.quota if self.quota is not None and self.registered > self.quota else 0


@transaction.atomic
def register(year, unit, *, by=None):
    """Register `unit` for `year` and open its draft assessment.

    Going over the province's quota is allowed (provinces registered 172 wards
    against a quota of 106 in 2023); the result says by how much, for a warning.
    """
    if not year.is_open:
        raise TransitionRefused(_("Programme year %(year)s is closed for entry.") % {"year": year.year})
    closed = calendar.window_open(year, Window.REGISTRATION, province=unit.province_id)
    if closed:
        raise TransitionRefused(closed)
    registration = Registration(year=year, unit=unit, created_by=by)
    try:
        registration.full_clean()
    except ValidationError as exc:
        if Registration.objects.filter(year=year, unit=unit).exists():
            raise AlreadyRegistered(year, unit) from None
        raise TransitionRefused(" ".join(exc.messages)) from None
    registration._change_reason = _("Registered")
    registration._history_user = by
    try:
        # Two clicks at once both pass the check above; the database's unique
        # constraint lets one in. The savepoint keeps PostgreSQL's transaction usable
        # after the loser's failed insert, so it is refused like any other repeat.
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        raise AlreadyRegistered(year, unit) from None
    assessment = Assessment(registration=registration, updated_by=by)
    assessment._change_reason = _("Registered")
    assessment._history_user = by
    assessment.save()
    log("register", by, registration)
    quota = Quota.objects.filter(year=year, province=unit.province).values_list("amount", flat=True).first()
    registered = Registration.objects.filter(year=year, unit__province=unit.province).aggregate(n=Count("pk"))["n"]
    return Registered(registration=registration, quota=quota, registered=registered)


# --- results --------------------------------------------------------------------------


@transaction.atomic
def save_results(assessment, stage, entries, *, by, version, scope=None, reason=None):
    """Write one stage's values and notes for several criteria, all or nothing.

    `entries` maps criteria to `Entry`. `version` is the assessment version the
    user's form was built from; if the assessment moved on since, nothing is
    written and ConflictError is raised. `scope`, when given, is checked against
    the workflow rules inside the transaction; `reason` goes to the history (an
    import names its file). Returns (assessment, number changed).
    """
    locked = _lock(assessment, version)
    stage = Stage(stage)
    if scope is not None:
        refusal = edit_refusal(scope, locked, stage)
        if refusal:
            raise TransitionRefused(refusal, forbidden=True)
    value_field, note_field = STAGE_FIELDS[stage]
    existing = {result.criterion_id: result for result in locked.results.all()}
    to_create, to_update = [], []
    for criterion, entry in entries.items():
        if entry.value not in ResultValue.values:
            raise TransitionRefused(_("%(value)s is not a valid result.") % {"value": entry.value})
        result = existing.get(criterion.pk)
        if result is None:
            result = Result(assessment=locked, criterion=criterion)
            to_create.append(result)
        elif (getattr(result, value_field), getattr(result, note_field)) == (entry.value, entry.note):
            continue
        else:
            to_update.append(result)
        setattr(result, value_field, entry.value)
        setattr(result, note_field, entry.note)
    if not (to_create or to_update):
        return locked, 0
    if reason is None and stage == Stage.SELF and scope is not None and scope.role != Role.PROVINCE:
        reason = on_behalf(_("Entered by the ministry on behalf of %(province)s"), locked)
    if reason is None:
        reason = _("Self-assessment edited") if stage == Stage.SELF else _("Verified result edited")
    now = timezone.now()
    if stage == Stage.VERIFIED:
        _start_verification(locked, by, now)
    bulk_create_with_history(to_create, Result, default_user=by, default_change_reason=reason, default_date=now)
    bulk_update_with_history(
        to_update, Result, [value_field, note_field], default_user=by, default_change_reason=reason, default_date=now
    )
    _bump(locked, by, reason, f"save_{stage.value}", when=now)
    locked.rescore()
    return locked, len(to_create) + len(to_update)


def on_behalf(message, assessment):
    """`message` naming the ward's province: the history's reason for what the ministry does in its place."""
    return message % {"province": assessment.registration.unit.province.name}


def entered_on_behalf(assessments):
    """The pks of `assessments` whose current self-assessment ministry staff entered, in part or whole."""
    return self_entered(assessments, users_with_role(Role.MINISTRY) | users_with_role(Role.ADMIN))


ACCEPTED = gettext_lazy("Self-assessed result accepted by the ministry")


@transaction.atomic
def accept_self_assessed(assessment, criteria, *, scope, version):
    """Take the province's self-assessed result as the verified result of each of `criteria`.

    A deliberate action rather than a default (the verified result starts "not yet
    assessed"), so every criterion it changes says so in the history. It copies the
    value only: the verified note stays the ministry's own. It goes through
    `save_results`, so the version lock, the workflow rules and the calendar hold
    as for any verified edit. Returns (assessment, number changed).
    """
    locked = _lock(assessment, version)
    results = {result.criterion_id: result for result in locked.results.all()}
    entries = {
        criterion: Entry(value=results[criterion.pk].self_value, note=results[criterion.pk].verified_note)
        for criterion in criteria if criterion.pk in results
    }
    return save_results(
        locked, Stage.VERIFIED, entries, by=scope.user, version=version, scope=scope, reason=str(ACCEPTED)
    )


def _start_verification(assessment, by, when):
    """Record who started verifying this submission, once: the first verified entry after it.

    Not a status (the four statuses stay); a new submission clears it again.
    """
    if assessment.verification_started_at is None:
        assessment.verification_started_at = when
        assessment.verification_started_by = by


def missing_values(assessment, stage):
    """Numbers of the criteria not yet assessed (no result, or "not yet assessed") at `stage`."""
    value_field, _note = STAGE_FIELDS[Stage(stage)]
    assessed = (
        Result.objects.filter(assessment=assessment)
        .exclude(**{value_field: ResultValue.PENDING})
        .values("criterion")
    )
    catalogue = assessment.registration.year.catalogue
    return list(catalogue.criteria.exclude(pk__in=assessed).order_by("number").values_list("number", flat=True))


def _require_complete(assessment, stage):
    missing = missing_values(assessment, stage)
    if missing:
        raise TransitionRefused(
            _("Criteria not yet assessed: %(numbers)s. Every criterion needs a result first.")
            % {"numbers": ", ".join(str(n) for n in missing)}
        )


def _require_open(assessment):
    year = assessment.registration.year
    if not year.is_open:
        raise TransitionRefused(_("Programme year %(year)s is closed for entry.") % {"year": year.year})


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Give a reason: the province and the history will show it."))
    return reason


# --- transitions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    roles: tuple
    statuses: tuple
    role_refusal: str
    status_refusal: str
    window: str | None = None  # the calendar window it must happen in; None: any time


TRANSITIONS = {
    "submit": Rule(
        SELF_ENTRY_ROLES, (Status.DRAFT, Status.RETURNED),
        gettext_lazy("Only the province's police (or the ministry on its behalf) submit its self-assessment."),
        gettext_lazy("Only a draft or returned self-assessment can be submitted; this one is %(status)s."),
        Window.SELF_ASSESSMENT,
    ),
    "verify": Rule(
        MINISTRY_ROLES, (Status.SUBMITTED,),
        gettext_lazy("Only ministry staff verify assessments."),
        gettext_lazy("Only a submitted assessment can be verified; this one is %(status)s."),
        Window.VERIFICATION,
    ),
    "return": Rule(
        MINISTRY_ROLES, (Status.SUBMITTED,),
        gettext_lazy("Only ministry staff return assessments."),
        gettext_lazy("Only a submitted assessment can be returned; this one is %(status)s."),
        Window.VERIFICATION,
    ),
    "reopen": Rule(
        MINISTRY_ROLES, (Status.VERIFIED,),
        gettext_lazy("Only ministry staff reopen verified assessments."),
        gettext_lazy("Only a verified assessment can be reopened; this one is %(status)s."),
    ),
    # Within the self-assessment window only: a withdrawal must leave time to submit again.
    "withdraw": Rule(
        PROVINCE_ROLES, (Status.SUBMITTED,),
        gettext_lazy("Only the province's police withdraw its submission."),
        gettext_lazy("Only a submitted assessment can be withdrawn; this one is %(status)s."),
        Window.SELF_ASSESSMENT,
    ),
}


def _allowed(scope, assessment):
    """The transitions the user's role may make from the assessment's status, the calendar aside."""
    if not assessment.registration.year.is_open:
        return set()
    return {
        name for name, rule in TRANSITIONS.items()
        if scope.role in rule.roles and assessment.status in rule.statuses
        and not (name == "withdraw" and withdraw_refusal(assessment))
    }


def available_transitions(scope, assessment):
    """The transitions this user may attempt now: what the page offers as buttons."""
    return {name for name in _allowed(scope, assessment) if not _closed(name, assessment)}


def _closed(name, assessment):
    window = TRANSITIONS[name].window
    return window_refusal(assessment, window) if window else None


def calendar_refusals(scope, assessment):
    """Why the calendar holds back what the user could otherwise do now: shown instead of the buttons."""
    return sorted({message for name in _allowed(scope, assessment) if (message := _closed(name, assessment))})


def _begin(name, assessment, scope, version):
    """Check role, lock, check the year and the state: the common start of every transition."""
    rule = TRANSITIONS[name]
    if scope.role not in rule.roles:
        raise TransitionRefused(str(rule.role_refusal), forbidden=True)
    locked = _lock(assessment, version)
    _require_open(locked)
    if locked.status not in rule.statuses:
        raise TransitionRefused(str(rule.status_refusal) % {"status": locked.get_status_display().lower()})
    closed = _closed(name, locked)
    if closed:
        raise TransitionRefused(closed)
    return locked


@transaction.atomic
def submit(assessment, *, scope, version):
    """The province hands in its self-assessment; its result is frozen from now on."""
    locked = _begin("submit", assessment, scope, version)
    _require_complete(locked, Stage.SELF)
    locked.status = Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_self_met = locked.self_met  # the expected result, as submitted
    locked.verification_started_at = None  # a new submission is verified afresh
    locked.verification_started_by = None
    if scope.role == Role.PROVINCE:
        reason = _("Submitted by the province")
    else:
        reason = on_behalf(_("Submitted by the ministry on behalf of %(province)s"), locked)
    _bump(locked, scope.user, reason, "submit")
    notify_submitted(locked, by=scope.user)
    return locked


@transaction.atomic
def verify(assessment, *, scope, version):
    """The ministry confirms its verified result; the assessment becomes read-only."""
    locked = _begin("verify", assessment, scope, version)
    _require_someone_else(locked, scope)
    _require_complete(locked, Stage.VERIFIED)
    locked.status = Status.VERIFIED
    locked.verified_at = timezone.now()
    _start_verification(locked, scope.user, locked.verified_at)
    _bump(locked, scope.user, _("Verification confirmed by the ministry"), "verify")
    notify_verified(locked, by=scope.user)
    return locked


@transaction.atomic
def return_to_province(assessment, *, scope, version, reason):
    """The ministry sends a submitted self-assessment back to the province, saying why."""
    reason = _require_reason(reason)
    locked = _begin("return", assessment, scope, version)
    _require_someone_else(locked, scope)
    locked.status = Status.RETURNED
    _bump(locked, scope.user, reason, "return")
    notify_returned(locked, by=scope.user, reason=reason)
    return locked


@transaction.atomic
def reopen(assessment, *, scope, version, reason):
    """The ministry reopens a verified assessment (back to submitted), saying why."""
    reason = _require_reason(reason)
    locked = _begin("reopen", assessment, scope, version)
    recognition = locked.recognitions.filter(withdrawn_on__isnull=True).select_related("decision").first()
    if recognition is not None:
        raise TransitionRefused(
            _("Decision %(number)s recognises this ward as a model unit: withdraw the recognition before "
              "reopening the verification.") % {"number": recognition.decision.number})
    locked.status = Status.SUBMITTED
    locked.verified_at = None
    _bump(locked, scope.user, reason, "reopen")
    notify_reopened(locked, by=scope.user, reason=reason)
    return locked


def _require_someone_else(assessment, scope):
    """Refuse the verifier who entered this submission's self-assessment themselves.

    A self-assessment entered on the province's behalf is checked by another member
    of the ministry's staff, as the province's own is, unless the deployment allows
    otherwise (MINISTRY_MAY_VERIFY_OWN_ENTRY, off by default). Returning is refused
    too: it is the other outcome of the same check.
    """
    if settings.MINISTRY_MAY_VERIFY_OWN_ENTRY:
        return
    if self_entered([assessment], [scope.user]):
        raise TransitionRefused(_("You entered this self-assessment on the province's behalf: another member of "
                                  "the ministry's staff verifies or returns it."))


def withdraw_refusal(assessment):
    """Why the province may no longer withdraw its submission (the ministry started verifying it), or None."""
    if assessment.verification_started_at is None:
        return None
    started = timezone.localdate(assessment.verification_started_at)
    return _("The ministry started verifying this submission on %(date)s; it can no longer be withdrawn. Ask "
             "the ministry to return it.") % {"date": calendar.show(started)}


@transaction.atomic
def withdraw(assessment, *, scope, version, reason):
    """The province takes back its submission before the ministry has started verifying it, saying why.

    It becomes *returned*, not draft: it was submitted once, so it keeps its band as
    submitted while the province corrects it (criteria/figures.py), as after a return,
    and the province submits it again the same way. The history tells a withdrawal
    from a return by its author and reason.
    """
    reason = _require_reason(reason)
    locked = _begin("withdraw", assessment, scope, version)
    refusal = withdraw_refusal(locked)
    if refusal:
        raise TransitionRefused(refusal)
    locked.status = Status.RETURNED
    _bump(locked, scope.user, _("Withdrawn by the province: %(reason)s") % {"reason": reason}, "withdraw")
    notify_withdrawn(locked, by=scope.user, reason=reason)
    return locked


# --- evidence -------------------------------------------------------------------------


def _require_editable(scope, assessment):
    if editable_stage(scope, assessment) is None:
        raise TransitionRefused(
            edit_refusal(scope, assessment, Stage.SELF if scope.role == Role.PROVINCE else Stage.VERIFIED),
            forbidden=True,
        )


def attach_evidence(assessment, criterion, upload, *, scope, content_type):
    """Store an uploaded file (already checked by the form) as evidence for one criterion.

    The file is written to storage before its row, inside the transaction; if the
    transaction does not commit (a refusal, a database error, the commit itself
    failing), the stored file is deleted again so that storage keeps no file that
    no row points to. (Storage cannot take part in the database's transaction; an
    outer transaction rolled back later would still leave the file behind.)
    """
    stored = []
    try:
        with transaction.atomic():
            locked = _lock(assessment, None)
            _require_editable(scope, locked)
            evidence = Evidence(
                assessment=locked,
                criterion=criterion,
                original_name=upload.name[:255],
                content_type=content_type,
                size=upload.size,
                uploaded_by=scope.user,
            )
            evidence.file.save(upload.name, upload, save=False)
            stored.append(evidence.file.name)
            evidence._change_reason = _("File attached")
            evidence._history_user = scope.user
            evidence.save()
    except BaseException:
        for name in stored:
            evidence.file.storage.delete(name)
        raise
    log("attach_evidence", scope.user, locked.registration, criterion=criterion.number, file=evidence.original_name)
    return evidence


@transaction.atomic
def remove_evidence(evidence, *, scope):
    """Hide an evidence file; it stays stored, and in the history."""
    locked = _lock(evidence.assessment, None)
    _require_editable(scope, locked)
    evidence.removed_at = timezone.now()
    evidence.removed_by = scope.user
    evidence._change_reason = _("File removed")
    evidence._history_user = scope.user
    evidence.save()
    log("remove_evidence", scope.user, locked.registration, file=evidence.original_name)
    return evidence
