"""Server-rendered SVG charts: trend lines, horizontal bars and a Pareto chart.

Every chart is an ``<svg role="img">`` with a title and a description, drawn in the Okabe–Ito
colour-blind-safe palette, with values written on the chart (not only as colour); the pages put a
data table and a CSV download next to each. No JavaScript is needed to see them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour vision
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
INK = "#1a1a1a"
GRID = "#767676"  # 4.5:1 against white
WIDTH = 400  # viewBox units: a phone shows the chart at about its own size, so 13 stays ~12 px


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _svg(chart_id: str, title: str, description: str, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" font-size="13" '
        f'font-family="sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 — every text part is escaped above


def _text(
    x: float, y: float, content: str, anchor: str = "start", *, weight: str = "normal", fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{fill}">{escape(content)}</text>'
    )


MAX_LABEL = WIDTH / 2


def _width(text: str) -> float:
    """About how wide ``text`` is at font size 13: full-width characters 13, others about 7.5."""
    return sum(13.0 if unicodedata.east_asian_width(c) in "WF" else 7.5 for c in text)


def _fit(text: str, room: float) -> str:
    """``text``, shortened with … to fit ``room``."""
    if _width(text) <= room:
        return text
    while text and _width(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def trend(
    chart_id: str, title: str, *, labels: Sequence[str], series: Sequence[Series], description: str
) -> Markup:
    """Lines of rates (0–1) over the labels (survey years); a legend under the chart names each line
    with its marker, dash and latest value, so that colour is never the only cue."""
    legend_h = 22 * len(series)
    height, left, right, top, bottom = 230 + legend_h, 40, 24, 12, 30 + legend_h
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    body: list[str] = []
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="0.5" stroke-dasharray="2 3"/>'
        )
        body.append(_text(left - 6, y + 4, f"{tick}%", "end"))
    step = plot_w / max(1, len(labels) - 1)

    def x_of(i: int) -> float:
        return left + (step * i if len(labels) > 1 else plot_w / 2)

    for i, label in enumerate(labels):
        anchor = "start" if i == 0 and len(labels) > 1 else "end" if i == len(labels) - 1 else "middle"
        body.append(_text(x_of(i), top + plot_h + 18, label, anchor))
    markers = ("circle", "rect", "diamond")
    for n, line in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        dash = ' stroke-dasharray="6 3"' if n % 2 else ""
        points = [(x_of(i), top + plot_h * (1 - v)) for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        body += [_marker(markers[n % 3], x, y, colour) for x, y in points]
        known = [v for v in line.values if v is not None]
        y = height - legend_h + 22 * n + 4
        body.append(
            f'<line x1="{left}" x2="{left + 28}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
        body.append(_marker(markers[n % 3], left + 14, y, colour))
        body.append(_text(left + 36, y + 4, f"{line.name}（{percent(known[-1]) if known else '—'}）"))
    return _svg(chart_id, title, description, height, body)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "rect":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def bars(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, float | None]],
    description: str,
    as_percent: bool = True,
) -> Markup:
    """Horizontal bars, one per row, the value written at the end of each bar; the labels' column
    is as wide as the longest label needs (up to half the chart; a longer one is shortened with …,
    its whole text in the table under the chart)."""
    value_w, bar_h, gap, top = 52, 16, 7, 6
    label_w = min(MAX_LABEL, max(60.0, max((_width(label) for label, _ in rows), default=0) + 10))
    height = top + len(rows) * (bar_h + gap) + 8
    plot_w = WIDTH - label_w - value_w
    biggest = max((v for _, v in rows if v is not None), default=0) or 1
    scale = 1.0 if as_percent else biggest
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        body.append(_text(label_w - 8, y + bar_h - 4, _fit(label, label_w - 10), "end"))
        if value is not None:
            w = plot_w * min(1.0, value / scale)
            body.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[0]}"/>')
        shown = percent(value) if as_percent else ("—" if value is None else f"{value:,.0f}")
        body.append(_text(label_w + (plot_w * min(1.0, (value or 0) / scale)) + 6, y + bar_h - 4, shown))
    return _svg(chart_id, title, description, height, body)


def pareto(
    chart_id: str,
    title: str,
    *,
    labels: Sequence[str],
    volumes: Sequence[int],
    cumulative: Sequence[float],
    description: str,
    axis: str,
    locale: str = "ja",
) -> Markup:
    """Bars of volume, largest first, and the line of the cumulative share of all volume; ``axis``
    names the ranks under the bars."""
    height, left, right, top, bottom = 280, 44, 38, 12, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    biggest = max(volumes, default=0) or 1
    band = plot_w / max(1, len(volumes))
    body: list[str] = []
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="0.5" stroke-dasharray="2 3"/>'
        )
        body.append(_text(left + plot_w + 6, y + 4, f"{tick}%"))
        body.append(_text(left - 6, y + 4, _short(biggest * tick / 100, locale), "end"))
    points = []
    for i, (label, volume, share) in enumerate(zip(labels, volumes, cumulative, strict=True)):
        x = left + i * band
        h = plot_h * volume / biggest
        body.append(
            f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{max(1.0, band - 4):.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(label)}</title></rect>'
        )
        if i == 0 or (i + 1) % 5 == 0:
            body.append(_text(x + band / 2, height - 24, str(i + 1), "middle"))
        points.append((x + band / 2, top + plot_h * (1 - share)))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[1]}" stroke-width="2.5"/>')
        body += [_marker("diamond", x, y, PALETTE[1]) for x, y in points]
        last_x, last_y = points[-1]
        body.append(_text(last_x, last_y - 10, percent(cumulative[-1], 0), "end", weight="bold"))
    body.append(_text(left + plot_w / 2, height - 4, axis, "middle"))
    return _svg(chart_id, title, description, height, body)


def _short(value: float, locale: str) -> str:
    """A volume on an axis: 68万 / 1.2億 for Japanese readers, 680k / 1.2M in English."""
    if locale == "en":
        if value >= 1_000_000:
            return f"{value / 1_000_000:.1f}M"
        return f"{value / 1_000:.0f}k" if value >= 1_000 else f"{value:.0f}"
    if value >= 100_000_000:
        return f"{value / 100_000_000:.1f}億"
    if value >= 10_000:
        return f"{value / 10_000:.0f}万"
    return f"{value:.0f}"
