from django import template
from django.utils.html import format_html

from criteria.models import ResultValue, Status
from criteria.scoring import BELOW, band_label, band_of

register = template.Library()

VALUE_STYLES = {
    ResultValue.MET: "text-bg-success",
    ResultValue.NOT_MET: "text-bg-danger",
    ResultValue.PENDING: "text-bg-light border",
}
STATUS_STYLES = {
    Status.DRAFT: "text-bg-secondary",
    Status.SUBMITTED: "text-bg-primary",
    Status.RETURNED: "text-bg-warning",
    Status.VERIFIED: "text-bg-success",
}


@register.filter
def band(met, size):
    """{{ assessment.self_met|band:size }} -> "21/22"."""
    return band_label(band_of(met, size), size)


@register.simple_tag
def band_badge(met, size, muted=False):
    key = band_of(met, size)
    style = "text-bg-secondary" if muted else (
        "text-bg-success" if key == f"{size}/{size}" else "text-bg-danger" if key == BELOW else "text-bg-warning"
    )
    return format_html('<span class="badge {}">{}</span>', style, band_label(key, size))


@register.simple_tag
def value_badge(value):
    if not value:
        value = ResultValue.PENDING
    return format_html('<span class="badge {}">{}</span>', VALUE_STYLES[value], ResultValue(value).label)


@register.simple_tag
def status_badge(status):
    return format_html('<span class="badge {}">{}</span>', STATUS_STYLES[status], Status(status).label)


@register.filter
def signed(number):
    """+66 / -3 / 0, for differences."""
    return f"+{number}" if number > 0 else str(number)


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def value_label(value):
    """met -> "Met" (translated)."""
    return ResultValue(value).label if value in ResultValue.values else value
