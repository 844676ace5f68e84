"""How strongly a feature is associated with a protected attribute: the measure that finds proxies.

Two categorical columns: Cramér's V (Cramér 1946), ``sqrt(chi2 / (n · (min(r, c) − 1)))`` with
the chi-square statistic of the r×c table without continuity correction. A numeric and a
categorical column: the correlation ratio η (Pearson 1903), ``sqrt(SS_between / SS_total)`` of
the numbers grouped by the categories. Two numeric columns: |Pearson's r|. All lie in [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MEASURES = {"cramers_v": "Cramér's V", "correlation_ratio": "correlation ratio η", "abs_pearson": "|Pearson r|"}
DEFAULT_PROXY_THRESHOLD = 0.3


def cramers_v(x: pd.Series, y: pd.Series) -> float:
    """Cramér's V of two categorical columns (0 when either has a single category)."""
    from scipy.stats.contingency import crosstab

    table = crosstab(np.asarray(x, dtype=str), np.asarray(y, dtype=str)).count.astype(float)
    k = min(table.shape) - 1
    if k == 0:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return float(np.sqrt(chi2 / (table.sum() * k)))


def correlation_ratio(categories: pd.Series, values: pd.Series) -> float:
    """η of numeric ``values`` grouped by ``categories`` (0 when the values are constant)."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    labels = np.asarray(categories, dtype=str)
    total = ((numbers - numbers.mean()) ** 2).sum()
    if total == 0:
        return 0.0
    between = sum(len(part) * (part.mean() - numbers.mean()) ** 2
                  for part in (numbers[labels == c] for c in np.unique(labels)))
    return float(np.sqrt(between / total))


def association(feature: pd.Series, feature_numeric: bool, protected: pd.Series, protected_numeric: bool,
                ) -> tuple[str, float]:
    """The measure (a key of ``MEASURES``) that fits the two columns' kinds, and its value."""
    if feature_numeric and protected_numeric:
        a, b = (pd.to_numeric(s, errors="coerce").astype(float) for s in (feature, protected))
        r = np.corrcoef(a, b)[0, 1] if a.std() > 0 and b.std() > 0 else 0.0
        return "abs_pearson", float(abs(r))
    if feature_numeric or protected_numeric:
        numbers, categories = (feature, protected) if feature_numeric else (protected, feature)
        return "correlation_ratio", correlation_ratio(categories, numbers)
    return "cramers_v", cramers_v(feature, protected)
