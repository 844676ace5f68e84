"""Spearman rank correlation that is explicit about ties and undefined cases.

Attention flow saturates: many raw flows equal the source's capacity and differ only by
floating-point noise. Scores are therefore rounded, relative to the largest magnitude, to
``DECIMALS`` decimals before ranking, so such values tie (average ranks). A correlation
with a constant vector is undefined: it is returned as None and counted, never as 0.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

DECIMALS = 8


def rank_ready(scores: np.ndarray, decimals: int = DECIMALS) -> np.ndarray:
    """``scores / max|scores|`` rounded to ``decimals``; all-zero input stays zero."""
    scores = np.asarray(scores, dtype=np.float64)
    scale = float(np.abs(scores).max()) if scores.size else 0.0
    return scores if scale == 0.0 else np.round(scores / scale, decimals)


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rho of rounded scores; None when undefined (fewer than 2 units, or a constant side)."""
    a, b = rank_ready(a), rank_ready(b)
    if a.size < 2 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    ra, rb = rankdata(a) - (a.size + 1) / 2, rankdata(b) - (b.size + 1) / 2  # average ranks, centred
    return float(np.dot(ra, rb) / np.sqrt(np.dot(ra, ra) * np.dot(rb, rb)))


def dense_spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Abnar & Zuidema's rank correlation, as their code computes it: ``1 − 6·Σ d_i² / (n(n² − 1))``.

    ``d_i`` is the difference of the dense ranks (equal values share a rank, the next value
    gets the next integer) and no rounding is applied. With ties this is not Pearson's r of
    the ranks, and a constant side gives a number, not an undefined value. Where the formula
    is NaN (fewer than two units, or a NaN score) the authors count 0, and so does this.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    n = a.size
    if n < 2 or np.isnan(a).any() or np.isnan(b).any():
        return 0.0
    d = rankdata(a, method="dense") - rankdata(b, method="dense")
    return float(1.0 - 6.0 * np.dot(d, d) / (n * (n * n - 1.0)))
