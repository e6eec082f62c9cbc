from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from criteria.calendar import is_overdue
from criteria.figures import expected_met, standing_met
from criteria.history import author, is_demo_reason, readable_reason
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


# Badges are a handful of fixed strings per language, repeated on every row of a list: each is
# built once a process and language (the catalogue of translations does not change while it runs).
_badges = {}


def _badge(kind, build, *args):
    key = (kind, get_language(), *args)
    html = _badges.get(key)
    if html is None:
        html = _badges[key] = build(*args)
    return html


@register.simple_tag
def band_badge(met, size, muted=False):
    """A band as a coloured badge; "—" when there is no result to band (never submitted)."""
    if met is None:
        return mark_safe('<span class="text-muted">—</span>')
    return _badge("band", _band_badge, met, size, bool(muted))


def _band_badge(met, size, muted):
    key = band_of(met, size)
    style = "text-bg-secondary" if muted else (
        "text-bg-success" if key == f"{size}/{size}" else "text-bg-danger" if key == BELOW else "text-bg-warning"
    )
    return format_html('<span class="badge {}">{}</span>', style, band_label(key, size))


@register.simple_tag
def value_badge(value):
    return _badge("value", _value_badge, value or ResultValue.PENDING)


def _value_badge(value):
    return format_html('<span class="badge {}">{}</span>', VALUE_STYLES[value], ResultValue(value).label)


@register.simple_tag
def status_badge(status):
    return _badge("status", _status_badge, status)


def _status_badge(status):
    return format_html('<span class="badge {}">{}</span>', STATUS_STYLES[status], Status(status).label)


@register.filter
def signed(number):
    """+66 / -3 / 0, for differences; written like every other figure ("+1.066" in Vietnamese)."""
    return f"+{number_format(number)}" if number > 0 else number_format(number)


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def value_label(value):
    """met -> "Met" (translated)."""
    return ResultValue(value).label if value in ResultValue.values else value


@register.simple_tag
def expected_badge(assessment, size, muted=False):
    """The expected band: the self-assessment as last submitted, "—" if never submitted."""
    return band_badge(expected_met(assessment.status, assessment.submitted_self_met), size, muted)


@register.simple_tag
def verified_badge(assessment, size):
    """The verified band, "—" until verified."""
    return band_badge(assessment.verified_met if assessment.status == Status.VERIFIED else None, size)


@register.simple_tag
def standing_badge(assessment, size):
    """The band of the result that stands (verified once verified, else as last submitted)."""
    return band_badge(standing_met(assessment.status, assessment.submitted_self_met, assessment.verified_met), size)


@register.simple_tag
def overdue_badge(assessment, year=None):
    """"Overdue" when the assessment waits past its deadline (criteria.calendar.is_overdue); nothing otherwise.

    Pass the page's `year` in lists: the year's extensions are then read once for every row.
    """
    if assessment is None or not is_overdue(assessment, year=year):
        return ""
    return format_html('<span class="badge text-bg-danger" data-overdue>{}</span>', _("Overdue"))


@register.simple_tag
def gloss(item, inline=False):
    """A criterion's or group's English gloss, in English only: a Vietnamese reader reads the title itself.

    Below the title (a block), or `inline` after it, set off by a dash.
    """
    if not item.title_en or not (get_language() or "").startswith("en"):
        return ""
    if inline:
        return format_html(' <span class="criterion-gloss">— {}</span>', item.title_en)
    return format_html('<div class="criterion-gloss">{}</div>', item.title_en)


@register.filter
def person(user, demo=False):
    """The name people know a user by (full name, else log-in); a command's change is the system's.

    `demo`: True, or the change's recorded reason, tells the demo's changes apart.
    """
    return author(user, demo=demo is True or (isinstance(demo, str) and is_demo_reason(demo)))


@register.filter
def change_reason(reason):
    """A recorded reason as people read it (the demo's without the command that loaded it)."""
    return readable_reason(reason)
