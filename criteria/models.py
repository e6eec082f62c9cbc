"""The programme's data: criteria catalogue, programme years, quotas, registrations, assessments.

Vocabulary (see PROGRAMME.md): a province *registers* (đăng ký) a ward for a year
against a *quota* (chỉ tiêu) set by the ministry; the ward's police unit is assessed
against the year's catalogue. The province's own result is the *self-assessed*
("dự kiến đạt", expected) one; the ministry's is the *verified* ("đạt") one. Both
are kept side by side on every criterion result and never overwrite each other.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Func, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wards.models import Period, Province, Unit, UnitKind

from .catalogue import MAX_CRITERIA


class CatalogueVersion(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_working = models.BooleanField(
        _("working catalogue"),
        default=True,
        help_text=_(
            "A working catalogue is our own wording of the programme's themes, not the "
            "official text; it is shown as such and administrators may edit it."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("criteria catalogue")
        verbose_name_plural = _("criteria catalogues")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def size(self):
        return self.criteria.count()


class CriterionGroup(models.Model):
    catalogue = models.ForeignKey(
        CatalogueVersion, verbose_name=_("catalogue"), on_delete=models.CASCADE, related_name="groups"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)

    class Meta:
        verbose_name = _("criteria group")
        verbose_name_plural = _("criteria groups")
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "position"], name="group_unique_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Criterion(models.Model):
    catalogue = models.ForeignKey(
        CatalogueVersion, verbose_name=_("catalogue"), on_delete=models.CASCADE, related_name="criteria"
    )
    # RESTRICT, not PROTECT: a group cannot be deleted from under its criteria, but an
    # unused catalogue can be, with its groups and criteria (results protect one in use).
    group = models.ForeignKey(
        CriterionGroup, verbose_name=_("group"), on_delete=models.RESTRICT, related_name="criteria"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("English gloss"), max_length=300)
    guidance = models.TextField(_("assessment guidance"), blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["catalogue", "number"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "number"], name="criterion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="criterion_number_positive"),
            models.CheckConstraint(condition=Q(number__lte=MAX_CRITERIA), name="criterion_number_fits_a_mask"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def clean(self):
        if self.group_id and self.catalogue_id and self.group.catalogue_id != self.catalogue_id:
            raise ValidationError({"group": _("The group belongs to another catalogue.")})


def default_eligible_kinds():
    return [UnitKind.WARD.value]


class ProgrammeYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    catalogue = models.ForeignKey(
        CatalogueVersion, verbose_name=_("criteria catalogue"), on_delete=models.PROTECT, related_name="years"
    )
    period = models.CharField(
        _("administrative period"),
        max_length=10,
        choices=Period.choices,
        help_text=_("2023 and 2024 use the legacy units; 2025 onward the current ones."),
    )
    eligible_kinds = models.JSONField(
        _("eligible unit types"),
        default=default_eligible_kinds,
        help_text=_("It is a ward police programme: by default only wards (phường) may register."),
    )
    is_open = models.BooleanField(
        _("open for entry"), default=True, help_text=_("Registrations and assessments can be changed.")
    )
    is_generated = models.BooleanField(
        _("generated for measurement"),
        default=False,
        editable=False,
        help_text=_("Filled by generate_national to measure speed at national scale; not real data."),
    )
    # The programme calendar (criteria/calendar.py): every date optional; a window with no
    # date set never closes. Dates are whole days in Vietnam's time.
    registration_opens = models.DateField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateField(_("registration closes"), null=True, blank=True)
    self_assessment_deadline = models.DateField(_("self-assessment deadline"), null=True, blank=True)
    verification_deadline = models.DateField(_("verification deadline"), null=True, blank=True)
    expected_recognition = models.DateField(_("expected recognition decision"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme year")
        verbose_name_plural = _("programme years")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2021, year__lte=2100), name="year_in_range"),
        ]

    def __str__(self):
        return str(self.year)

    def clean(self):
        if not self.period and self.year:
            self.period = Period.for_year(self.year)
        kinds = self.eligible_kinds
        if not isinstance(kinds, list) or not kinds or any(k not in UnitKind.values for k in kinds):
            raise ValidationError({"eligible_kinds": _("Choose at least one known unit type.")})

    def eligible_kind_labels(self):
        return [UnitKind(kind).label for kind in self.eligible_kinds]


class Quota(models.Model):
    year = models.ForeignKey(
        ProgrammeYear, verbose_name=_("programme year"), on_delete=models.CASCADE, related_name="quotas"
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="quotas"
    )
    amount = models.PositiveIntegerField(_("quota"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["year", "province__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "province"], name="quota_unique_per_year_province"),
        ]

    def __str__(self):
        return f"{self.province} {self.year}: {self.amount}"

    def clean(self):
        if self.year_id and self.province_id and self.province.period != self.year.period:
            raise ValidationError(
                {"province": _("This province does not belong to the administrative period of %(year)s.")
                 % {"year": self.year.year}}
            )


class Registration(models.Model):
    year = models.ForeignKey(
        ProgrammeYear, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="registrations"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="registrations"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["year", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="registration_unique_per_year_unit"),
        ]

    def __str__(self):
        return f"{self.unit} ({self.year})"

    def clean(self):
        if not (self.year_id and self.unit_id):
            return
        if self.unit.period != self.year.period:
            raise ValidationError(
                {"unit": _("%(unit)s belongs to %(unit_period)s; programme year %(year)s uses %(year_period)s.")
                 % {"unit": self.unit, "unit_period": Period(self.unit.period).label,
                    "year": self.year.year, "year_period": Period(self.year.period).label}}
            )
        if self.unit.kind not in self.year.eligible_kinds:
            raise ValidationError(
                {"unit": _("%(unit)s is a %(kind)s; programme year %(year)s admits only: %(kinds)s.")
                 % {"unit": self.unit, "kind": UnitKind(self.unit.kind).label, "year": self.year.year,
                    "kinds": ", ".join(str(k) for k in self.year.eligible_kind_labels())}}
            )


class Role(models.TextChoices):
    """What a user does in the programme: kept on the user's profile (criteria/access.py reads it)."""

    ADMIN = "admin", _("Administrator")
    MINISTRY = "ministry", _("Ministry staff")
    PROVINCE = "province", _("Provincial police (province or city)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    VERIFIED = "verified", _("Verified")


class Stage(models.TextChoices):
    SELF = "self", _("Self-assessed (expected)")
    VERIFIED = "verified", _("Verified")


class ResultValue(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    PENDING = "pending", _("Not yet assessed")


# Assessments whose self-assessment the province has handed in at least once: the
# "expected" figures count these. Drafts are work in progress and count nowhere.
SUBMITTED_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.VERIFIED)


class AssessmentQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(year=year)

    def follow_units(self):
        """Repeat each unit's province on its assessments again, after units moved; returns how many changed."""
        province = Unit.objects.filter(pk=OuterRef("unit_id")).values("province_id")
        return self.exclude(province=F("unit__province")).update(province_id=Subquery(province))

    def freeze_submitted(self):
        """Record the self-assessment as submitted, for data written in bulk (demo, generator, migration)."""
        return self.filter(status__in=SUBMITTED_STATUSES).update(submitted_self_met=F("self_met"))

    def rescore(self):
        """Recount met criteria and the criteria not met, of both stages, for these assessments, in one UPDATE."""
        results = Result.objects.filter(assessment=OuterRef("pk")).values("assessment")

        def met(field):
            count = results.annotate(n=Count("pk", filter=Q(**{field: ResultValue.MET}))).values("n")
            return Coalesce(Subquery(count), 0)

        def not_met(field):
            # One bit per criterion, so the sum of the bits is their bitwise OR.
            bits = results.annotate(
                bits=Sum(CriterionBit("criterion__number"), filter=Q(**{field: ResultValue.NOT_MET}))
            ).values("bits")
            return Coalesce(Subquery(bits, output_field=models.BigIntegerField()), 0)

        return self.update(
            self_met=met("self_value"),
            verified_met=met("verified_value"),
            self_not_met=not_met("self_value"),
            verified_not_met=not_met("verified_value"),
        )


class CriterionBit(Func):
    """The bit that stands for criterion number n in a not-met mask: 1 << (n - 1)."""

    template = "(CAST(1 AS BIGINT) << (%(expressions)s - 1))"
    output_field = models.BigIntegerField()


def criteria_numbers(mask):
    """The criterion numbers whose bits are set in `mask`, in order."""
    numbers = []
    while mask:
        low = mask & -mask
        numbers.append(low.bit_length())
        mask ^= low
    return numbers


class Assessment(models.Model):
    """The assessment of one registered ward for one year.

    `self_met` and `verified_met` are the number of criteria met at each stage, and
    `self_not_met` and `verified_not_met` which criteria are not met (bit n - 1 for
    criterion n). They are derived from the results by a database aggregate
    (`rescore`) in the same transaction as every change to the results, so that
    dashboards can count bands and criteria gaps over tens of thousands of
    assessments without re-reading every result.
    """

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="assessment"
    )
    # The registration's year, unit and province, repeated here (they never change) so
    # that the dashboards select and group a year's assessments without joining every
    # registration and unit.
    year = models.ForeignKey(
        ProgrammeYear, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    self_met = models.PositiveSmallIntegerField(_("criteria met (self-assessed)"), default=0, editable=False)
    verified_met = models.PositiveSmallIntegerField(_("criteria met (verified)"), default=0, editable=False)
    self_not_met = models.BigIntegerField(_("criteria not met (self-assessed)"), default=0, editable=False)
    # The self-assessment's criteria met as last submitted (None until first submitted):
    # the expected figures count this, so that a returned assessment keeps its band
    # while the province corrects it, until it submits again.
    submitted_self_met = models.PositiveSmallIntegerField(
        _("criteria met (self-assessed, as submitted)"), null=True, blank=True, editable=False
    )
    verified_not_met = models.BigIntegerField(_("criteria not met (verified)"), default=0, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # When the ministry first saved a verified result since the last submission (not a
    # status: the four statuses stay). Until then the province may withdraw its submission.
    verification_started_at = models.DateTimeField(_("verification started at"), null=True, blank=True)
    verification_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verification started by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=[
        "self_met", "verified_met", "self_not_met", "verified_not_met", "submitted_self_met", "updated_at", "year",
        "unit", "province",
    ])

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            # Every column the dashboards group and count by: PostgreSQL and SQLite
            # answer the summary, trend and gap queries from the index alone.
            models.Index(
                fields=["year", "status", "submitted_self_met", "verified_met", "province", "self_not_met",
                        "verified_not_met"],
                name="assessment_figures",
            ),
            # The work queues' counts in the navigation bar, on every page: what is submitted
            # across the country, or a province's drafts and returned ones.
            models.Index(fields=["status", "province"], name="assessment_status_province"),
        ]

    def __str__(self):
        return str(self.registration)

    def save(self, *args, **kwargs):
        if None in (self.year_id, self.unit_id, self.province_id):
            self.year_id = self.registration.year_id
            self.unit_id = self.registration.unit_id
            self.province_id = self.registration.unit.province_id
        super().save(*args, **kwargs)

    @property
    def stage(self):
        """The stage whose result stands: the verified one once verified, else the self-assessment."""
        return Stage.VERIFIED if self.status == Status.VERIFIED else Stage.SELF

    @property
    def is_submitted(self):
        """Submitted at least once (waiting, returned or verified)."""
        return self.status in SUBMITTED_STATUSES

    def rescore(self):
        """Recount met criteria for both stages in the database and store them."""
        Assessment.objects.filter(pk=self.pk).rescore()
        self.refresh_from_db(fields=["self_met", "verified_met", "self_not_met", "verified_not_met"])

    @property
    def self_not_met_numbers(self):
        return criteria_numbers(self.self_not_met)

    @property
    def verified_not_met_numbers(self):
        return criteria_numbers(self.verified_not_met)


class Result(models.Model):
    """One criterion of one assessment: the province's value and the ministry's, each with a note."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="results"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="results"
    )
    self_value = models.CharField(
        _("self-assessed result"), max_length=10, choices=ResultValue.choices, default=ResultValue.PENDING
    )
    self_note = models.TextField(_("note (self-assessment)"), blank=True, max_length=2000)
    verified_value = models.CharField(
        _("verified result"), max_length=10, choices=ResultValue.choices, default=ResultValue.PENDING
    )
    verified_note = models.TextField(_("note (verification)"), blank=True, max_length=2000)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion result")
        verbose_name_plural = _("criterion results")
        ordering = ["assessment", "criterion__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="result_unique_per_criterion"),
            models.CheckConstraint(condition=Q(self_value__in=ResultValue.values), name="result_self_value_valid"),
            models.CheckConstraint(
                condition=Q(verified_value__in=ResultValue.values), name="result_verified_value_valid"
            ),
        ]
        indexes = [
            # The criteria-gap analysis reads only the results not met: a small fraction.
            models.Index(
                fields=["assessment", "criterion"],
                condition=Q(self_value="not_met") | Q(verified_value="not_met"),
                name="result_not_met",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} – {self.criterion.number}"

    def value(self, stage):
        return self.verified_value if stage == Stage.VERIFIED else self.self_value

    def note(self, stage):
        return self.verified_note if stage == Stage.VERIFIED else self.self_note


# The extension a stored or downloaded evidence file carries, from its detected type.
EVIDENCE_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def evidence_path(instance, filename):
    """A random name under the year, with the extension of the type detected from the content.

    Never the uploader's name or extension: a PDF with HTML appended, uploaded as
    `x.html`, is stored as `….pdf`, so nothing changes if the folder is ever served
    by a web server.
    """
    suffix = EVIDENCE_EXTENSIONS.get(instance.content_type, ".bin")
    return f"evidence/{instance.assessment.registration.year_id}/{uuid.uuid4().hex}{suffix}"


class EvidenceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)

    def by_criterion(self):
        """{criterion id: [current files, oldest first]}, in one query, for a page listing every criterion."""
        files = {}
        for evidence in self.current().order_by("uploaded_at"):
            files.setdefault(evidence.criterion_id, []).append(evidence)
        return files


class Evidence(models.Model):
    """A file supporting one criterion of one assessment (PDF, JPEG or PNG).

    Files are never deleted: removing one hides it and records who and when, so
    that the history can still show it.
    """

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="evidence"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["criterion__number", "uploaded_at"]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self):
        """The uploader's file name, with the extension of the file's real type if it claimed another."""
        suffix = EVIDENCE_EXTENSIONS.get(self.content_type, ".bin")
        name = PurePath(self.original_name)
        if name.suffix.lower() in ({".jpg", ".jpeg"} if suffix == ".jpg" else {suffix}):
            return self.original_name
        return f"{name.stem or 'evidence'}{suffix}"


class Profile(models.Model):
    """What the user model lacks: the user's role, and the province a provincial police user works for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, blank=True,
        help_text=_("Empty: the user sees nothing. A superuser is an administrator whatever this says."),
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"period": Period.CURRENT},
        help_text=_(
            "For provincial police: their current province. They also see the legacy "
            "provinces merged into it on 1 July 2025."
        ),
    )
    email_notifications = models.BooleanField(
        _("notifications by e-mail"), default=True,
        help_text=_("Also send each notification to the user's e-mail address (they are always in the app)."),
    )
    # Django overwrites last_login at each log-in: the one before is kept here, for
    # "since your last visit".
    previous_login = models.DateTimeField(_("previous log-in"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self):
        return str(self.user)

    def clean(self):
        if self.province_id and self.province.period != Period.CURRENT:
            raise ValidationError({"province": _("Choose a current province (34-province set).")})


class Window(models.TextChoices):
    """The windows of the programme calendar that close on a date."""

    REGISTRATION = "registration", _("Registration")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    VERIFICATION = "verification", _("Verification")


class Extension(models.Model):
    """More time past a window's closing date, for one province or one ward, granted by the ministry."""

    year = models.ForeignKey(
        ProgrammeYear, verbose_name=_("programme year"), on_delete=models.CASCADE, related_name="extensions"
    )
    window = models.CharField(_("window"), max_length=20, choices=Window.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("ward"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="extensions",
    )
    until = models.DateField(_("until (inclusive)"))
    reason = models.TextField(_("reason"), max_length=2000)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(province__isnull=False, registration__isnull=True)
                | Q(province__isnull=True, registration__isnull=False),
                name="extension_for_a_province_or_a_ward",
            ),
        ]

    def __str__(self):
        return f"{self.get_window_display()} → {self.until}"


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted by the province")
    RETURNED = "returned", _("Returned by the ministry")
    VERIFIED = "verified", _("Verified by the ministry")
    REOPENED = "reopened", _("Reopened by the ministry")
    WITHDRAWN = "withdrawn", _("Withdrawn by the province")
    REMINDER = "reminder", _("Reminder")


class Notification(models.Model):
    """Something a user should know: shown in the app (unread until opened) and sent by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    registration = models.ForeignKey(
        Registration, verbose_name=_("ward"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    year = models.ForeignKey(
        ProgrammeYear, verbose_name=_("programme year"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(_("text"))
    reason = models.TextField(_("reason"), blank=True)
    # Reminders carry a key (kind, year, window, day, user): the same reminder is never made twice.
    key = models.CharField(_("key"), max_length=200, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.text[:80]


# --- the programme's outcomes ---------------------------------------------------------


def decision_scan_path(instance, filename):
    """A random name under the recognised year; always .pdf (the scan is checked to be a PDF)."""
    return f"decisions/{instance.year_id}/{uuid.uuid4().hex}.pdf"


class RecognitionDecision(models.Model):
    """A Quyết định công nhận: the Minister's decision recognising wards as model units of a year.

    The year recognised (`year`) is the programme year assessed, not the year the
    decision is signed in: the decision of 22/4/2025 recognised wards "năm 2024".
    Its wards are `Recognition` rows; withdrawing a ward's title keeps the row, with
    the withdrawing decision, so the original stays on record.
    """

    year = models.ForeignKey(
        ProgrammeYear, verbose_name=_("programme year recognised"), on_delete=models.PROTECT,
        related_name="recognition_decisions",
    )
    number = models.CharField(
        _("number and symbol"), max_length=50, help_text=_("As printed on the decision, e.g. 2878/QĐ-BCA."),
    )
    signed_on = models.DateField(_("date signed"))
    signer_name = models.CharField(_("signed by"), max_length=120)
    signer_title = models.CharField(_("signer's title"), max_length=200, help_text=_("E.g. Bộ trưởng."))
    scan = models.FileField(_("scanned decision (PDF)"), upload_to=decision_scan_path, max_length=200, blank=True)
    scan_name = models.CharField(_("file name"), max_length=255, blank=True)
    scan_size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, editable=False, help_text=_("Made by load_demo: not a real decision."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")
        ordering = ["year", "signed_on", "number"]
        constraints = [
            # Numbers start again each year: the same number may recur on another day.
            models.UniqueConstraint(fields=["number", "signed_on"], name="recognition_decision_unique_number"),
        ]

    def __str__(self):
        return _("Decision %(number)s of %(date)s") % {"number": self.number, "date": self.signed_on}


class RecognitionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(withdrawn_on__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_on__isnull=False)


class Recognition(models.Model):
    """One ward recognised by one decision, with its names as of the decision and a certificate code.

    Only a ward whose verified result meets every criterion of the year's catalogue
    may be recognised (`criteria.outcomes.recognise`). A withdrawal records the
    withdrawing decision and never deletes the row.
    """

    decision = models.ForeignKey(
        RecognitionDecision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="recognitions"
    )
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="recognitions"
    )
    # Repeated from the assessment, so that figures group recognitions with no joins.
    year = models.ForeignKey(ProgrammeYear, verbose_name=_("programme year"), on_delete=models.PROTECT,
                             related_name="+", editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="recognitions",
                             editable=False)
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    # The names printed on the certificate: as they were on the decision's day.
    unit_name = models.CharField(_("ward (as of the decision)"), max_length=200)
    province_name = models.CharField(_("province (as of the decision)"), max_length=200)
    code = models.CharField(_("verification code"), max_length=16, unique=True, editable=False)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_number = models.CharField(_("withdrawing decision"), max_length=50, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), max_length=2000, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("withdrawal recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = RecognitionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recognised ward")
        verbose_name_plural = _("recognised wards")
        ordering = ["decision", "province__code", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "assessment"], name="recognition_unique_per_decision"),
            # A ward holds a year's title once: a second decision may recognise it only after a withdrawal.
            models.UniqueConstraint(fields=["assessment"], condition=Q(withdrawn_on__isnull=True),
                                    name="recognition_one_in_force"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | ~Q(withdrawal_number="") & ~Q(withdrawal_reason=""),
                name="recognition_withdrawal_complete",
            ),
        ]
        indexes = [models.Index(fields=["year", "province", "withdrawn_on"], name="recognition_figures")]

    def __str__(self):
        return f"{self.unit_name} ({self.decision.number})"

    @property
    def in_force(self):
        return self.withdrawn_on is None


class CommendationLevel(models.TextChoices):
    BANG_KHEN = "bang_khen", _("Certificate of merit (Bằng khen)")
    GIAY_KHEN = "giay_khen", _("Letter of commendation (Giấy khen)")


class Commendation(models.Model):
    """A decision awarding a Bằng khen or Giấy khen to collectives and individuals for a programme year."""

    year = models.ForeignKey(
        ProgrammeYear, verbose_name=_("programme year"), on_delete=models.PROTECT, related_name="commendations"
    )
    level = models.CharField(_("level"), max_length=20, choices=CommendationLevel.choices,
                             default=CommendationLevel.BANG_KHEN)
    issuer = models.CharField(_("issued by"), max_length=200, help_text=_("E.g. Bộ Công an."))
    number = models.CharField(_("decision number and symbol"), max_length=50)
    signed_on = models.DateField(_("date signed"))
    reason = models.TextField(
        _("reason"), max_length=2000,
        help_text=_("For what: e.g. for outstanding achievement in building model ward police units."),
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, editable=False,
        help_text=_("Made by load_demo: the individuals' names are invented."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["year", "signed_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number", "signed_on"], name="commendation_unique_number"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.number}"


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")


class CommendationRecipient(models.Model):
    """One collective or one individual in a commendation.

    A collective is a ward's police unit (`unit`) or another body by name (a
    provincial police department, say); an individual has a full name, rank,
    position and unit. `province` is whose recipient it is: it decides who sees an
    individual's personal data (the ministry, and that province only). Empty for a
    body of the ministry itself.
    """

    commendation = models.ForeignKey(
        Commendation, verbose_name=_("commendation"), on_delete=models.CASCADE, related_name="recipients"
    )
    kind = models.CharField(_("recipient"), max_length=12, choices=RecipientKind.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("ward police unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="commendations",
    )
    name = models.CharField(
        _("name"), max_length=200,
        help_text=_("A collective's name (e.g. Công an phường Hàng Trống), or an individual's full name."),
    )
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    work_unit = models.CharField(_("unit (of the individual)"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True,
                              help_text=_("Empty: the commendation's reason."))
    position_in_list = models.PositiveIntegerField(_("number in the list"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commendation recipient")
        verbose_name_plural = _("commendation recipients")
        ordering = ["commendation", "kind", "position_in_list", "pk"]
        indexes = [models.Index(fields=["commendation", "province", "kind"], name="recipient_figures")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.unit_id and self.province_id and self.unit.province_id != self.province_id:
            raise ValidationError({"unit": _("The unit is not in the chosen province.")})
        if self.kind == RecipientKind.COLLECTIVE and (self.rank or self.position or self.work_unit):
            raise ValidationError(_("Rank, position and unit are for individuals only."))
