"""Token and pixel heatmaps as small HTML/SVG fragments (escaped; colour classes keep them small).

Token scores are bucketed into ``BUCKETS`` shades per sign; the CSS classes are generated
from the same diverging scale as the terminal renderer (red +, blue −). Shading is relative
to the example (:func:`shading`): attention flow saturates, so its values sit close to the
maximum and a scale from 0 would shade every token alike.
"""

from __future__ import annotations

import numpy as np
from markupsafe import Markup, escape

from ..render.colours import downsample, peak_of, score_rgb

BUCKETS = 8


def bucket_css() -> str:
    rules = []
    for level in range(1, BUCKETS + 1):
        for sign, name in ((1.0, "p"), (-1.0, "n")):
            r, g, b = score_rgb(sign * level / BUCKETS, 1.0)
            rules.append(f".{name}{level}{{background:rgb({r},{g},{b})}}")
    return "".join(rules)


SHADING_NOTE = ("Shading is relative to each example: where some scores are negative, by |score| over the "
                "largest |score| (red raises the explained class, blue lowers it); where all are positive, from "
                "the example's smallest score (white) to its largest (dark red), because flow values crowd near "
                "their maximum.")


def shading(values: np.ndarray) -> np.ndarray:
    """Scores scaled into [-1, 1] for shading: signed scores by their largest magnitude; all-positive
    scores min–max within the example (so saturated attention flows still differ)."""
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros_like(values)
    low, high = float(finite.min()), float(finite.max())
    if low >= 0 and high > low:
        return (values - low) / (high - low)
    peak = peak_of(finite)
    return values / peak if peak > 0 else np.zeros_like(values)


def _bucket(score: float, peak: float) -> str:
    if peak <= 0 or not np.isfinite(score):
        return ""
    level = int(np.ceil(min(1.0, abs(score) / peak) * BUCKETS))
    return "" if level == 0 else f"{'p' if score >= 0 else 'n'}{level}"


def token_heatmap(units: list[str], scores: list[float]) -> Markup:
    """``<span class="pK" title="score" data-v="score">token</span>`` per unit, shaded by :func:`shading`
    (printed copies show ``data-v`` after each token, where there is no hovering)."""
    values = np.asarray(scores, dtype=np.float64)
    parts = []
    for unit, score, shade in zip(units, values, shading(values)):
        css = _bucket(float(shade), 1.0)
        parts.append(f'<span class="tok {css}" title="{float(score):.4g}" data-v="{float(score):.2g}">'
                     f'{escape(unit)}</span>')
    return Markup(" ".join(parts))


def pixel_heatmap(scores: list[float], shape: tuple[int, int], size: int = 96, label: str = "") -> Markup:
    """An SVG grid of coloured squares, one per pixel (values downsampled to at most 32 per side)."""
    grid = shading(downsample(np.asarray(scores, dtype=np.float64).reshape(shape)))
    peak = 1.0
    cell = size / max(grid.shape)
    rects = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            red, green, blue = score_rgb(float(value), peak)
            rects.append(f'<rect x="{c * cell:.1f}" y="{r * cell:.1f}" width="{cell:.1f}" height="{cell:.1f}" '
                         f'fill="rgb({red},{green},{blue})"/>')
    title = f"<title>{escape(label)}</title>" if label else ""
    return Markup(f'<svg class="pix" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img">'
                  f"{title}{''.join(rects)}</svg>")


HEADS_NOTE = ("One panel per layer; each row is a head, each column a token, shaded by the attention weight that "
              "the decision position (outlined) gives the token, on a fixed scale from 0 (white) to 1 (dark red). "
              "Rollout and flow above average these heads; a panel shows which heads carry what they combine.")


def head_panel(tokens: list[str], position: int, weights: list[list[float]], layer: int, cell: int = 14) -> Markup:
    """An SVG of one layer's heads (rows) × tokens (columns), shaded by attention weight on a 0–1 scale."""
    label_height, label_width = 64, 30
    width, height = label_width + cell * len(tokens), label_height + cell * len(weights)
    parts = [f'<text x="2" y="{label_height - 4}" class="hl">L{layer}</text>']
    for j, token in enumerate(tokens):
        x = label_width + j * cell + cell / 2
        weight = ' font-weight="bold"' if j == position else ""
        parts.append(f'<text transform="translate({x:.1f},{label_height - 4}) rotate(-60)" class="ht"{weight}>'
                     f"{escape(token)}</text>")
    for h, row in enumerate(weights):
        y = label_height + h * cell
        parts.append(f'<text x="2" y="{y + cell - 3}" class="ht">h{h + 1}</text>')
        for j, value in enumerate(row):
            red, green, blue = score_rgb(float(np.clip(value, 0.0, 1.0)), 1.0)
            parts.append(f'<rect x="{label_width + j * cell}" y="{y}" width="{cell}" height="{cell}" '
                         f'fill="rgb({red},{green},{blue})"><title>{escape(tokens[j])}: {float(value):.3f}</title></rect>')
    x = label_width + position * cell
    parts.append(f'<rect x="{x}" y="{label_height}" width="{cell}" height="{cell * len(weights)}" fill="none" '
                 'stroke="#000" stroke-width="1.5"/>')
    return Markup(f'<svg class="heads" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
                  f"<title>layer {layer}: attention of each head from token {position + 1}</title>{''.join(parts)}</svg>")


def grey_image(image: np.ndarray, size: int = 96) -> Markup:
    """The input image in grey levels as SVG."""
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 3:
        array = array.mean(axis=-1)
    cell = size / max(array.shape)
    rects = []
    for r, row in enumerate(array):
        for c, value in enumerate(row):
            level = int(round(255 * (1.0 - float(np.clip(value, 0, 1)))))
            rects.append(f'<rect x="{c * cell:.1f}" y="{r * cell:.1f}" width="{cell:.1f}" height="{cell:.1f}" '
                         f'fill="rgb({level},{level},{level})"/>')
    return Markup(f'<svg class="pix" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img">'
                  f"{''.join(rects)}</svg>")
