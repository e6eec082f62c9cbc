"""Charts drawn on the server as SVG: no script, no network, and they print.

Every chart on a page has a table with the same numbers beside or below it. The
SVG is built here with `format_html` (every label escaped) rather than in a
template loop: a chart of 63 provinces is a few hundred elements. Coordinates are
written as Python writes numbers ("12.5"); only the figures a person reads, the
tick labels and the values, are localized ("1.724").
"""

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH = 720
LEGEND = 26
AXIS = 22
GAP = 8


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


def _truncate(text, length=26):
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def bar_chart(title, rows, series, chart_id, label_width=190, bar_height=13):
    """Horizontal grouped bars as an SVG string: `rows` is [(label, [value per series])]."""
    plot_x = label_width + 6
    plot_width = WIDTH - plot_x - 44
    values = [v for _label, row_values in rows for v in row_values]
    step = nice_step(max(values + [0]))
    top = step * max(1, math.ceil(max(values + [1]) / step))
    scale = plot_width / top
    group = bar_height * len(series) + GAP
    bottom = LEGEND + len(rows) * group
    parts = [
        format_html('<rect x="{}" y="6" width="12" height="12" class="{}"></rect>'
                    '<text x="{}" y="16" class="chart-legend">{}</text>',
                    plot_x + i * 190, s.css, plot_x + i * 190 + 16, s.label)
        for i, s in enumerate(series)
    ]
    for value in range(0, top + 1, step):
        x = round(plot_x + value * scale, 1)
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="22" y2="{}" class="chart-grid"></line>'
            '<text x="{}" y="{}" text-anchor="middle" class="chart-tick">{}</text>',
            x, x, bottom, x, bottom + 14, number_format(value),
        ))
    for index, (label, row_values) in enumerate(rows):
        y0 = LEGEND + index * group
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>',
            plot_x - 6, round(y0 + bar_height * len(series) / 2 + 4, 1), _truncate(label),
        ))
        parts.append(format_html_join("", (
            '<rect x="{}" y="{}" width="{}" height="{}" class="{}" data-value="{}"><title>{}: {}</title></rect>'
            '<text x="{}" y="{}" class="chart-value">{}</text>'
        ), (
            (plot_x, y0 + i * bar_height, round(v * scale, 1), bar_height - 1, s.css, v, label, number_format(v),
             round(plot_x + v * scale + 3, 1), y0 + i * bar_height + bar_height - 2, number_format(v))
            for i, (v, s) in enumerate(zip(row_values, series))
        )))
    return format_html(
        '<figure class="chart mb-3"><svg viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-title" '
        'class="chart-svg" data-chart="{}"><title id="{}-title">{}</title>{}</svg></figure>',
        WIDTH, bottom + AXIS, chart_id, chart_id, chart_id, title, mark_safe("".join(parts)),
    )
