"""Minimum detectable difference: what a group comparison could have found (DESIGN.md §4).

For a group of ``n_group`` trials against the reference's ``n_reference``, statsmodels'
``NormalIndPower`` solves the two-sided two-sample test at level ``alpha`` for the effect
size with power 0.8 (Cohen 1988, ch. 6: Cohen's h = 2·asin√p₁ − 2·asin√p₂). The effect is
turned back into a rate difference around the reference rate p_ref: the group rate p with
2·asin√p = 2·asin√p_ref ∓ h, on the side where the group is worse off (below the reference
where a higher rate is better, above where it is worse). The difference is |p − p_ref|;
NaN when even a rate of 0 (resp. 1) would not be detected, or a rate is undefined.
"""

from __future__ import annotations

import math

from statsmodels.stats.power import NormalIndPower

POWER = 0.8
METHOD = ("two-sided two-proportion test, power 0.8, Cohen's h via statsmodels NormalIndPower (Cohen 1988), "
          "turned into a rate difference from the reference rate")


def detectable_effect(n_group: int, n_reference: int, alpha: float, power: float = POWER) -> float:
    """Cohen's h detected with ``power`` by a two-sided test at ``alpha``; NaN without trials."""
    if n_group <= 0 or n_reference <= 0:
        return math.nan
    return float(NormalIndPower().solve_power(effect_size=None, nobs1=n_reference, ratio=n_group / n_reference,
                                              alpha=alpha, power=power, alternative="two-sided"))


def minimum_detectable_difference(reference_rate: float, n_group: int, n_reference: int, alpha: float,
                                  higher_is_better: bool = True, power: float = POWER) -> float:
    """The smallest gap to ``reference_rate`` (on the worse side) detected with ``power``."""
    h = detectable_effect(n_group, n_reference, alpha, power)
    if math.isnan(h) or math.isnan(reference_rate):
        return math.nan
    angle = math.asin(math.sqrt(reference_rate)) + (-h if higher_is_better else h) / 2
    if not 0.0 <= angle <= math.pi / 2:
        return math.nan
    return abs(math.sin(angle) ** 2 - reference_rate)
