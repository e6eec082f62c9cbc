"""Exports from the dashboards: XLSX, CSV, PDF and JSON, scoped to what the user may see.

Every export is answered `no-store`: a file of a province's results must not stay
in a shared cache or the browser's after it is saved.
"""

import logging
import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from criteria.access import get_province_for_user, get_year_or_404, scope_for

from ..exporters import EXPORTERS, csv_chunks, write_xlsx
from ..pdf import render_pdf

log = logging.getLogger("kieumau.audit")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def build_exporter(request, year, identifier, fmt, province_code=None):
    """The exporter the user asked for, scoped to them; 404 or 403 otherwise."""
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    exporter_class = EXPORTERS.get(identifier)
    if exporter_class is None or fmt not in exporter_class.formats:
        raise Http404(_("No such export."))
    if not exporter_class.allowed(scope):
        raise PermissionDenied(_("Your role may not run this export."))
    province = None
    if province_code:
        province = get_province_for_user(request.user, year, province_code)
    if identifier == "summary":
        return exporter_class(year, scope, province, current_map=request.GET.get("map") == "current")
    return exporter_class(year, scope, province)


def _in_language(language, chunks):
    """Encode streamed chunks in the request's language: they are made after the view has returned,
    when the language middleware has already switched the language off."""
    with translation.override(language):
        for chunk in chunks:
            yield chunk.encode("utf-8")


@never_cache
def export(request, year, identifier, fmt):
    exporter = build_exporter(request, year, identifier, fmt, request.GET.get("province"))
    log.info("export", extra={
        "action": "export", "user": request.user.get_username(), "exporter": identifier, "format": fmt,
        "year": exporter.year.year, "province": exporter.province.code if exporter.province else None,
    })
    filename = exporter.filename(fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _in_language(translation.get_language(), csv_chunks(exporter.tables()[exporter.csv_table])),
            content_type=CONTENT_TYPES["csv"],
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if fmt == "xlsx":
        # Written to a temporary file (openpyxl streams rows there), then streamed out.
        handle = tempfile.TemporaryFile()
        write_xlsx(exporter.tables(), handle, title=exporter.title)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])
    if fmt == "pdf":
        response = HttpResponse(render_pdf(exporter), content_type=CONTENT_TYPES["pdf"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return JsonResponse(exporter.summary().as_dict(), json_dumps_params={"ensure_ascii": False})


@never_cache
def summary_json(request, year):
    """The yearly summary as JSON, in the shape of `export_summary --format json`, scoped to the user."""
    return JsonResponse(
        build_exporter(request, year, "summary", "json").summary().as_dict(),
        json_dumps_params={"ensure_ascii": False},
    )


@never_cache
def province_summary_json(request, year, code):
    return JsonResponse(
        build_exporter(request, year, "summary", "json", code).summary().as_dict(),
        json_dumps_params={"ensure_ascii": False},
    )
