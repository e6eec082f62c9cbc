"""Bands: a ward's result rolled up to "22/22", "21/22", "20/22" or "below".

Everything is written from the catalogue's size, not a hard-coded 22: an
administrator may publish a catalogue of another size and the bands follow.
Counting happens in the database, grouped by stored met-counts; `band_of` then
puts each group in its band (criteria/figures.py).
"""

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
