"""Sparsity of an explanation: the Gini index (Hurley & Rickard 2009; Chalasani et al. 2020)."""

from __future__ import annotations

import numpy as np


def gini(scores: np.ndarray) -> float | None:
    """Gini index of ``|scores|`` normalised to sum 1.

    With values sorted ascending, ``G = 1 − 2 Σ_k c_k (n − k + ½) / n``: 0 for a uniform
    vector, ``1 − 1/n`` (the maximum for length n) for a one-hot vector. None for an
    all-zero vector (no mass to distribute).
    """
    values = np.sort(np.abs(np.asarray(scores, dtype=np.float64)))
    total = values.sum()
    if values.size == 0 or total == 0.0:
        return None
    n = values.size
    k = np.arange(1, n + 1)
    return float(1.0 - 2.0 * np.sum(values / total * (n - k + 0.5) / n))
