"""Certificates (Giấy chứng nhận) of recognised wards as PDF, and the page that checks a certificate's code.

PDFs are answered `no-store`, like every export: a certificate is a document of one
province's ward and must not stay in a shared cache.
"""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from criteria.access import get_decision_for_user, get_recognition_by_code, get_year_or_404, scope_for
from criteria.outcomes import normalise_code

from .. import certificates


class CertificateLookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"), max_length=40, strip=True,
        help_text=gettext_lazy(
            "As printed at the bottom of the certificate, e.g. 7KQ4-M9XT2C; case and spaces do not matter."),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                _("This is not a verification code: a code has 10 letters and digits, e.g. 7KQ4-M9XT2C."))
        return code


def _lookup_base(request):
    """The lookup page's absolute address, printed on the certificate so that a paper copy can be checked."""
    return request.build_absolute_uri(reverse("reports:certificate_lookup"))


def _pdf(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ascii(text):
    return slugify(text.replace("/", "-").replace("Đ", "D").replace("đ", "d"))


@never_cache
def certificate(request, code):
    """One ward's certificate; 404 for an unknown code, another province's, or a withdrawn title."""
    scope_for(request.user)
    normalised = normalise_code(code)
    if not normalised:
        raise Http404(_("No certificate has this verification code."))
    recognition = get_recognition_by_code(request.user, normalised)
    if not recognition.in_force:
        raise Http404(
            _("This certificate is void: the title was withdrawn on %(date)s by decision %(number)s.")
            % {"date": recognition.withdrawn_on.strftime("%d/%m/%Y"), "number": recognition.withdrawal_number}
        )
    content = certificates.render([recognition], _lookup_base(request))
    return _pdf(content, f"giay-chung-nhan-{recognition.year.year}-{recognition.unit.code}.pdf")


@never_cache
def decision_certificates(request, year, pk):
    """Every certificate of a decision in force, a page each; a province gets its own wards' only."""
    scope = scope_for(request.user)
    year = get_year_or_404(year)
    decision = get_decision_for_user(request.user, year, pk)
    recognitions = decision.recognitions.in_force().select_related("decision", "year", "unit")
    if not scope.is_national:
        recognitions = recognitions.filter(province__in=scope.provinces(year.period))
    recognitions = list(recognitions)
    if not recognitions:
        raise Http404(_("No certificate to print: every ward of this decision has had its title withdrawn."))
    content = certificates.render(recognitions, _lookup_base(request))
    return _pdf(content, f"giay-chung-nhan-{year.year}-{_ascii(decision.number)}.pdf")


def certificate_lookup(request):
    """Checks a verification code typed off a certificate: the recognition it names and whether it stands."""
    scope_for(request.user)
    form = CertificateLookupForm(request.GET or None)
    recognition, status = None, 200
    if form.is_valid():
        try:
            recognition = get_recognition_by_code(request.user, form.cleaned_data["code"])
        except Http404:
            # Unknown, or another province's: the same answer, so that neither is revealed.
            form.add_error("code", _("No certificate has this verification code. Check the code printed at the "
                                     "bottom of the certificate."))
            status = 404
    if recognition is not None:
        recognition.successors = [link.current for link in recognition.unit.successor_links.select_related("current")]
    return render(request, "reports/certificate_lookup.html", {
        "title": _("Check a certificate"), "form": form, "recognition": recognition,
    }, status=status)
