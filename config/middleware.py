from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from criteria.figures import years_read_once


class LanguageMiddleware:
    """Vietnamese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a
    ministry computer set up in English would show English; the programme's
    language is Vietnamese, and English is on request only (a cookie set by the
    switch).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()  # even when the view raised: the thread serves other requests next
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of settings.CONTENT_SECURITY_POLICY on every response.

    The Django admin's templates carry a few inline styles, so its pages (staff only)
    allow inline style; every other page allows none.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.admin_policy = self.policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = self.admin_policy if admin else self.policy
        return response


class RejectNulMiddleware:
    """Answer 400 to a URL or query string carrying a NUL character.

    No name, code or search ever contains one, and PostgreSQL refuses them in text:
    they would otherwise reach a query and turn a typo or a probe into a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in raw or "\x00" in unquote(raw):
            return HttpResponseBadRequest("Bad request: NUL character in the address.")
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Mark every response to a signed-in user `Cache-Control: private`.

    A page of one province's figures must never be kept by a shared cache (a
    proxy or gateway between the ministry's offices) and handed to someone else.
    Views that must not be stored at all (exports, evidence files) say `no-store`
    themselves (`never_cache`); their header is left as it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "private" not in response.get("Cache-Control", ""):
                patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response


class ProgrammeYearsMiddleware:
    """Read the programme years once a request: the URL's year, the year menu and the figures
    share that read (criteria.figures.years_read_once)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with years_read_once():
            return self.get_response(request)
