"""Inline SVG charts: horizontal bars with error bars (group rates with intervals)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    intervals: Sequence[tuple[float | None, float | None] | None],
    title: str,
    highlight: Sequence[bool] | None = None,
    plot: int = 290,
) -> Markup:
    """Horizontal bars on a 0..1 axis, whiskers for intervals; undefined values are labelled so.

    The label column is as wide as the longest label needs (about 7 px a character, at most 320 px).
    """
    row, right = 22, 60
    left = min(320, max(80, 12 + 7 * max((len(label) for label in labels), default=0)))
    width = left + plot + right
    height = row * len(labels) + 40
    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f"<title>{escape(title)}</title>",
             f'<text x="{left}" y="14" class="ct">{escape(title)}</text>']
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + tick * plot
        parts.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 16}" class="grid"/>'
                     f'<text x="{x:.1f}" y="{height - 4}" class="tick">{tick:g}</text>')
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 24 + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 12}" class="lbl">{escape(label)}</text>')
        if value is None:
            parts.append(f'<text x="{left + 4}" y="{y + 12}" class="und">undefined</text>')
            continue
        css = "bar hi" if highlight and highlight[i] else "bar"
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{max(0.0, value) * plot:.1f}" height="{row - 8}" '
                     f'class="{css}"/>')
        interval = intervals[i] if intervals else None
        if interval and interval[0] is not None and interval[1] is not None:
            x1, x2 = left + interval[0] * plot, left + interval[1] * plot
            mid = y + row / 2 - 1
            parts.append(f'<line x1="{x1:.1f}" y1="{mid:.1f}" x2="{x2:.1f}" y2="{mid:.1f}" class="err"/>'
                         f'<line x1="{x1:.1f}" y1="{mid - 4:.1f}" x2="{x1:.1f}" y2="{mid + 4:.1f}" class="err"/>'
                         f'<line x1="{x2:.1f}" y1="{mid - 4:.1f}" x2="{x2:.1f}" y2="{mid + 4:.1f}" class="err"/>')
        parts.append(f'<text x="{left + plot + 6}" y="{y + 12}" class="val">{value:.3f}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


PALETTE = ("#1f5fa8", "#c2571a", "#2e8540", "#8a3ffc", "#b28600", "#d02670", "#007d79", "#6f6f6f")


def line_chart(series: dict[str, tuple[Sequence[float], Sequence[float | None]]], title: str, x_label: str,
               diagonal: bool = False, level: float | None = None, size: int = 260) -> Markup:
    """Lines on a 0..1 × 0..1 square (undefined points break a line), a legend on the right; ``diagonal``
    draws y = x (perfect calibration), ``level`` a dashed horizontal line (e.g. the four-fifths mark)."""
    left, top, legend = 34, 24, 12 + 7 * max((len(name) for name in series), default=0)
    width, height = left + size + 16 + legend, top + size + 34

    def x(value: float) -> float:
        return left + value * size

    def y(value: float) -> float:
        return top + (1 - value) * size

    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f"<title>{escape(title)}</title>", f'<text x="{left}" y="14" class="ct">{escape(title)}</text>']
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{top + size}" class="grid"/>'
                     f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + size}" y2="{y(tick):.1f}" class="grid"/>'
                     f'<text x="{x(tick):.1f}" y="{top + size + 14}" class="tick">{tick:g}</text>'
                     f'<text x="{left - 14}" y="{y(tick) + 4:.1f}" class="tick">{tick:g}</text>')
    parts.append(f'<text x="{left + size / 2:.1f}" y="{top + size + 30}" class="tick">{escape(x_label)}</text>')
    if diagonal:
        parts.append(f'<line x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(1):.1f}" y2="{y(1):.1f}" class="ref"/>')
    if level is not None:
        parts.append(f'<line x1="{x(0):.1f}" y1="{y(level):.1f}" x2="{x(1):.1f}" y2="{y(level):.1f}" class="ref"/>')
    for index, (name, (xs, ys)) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        segments, current = [], []
        for a, b in zip(xs, ys):
            if b is None:
                segments, current = segments + [current] if current else segments, []
            else:
                current.append(f"{x(a):.1f},{y(min(max(b, 0.0), 1.0)):.1f}")
        segments += [current] if current else []
        for points in segments:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        parts.append(f'<rect x="{left + size + 14}" y="{top + 4 + 16 * index}" width="10" height="3" '
                     f'fill="{colour}"/><text x="{left + size + 28}" y="{top + 9 + 16 * index}" class="val">'
                     f"{escape(name)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
