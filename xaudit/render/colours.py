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
