"""Percentile bootstrap intervals computed from counts, not rows.

Drawing N rows with replacement from N rows and tallying them per (group, cell) gives
counts distributed Multinomial(N, counts / N). Drawing those counts directly is the same
bootstrap (Efron & Tibshirani 1993, ch. 13 for the percentile interval) at a cost that
depends on the number of groups, not rows, and it gives identical intervals whether the
counts were tallied from rows or read from a ``--counts`` table.
"""

from __future__ import annotations

import warnings

import numpy as np

DEFAULT_RESAMPLES = 1000


def resample_cells(cells: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """``n_boot`` bootstrap resamples of the counts (G, 4) -> (n_boot, G, 4), seeded."""
    flat = np.asarray(cells, dtype=np.int64).ravel()
    total = int(flat.sum())
    draws = np.random.default_rng(seed).multinomial(total, flat / total, size=n_boot)
    return draws.reshape((n_boot, *np.shape(cells)))


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) percentiles over the first axis, skipping resamples where a value is undefined.

    Undefined (NaN) where no resample defines the value.
    """
    tail = 50.0 * (1.0 - confidence)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: undefined in every resample
        low, high = np.nanpercentile(samples, [tail, 100.0 - tail], axis=0)
    return low, high
