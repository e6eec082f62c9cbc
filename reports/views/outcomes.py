"""The year's outcomes: recognition decisions (with withdrawals and scans) and the commendations list.

Decisions are recorded by the ministry's staff and administrators; a province reads
the decisions that recognise its own wards, and nothing of another province's.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from criteria.access import get_decision_for_user, get_year_or_404, scope_for
from criteria.figures import programme_years, year_summary
from criteria.forms import DecisionForm, WithdrawalForm, body_exceeds
from criteria.models import Commendation, Recognition, RecognitionDecision, RecipientKind
from criteria.outcomes import (
    OUTCOME_ROLES,
    DecisionFields,
    OutcomeRefused,
    eligible_assessments,
    parse_codes,
    recognise,
    withdraw_recognitions,
)


def _require_outcome_role(scope):
    if scope.role not in OUTCOME_ROLES:
        raise PermissionDenied(_("Only the ministry's staff and administrators record decisions."))


def outcomes(request, year):
    """What the year ended in, in the user's scope: its figures, decisions and commendations."""
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    provinces = scope.provinces(year.period)
    summary = year_summary(year, provinces, years=programme_years())
    recognitions = Recognition.objects.filter(year=year).select_related("unit", "province")
    if not scope.is_national:
        recognitions = recognitions.filter(province__in=provinces)
    decisions = (
        RecognitionDecision.objects.filter(year=year, recognitions__in=recognitions).distinct()
        .annotate(
            in_force=Count("recognitions", filter=Q(recognitions__in=recognitions, recognitions__withdrawn_on=None)),
            withdrawn=Count("recognitions", filter=Q(recognitions__in=recognitions,
                                                     recognitions__withdrawn_on__isnull=False)),
        )
        .order_by("signed_on", "number")
    )
    recipients = Q() if scope.is_national else Q(recipients__province__in=provinces)
    commendations = (
        Commendation.objects.filter(year=year).filter(recipients).distinct()
        .annotate(
            collectives=Count("recipients", filter=recipients & Q(recipients__kind=RecipientKind.COLLECTIVE)),
            individuals=Count("recipients", filter=recipients & Q(recipients__kind=RecipientKind.INDIVIDUAL)),
        )
        .order_by("signed_on", "number")
    )
    can_record = scope.role in OUTCOME_ROLES
    return render(request, "reports/outcomes.html", {
        "year": year,
        "scope": scope,
        "summary": summary,
        "decisions": decisions,
        "commendations": commendations,
        "can_record": can_record,
        "eligible": eligible_assessments(year).filter(province__in=provinces).count() if can_record else None,
    })


def decision_new(request, year):
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    _require_outcome_role(scope)
    eligible = list(eligible_assessments(year))
    form = DecisionForm(year=year)
    problems = []
    if request.method == "POST":
        if body_exceeds(request, settings.EVIDENCE_MAX_BYTES):
            messages.error(request, _("Decision not recorded: the scan's limit is %(limit)s.")
                           % {"limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)})
            return redirect("reports:decision_new", year=year.year)
        form = DecisionForm(request.POST, request.FILES, year=year)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = recognise(
                    year,
                    DecisionFields(number=data["number"], signed_on=data["signed_on"],
                                   signer_name=data["signer_name"], signer_title=data["signer_title"]),
                    parse_codes(data["wards"]), scope=scope, scan=data["scan"],
                )
            except OutcomeRefused as refused:
                problems = refused.reasons
            else:
                messages.success(request, _("Decision %(number)s recorded: %(n)s wards recognised.")
                                 % {"number": decision.number, "n": decision.recognitions.count()})
                return redirect("reports:decision", year=year.year, pk=decision.pk)
    return render(request, "reports/decision_new.html", {
        "year": year, "scope": scope, "form": form, "problems": problems, "eligible": eligible,
    })


def _decision_context(request, year, decision, scope, form=None):
    recognitions = decision.recognitions.select_related("unit", "withdrawn_by").order_by("province__code", "unit__code")
    if not scope.is_national:
        recognitions = recognitions.filter(province__in=scope.provinces(year.period))
    in_force = recognitions.filter(withdrawn_on=None)
    return {
        "year": year,
        "scope": scope,
        "decision": decision,
        "recognitions": list(recognitions),
        "in_force": in_force.count(),
        "can_record": scope.role in OUTCOME_ROLES,
        "form": form or WithdrawalForm(recognitions=in_force),
    }


def decision(request, year, pk):
    year = get_year_or_404(year)
    decision = get_decision_for_user(request.user, year, pk)
    scope = scope_for(request.user)
    return render(request, "reports/decision.html", _decision_context(request, year, decision, scope))


@require_POST
def decision_withdraw(request, year, pk):
    year = get_year_or_404(year)
    decision = get_decision_for_user(request.user, year, pk)
    scope = scope_for(request.user)
    _require_outcome_role(scope)
    form = WithdrawalForm(request.POST, recognitions=decision.recognitions.in_force().select_related("unit"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            withdrawn = withdraw_recognitions(data["recognitions"], scope=scope, on=data["withdrawn_on"],
                                              number=data["number"], reason=data["reason"])
        except OutcomeRefused as refused:
            for reason in refused.reasons:
                messages.error(request, reason)
        else:
            messages.success(request, _("Title withdrawn from %(n)s wards by decision %(number)s; "
                                        "the recognition stays on record.")
                             % {"n": len(withdrawn), "number": data["number"]})
            return redirect("reports:decision", year=year.year, pk=decision.pk)
    context = _decision_context(request, year, decision, scope, form=form)
    return render(request, "reports/decision.html", context, status=400)


@never_cache
def decision_scan(request, year, pk):
    year = get_year_or_404(year)
    decision = get_decision_for_user(request.user, year, pk)
    # The signed decision lists the wards of every province it recognises: the ministry's to read.
    if not scope_for(request.user).is_national or not decision.scan:
        raise Http404(_("No scan of this decision was recorded."))
    try:
        handle = decision.scan.open("rb")
    except FileNotFoundError:
        raise Http404(_("The stored file is missing.")) from None
    name = decision.scan_name if decision.scan_name.lower().endswith(".pdf") else f"{decision.scan_name or 'qd'}.pdf"
    response = FileResponse(handle, content_type="application/pdf", filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
