"""Charts drawn on the server as SVG: no script, no network, and they print.

Every chart on a page has a table with the same numbers beside or below it. The
SVG is built here with `format_html` (every label escaped) rather than in a
template loop: a chart of 63 provinces is a few hundred elements. Coordinates are
written as Python writes numbers ("12.5"); only the figures a person reads, the
tick labels and the values, are localized ("1.724").

The SVG has no viewBox: its units are CSS pixels, so its text is as large on a
390 px phone as on a desktop (a viewBox scaled to a phone's width drew it at 5 px).
Heights are in pixels, bar lengths in percent of the chart's width, and each row's
label sits above its bars, wrapped to lines a phone holds; the legend is HTML.
"""

import math
import textwrap
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

PLOT = 88  # percent of the width the longest bar may take; the rest holds its value
LINE = 16  # a label's line, in px (13 px text)
LABEL_CHARS = 44  # a label's line that fits a 390 px phone
AXIS = 22
GAP = 10
TOP = 4


@dataclass
class Series:
    label: str
    css: str


def nice_step(maximum, target_ticks=5):
    """A round step (1, 2 or 5 times a power of ten) giving about `target_ticks` ticks up to `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= raw:
            return max(1, int(multiple * power))
    return max(1, int(10 * power))


def _lines(text, width=LABEL_CHARS, most=2):
    """The label in at most `most` lines of about `width` characters, the last cut with "…" when it is longer."""
    lines = textwrap.wrap(str(text), width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def _percent(value):
    return f"{round(value, 2)}%"


def bar_chart(title, rows, series, chart_id, bar_height=13):
    """Horizontal grouped bars as an SVG string: `rows` is [(label, [value per series])]."""
    bar_height = max(bar_height, 13)  # a value's 12 px text fits its bar's lane
    values = [v for _label, row_values in rows for v in row_values]
    step = nice_step(max(values + [0]))
    top = step * max(1, math.ceil(max(values + [1]) / step))
    parts, y = [], TOP
    for label, row_values in rows:
        lines = _lines(label)
        parts.append(format_html_join("", '<text x="0" y="{}" class="chart-label">{}</text>', (
            (y + LINE * (i + 1) - 4, line) for i, line in enumerate(lines))))
        y += LINE * len(lines)
        parts.append(format_html_join("", (
            '<rect x="0" y="{}" width="{}" height="{}" class="{}" data-value="{}"><title>{}: {}</title></rect>'
            '<text x="{}" dx="4" y="{}" class="chart-value">{}</text>'
        ), (
            (y + i * bar_height, _percent(v * PLOT / top), bar_height - 1, s.css, v, label, number_format(v),
             _percent(v * PLOT / top), y + i * bar_height + bar_height - 2, number_format(v))
            for i, (v, s) in enumerate(zip(row_values, series))
        )))
        y += bar_height * len(series) + GAP
    bottom = y - GAP + 4
    for value in range(0, top + 1, step):
        x = _percent(value * PLOT / top)
        parts.insert(0, format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"></line>'
            '<text x="{}" y="{}" text-anchor="{}" class="chart-tick">{}</text>',
            x, x, TOP, bottom, x, bottom + 15, "start" if value == 0 else "middle", number_format(value),
        ))
    legend = format_html_join(" ", (
        '<span class="chart-key"><svg width="12" height="12" aria-hidden="true">'
        '<rect width="12" height="12" class="{}"></rect></svg> {}</span>'
    ), ((s.css, s.label) for s in series))
    return format_html(
        '<figure class="chart mb-3"><figcaption class="chart-legend small">{}</figcaption>'
        '<svg width="100%" height="{}" role="img" aria-labelledby="{}-title" class="chart-svg" data-chart="{}">'
        '<title id="{}-title">{}</title>{}</svg></figure>',
        legend, bottom + AXIS, chart_id, chart_id, chart_id, title, mark_safe("".join(parts)),
    )
