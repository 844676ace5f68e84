"""Equivalence of a group's rate to the reference's: two one-sided tests (TOST; Schuirmann 1987).

H0: |p_group − p_reference| ≥ δ against H1: the difference lies within (−δ, δ), by statsmodels'
``tost_proportions_2indep`` with Agresti–Caffo tests (2000: one success and one failure added to
each group, then Wald), which stay defined for small groups and zero counts (statsmodels' score
variant returns NaN for some small groups). A p-value under alpha lets a report state "no
disparity larger than ±δ" for that group and rate.
"""

from __future__ import annotations

import math
import warnings

from statsmodels.stats.proportion import tost_proportions_2indep

METHOD = "two one-sided tests (TOST, Schuirmann 1987) with Agresti–Caffo (2000) tests, statsmodels"


def equivalence_p(successes: int, trials: int, reference_successes: int, reference_trials: int,
                  margin: float) -> float:
    """TOST p-value that the group's rate is within ``margin`` of the reference's; NaN when undefined
    (an empty group)."""
    if trials <= 0 or reference_trials <= 0:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 in the ratios statsmodels also reports
        result = tost_proportions_2indep(successes, trials, reference_successes, reference_trials, -margin, margin,
                                         method="agresti-caffo", compare="diff")
    return float(result.pvalue)
