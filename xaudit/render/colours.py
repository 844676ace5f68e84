"""One diverging colour scale for scores: red for positive, blue for negative, white at zero."""

from __future__ import annotations

import numpy as np

POSITIVE = (214, 39, 40)
NEGATIVE = (31, 119, 180)


def score_rgb(score: float, peak: float) -> tuple[int, int, int]:
    """Blend from white to red/blue by ``|score| / peak``."""
    strength = 0.0 if peak <= 0 else min(1.0, abs(score) / peak)
    target = POSITIVE if score >= 0 else NEGATIVE
    return tuple(int(round(255 + (c - 255) * strength)) for c in target)  # type: ignore[return-value]


def peak_of(scores: np.ndarray) -> float:
    finite = np.abs(scores[np.isfinite(scores)])
    return float(finite.max()) if finite.size else 0.0


def downsample(grid: np.ndarray, max_side: int = 32) -> np.ndarray:
    """Average-pool a 2-D grid so that neither side exceeds ``max_side`` (small grids unchanged)."""
    step = int(np.ceil(max(grid.shape) / max_side))
    if step <= 1:
        return grid
    h, w = (grid.shape[0] // step) * step, (grid.shape[1] // step) * step
    return grid[:h, :w].reshape(h // step, step, w // step, step).mean(axis=(1, 3))
