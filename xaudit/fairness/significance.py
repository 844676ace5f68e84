"""Is a group's rate different from the reference group's? One test per group, Holm-corrected.

The 2×2 table (successes and failures of the group and of the reference) is tested with
Fisher's exact test when it is small, that is when any expected cell count is below 5
(Cochran's rule); otherwise with the pooled two-proportion z test (two-sided). The p-values
of all groups against the reference are adjusted with Holm's step-down method (Holm 1979),
which controls the family-wise error rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

SMALL_EXPECTED = 5.0
"""Fisher's exact test below this smallest expected cell count, else the z test."""


@dataclass(frozen=True)
class ProportionTest:
    """A group against the reference group on one rate."""

    test: str
    p_value: float
    p_holm: float
    significant: bool


def two_proportion_p(s1: int, n1: int, s2: int, n2: int) -> tuple[str, float]:
    """(test name, two-sided p-value) for s1/n1 against s2/n2; both n must be positive."""
    total, successes = n1 + n2, s1 + s2
    smallest_expected = min(n1, n2) * min(successes, total - successes) / total
    if smallest_expected < SMALL_EXPECTED:
        return "fisher", float(stats.fisher_exact([[s1, n1 - s1], [s2, n2 - s2]]).pvalue)
    pooled = successes / total
    z = (s1 / n1 - s2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return "z", float(2 * stats.norm.sf(abs(z)))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values; NaN entries (no test) stay NaN and do not count."""
    p_values = np.asarray(p_values, dtype=float)
    adjusted = np.full(p_values.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p_values))
    if tested.size:
        order = tested[np.argsort(p_values[tested], kind="stable")]
        factors = len(order) - np.arange(len(order))
        adjusted[order] = np.minimum(np.maximum.accumulate(factors * p_values[order]), 1.0)
    return adjusted


def compare_to_reference(
    successes: np.ndarray, trials: np.ndarray, reference: int, alpha: float
) -> list[ProportionTest | None]:
    """A test of every group against ``reference``; None for the reference itself and where a
    rate is undefined (no trials)."""
    results: list[tuple[str, float] | None] = [
        two_proportion_p(int(successes[g]), int(trials[g]), int(successes[reference]), int(trials[reference]))
        if g != reference and trials[g] > 0 and trials[reference] > 0 else None
        for g in range(len(trials))
    ]
    adjusted = holm(np.array([np.nan if r is None else r[1] for r in results]))
    return [None if r is None else ProportionTest(r[0], r[1], float(adjusted[g]), bool(adjusted[g] < alpha))
            for g, r in enumerate(results)]
