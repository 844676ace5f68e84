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
