"""Commendations (Bằng khen, Giấy khen): record a decision, read it with its recipients, add recipients
one at a time or from a spreadsheet (a template, an upload with a preview, then apply).

Recorded by the ministry's staff and administrators; a province reads a decision that
commends someone of its own, and sees its own recipients only, with the national counts.
"""

import datetime
import logging
import secrets
import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from criteria.access import get_commendation_for_user, get_year_or_404, scope_for
from criteria.forms import NoControlCharacters
from criteria.models import Commendation, CommendationLevel, RecipientKind
from criteria.outcomes import OUTCOME_ROLES, OutcomeRefused, add_recipients, record_commendation, visible_province_ids
from wards.models import Province

from .. import recipients as recipient_rules
from ..importers import ImportRefused
from .imports import read_posted_spreadsheet

audit = logging.getLogger("kieumau.audit")
SESSION_KEY = "kieumau-commendation-import"


def _field(name):
    return Commendation._meta.get_field(name)


class CommendationForm(NoControlCharacters, forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=CommendationLevel.choices)
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=_field("issuer").max_length,
                             initial="Bộ Công an")
    number = forms.CharField(label=gettext_lazy("Decision number and symbol"), max_length=_field("number").max_length,
                             help_text=gettext_lazy("E.g. 9368/QĐ-BCA."))
    signed_on = forms.DateField(label=gettext_lazy("Date signed"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=_field("reason").max_length,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text=_field("reason").help_text)

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError(_("A decision cannot be dated in the future."))
        if signed_on < datetime.date(self.year.year, 1, 1):
            raise forms.ValidationError(_("A commendation for %(year)s is signed in %(year)s or later.")
                                        % {"year": self.year.year})
        return signed_on


class RecipientForm(NoControlCharacters, forms.Form):
    """One recipient, checked by the same rules as a row of an imported list."""

    kind = forms.ChoiceField(label=gettext_lazy("Recipient"), choices=RecipientKind.choices)
    name = forms.CharField(label=gettext_lazy("Name or full name"), required=False,
                           help_text=gettext_lazy("A collective may be left unnamed when a ward code is given."))
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)
    ward = forms.CharField(label=gettext_lazy("Ward code (a collective)"), required=False, max_length=5,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "00070"}))
    rank = forms.CharField(label=gettext_lazy("Rank"), required=False)
    position = forms.CharField(label=gettext_lazy("Position"), required=False)
    work_unit = forms.CharField(label=gettext_lazy("Unit"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason, if not the decision's"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, commendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.commendation = commendation
        provinces = Province.objects.filter(period=commendation.year.period).order_by("code")
        self.fields["province"].choices = [("", _("— none (a body of the ministry)"))] + [
            (p.code, f"{p.code} · {p.name}") for p in provinces]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        row = recipient_rules.Row(**{name: data.get(name, "") for name in recipient_rules.TEMPLATE_COLUMNS})
        lookup = recipient_rules.Lookup(self.commendation, [recipient_rules.normal_code(row.ward, 5)])
        self.recipient, problems, _already = recipient_rules.check_row(row, lookup)
        for column, message in problems:
            self.add_error(column if column in self.fields else None, message)
        return data


def _require_outcome_role(scope):
    if scope.role not in OUTCOME_ROLES:
        raise PermissionDenied(_("Only the ministry's staff and administrators record commendations."))


def _context(request, year, pk, *, edit=False):
    """(year, commendation, scope); 404 when the user may not see it, 403 when they may not change it."""
    year = get_year_or_404(year)
    commendation = get_commendation_for_user(request.user, year, pk)
    scope = scope_for(request.user)
    if edit:
        _require_outcome_role(scope)
    return year, commendation, scope


def new(request, year):
    """Record a commendation decision; its recipients are added on its page."""
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    _require_outcome_role(scope)
    form = CommendationForm(request.POST or None, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            commendation = record_commendation(year, form.cleaned_data, [], scope=scope)
        except OutcomeRefused as exc:
            for reason in exc.reasons:
                form.add_error(None, reason)
        else:
            audit.info("commendation", extra={"action": "commendation", "user": request.user.get_username(),
                                              "year": year.year, "number": commendation.number})
            messages.success(request, _("Commendation %(number)s recorded: now add its recipients.")
                             % {"number": commendation.number})
            return redirect("reports:commendation", year=year.year, pk=commendation.pk)
    return render(request, "reports/commendation_new.html", {"year": year, "form": form},
                  status=400 if form.is_bound else 200)


def _numbered(commendation):
    """{recipient pk: its number in its own list}: collectives 1…n, individuals 1…m, as in the decision."""
    numbers, counters = {}, {}
    for pk, kind in commendation.recipients.order_by("position_in_list", "pk").values_list("pk", "kind"):
        counters[kind] = counters.get(kind, 0) + 1
        numbers[pk] = counters[kind]
    return numbers


def _render_page(request, year, commendation, scope, form=None, status=200):
    visible = visible_province_ids(scope, year.period)
    recipients = commendation.recipients.select_related("province", "unit").order_by("position_in_list", "pk")
    if visible is not None:
        # A province sees its own recipients only: nobody else's names, collectives' or individuals'.
        recipients = recipients.filter(province__in=visible)
    numbers = _numbered(commendation)
    collectives, individuals = [], []
    for recipient in recipients:
        recipient.number = numbers[recipient.pk]
        (collectives if recipient.kind == RecipientKind.COLLECTIVE else individuals).append(recipient)
    totals = commendation.recipients.aggregate(
        collectives=Count("pk", filter=Q(kind=RecipientKind.COLLECTIVE)),
        individuals=Count("pk", filter=Q(kind=RecipientKind.INDIVIDUAL)),
    )
    can_edit = scope.role in OUTCOME_ROLES
    if can_edit and form is None:
        form = RecipientForm(commendation=commendation)
    return render(request, "reports/commendation.html", {
        "year": year, "commendation": commendation, "collectives": collectives, "individuals": individuals,
        "totals": totals, "own_only": visible is not None, "can_edit": can_edit, "form": form,
        "form_open": form is not None and form.is_bound,
    }, status=status)


def detail(request, year, pk):
    """The decision and its recipients: collectives, then individuals."""
    year, commendation, scope = _context(request, year, pk)
    return _render_page(request, year, commendation, scope)


@require_POST
def add(request, year, pk):
    """Add one recipient to the list."""
    year, commendation, scope = _context(request, year, pk, edit=True)
    form = RecipientForm(request.POST, commendation=commendation)
    if not form.is_valid():
        return _render_page(request, year, commendation, scope, form=form, status=400)
    add_recipients(commendation, [form.recipient], scope=scope)
    messages.success(request, _("%(name)s added to the list.") % {"name": form.recipient.name})
    return redirect(reverse("reports:commendation", args=[year.year, commendation.pk]) + "#recipients")


@never_cache
def import_template(request, year, pk):
    """The XLSX template: the columns, an example row of each kind, the year's province codes."""
    year, commendation, _scope = _context(request, year, pk, edit=True)
    handle = tempfile.TemporaryFile()
    recipient_rules.write_template(commendation, handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"kieumau-khen-thuong-{year.year}-{commendation.pk}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def import_upload(request, year, pk):
    """Upload a list of recipients and see what importing it would add; nothing is written yet."""
    year, commendation, _scope = _context(request, year, pk, edit=True)
    form, upload, error = read_posted_spreadsheet(request)
    plan, token = None, None
    if upload is not None:
        plan = recipient_rules.build_plan(commendation, upload.header, upload.rows, upload.name)
        if plan.ok and plan.adds:
            # The rows wait in the session; apply checks them all again.
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token, "commendation": commendation.pk, "filename": upload.name,
                "header": upload.header, "rows": upload.rows,
            }
    return render(request, "reports/commendation_import.html", {
        "year": year, "commendation": commendation, "form": form, "plan": plan, "error": error, "token": token,
    }, status=400 if error else 200)


@require_POST
def import_apply(request, year, pk):
    """Add the previewed rows, all or nothing."""
    year, commendation, scope = _context(request, year, pk, edit=True)
    page = reverse("reports:commendation", args=[year.year, commendation.pk])
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["token"] != request.POST.get("token") or pending["commendation"] != commendation.pk:
        messages.error(request, _("This import is no longer waiting to be applied: upload the file again."))
        return redirect("reports:commendation_import", year=year.year, pk=commendation.pk)
    try:
        plan = recipient_rules.apply_plan(commendation, pending["header"], [tuple(r) for r in pending["rows"]],
                                          scope=scope, filename=pending["filename"])
    except recipient_rules.NothingToAdd as exc:
        del request.session[SESSION_KEY]
        messages.info(request, str(exc))
        return redirect(page)
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("reports:commendation_import", year=year.year, pk=commendation.pk)
    del request.session[SESSION_KEY]
    collectives, individuals = len(plan.collectives()), len(plan.individuals())
    audit.info("commendation_import", extra={
        "action": "commendation_import", "user": request.user.get_username(), "year": year.year,
        "commendation": commendation.number, "file": pending["filename"], "collectives": collectives,
        "individuals": individuals,
    })
    messages.success(request, _("Imported %(file)s. Added: collectives %(collectives)s, individuals "
                                "%(individuals)s.") % {"file": pending["filename"], "collectives": number_format(collectives),
                                             "individuals": number_format(individuals)})
    return redirect(page + "#recipients")

