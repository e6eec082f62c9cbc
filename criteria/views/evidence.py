"""Evidence files: attached per criterion, served only to users who may see the ward."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..access import get_assessment_for_user, get_evidence_for_user, get_year_or_404, scope_for
from ..forms import EvidenceForm, body_exceeds
from ..workflow import TransitionRefused, attach_evidence, remove_evidence


@require_POST
def upload(request, code, year):
    year = get_year_or_404(year)
    assessment = get_assessment_for_user(request.user, code, year)
    unit = assessment.registration.unit
    if body_exceeds(request, settings.EVIDENCE_MAX_BYTES):
        messages.error(request, _("File not attached: the limit is %(limit)s.")
                       % {"limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)})
        return redirect("wards:ward", code=unit.code, year=year.year)
    form = EvidenceForm(request.POST, request.FILES, criteria=year.catalogue.criteria.all())
    if form.is_valid():
        try:
            evidence = attach_evidence(
                assessment, form.cleaned_data["criterion"], form.cleaned_data["file"],
                scope=scope_for(request.user), content_type=form.content_type,
            )
        except TransitionRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        messages.success(
            request,
            _("%(name)s attached to criterion %(number)s.")
            % {"name": evidence.original_name, "number": evidence.criterion.number},
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("File not attached: %(error)s") % {"error": error})
    return redirect("wards:ward", code=unit.code, year=year.year)


@never_cache
def download(request, code, year, pk):
    year = get_year_or_404(year)
    evidence = get_evidence_for_user(request.user, code, year, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The stored file is missing.")) from None
    response = FileResponse(handle, content_type=evidence.content_type, filename=evidence.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def remove(request, code, year, pk):
    year = get_year_or_404(year)
    evidence = get_evidence_for_user(request.user, code, year, pk)
    try:
        remove_evidence(evidence, scope=scope_for(request.user))
    except TransitionRefused as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("%(name)s removed (it stays in the history).") % {"name": evidence.original_name})
    return redirect("wards:ward", code=code, year=year.year)
