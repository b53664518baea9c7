"""A small time-series line chart drawn as inline SVG: no script, no inline style (SVG
presentation attributes only, so the strict Content-Security-Policy holds).

Series are told apart by colour (Okabe-Ito, safe for colour-blind readers), by dash
pattern and by marker shape, and each is named in the legend; the national median is a
thick dashed black line. The figure is one image for assistive technology; the page
always shows the same numbers in a table next to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4")
MARKERS = ("circle", "square", "diamond", "triangle", "circle", "square", "diamond")
MEDIAN_COLOUR = "#1b1b1b"
WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[str, float | None]]  # (period, value or None for a gap)
    median: bool = False


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return (f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                f'fill="{colour}"/>')
    if shape == "diamond":
        return (f'<path d="M{x:.1f} {y - 4.5:.1f}L{x + 4.5:.1f} {y:.1f}L{x:.1f} '
                f'{y + 4.5:.1f}L{x - 4.5:.1f} {y:.1f}Z" fill="{colour}"/>')
    if shape == "triangle":
        return (f'<path d="M{x:.1f} {y - 4.5:.1f}L{x + 4.5:.1f} {y + 3.5:.1f}L{x - 4.5:.1f} '
                f'{y + 3.5:.1f}Z" fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'


def line_chart(periods: Sequence[str], series: Sequence[Series], *, title: str,
               number: Callable[[float], str], label_id: str) -> Markup:
    """The chart as SVG markup, named by the element ``label_id`` (its caption)."""
    values = [v for s in series for _p, v in s.points if v is not None]
    if not periods or not values:
        return Markup("")
    ticks = nice_ticks(min(0.0, min(values)), max(values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    index = {p: n for n, p in enumerate(periods)}

    def x_of(period: str) -> float:
        if len(periods) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * index[period] / (len(periods) - 1)

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [f'<svg class="line-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{escape(label_id)}" focusable="false" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="12" fill="#333">{escape(number(tick))}</text>')
    step = max(1, math.ceil(len(periods) / 8))
    for n, period in enumerate(periods):
        if n % step and n != len(periods) - 1:
            continue
        x = x_of(period)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + plot_h}" '
                     f'y2="{TOP + plot_h + 5}" stroke="#555"/>')
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 20}" text-anchor="middle" '
                     f'font-size="12" fill="#333">{escape(period)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
                 f'y2="{TOP + plot_h}" stroke="#555"/>')
    ordinary = 0
    for s in series:
        if s.median:
            colour, dash, width, shape = MEDIAN_COLOUR, "7 4", 3, ""
        else:
            colour = OKABE_ITO[ordinary % len(OKABE_ITO)]
            dash, width = DASHES[ordinary % len(DASHES)], 2
            shape = MARKERS[ordinary % len(MARKERS)]
            ordinary += 1
        segments, current = [], []
        for period, value in s.points:
            if value is None or period not in index:
                if current:
                    segments.append(current)
                current = []
                continue
            current.append((x_of(period), y_of(value)))
        if current:
            segments.append(current)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in segments:
            path = " ".join(f"{'M' if n == 0 else 'L'}{x:.1f} {y:.1f}"
                            for n, (x, y) in enumerate(segment))
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="{width}"{dash_attr}/>')
            if shape:
                parts.extend(_marker(shape, x, y, colour) for x, y in segment)
    parts.append("</svg>")
    return Markup("".join(parts))


def legend_items(series: Sequence[Series]) -> list[dict]:
    """What the legend under the chart shows for each series (colour, dash, marker)."""
    items, ordinary = [], 0
    for s in series:
        if s.median:
            items.append({"label": s.label, "colour": MEDIAN_COLOUR, "dash": "7 4",
                          "width": 3, "marker": Markup("")})
            continue
        colour = OKABE_ITO[ordinary % len(OKABE_ITO)]
        items.append({"label": s.label, "colour": colour,
                      "dash": DASHES[ordinary % len(DASHES)], "width": 2,
                      "marker": Markup(_marker(MARKERS[ordinary % len(MARKERS)], 18, 8,
                                               colour))})
        ordinary += 1
    return items
