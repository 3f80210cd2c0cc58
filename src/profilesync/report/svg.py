"""Small inline SVG charts for the HTML report: no script, no network, readable when printed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Point:
    label: str  # shown under the axis (a year, or a date)
    x: float  # position on the x axis (e.g. a timestamp); bar charts ignore it
    y: float


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and a few round numbers (1, 2 or 5 x 10^k steps) reaching at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


_W, _H = 336, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 12, 28, 36


def _frame(title: str, ticks: list[float], scale) -> list[str]:  # noqa: ANN001 - scale is y -> pixel
    parts = [f'<text x="{_LEFT}" y="16" class="chart-title">{escape(title)}</text>']
    for tick in ticks:
        y = scale(tick)
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_W - _RIGHT}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{_fmt(tick)}</text>')
    return parts


def _svg(parts: list[str], label: str) -> str:
    return f'<svg class="chart" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>"


def bar_chart(points: Sequence[Point], title: str) -> str:
    """Vertical bars with their values on top (e.g. citations per year)."""
    if not points:
        return ""
    ticks = nice_ticks(max(p.y for p in points))
    top = ticks[-1] or 1.0
    plot_h = _H - _TOP - _BOTTOM

    def scale(v: float) -> float:
        return _TOP + plot_h * (1 - v / top)

    parts = _frame(title, ticks, scale)
    slot = (_W - _LEFT - _RIGHT) / len(points)
    width = min(48.0, slot * 0.7)
    for index, point in enumerate(points):
        x = _LEFT + slot * index + (slot - width) / 2
        y = scale(point.y)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{_TOP + plot_h - y:.1f}" class="bar"><title>{escape(point.label)}: {_fmt(point.y)}</title></rect>')
        parts.append(f'<text x="{x + width / 2:.1f}" y="{y - 4:.1f}" class="value" text-anchor="middle">{_fmt(point.y)}</text>')
        parts.append(f'<text x="{x + width / 2:.1f}" y="{_H - _BOTTOM + 16:.1f}" class="tick" text-anchor="middle">{escape(point.label)}</text>')
    return _svg(parts, title)


def line_chart(points: Sequence[Point], title: str) -> str:
    """A line through ``points`` placed by their x value (e.g. a metric at each pull)."""
    if not points:
        return ""
    ticks = nice_ticks(max(p.y for p in points))
    top = ticks[-1] or 1.0
    plot_h = _H - _TOP - _BOTTOM
    plot_w = _W - _LEFT - _RIGHT - 64  # room for the first and last date labels
    lo, hi = min(p.x for p in points), max(p.x for p in points)
    span = (hi - lo) or 1.0

    def scale(v: float) -> float:
        return _TOP + plot_h * (1 - v / top)

    def xpos(x: float) -> float:
        return _LEFT + 32 + (plot_w * (x - lo) / span if hi > lo else plot_w / 2)

    parts = _frame(title, ticks, scale)
    path = " ".join(f"{'M' if i == 0 else 'L'}{xpos(p.x):.1f},{scale(p.y):.1f}" for i, p in enumerate(points))
    parts.append(f'<path d="{path}" class="line"/>')
    every = max(1, math.ceil(len(points) / 6))  # label at most ~6 points so text never overlaps
    for index, point in enumerate(points):
        x, y = xpos(point.x), scale(point.y)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" class="dot"><title>{escape(point.label)}: {_fmt(point.y)}</title></circle>')
        if index % every and index != len(points) - 1:
            continue
        parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" class="value" text-anchor="middle">{_fmt(point.y)}</text>')
        parts.append(f'<text x="{x:.1f}" y="{_H - _BOTTOM + 16:.1f}" class="tick" text-anchor="middle">{escape(point.label)}</text>')
    return _svg(parts, title)
