"""A tile-grid map of Japan's prefectures, drawn as server-rendered SVG: one square per prefecture,
placed from the address registry's prefectures and the mean point of their towns (not a hand-made
layout), filled by a value in a colour-blind-safe sequential palette.

Placement: each prefecture's point is projected onto a grid of :data:`CELL` degrees and takes the
free cell nearest to it, the northernmost first; Okinawa is moved next to Kyushu as an inset,
as printed maps do. Every tile is a link that filters the dashboard to that prefecture, with its
name and value as its accessible name; the table under the map holds the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from markupsafe import Markup, escape

from tsunagu.oversight.charts import GRID, INK, WIDTH, percent

CELL = 1.0  # degrees of latitude and longitude per tile
#: ColorBrewer "Blues" (5 classes): sequential, readable in every common colour vision and in grey
CLASSES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "url(#{id}-none)"  # grey hatching, never mistaken for the lightest class
OKINAWA_SHIFT = (3.5, 1.0)  # (lat, lng) degrees moved: the islands south of 28°N sit as an inset
RING = 8  # how far (in cells) a tile may move from its point


class Point(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lng(self) -> float: ...


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    column: int
    row: int
    inset: bool


def tiles(points: Sequence[Point]) -> list[Tile]:
    """Each prefecture on the nearest free grid cell to its point (deterministic); rows left empty
    (the sea between Hokkaido and Honshu, and south of Kyushu) are closed up."""
    if not points:
        return []
    placed: list[tuple[Point, float, float, bool]] = []
    for p in sorted(points, key=lambda p: (-p.lat, p.code)):
        inset = p.lat < 28.0
        lat, lng = (p.lat + OKINAWA_SHIFT[0], p.lng + OKINAWA_SHIFT[1]) if inset else (p.lat, p.lng)
        placed.append((p, lat, lng, inset))
    north = max(lat for _, lat, _, _ in placed)
    west = min(lng for _, _, lng, _ in placed)
    taken: set[tuple[int, int]] = set()
    found: list[Tile] = []
    for p, lat, lng, inset in placed:
        x, y = (lng - west) / CELL, (north - lat) / CELL
        cells = [
            (round(x) + dx, round(y) + dy) for dx in range(-RING, RING + 1) for dy in range(-RING, RING + 1)
        ]
        free = [c for c in cells if c not in taken and c[0] >= 0 and c[1] >= 0]
        column, row = min(free, key=lambda c: ((c[0] - x) ** 2 + (c[1] - y) ** 2, c))
        taken.add((column, row))
        found.append(Tile(p.code, p.name, column, row, inset))
    rows = {old: new for new, old in enumerate(sorted({t.row for t in found}))}
    columns = {old: new for new, old in enumerate(sorted({t.column for t in found}))}
    return [Tile(t.code, t.name, columns[t.column], rows[t.row], t.inset) for t in found]


def short_name(name: str) -> str:
    """The two characters a tile has room for, as Japanese tile maps abbreviate: 東京都 → 東京,
    神奈川県 → 神奈, 北海道 → 北海."""
    return (name if name == "北海道" else name[:-1])[:2]


@dataclass(frozen=True)
class Classes:
    """Five equal classes between the lowest and the highest value (rounded out to 5 %), so that
    the differences between prefectures show; each class's range is in the legend."""

    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Classes:
        if not values:
            return cls(0.0, 1.0)
        low = math.floor(min(values) * 20) / 20
        high = max(low + 0.05, math.ceil(max(values) * 20) / 20)
        return cls(low, high)

    def index(self, value: float) -> int:
        step = (self.high - self.low) / len(CLASSES)
        return max(0, min(len(CLASSES) - 1, int((value - self.low) / step)))

    def labels(self) -> list[str]:
        step = (self.high - self.low) / len(CLASSES)
        return [
            f"{(self.low + n * step) * 100:.0f}–{(self.low + (n + 1) * step) * 100:.0f}%"
            for n in range(len(CLASSES))
        ]


def _ink_on(fill: str) -> str:
    return "#ffffff" if fill in CLASSES[3:] else INK


def choropleth(
    chart_id: str,
    title: str,
    description: str,
    grid: Sequence[Tile],
    values: Mapping[str, float | None],
    *,
    link: str,
    no_data: str,
) -> Markup:
    """The tiles filled by ``values`` (0–1 by prefecture name); ``link`` is formatted with the
    prefecture's name, URL-quoted."""
    known = [v for v in values.values() if v is not None]
    classes = Classes.of(known)
    columns = max(t.column for t in grid) + 1
    rows = max(t.row for t in grid) + 1
    size = WIDTH / columns
    legend_top = rows * size + 12
    height = legend_top + 22 * 2 + 4
    no_fill = NO_DATA.format(id=chart_id)
    body: list[str] = [
        f'<defs><pattern id="{chart_id}-none" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#ffffff"/><path d="M0 6L6 0" stroke="{GRID}" stroke-width="1"/>'
        "</pattern></defs>"
    ]
    for tile in grid:
        value = values.get(tile.name)
        fill = no_fill if value is None else CLASSES[classes.index(value)]
        x, y = tile.column * size, tile.row * size
        label = f"{tile.name} {percent(value)}"
        body.append(
            f'<a href="{escape(link.format(quote(tile.name)))}" aria-label="{escape(label)}">'
            f"<title>{escape(label)}</title>"
            f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{size - 2:.1f}" height="{size - 2:.1f}" '
            f'fill="{fill}" stroke="{GRID}"/>'
            f'<text x="{x + size / 2:.1f}" y="{y + size / 2 + size * 0.15:.1f}" text-anchor="middle" '
            f'font-size="{min(13.0, size * 0.4):.1f}" fill="{_ink_on(fill)}" aria-hidden="true">'
            f"{escape(short_name(tile.name))}</text></a>"
        )
    if any(t.inset for t in grid):
        inset = [t for t in grid if t.inset]
        x0 = min(t.column for t in inset) * size - 3
        y0 = min(t.row for t in inset) * size - 3
        x1 = (max(t.column for t in inset) + 1) * size + 3
        y1 = (max(t.row for t in inset) + 1) * size + 3
        body.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="none" '
            f'stroke="{INK}" stroke-dasharray="3 2"/>'
        )
    per_row = 3
    for n, (fill, text) in enumerate(zip((*CLASSES, no_fill), [*classes.labels(), no_data], strict=True)):
        x, y = (n % per_row) * (WIDTH / per_row), legend_top + (n // per_row) * 22
        body.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="14" height="14" fill="{fill}" stroke="{INK}" '
            f'stroke-width="0.5"/>'
            f'<text x="{x + 22:.1f}" y="{y + 12:.1f}" font-size="12" fill="{INK}">{escape(text)}</text>'
        )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart map" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="group" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 — every text part is escaped above
