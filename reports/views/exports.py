"""Exports from the dashboards, in every format each exporter declares, scoped to what the user may see.

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

from ..exporters import BYTES, CHUNKS, DATA, EXPORTERS, FILE, FORMATS

log = logging.getLogger("kieumau.audit")


def build_exporter(request, year, identifier, fmt, province_code=None):
    """The exporter the user asked for, scoped to them; 404 or 403 otherwise."""
    year = get_year_or_404(year)
    scope = scope_for(request.user)
    exporter_class = EXPORTERS.get(identifier)
    if exporter_class is None or not exporter_class.offers(fmt):
        raise Http404(_("No such export."))
    if not exporter_class.allowed(scope):
        raise PermissionDenied(_("Your role may not run this export."))
    province = None
    if province_code:
        province = get_province_for_user(request.user, year, province_code)
    return exporter_class(year, scope, province, current_map=request.GET.get("map") == "current")


def _in_language(language, chunks):
    """Encode streamed chunks in the request's language: they are made after the view has returned,
    when the language middleware has already switched the language off."""
    with translation.override(language):
        for chunk in chunks:
            yield chunk.encode("utf-8")


def _streamed(exporter, spec):
    return StreamingHttpResponse(
        _in_language(translation.get_language(), spec.render(exporter)),
        content_type=spec.content_type,
    )


def _data(exporter, spec):
    return JsonResponse(spec.render(exporter), json_dumps_params={"ensure_ascii": False})


def _bytes(exporter, spec):
    return HttpResponse(spec.render(exporter), content_type=spec.content_type)


def _file(exporter, spec):
    # Written to a temporary file (openpyxl streams rows there), then streamed out.
    handle = tempfile.TemporaryFile()
    spec.render(exporter, handle)
    handle.seek(0)
    return FileResponse(handle, content_type=spec.content_type)


RESPONSES = {CHUNKS: _streamed, DATA: _data, BYTES: _bytes, FILE: _file}


@never_cache
def export(request, year, identifier, fmt):
    exporter = build_exporter(request, year, identifier, fmt, request.GET.get("province"))
    log.info("export", extra={
        "action": "export", "user": request.user.get_username(), "exporter": identifier, "format": fmt,
        "year": exporter.year.year, "province": exporter.province.code if exporter.province else None,
    })
    spec = FORMATS[fmt]
    response = RESPONSES[spec.returns](exporter, spec)
    if spec.attachment:
        response["Content-Disposition"] = f'attachment; filename="{exporter.filename(fmt)}"'
    return response


@never_cache
def summary_json(request, year):
    """The yearly summary as JSON, in the shape of `export_summary --format json`, scoped to the user."""
    return _data(build_exporter(request, year, "summary", "json"), FORMATS["json"])


@never_cache
def province_summary_json(request, year, code):
    return _data(build_exporter(request, year, "summary", "json", code), FORMATS["json"])
