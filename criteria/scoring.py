"""Bands: a ward's result rolled up to "22/22", "21/22", "20/22" or "below".

Everything is written from the catalogue's size, not a hard-coded 22: an
administrator may publish a catalogue of another size and the bands follow.
Counting happens in the database: `band_counts` builds the aggregate expressions
that count assessments per band from their stored met-counts.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

BELOW = "below"
# The programme reports the top three bands by name; anything lower is "below".
NAMED_BANDS = 3


def band_keys(size):
    """The band labels for a catalogue of `size` criteria, best first."""
    return [f"{size - offset}/{size}" for offset in range(NAMED_BANDS) if size - offset >= 0] + [BELOW]


def band_label(key, size):
    """How a band is shown to people: "22/22", or "below 20/22"."""
    if key != BELOW:
        return key
    return _("below %(band)s") % {"band": band_keys(size)[-2]}


def band_of(met, size):
    """The band of a ward meeting `met` criteria out of `size`."""
    if met < 0 or size < 0:
        raise ValueError("met and size must not be negative")
    offset = max(size - met, 0)
    return f"{size - offset}/{size}" if offset < NAMED_BANDS else BELOW


def band_conditions(field, size):
    """One Q per band, best first, on an integer field holding the number of criteria met.

    `size` is the catalogue size: an int, or an expression when rows of several
    years (catalogues) are counted together.
    """
    named = NAMED_BANDS if not isinstance(size, int) else sum(1 for o in range(NAMED_BANDS) if size - o >= 0)
    conditions = [Q(**{f"{field}__gte": size})]
    conditions += [Q(**{field: size - offset}) for offset in range(1, named)]
    conditions.append(Q(**{f"{field}__lt": size - (NAMED_BANDS - 1)}))
    return conditions


def band_counts(field, size, prefix, only=None):
    """Aggregates counting rows per band, named `<prefix>_<index>` in `band_keys` order.

    `only` restricts which rows count at all (e.g. only verified assessments).
    """
    aggregates = {}
    for index, condition in enumerate(band_conditions(field, size)):
        aggregates[f"{prefix}_{index}"] = Count("pk", filter=condition & only if only is not None else condition)
    return aggregates


def read_band_counts(row, size, prefix):
    """Turn the `<prefix>_<index>` values of an aggregate row back into {band: count}."""
    return {key: row.get(f"{prefix}_{index}") or 0 for index, key in enumerate(band_keys(size))}
