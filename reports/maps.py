"""Maps of the country drawn on the server as SVG: every unit as a dot, every province as a tile.

**The dot map** draws each unit of the year's map at its coordinates (from
`vietnamadminunits`, stored on `Unit` by `load_units`), coloured by its status for
the year (`criteria.figures.unit_status`, the one definition). It is served as its
own `.svg` file and shown with `<img>`, so it is cached apart from the page and
the page stays light; an `<img>` gets no page CSS, so every colour is an
attribute. One `<path>` per status holds all its dots, each a zero-length segment
(`M x y h0`) drawn with a round cap: ten thousand units are about 100 KB, where
ten thousand `<circle>` elements would be five to ten times that.

**The tile grid** gives each province one equal tile (`reports.tile_grid`),
shaded by its progress to the 2025 target (`Figures.pct`), each a link. It is
inline SVG, because links inside an `<img>` do not work.

**Hoàng Sa and Trường Sa** are Vietnamese territory and are drawn, labelled, on
every map of the country, from the current special zones' coordinates: the legacy
data places Trường Sa's communes at Cam Ranh and has no unit in Hoàng Sa.

Coordinates are written as Python writes integers, never through Django's
localisation ("105,3" is not a coordinate); only the text a person reads (counts,
percentages) is localised.
"""

import math
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.figures import UnitStatus, unit_status_counts, unit_statuses
from wards.models import Period, Unit

from .tile_grid import POSITIONS

# The colours of the statuses, drawn in this order (the furthest on top).
COLOURS = {
    UnitStatus.NOT_REGISTERED: "#b4bec8",
    UnitStatus.REGISTERED: "#f0a202",
    UnitStatus.EXPECTED_FULL: "#2b7bba",
    UnitStatus.VERIFIED: "#8e44ad",
    UnitStatus.RECOGNISED: "#138a36",
}
# Another province's units, for a provincial user: drawn so the country is there, never coloured.
OUTSIDE = "#e3e7eb"
OUTSIDE_KEY = "outside"

# One dot in a path's data: a zero-length segment, drawn as a dot by its round cap.
DOT_PATTERN = re.compile(r"M(-?\d+) (-?\d+)h0")

# Units drawn per degree of latitude on the national map; a degree of longitude is
# shorter by the cosine of the country's middle latitude.
NATIONAL_SCALE = 100
MID_LATITUDE = 16.0
PROVINCE_SIZE = 1000  # a province's map is this many units on its longer side
LEGEND_CHARS = 30  # a legend's line, to fit the national map's empty corner and beside a province's insets


@dataclass(frozen=True)
class Archipelago:
    """An archipelago drawn on every map of the country, at its current special zone's coordinates."""

    code: str  # the current special zone's unit code
    legacy_province: str  # the legacy province whose island district it was
    label: str
    anchor: str  # where the label sits: "start" (right of the mark) or "end" (left of it)


ARCHIPELAGOS = [
    Archipelago("20333", "48", gettext_lazy("Hoàng Sa archipelago"), "start"),  # Đà Nẵng
    Archipelago("22736", "56", gettext_lazy("Trường Sa archipelago"), "end"),  # Khánh Hòa
]


@dataclass(frozen=True)
class Frame:
    """The part of the earth a map shows, and how it is projected (plate carrée, scaled)."""

    west: float
    north: float
    scale: float  # units per degree of latitude
    width: int
    height: int

    @classmethod
    def around(cls, west, east, south, north, scale):
        kx = scale * math.cos(math.radians(MID_LATITUDE))
        return cls(west, north, scale, math.ceil((east - west) * kx), math.ceil((north - south) * scale))

    def project(self, latitude, longitude):
        """(x, y) in whole units: precise to a hundredth of a degree on the national map."""
        kx = self.scale * math.cos(math.radians(MID_LATITUDE))
        return round((longitude - self.west) * kx), round((self.north - latitude) * self.scale)


NATIONAL_FRAME = Frame.around(west=102.0, east=115.8, south=8.2, north=23.6, scale=NATIONAL_SCALE)


def province_frame(points):
    """A frame around `points` [(latitude, longitude)], with a margin, its longer side PROVINCE_SIZE units."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    kx = math.cos(math.radians(MID_LATITUDE))
    span = max((max(lons) - min(lons)) * kx, max(lats) - min(lats), 0.05)
    margin = span * 0.08
    scale = PROVINCE_SIZE / (span + 2 * margin)
    return Frame.around(min(lons) - margin / kx, max(lons) + margin / kx, min(lats) - margin,
                        max(lats) + margin, scale)


@dataclass
class DotMap:
    """The dots of one map, grouped by status (plus another province's, uncoloured), ready to draw."""

    frame: Frame
    title: str
    dots: dict = field(default_factory=lambda: {key: [] for key in [OUTSIDE_KEY, *COLOURS]})
    archipelagos: list = field(default_factory=list)  # [(label, x, y, anchor)]: on the map of the country
    insets: list = field(default_factory=list)  # [(label, status or None)]: beside a province's map
    in_insets: Counter = field(default_factory=Counter)  # the special zones drawn in the insets, by status
    national: bool = True
    shows_outside: bool = False

    @property
    def counts(self):
        return {key: len(self.dots[key]) + self.in_insets[key] for key in COLOURS}

    def dot_width(self, key):
        """Grey dots draw the country; a dot with a status is drawn larger, on top."""
        small = key in (OUTSIDE_KEY, UnitStatus.NOT_REGISTERED)
        if self.national:
            return 6 if small else 11
        return 14 if small else 24

    def legend(self):
        counts = self.counts
        rows = [(COLOURS[status], f"{status.label} ({number_format(counts[status])})") for status in COLOURS]
        if self.shows_outside:
            rows.append((OUTSIDE, _("Other provinces")))
        return rows

    def svg(self):
        """The whole SVG document."""
        frame, font = self.frame, 30
        legend = [(colour, textwrap.wrap(text, LEGEND_CHARS) or [text]) for colour, text in self.legend()]
        legend_lines = sum(len(lines) for _colour, lines in legend)
        line = round(font * 1.5)
        inset_h = 120
        if self.national:  # the Gulf of Tonkin's corner is empty: the legend sits there
            width, height = frame.width, frame.height
            legend_x, legend_y = width - 560, 30
        else:  # below the province, with the archipelagos beside the legend
            width = max(frame.width, PROVINCE_SIZE)
            legend_x, legend_y = 20, frame.height + 20
            height = frame.height + 30 + max(line * legend_lines, (inset_h + 10) * len(self.insets))
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width // 2}" height="{height // 2}" font-family="Arial, Helvetica, sans-serif" '
            f'role="img" aria-labelledby="map-title">',
            f'<title id="map-title">{escape(self.title)}</title>',
            f'<rect width="{width}" height="{height}" fill="#f5f8fb"/>',
            '<g fill="none" stroke-linecap="round">',
        ]
        for key, points in self.dots.items():
            if points:
                colour = OUTSIDE if key == OUTSIDE_KEY else COLOURS[key]
                d = "".join(f"M{x} {y}h0" for x, y in points)
                parts.append(f'<path data-status="{key}" stroke="{colour}" stroke-width="{self.dot_width(key)}" '
                             f'd="{d}"/>')
        parts.append("</g>")
        apart = escape(_("drawn apart, not to scale"))
        for index, (label, status) in enumerate(self.insets):
            x0, y0 = width - 440, frame.height + 20 + index * (inset_h + 10)
            parts.append(
                f'<g data-archipelago="{escape(label)}" data-inset="{status or ""}">'
                f'<rect x="{x0}" y="{y0}" width="420" height="{inset_h}" fill="#ffffff" stroke="#adb5bd"/>'
                f'<circle cx="{x0 + 50}" cy="{y0 + 55}" r="22" fill="none" stroke="#34495e" stroke-width="3" '
                f'stroke-dasharray="6 4"/>'
            )
            if status:
                parts.append(f'<path d="M{x0 + 50} {y0 + 55}h0" stroke="{COLOURS[status]}" '
                             f'stroke-width="{self.dot_width(status)}" stroke-linecap="round"/>')
            parts.append(
                f'<text x="{x0 + 90}" y="{y0 + 55}" font-size="{font}" fill="#1f2d3a">{escape(label)}</text>'
                f'<text x="{x0 + 90}" y="{y0 + 95}" font-size="{font - 6}" fill="#495057">'
                f"{apart}</text></g>"
            )
        for label, x, y, anchor in self.archipelagos:
            dx = 26 if anchor == "start" else -26
            parts.append(
                f'<g data-archipelago="{escape(label)}"><circle cx="{x}" cy="{y}" r="16" fill="none" '
                f'stroke="#34495e" stroke-width="3" stroke-dasharray="6 4"/>'
                f'<text x="{x + dx}" y="{y + 10}" font-size="{font}" fill="#1f2d3a" text-anchor="{anchor}">'
                f"{escape(label)}</text></g>"
            )
        y = legend_y + line // 2
        for colour, lines in legend:
            parts.append(
                f'<path d="M{legend_x + 12} {y}h0" stroke="{colour}" stroke-width="22" stroke-linecap="round"/>'
                f'<text x="{legend_x + 34}" y="{y + 10}" font-size="{font}" fill="#212529">{escape(lines[0])}'
                + "".join(f'<tspan x="{legend_x + 34}" dy="{font + 4}">{escape(more)}</tspan>' for more in lines[1:])
                + "</text>"
            )
            y += line + (font + 4) * (len(lines) - 1)
        parts.append("</svg>")
        return "\n".join(parts)


def _archipelago_units():
    return Q(period=Period.CURRENT, code__in=[a.code for a in ARCHIPELAGOS])


def dot_map(year, scope, province=None, years=None):
    """The dot map of `year` for the user's `scope`: the country, or `province` zoomed to its extent.

    Three queries, four for a provincial user: the units (with the two current special
    zones of the archipelagos in the same query), and `unit_statuses`' two. A
    provincial user's national map draws every province but colours only their own.
    """
    units = Unit.objects.filter(latitude__isnull=False)
    period_units = Q(period=year.period) if province is None else Q(province=province)
    rows = list(
        units.filter(period_units | _archipelago_units())
        .order_by("code")
        .values_list("pk", "period", "code", "province_id", "latitude", "longitude")
    )
    by_code = {code: (province_id, lat, lon) for _pk, period, code, province_id, lat, lon in rows
               if period == Period.CURRENT}
    archipelagos = []
    for archipelago in ARCHIPELAGOS:
        if archipelago.code not in by_code:
            continue
        province_id, lat, lon = by_code[archipelago.code]
        if province is None or province.pk == province_id or (
                province.period == Period.LEGACY and province.code == archipelago.legacy_province):
            archipelagos.append((archipelago, lat, lon))
    rows = [row for row in rows if row[1] == year.period and (province is None or row[3] == province.pk)]
    # On a province's map an archipelago is drawn apart (far off the coast, it would shrink the
    # province to a speck), its special zone's dot with it.
    apart = {a.code: a for a, _lat, _lon in archipelagos} if province is not None else {}
    zones = {row[2]: row for row in rows if row[1] == Period.CURRENT and row[2] in apart}
    rows = [row for row in rows if row[2] not in zones or row[1] != Period.CURRENT]

    if province is not None:
        in_scope = {province.pk}
        statuses = unit_statuses(year, [province], years)
        points = [(lat, lon) for *_ignored, lat, lon in rows]
        frame = province_frame(points) if points else NATIONAL_FRAME
        title = _("Units of %(province)s by status in %(year)s") % {"province": province.name, "year": year.year}
    else:
        in_scope = None if scope.is_national else set(scope.provinces(year.period).values_list("pk", flat=True))
        statuses = unit_statuses(year, None if in_scope is None else list(in_scope), years)
        frame = NATIONAL_FRAME
        title = _("Every unit by status in %(year)s") % {"year": year.year}
    drawn = DotMap(frame=frame, title=title, national=province is None,
                   shows_outside=province is None and in_scope is not None)
    for pk, _period, _code, province_id, lat, lon in rows:
        if in_scope is not None and province_id not in in_scope:
            key = OUTSIDE_KEY
        else:
            key = statuses.get(pk, UnitStatus.NOT_REGISTERED)
        drawn.dots[key].append(frame.project(lat, lon))
    for archipelago, lat, lon in archipelagos:
        if province is None:
            drawn.archipelagos.append((str(archipelago.label), *frame.project(lat, lon), archipelago.anchor))
        else:
            zone = zones.get(archipelago.code)
            status = statuses.get(zone[0], UnitStatus.NOT_REGISTERED) if zone else None
            drawn.insets.append((str(archipelago.label), status))
            if zone:
                drawn.in_insets[status] += 1
    return drawn


def status_counts(year, provinces=None, years=None):
    """[(status, colour, units)] of the year's units in the scope `provinces` (None: the country).

    One query (`unit_status_counts`): the database groups the units, whatever their number.
    """
    counts = unit_status_counts(year, provinces, years)
    return [(status, COLOURS[status], counts[status]) for status in COLOURS]


# --- the tile grid ----------------------------------------------------------------------

TILE_W, TILE_H, TILE_GAP = 78, 40, 4
# Six shades of progress to the 2025 target, a step per 10 %: the first three are
# below the target's 30 %, the next two within 30-50 %, the last at 50 % or more.
SHADES = ["#f1f3f5", "#fde3c5", "#f7b97b", "#b9e2c4", "#6fbf87", "#1f7a44"]
NO_SHADE = "#ffffff"


def shade(pct):
    """The shade index (0-5) of a province with `pct` per cent of its units recognised."""
    return min(len(SHADES) - 1, int(pct // 10))


@dataclass
class Tile:
    code: str
    name: str
    column: int
    row: int
    pct: float = None  # None: a province outside the user's scope
    target: str = ""
    url: str = ""


def tiles(period, rows, url=None, provinces=None):
    """One tile per province of `period`: `rows` are the scope's figures (with `.province`, `.pct`,
    `.target_2025`), `url(province)` each tile's link. `provinces` (every province of the period)
    is only needed when the rows do not cover them all: the others get a blank tile and no link.
    """
    positions = POSITIONS[period]
    figures = {row.province.code: row for row in rows}
    everyone = provinces if provinces is not None else [row.province for row in rows]
    result = []
    for province in everyone:
        if province.code not in positions:
            continue
        column, row_number = positions[province.code]
        tile = Tile(province.code, province.short_name, column, row_number)
        row = figures.get(province.code)
        if row is not None:
            tile.pct, tile.target = row.pct, row.target_2025
            tile.url = url(row.province) if url else ""
        result.append(tile)
    return result


def tile_grid_svg(tiles, label):
    """The tile grid as inline SVG, each tile a link with its name and percentage."""
    if not tiles:
        return ""
    columns = max(t.column for t in tiles) + 1
    rows = max(t.row for t in tiles) + 1
    width, height = columns * (TILE_W + TILE_GAP), rows * (TILE_H + TILE_GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" class="tile-grid" role="group" aria-label="{escape(label)}" data-tile-grid="{len(tiles)}">'
    ]
    for tile in tiles:
        x, y = tile.column * (TILE_W + TILE_GAP), tile.row * (TILE_H + TILE_GAP)
        name = tile.name if len(tile.name) <= 12 else tile.name[:11] + "…"
        if tile.pct is None:
            parts.append(
                f'<g data-tile="{tile.code}"><rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="4" '
                f'fill="{NO_SHADE}" stroke="#dee2e6"/><text x="{x + TILE_W // 2}" y="{y + 24}" '
                f'text-anchor="middle" font-size="11" fill="#adb5bd">{escape(name)}</text></g>'
            )
            continue
        index = shade(tile.pct)
        ink = "#ffffff" if index == len(SHADES) - 1 else "#212529"
        pct = f"{number_format(tile.pct, 1)} %"
        open_link, close_link = (f'<a href="{escape(tile.url)}">', "</a>") if tile.url else ("", "")
        parts.append(
            f'{open_link}<g data-tile="{tile.code}" data-shade="{index}" data-target="{tile.target}">'
            f"<title>{escape(tile.name)}: {pct}</title>"
            f'<rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="4" fill="{SHADES[index]}" '
            f'stroke="#adb5bd"/>'
            f'<text x="{x + TILE_W // 2}" y="{y + 17}" text-anchor="middle" font-size="11" fill="{ink}">'
            f"{escape(name)}</text>"
            f'<text x="{x + TILE_W // 2}" y="{y + 32}" text-anchor="middle" font-size="11" fill="{ink}">'
            f"{pct}</text></g>{close_link}"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def shade_legend():
    """[(colour, label)] for the tile grid's key."""
    return [(colour, f"{index * 10}–{index * 10 + 10} %" if index < len(SHADES) - 1 else "≥ 50 %")
            for index, colour in enumerate(SHADES)]


def province_url(year):
    return lambda province: reverse("reports:province", args=[year.year, province.code])
