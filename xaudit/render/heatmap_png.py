"""PNG heatmaps of image attributions: one row per example, input then one panel per method."""

from __future__ import annotations

import numpy as np

from ..attribution.explain import Explanation
from .colours import peak_of, score_rgb

SCALE = 16  # screen pixels per image pixel for small images
GAP = 4


def _panel(scores: np.ndarray) -> np.ndarray:
    peak = peak_of(scores)
    return np.array([[score_rgb(float(v), peak) for v in row] for row in scores], dtype=np.uint8)


def _input_panel(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def png_bytes(explanations: list[Explanation]) -> bytes:
    """The grid as PNG bytes; inputs must be images."""
    import io

    from PIL import Image

    rows = []
    for explanation in explanations:
        shape = explanation.first.image_shape
        panels = [_input_panel(explanation.input)] if np.shape(explanation.input)[:2] == shape else []
        panels += [_panel(a.scores.reshape(shape)) for a in explanation.attributions.values()]
        scale = max(1, SCALE * 8 // max(shape))
        panels = [np.kron(p, np.ones((scale, scale, 1), dtype=np.uint8)) for p in panels]
        height = panels[0].shape[0]
        spacer = np.full((height, GAP, 3), 255, dtype=np.uint8)
        row = np.concatenate([x for p in panels for x in (p, spacer)][:-1], axis=1)
        rows.append(row)
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, GAP), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    grid = np.concatenate(rows, axis=0)
    buffer = io.BytesIO()
    Image.fromarray(grid).save(buffer, format="PNG")
    return buffer.getvalue()
