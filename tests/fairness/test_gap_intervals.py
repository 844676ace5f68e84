"""Score intervals (Wilson 1927; Newcombe 1998; MOVER-R, Donner & Zou 2012) and their agreement with the tests.

Oracles: the textbook formulas written out here; simulated data with and without a true gap.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from xaudit.errors import DataError
from xaudit.fairness import AuditSettings, FairnessResult, GroupCounts, group_fairness
from xaudit.fairness.intervals import gap_interval, wilson
from xaudit.fairness.significance import two_proportion_p

Z95 = stats.norm.ppf(0.975)


def _wilson_by_hand(s: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    p = s / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def _newcombe_by_hand(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float]:
    """Newcombe (1998) method 10: d ∓ √((p1 − l1)² + (u2 − p2)²) / √((u1 − p1)² + (p2 − l2)²)."""
    (l1, u1), (l2, u2) = _wilson_by_hand(s1, n1), _wilson_by_hand(s2, n2)
    p1, p2 = s1 / n1, s2 / n2
    return p1 - p2 - math.hypot(p1 - l1, u2 - p2), p1 - p2 + math.hypot(u1 - p1, p2 - l2)


@pytest.mark.parametrize("s, n", [(0, 20), (3, 41), (41, 41), (250, 400)])
def test_wilson_equals_the_formula_and_a_zero_count_is_not_a_point(s, n):
    low, high = wilson(np.array([s]), np.array([n]), 0.95)
    assert (low[0], high[0]) == pytest.approx(_wilson_by_hand(s, n), abs=1e-12)
    assert high[0] - low[0] > 0.05
    empty = wilson(np.array([0]), np.array([0]), 0.95)
    assert np.isnan(empty[0][0]) and np.isnan(empty[1][0])


@pytest.mark.parametrize("s1, n1, s2, n2", [(10, 41, 30, 60), (0, 25, 12, 80), (90, 100, 88, 100), (5, 5, 1, 9)])
def test_newcombe_equals_the_formula(s1, n1, s2, n2):
    assert gap_interval(s1, n1, s2, n2, "diff", 0.95) == pytest.approx(_newcombe_by_hand(s1, n1, s2, n2), abs=1e-9)


def _mover_ratio_by_hand(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float]:
    """Donner & Zou (2012): (p1p2 ∓ √((p1p2)² − l1u2(2p1 − l1)(2p2 − u2))) / (u2(2p2 − u2)), and the upper
    bound with (u1, l2) in place of (l1, u2)."""
    (l1, u1), (l2, u2) = _wilson_by_hand(s1, n1), _wilson_by_hand(s2, n2)
    p1, p2 = s1 / n1, s2 / n2
    low = (p1 * p2 - math.sqrt((p1 * p2) ** 2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2))) / (u2 * (2 * p2 - u2))
    high = (p1 * p2 + math.sqrt((p1 * p2) ** 2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2))) / (l2 * (2 * p2 - l2))
    return low, high


def test_ratio_interval_equals_the_formula_and_handles_zero_counts_and_full_rates():
    low, high = gap_interval(30, 100, 40, 100, "ratio", 0.95)
    assert (low, high) == pytest.approx(_mover_ratio_by_hand(30, 100, 40, 100), abs=1e-9)
    assert low < 0.75 < high < 1.0 + 0.1
    low, high = gap_interval(5, 5, 10, 10, "ratio", 0.95)  # statsmodels' score and log-adjusted give [1, 1]
    assert low < 0.7 and 1.3 < high
    low, high = gap_interval(0, 30, 20, 60, "ratio", 0.95)
    assert low == 0.0 and 0 < high < 1
    assert all(math.isnan(b) for b in gap_interval(3, 30, 0, 60, "ratio", 0.95))
    assert all(math.isnan(b) for b in gap_interval(3, 0, 5, 60, "diff", 0.95))


def test_audit_gives_signed_gaps_that_cover_no_gap_when_the_test_finds_none():
    # selection rates 0.787 and 0.740: p = 0.13
    counts = GroupCounts(("old", "young"), np.array([[150, 550, 10, 40], [60, 180, 5, 5]]))
    result = group_fairness(counts, AuditSettings())
    parity, young = result.parity["statistical_parity"], result.group("young")
    assert result.reference_group == "old" and young.tests["selection_rate"].p_value > 0.1
    low, high = parity.difference_to_reference_interval["young"]
    assert low < 0 < high and low < parity.difference_to_reference["young"] < high
    low, high = parity.impact_ratio_interval["young"]
    assert low < 1 < high
    assert parity.difference_to_reference_interval["old"] is None and parity.difference_to_reference["old"] == 0
    back = FairnessResult.from_json(result.to_json())
    assert back.parity["statistical_parity"].impact_ratio_interval["young"] == (low, high)
    assert json.loads(back.to_json()) == json.loads(result.to_json())
    old = json.loads(result.to_json())
    for parity in old["parity"].values():  # the shape before the gap intervals
        del parity["difference_to_reference"]
    with pytest.raises(DataError, match="predates the gap intervals"):
        FairnessResult.from_dict(old)


def test_a_zero_count_group_gets_a_wilson_interval_not_zero_zero():
    counts = GroupCounts(("a", "b"), np.array([[200, 200, 100, 100], [20, 0, 5, 0]]))  # b: nobody selected
    row = group_fairness(counts, AuditSettings()).group("b")
    low, high = row.intervals["selection_rate"]
    assert row.rates["selection_rate"] == 0 and low == 0 and high > 0.1


def _simulate(p_ref: float, p_group: float, n_ref: int, n_group: int, replicates: int, seed: int):
    rng = np.random.default_rng(seed)
    return rng.binomial(n_ref, p_ref, replicates), rng.binomial(n_group, p_group, replicates)


# (reference rate, group rate, reference n, group n): no gap, a gap, small and unbalanced groups
SCENARIOS = [(0.75, 0.75, 300, 120), (0.75, 0.62, 300, 120), (0.5, 0.5, 150, 40), (0.4, 0.25, 200, 60),
             (0.9, 0.9, 500, 60), (0.95, 0.95, 400, 30)]


@pytest.mark.parametrize("p_ref, p_group, n_ref, n_group", SCENARIOS)
def test_gap_intervals_agree_with_the_test_and_cover_at_the_nominal_rate(p_ref, p_group, n_ref, n_group):
    """600 replicates per scenario (seeded). Measured: coverage 0.935–0.955 (difference) and
    0.930–0.955 (ratio); the interval excludes "no gap" exactly when the test (pooled z, Fisher
    for small tables) rejects at 5% in 99.2–100% of replicates (disagreements sit at p ≈ 0.05)."""
    replicates = 600
    s_ref, s_group = _simulate(p_ref, p_group, n_ref, n_group, replicates, seed=17)
    covered, agree = np.zeros(2), np.zeros(2)
    for a, b in zip(s_group.tolist(), s_ref.tolist()):
        rejected = two_proportion_p(a, n_group, b, n_ref)[1] < 0.05
        for k, (compare, truth, none) in enumerate((("diff", p_group - p_ref, 0.0), ("ratio", p_group / p_ref, 1.0))):
            low, high = gap_interval(a, n_group, b, n_ref, compare, 0.95)
            covered[k] += low <= truth <= high
            agree[k] += (low > none or high < none) == rejected
    assert np.all(np.abs(covered / replicates - 0.95) <= 0.03), covered / replicates
    assert np.all(agree / replicates >= 0.98), agree / replicates
