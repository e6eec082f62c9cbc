import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control

from criteria.access import get_province_for_user, get_year_or_404, scope_for

from .. import maps


def _svg(request, document):
    """The SVG, revalidated on every view (a verification changes it) but sent again only when it changed."""
    etag = '"%s"' % hashlib.blake2b(document.encode(), digest_size=12).hexdigest()
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(document, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


def national_map(request, year):
    """Every unit of the year's map as a dot coloured by its status; a province colours only its own."""
    year = get_year_or_404(year)
    return _svg(request, maps.dot_map(year, scope_for(request.user)).svg())


def province_map(request, year, code):
    """A province's units as dots, zoomed to its extent (404 for a province the user may not see)."""
    year = get_year_or_404(year)
    province = get_province_for_user(request.user, year, code)
    return _svg(request, maps.dot_map(year, scope_for(request.user), province=province).svg())
