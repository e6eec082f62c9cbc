from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import get_assessment_for_user, get_year_or_404, scope_for
from ..forms import AcceptForm, AssessmentForm
from ..history import changes_since_version
from ..models import Stage
from ..workflow import ConflictError, TransitionRefused, accept_self_assessed, edit_refusal, save_results
from .transitions import STALE


def assess(request, code, year, stage):
    """Enter one stage of a ward's assessment: every criterion on one page, saved at once."""
    if stage not in Stage.values:
        raise Http404(_("No such stage."))
    year = get_year_or_404(year)
    assessment = get_assessment_for_user(request.user, code, year)
    unit = assessment.registration.unit
    scope = scope_for(request.user)
    refusal = edit_refusal(scope, assessment, stage)
    if refusal:
        raise PermissionDenied(refusal)
    criteria = list(year.catalogue.criteria.select_related("group").order_by("group__position", "number"))
    results = {r.criterion_id: r for r in assessment.results.all()}
    # The ministry verifies against the province's files, so they sit beside each criterion.
    evidence = assessment.evidence.by_criterion() if stage == Stage.VERIFIED else {}
    form_kwargs = {"criteria": criteria, "results": results, "stage": stage, "evidence": evidence}
    conflict, changes = None, []
    if request.method == "POST":
        form = AssessmentForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                _saved, changed = save_results(
                    assessment, stage, form.entries(), by=request.user,
                    version=form.cleaned_data["version"], scope=scope,
                )
            except ConflictError as exc:
                conflict = exc.assessment
                changes = changes_since_version(conflict, form.cleaned_data["version"])
                form.results = {r.criterion_id: r for r in conflict.results.all()}
            except TransitionRefused as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                if changed:
                    messages.success(request, _("Saved: %(n)s criteria changed.") % {"n": changed})
                else:
                    messages.info(request, _("Nothing had changed; nothing was saved."))
                return redirect("wards:ward", code=unit.code, year=year.year)
    else:
        form = AssessmentForm(initial={"version": assessment.version}, **form_kwargs)
    return render(
        request,
        "criteria/assess.html",
        {
            "year": year,
            "unit": unit,
            "assessment": assessment,
            "stage": Stage(stage),
            "form": form,
            "conflict": conflict,
            "changes": changes,
            "size": len(criteria),
        },
        status=409 if conflict else 200,
    )


@require_POST
def accept(request, code, year):
    """Accept the self-assessed result as the verified one: for the criterion named, or for all.

    Accepting one criterion leads back to it on the verify form; accepting all leads to
    the ward page, where verifying is the second, separate step.
    """
    year = get_year_or_404(year)
    assessment = get_assessment_for_user(request.user, code, year)
    unit = assessment.registration.unit
    ward_page = redirect("wards:ward", code=unit.code, year=year.year)
    form = AcceptForm(request.POST, criteria=list(year.catalogue.criteria.order_by("number")))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return ward_page
    criteria = form.cleaned_data["criterion"]
    try:
        _saved, changed = accept_self_assessed(
            assessment, criteria, scope=scope_for(request.user), version=form.cleaned_data["version"]
        )
    except ConflictError:
        messages.error(request, str(STALE))
        return ward_page
    except TransitionRefused as exc:
        if exc.forbidden:
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, str(exc))
        return ward_page
    if changed:
        messages.success(request, _("Self-assessed result accepted: %(n)s criteria changed.") % {"n": changed})
    else:
        messages.info(request, _("The verified result already matched the self-assessed one; nothing was saved."))
    if form.data.get("criterion"):
        form_url = reverse("wards:assess", kwargs={"code": unit.code, "year": year.year, "stage": Stage.VERIFIED})
        return redirect(f"{form_url}#criterion-{criteria[0].number}")
    return ward_page
