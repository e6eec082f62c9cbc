"""Who may see and change what. Every view goes through these helpers.

A user's role is data on their profile (`Profile.role`), with the province a
provincial user works for; a superuser is an administrator.
A provincial user sees their current province and the legacy provinces merged
into it; anything else answers 404, so that another province's objects cannot
even be shown to exist.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wards.models import Period, Province, Unit

from .figures import programme_years
from .models import (  # noqa: F401 (Role is imported from here by the views)
    Commendation,
    Profile,
    ProgrammeYear,
    Recognition,
    RecognitionDecision,
    Role,
)


def role_of(user):
    """The user's role (their profile's), or None for a user with no role (who sees nothing)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_kieumau_role", False)
    if cached is not False:
        return cached
    profile = getattr(user, "profile", None)
    role = Role(profile.role) if profile is not None and profile.role else None
    if role == Role.PROVINCE and profile.province_id is None:
        role = None  # a provincial user without a province sees nothing
    user._kieumau_role = role
    return role


def home_province_id(user):
    profile = getattr(user, "profile", None)
    return getattr(profile, "province_id", None)


def users_with_role(role):
    """The active users whose `role_of` is `role`, in one query (for notifications)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if role == Role.ADMIN:
        return users.filter(models.Q(is_superuser=True) | models.Q(profile__role=Role.ADMIN))
    users = users.exclude(is_superuser=True).filter(profile__role=role)
    return users.filter(profile__province__isnull=False) if role == Role.PROVINCE else users


def provincial_users(province):
    """The provincial users who see `province`: the inverse of `Scope.provinces`.

    A current province is its own users'; a legacy province is seen by the users of
    the current province it was merged into.
    """
    home_id = province.pk if province.period == Period.CURRENT else province.successor_id
    return users_with_role(Role.PROVINCE).filter(profile__province_id=home_id)


@dataclass
class Scope:
    """What one user may see. Build it with `scope_for(user)`."""

    user: object
    role: Role

    @property
    def is_national(self):
        return self.role in (Role.ADMIN, Role.MINISTRY)

    def provinces(self, period):
        """The provinces of `period` this user may see."""
        provinces = Province.objects.filter(period=period)
        if self.is_national:
            return provinces
        province_id = home_province_id(self.user)
        if period == Period.CURRENT:
            return provinces.filter(pk=province_id)
        return provinces.filter(successor_id=province_id)

    def all_provinces(self):
        """The provinces of both periods this user may see; None for the whole country."""
        if self.is_national:
            return None
        province_id = home_province_id(self.user)
        return Province.objects.filter(models.Q(pk=province_id) | models.Q(successor_id=province_id))

    def units(self, period):
        units = Unit.objects.filter(period=period)
        if self.is_national:
            return units
        return units.filter(province__in=self.provinces(period))


def scope_for(user):
    """The user's scope; a logged-in user without a role is refused (403)."""
    role = role_of(user)
    if role is None:
        raise PermissionDenied(_("Your account has no role yet. Ask an administrator to assign one."))
    return Scope(user=user, role=role)


def get_year_or_404(year):
    """The programme year `year` (with its catalogue, `size` and `decisions`), from the request's one read."""
    for candidate in programme_years():
        if candidate.year == year:
            return candidate
    raise Http404(_("There is no programme year %(year)s.") % {"year": year})


def get_province_for_user(user, year, code):
    """The province `code` of the year's period, or 404 when the user may not see it."""
    scope = scope_for(user)
    province = scope.provinces(year.period).filter(code=code).first()
    if province is None:
        raise Http404(_("No such province."))
    return province


def get_ward_for_user(user, code, year):
    """(unit, can_edit): the unit `code` of the year's period, or 404 when not visible.

    `can_edit` says whether anything of this ward may change at all (the year is
    open); what exactly the user may change (which stage, in which status) is the
    workflow's call (`criteria.workflow`).
    """
    scope = scope_for(user)
    unit = scope.units(year.period).select_related("province", "district").filter(code=code).first()
    if unit is None:
        raise Http404(_("No such ward."))
    return unit, year.is_open


def get_unit_for_user(user, period, code):
    """The unit `code` of administrative `period`, or 404 when the user may not see it."""
    if period not in Period.values:
        raise Http404(_("No such administrative period."))
    unit = scope_for(user).units(period).select_related("province", "district").filter(code=code).first()
    if unit is None:
        raise Http404(_("No such ward."))
    return unit


def get_assessment_for_user(user, code, year):
    """The assessment of ward `code` in `year`, or 404 (not visible, or not registered)."""
    unit, _can_edit = get_ward_for_user(user, code, year)
    registration = (
        unit.registrations.filter(year=year).select_related("assessment", "year__catalogue").first()
    )
    if registration is None:
        raise Http404(_("This ward is not registered for this year."))
    registration.unit = unit
    return registration.assessment


def get_evidence_for_user(user, code, year, pk):
    """An evidence file of ward `code` in `year`, or 404; fetched through the scoped assessment."""
    assessment = get_assessment_for_user(user, code, year)
    evidence = assessment.evidence.current().select_related("criterion").filter(pk=pk).first()
    if evidence is None:
        raise Http404(_("No such file."))
    return evidence


def remember_login(sender, user, **kwargs):
    """At each log-in: keep the previous log-in on the profile, then record this one (as Django would)."""
    now = timezone.now()
    Profile.objects.update_or_create(user=user, defaults={"previous_login": user.last_login})
    user.last_login = now
    user.save(update_fields=["last_login"])


def get_decision_for_user(user, year, pk):
    """A recognition decision of `year`; a provincial user sees one only if it recognises a ward of theirs."""
    scope = scope_for(user)
    decisions = RecognitionDecision.objects.filter(year=year, pk=pk)
    if not scope.is_national:
        decisions = decisions.filter(recognitions__province__in=scope.provinces(year.period)).distinct()
    decision = decisions.first()
    if decision is None:
        raise Http404(_("No such decision."))
    return decision


def get_recognition_by_code(user, code):
    """The recognition whose certificate carries verification `code`; a province looks up its own only."""
    scope = scope_for(user)
    recognitions = Recognition.objects.select_related("decision", "year", "unit", "province").filter(code=code)
    if not scope.is_national:
        recognitions = recognitions.filter(province__in=scope.all_provinces())
    recognition = recognitions.first()
    if recognition is None:
        raise Http404(_("No certificate has this verification code."))
    return recognition


def get_commendation_for_user(user, year, pk):
    """A commendation of `year`; a provincial user sees one only if it commends someone of their province."""
    scope = scope_for(user)
    commendations = Commendation.objects.filter(year=year, pk=pk)
    if not scope.is_national:
        commendations = commendations.filter(recipients__province__in=scope.provinces(year.period)).distinct()
    commendation = commendations.first()
    if commendation is None:
        raise Http404(_("No such commendation."))
    return commendation
