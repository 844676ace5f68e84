"""Score intervals for a group's rate and for its gap to the reference group.

- A rate: the Wilson (1927) score interval (statsmodels ``proportion_confint``), which does
  not collapse to [0, 0] at a zero count.
- The difference p_g − p_ref: Newcombe's (1998) hybrid score interval (his method 10, built
  from the two Wilson intervals; statsmodels ``confint_proportions_2indep(method="newcomb")``).
- The ratio p_g / p_ref: MOVER-R (Donner & Zou 2012), built from the same two Wilson
  intervals, the ratio counterpart of Newcombe's interval. (statsmodels' ``score`` and
  ``log-adjusted`` ratio intervals fail at a rate of 0 or 1: [1, 1] for 5/5 against 10/10,
  complex bounds for 0/5 against 10/10.)

Both gap intervals are signed, so they cover 0 (resp. 1) when the data allow no gap, and
they agree closely with the pooled two-proportion test (tests/fairness/test_gap_intervals.py
measures how closely). They are per comparison: not adjusted for the number of groups.
"""

from __future__ import annotations

import math

import numpy as np
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

RATE_METHOD = "Wilson score (Wilson 1927)"
DIFFERENCE_METHOD = "Newcombe hybrid score (Newcombe 1998)"
RATIO_METHOD = "MOVER-R from Wilson intervals (Donner & Zou 2012)"

Bounds = tuple[np.ndarray, np.ndarray]


def wilson(successes: np.ndarray, trials: np.ndarray, confidence: float) -> Bounds:
    """Wilson score interval of each proportion; NaN where there are no trials."""
    successes, trials = np.broadcast_arrays(np.asarray(successes, float), np.asarray(trials, float))
    low, high = np.full(trials.shape, np.nan), np.full(trials.shape, np.nan)
    defined = trials > 0
    if defined.any():
        low[defined], high[defined] = proportion_confint(successes[defined], trials[defined],
                                                         alpha=1 - confidence, method="wilson")
    low[defined & (successes == 0)] = 0.0  # exact at the ends (statsmodels leaves rounding residue)
    high[defined & (successes == trials)] = 1.0
    return low, high


def gap_interval(s1: int, n1: int, s2: int, n2: int, compare: str, confidence: float) -> tuple[float, float]:
    """Interval of p1 − p2 (``compare="diff"``, Newcombe) or p1 / p2 (``"ratio"``, MOVER-R).

    NaN bounds where the gap is undefined: a group without trials, or a ratio to a zero rate.
    """
    if n1 <= 0 or n2 <= 0 or (compare == "ratio" and s2 == 0):
        return math.nan, math.nan
    if compare == "diff":
        low, high = confint_proportions_2indep(s1, n1, s2, n2, method="newcomb", compare="diff",
                                               alpha=1 - confidence)
        return float(low), float(high)
    (l1, l2), (u1, u2) = wilson(np.array([s1, s2]), np.array([n1, n2]), confidence)
    return _mover_ratio(s1 / n1, float(l1), float(u1), s2 / n2, float(l2), float(u2))


def _mover_ratio(p1: float, l1: float, u1: float, p2: float, l2: float, u2: float) -> tuple[float, float]:
    """MOVER-R (Donner & Zou 2012, eq. for θ = θ1/θ2) from intervals (l, u) of p1 and p2 > 0."""
    product = p1 * p2
    low = (product - math.sqrt(max(product ** 2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2), 0.0))) \
        / (u2 * (2 * p2 - u2))
    high = (product + math.sqrt(max(product ** 2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2), 0.0))) \
        / (l2 * (2 * p2 - l2)) if l2 > 0 else math.inf
    return max(low, 0.0) + 0.0, high  # + 0.0: no "-0.000"
