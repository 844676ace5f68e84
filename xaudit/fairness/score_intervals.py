"""Intervals for one group's score metrics: a percentile bootstrap stratified by label.

Each resample draws the group's y=1 rows and its y=0 rows separately, with replacement
(Efron & Tibshirani 1993, ch. 13 for the percentile interval; stratified so that every
resample keeps both classes and the AUC stays defined). A resample is a vector of
multinomial counts over the distinct scores (rounded to ``DECIMALS`` places) of each label, so
its cost grows with the distinct scores (at most 10,001 per label), not with the rows: ROC AUC
(trapezoids over the ROC points, ties counted half, as scikit-learn's ``roc_auc_score``),
average precision (scikit-learn's step-wise sum), Brier score and the expected calibration
error over equal-width bins are computed from the weights. With integer weights each equals
scikit-learn's value on the rows repeated that often (tests/fairness/test_score_intervals.py).

The ECE is biased upward under resampling (each bin's gap is an absolute value, which noise only
widens), so its interval sits at or above the point estimate: it bounds what the ECE could be
given the noise, and is not centred on the estimate.
"""

from __future__ import annotations

import numpy as np

from .bootstrap import percentile_interval

STATISTICS = ("auc", "average_precision", "brier", "ece")
BLOCK = 64
"""Resamples weighed at once (a block holds BLOCK × 2 × distinct scores weights)."""
DECIMALS = 4
"""Scores are resampled rounded to this many places (at most 10,001 distinct values); the point estimates use
the exact scores."""
METHOD = ("percentile bootstrap stratified by label (y=1 and y=0 rows resampled separately, scores rounded to "
          f"{DECIMALS} places; Efron & Tibshirani 1993); the ECE's resamples are biased upward, so its interval "
          "sits at or above the estimate")


def score_intervals(labels: np.ndarray, scores: np.ndarray, bins: int, confidence: float, n_boot: int,
                    rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    """(low, high) of each statistic in STATISTICS over ``n_boot`` stratified resamples; NaN where undefined.

    A resample draws, per label, as many rows as the group has with that label, as multinomial counts over
    the distinct scores (rounded to DECIMALS places): the same as drawing rows, at a cost that grows with
    the distinct scores, not the rows."""
    levels, inverse = np.unique(np.round(scores, DECIMALS), return_inverse=True)
    frequency = [np.bincount(inverse[labels == value], minlength=len(levels)) for value in (0, 1)]
    level_labels, level_scores = np.repeat([0, 1], len(levels)), np.tile(levels, 2)
    samples = []
    for start in range(0, n_boot, BLOCK):
        size = min(BLOCK, n_boot - start)
        weights = np.hstack([rng.multinomial(f.sum(), f / f.sum(), size=size) if f.sum() else np.zeros((size, len(f)))
                             for f in frequency])
        samples.append(weighted_metrics(level_labels, level_scores, weights.astype(float), bins))
    low, high = percentile_interval(np.concatenate(samples), confidence)
    return {name: (float(low[i]), float(high[i])) for i, name in enumerate(STATISTICS)}


def weighted_metrics(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray, bins: int) -> np.ndarray:
    """AUC, average precision, Brier score and ECE per row of ``weights`` (R, n) -> (R, 4); NaN where undefined."""
    order = np.argsort(-scores, kind="stable")
    y, s, w = labels[order].astype(float), scores[order], weights[:, order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last row of each distinct score, highest first
    tp, fp = np.cumsum(w * y, axis=1)[:, last], np.cumsum(w * (1 - y), axis=1)[:, last]
    positives, negatives = tp[:, -1:], fp[:, -1:]
    zeros = np.zeros((len(w), 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr, fpr = np.hstack([zeros, tp]) / positives, np.hstack([zeros, fp]) / negatives
        auc = np.sum(np.diff(fpr, axis=1) * (tpr[:, 1:] + tpr[:, :-1]) / 2, axis=1)
        precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)
        ap = np.sum(np.diff(np.hstack([zeros, tp]), axis=1) * precision, axis=1) / positives[:, 0]
        total = w.sum(axis=1)
        brier = (w * (s - y) ** 2).sum(axis=1) / total
        index = np.searchsorted(np.linspace(0.0, 1.0, bins + 1)[1:-1], s)  # (low, high], as reliability_bins
        onehot = np.eye(bins)[index]
        ece = np.abs(w @ (onehot * y[:, None]) - w @ (onehot * s[:, None])).sum(axis=1) / total
    return np.column_stack([auc, ap, brier, ece])
