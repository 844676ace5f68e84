"""Minimum detectable difference: what a group comparison could have found (DESIGN.md §4).

For a group of ``n_group`` trials against the reference's ``n_reference``, statsmodels'
``NormalIndPower`` solves the two-sided two-sample test at level ``alpha`` for the effect
size with power 0.8 (Cohen 1988, ch. 6: Cohen's h = 2·asin√p₁ − 2·asin√p₂). The effect is
turned back into a rate difference around the reference rate p_ref: the group rate p with
2·asin√p = 2·asin√p_ref ∓ h, on the side where the group is worse off (below the reference
where a higher rate is better, above where it is worse). The difference is |p − p_ref|;
NaN when even a rate of 0 (resp. 1) would not be detected, or a rate is undefined.

``rows_needed`` answers the converse (how many rows a group needs to detect a given gap, e.g.
0.10), so that "too small to judge" can say what the data could and could not show.
"""

from __future__ import annotations

import math

from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

POWER = 0.8
UNLIMITED = 1e9
"""A group this many times the reference's size stands for an unlimited one."""
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


def rows_needed(reference_rate: float, n_reference: int, gap: float, alpha: float, higher_is_better: bool = True,
                power: float = POWER) -> float:
    """Trials a group needs for a test at ``alpha`` to detect, with ``power``, a rate ``gap`` worse than
    ``reference_rate`` against a reference of ``n_reference`` trials (statsmodels solves for the group's
    size as a ratio to the reference's). NaN when that rate is outside [0, 1], the reference rate is
    undefined, or no group size would do against so small a reference."""
    target = reference_rate - gap if higher_is_better else reference_rate + gap
    if n_reference <= 0 or math.isnan(reference_rate) or not 0.0 <= target <= 1.0:
        return math.nan
    h = abs(float(proportion_effectsize(target, reference_rate)))
    analysis = NormalIndPower()
    if analysis.power(h, nobs1=n_reference, alpha=alpha, ratio=UNLIMITED, alternative="two-sided") < power:
        return math.nan
    ratio = analysis.solve_power(effect_size=h, nobs1=n_reference, alpha=alpha, power=power, ratio=None,
                                 alternative="two-sided")
    return float(math.ceil(float(ratio) * n_reference - 1e-9))


def power_statement(n: int, detectable: float, needed: float, gap: float, what: str = "gap") -> str:
    """``n = 41: could detect a gap of 0.19 or more; 180 rows needed for 0.10``."""
    found = (f"could detect a {what} of {detectable:.2f} or more" if not math.isnan(detectable)
             else f"could not detect any {what} with power {POWER:g}")
    more = f"{needed:,.0f} rows needed for {gap:.2f}" + (" (it has them)" if needed <= n else "") \
        if not math.isnan(needed) else f"no group size detects {gap:.2f} against this reference"
    return f"n = {n:,}: {found}; {more}"
