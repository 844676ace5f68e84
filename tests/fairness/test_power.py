"""Minimum detectable difference (Cohen 1988) against the power equation solved here with scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from xaudit.fairness import AuditSettings, GroupCounts, group_fairness
from xaudit.fairness.power import detectable_effect, minimum_detectable_difference


def _effect_by_hand(n1: int, n2: int, alpha: float, power: float = 0.8) -> float:
    """Cohen's h at which the two-sided z test of two proportions reaches ``power``:
    Φ(h·√(n1·n2/(n1+n2)) − z) + Φ(−h·√(n1·n2/(n1+n2)) − z) = power, z = Φ⁻¹(1 − α/2)."""
    scale, z = math.sqrt(n1 * n2 / (n1 + n2)), stats.norm.ppf(1 - alpha / 2)
    return optimize.brentq(lambda h: stats.norm.cdf(h * scale - z) + stats.norm.cdf(-h * scale - z) - power,
                           1e-9, 10, xtol=1e-12)


@pytest.mark.parametrize("n_group, n_reference, alpha", [(41, 959, 0.05), (120, 300, 0.05), (30, 30, 0.01),
                                                         (5000, 8000, 0.1)])
def test_detectable_effect_solves_the_power_equation(n_group, n_reference, alpha):
    # statsmodels' root finder stops within about 1e-5 (relative) of the exact root
    assert detectable_effect(n_group, n_reference, alpha) == pytest.approx(
        _effect_by_hand(n_group, n_reference, alpha), rel=1e-4)


def test_detectable_difference_turns_cohens_h_back_into_a_rate_gap():
    h = _effect_by_hand(41, 959, 0.05)
    below = math.sin(math.asin(math.sqrt(0.7)) - h / 2) ** 2
    assert minimum_detectable_difference(0.7, 41, 959, 0.05) == pytest.approx(0.7 - below, rel=1e-4)
    above = math.sin(math.asin(math.sqrt(0.1)) + h / 2) ** 2
    assert minimum_detectable_difference(0.1, 41, 959, 0.05, higher_is_better=False) == pytest.approx(
        above - 0.1, rel=1e-4)
    assert 0.15 < minimum_detectable_difference(0.7, 41, 959, 0.05) < 0.25  # "n = 41: a gap of about 0.2"
    assert math.isnan(minimum_detectable_difference(0.05, 5, 10, 0.05))  # not even a rate of 0 is detectable
    assert math.isnan(minimum_detectable_difference(0.5, 0, 10, 0.05))


def test_the_audit_reports_the_detectable_difference_per_group_and_rate():
    counts = GroupCounts(("big", "small"), np.array([[300, 400, 100, 200], [15, 10, 11, 5]]))
    result = group_fairness(counts, AuditSettings(confidence=0.9))
    parity = result.parity["statistical_parity"]
    reference_rate = result.group("big").rates["selection_rate"]
    assert parity.detectable_difference["small"] == pytest.approx(
        minimum_detectable_difference(reference_rate, 41, 1000, 0.1), rel=1e-12)
    assert math.isnan(parity.detectable_difference["big"])
    tpr = result.parity["performance_parity"]  # TPR trials are the positives: 16 against 300
    assert tpr.detectable_difference["small"] == pytest.approx(
        minimum_detectable_difference(result.group("big").rates["tpr"], 16, 300, 0.1), rel=1e-12)
    assert tpr.detectable_difference["small"] > parity.detectable_difference["small"]
