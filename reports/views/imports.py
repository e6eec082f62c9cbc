"""Provincial spreadsheets in: a template, an upload with a dry-run preview, then apply."""

import logging
import secrets
import tempfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from criteria.access import get_province_for_user, get_year_or_404, scope_for
from criteria.forms import body_exceeds
from criteria.workflow import SELF_ENTRY_ROLES

from ..importers import ImportRefused, apply_plan, build_plan, read_upload, write_template

log = logging.getLogger("kieumau.audit")
SESSION_KEY = "kieumau-import"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )


def _context(request, year, code):
    year = get_year_or_404(year)
    province = get_province_for_user(request.user, year, code)
    scope = scope_for(request.user)
    return year, province, scope


def _require_importer(scope):
    if scope.role not in SELF_ENTRY_ROLES:
        raise PermissionDenied(_("Imports write the province's self-assessment: only its police, or the "
                                 "ministry on its behalf, import."))


@never_cache
def template(request, year, code):
    """The XLSX template of the province: its eligible units, the criteria as columns, value lists."""
    year, province, _scope = _context(request, year, code)
    handle = tempfile.TemporaryFile()
    write_template(year, province, handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"kieumau-mau-nhap-{year.year}-{province.code}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@dataclass
class PostedSpreadsheet:
    name: str
    header: list
    rows: list


def read_posted_spreadsheet(request):
    """(form, spreadsheet or None, error or None) of an upload page: on GET an empty form; on POST the
    file read through the hardened reader (`reports.importers.read_upload`), or why it was refused."""
    if request.method != "POST":
        return UploadForm(), None, None
    if body_exceeds(request, settings.IMPORT_MAX_BYTES):
        return UploadForm(), None, _("The file is too large: the limit is %(limit)s.") % {
            "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None, None
    upload = form.cleaned_data["file"]
    try:
        header, rows = read_upload(upload)
    except ImportRefused as exc:
        return form, None, str(exc)
    return form, PostedSpreadsheet(upload.name, header, rows), None


def upload(request, year, code):
    """Upload a file and see what importing it would do; nothing is written yet."""
    year, province, scope = _context(request, year, code)
    _require_importer(scope)
    form, upload, error = read_posted_spreadsheet(request)
    plan, token = None, None
    if upload is not None:
        plan = build_plan(year, province, upload.header, upload.rows, upload.name)
        if plan.ok and plan.has_changes:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token, "year": year.year, "province": province.code,
                "filename": upload.name, "header": upload.header, "rows": upload.rows,
            }
    return render(request, "reports/import.html", {
        "year": year, "province": province, "form": form, "plan": plan, "error": error, "token": token,
    }, status=400 if error else 200)


@require_POST
def apply(request, year, code):
    """Apply the previewed file, all or nothing."""
    year, province, scope = _context(request, year, code)
    _require_importer(scope)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["token"] != request.POST.get("token") or (
        pending["year"], pending["province"]) != (year.year, province.code):
        messages.error(request, _("This import is no longer waiting to be applied: upload the file again."))
        return redirect("reports:import", year=year.year, code=province.code)
    try:
        plan = apply_plan(year, province, pending["header"], [tuple(r) for r in pending["rows"]], scope=scope,
                          filename=pending["filename"])
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("reports:import", year=year.year, code=province.code)
    del request.session[SESSION_KEY]
    log.info("import", extra={
        "action": "import", "user": request.user.get_username(), "year": year.year, "province": province.code,
        "file": pending["filename"], "registered": len(plan.creates), "changed": len(plan.changes),
    })
    messages.success(request, _("Imported %(file)s: %(created)s wards registered, %(changed)s assessments changed.")
                     % {"file": pending["filename"], "created": number_format(len(plan.creates)),
                        "changed": number_format(len(plan.changes))})
    return redirect("reports:province", year=year.year, code=province.code)
