from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..access import get_assessment_for_user, get_year_or_404, scope_for
from ..forms import AssessmentForm
from ..history import changes_since_version
from ..models import Stage
from ..workflow import ConflictError, TransitionRefused, edit_refusal, save_results


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
    form_kwargs = {"criteria": criteria, "results": results, "stage": stage}
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
