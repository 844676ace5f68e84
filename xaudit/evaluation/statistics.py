"""Intervals and paired tests for the comparison of methods: a seeded percentile bootstrap of the mean
(Efron & Tibshirani 1993, via scipy), Wilcoxon signed-rank tests between methods on the same examples
(Wilcoxon 1945, via scipy) with Holm's correction (Holm 1979, via statsmodels)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000
LEVEL = 0.95


def defined(values: Sequence[float | None]) -> np.ndarray:
    """The finite values, in order (None and NaN left out)."""
    return np.array([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)


def bootstrap_interval(values: Sequence[float | None], seed: int) -> tuple[float | None, float | None]:
    """The 95% percentile-bootstrap interval of the mean of the defined values ``RESAMPLES`` resamples
    from ``seed``; None without two distinct values (a constant sample has no spread to resample)."""
    from scipy.stats import bootstrap

    sample = defined(values)
    if sample.size < 2 or np.all(sample == sample[0]):
        return (None, None) if sample.size == 0 else (float(sample[0]), float(sample[0]))
    result = bootstrap((sample,), np.mean, confidence_level=LEVEL, n_resamples=RESAMPLES, method="percentile",
                       random_state=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


@dataclass(frozen=True)
class PairedTest:
    """Method ``a`` against ``b`` on one measure, over the examples where both are defined."""

    measure: str
    a: str
    b: str
    n: int
    mean_difference: float | None
    """Mean of a − b over those examples."""
    statistic: float | None
    p_value: float | None
    p_holm: float | None
    """Holm-adjusted over every pair of methods on this measure."""


def paired_tests(measure: str, per_method: Mapping[str, Sequence[float | None]]) -> list[PairedTest]:
    """Two-sided Wilcoxon signed-rank tests (zero differences dropped, scipy's default) for every pair of
    methods on the examples where both have a value, Holm-corrected together. Pairs with no non-zero
    difference have no test (p None) and are left out of the correction."""
    from scipy.stats import wilcoxon
    from statsmodels.stats.multitest import multipletests

    names = list(per_method)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pairs = [(x, y) for x, y in zip(per_method[a], per_method[b])
                     if x is not None and y is not None and np.isfinite(x) and np.isfinite(y)]
            difference = np.array([x - y for x, y in pairs], dtype=np.float64)
            mean = float(difference.mean()) if pairs else None
            if np.count_nonzero(difference) == 0:
                rows.append(PairedTest(measure, a, b, len(pairs), mean, None, None, None))
                continue
            test = wilcoxon(difference)
            rows.append(PairedTest(measure, a, b, len(pairs), mean, float(test.statistic), float(test.pvalue), None))
    tested = [k for k, row in enumerate(rows) if row.p_value is not None]
    if tested:
        adjusted = multipletests([rows[k].p_value for k in tested], method="holm")[1]
        for k, p in zip(tested, adjusted):
            row = rows[k]
            rows[k] = PairedTest(row.measure, row.a, row.b, row.n, row.mean_difference, row.statistic, row.p_value,
                                 float(p))
    return rows
