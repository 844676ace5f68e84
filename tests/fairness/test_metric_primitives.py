"""The rate and gap primitives on arrays with resamples (leading axes), against loops over hand-written cells."""

from __future__ import annotations

import math

import numpy as np

from xaudit.fairness.metrics import divide, impact_ratios, rates, spread, worst_group

# (resample, group, cell) with cells (tn, fp, fn, tp).
CELLS = np.array([[[5, 1, 2, 2], [0, 0, 3, 1], [4, 0, 0, 0]],
                  [[1, 1, 1, 1], [2, 2, 0, 0], [0, 3, 0, 3]]])


def test_every_rate_per_resample_and_group_by_hand():
    found = rates(CELLS)
    for b in range(2):
        for g in range(3):
            tn, fp, fn, tp = (int(v) for v in CELLS[b, g])
            expected = {"base_rate": (fn + tp, tn + fp + fn + tp), "selection_rate": (fp + tp, tn + fp + fn + tp),
                        "tpr": (tp, fn + tp), "fpr": (fp, tn + fp), "accuracy": (tn + tp, tn + fp + fn + tp),
                        "ppv": (tp, fp + tp)}
            for name, (num, den) in expected.items():
                value = found[name][b, g]
                assert (math.isnan(value) if den == 0 else value == num / den), (name, b, g)


def test_divide_is_nan_where_the_denominator_is_zero():
    assert np.array_equal(divide(np.array([1, 0, 3]), np.array([2, 0, 0])), [0.5, np.nan, np.nan], equal_nan=True)
    assert divide(np.array([1]), np.array([3])).dtype == np.float64


def test_spread_per_resample_over_defined_groups():
    values = np.array([[0.2, np.nan, 0.8], [np.nan, np.nan, np.nan], [0.0, 0.0, np.nan], [0.5, 0.25, 1.0]])
    difference, ratio = spread(values)
    for row, (d, r) in enumerate(zip(difference, ratio)):
        defined = [v for v in values[row] if not math.isnan(v)]
        if not defined:
            assert math.isnan(d) and math.isnan(r)
            continue
        assert d == max(defined) - min(defined)
        assert math.isnan(r) if max(defined) == 0 else r == min(defined) / max(defined)


def test_impact_ratios_against_the_reference_group():
    values = np.array([[0.5, 0.25, 0.0], [0.0, 0.5, 1.0]])
    ratios = impact_ratios(values, reference=0)
    assert np.array_equal(ratios, [[1.0, 0.5, 0.0], [np.nan, np.nan, np.nan]], equal_nan=True)


def test_worst_group_by_direction():
    values = np.array([0.3, np.nan, 0.1, 0.7])
    assert worst_group(values, higher_is_better=True) == 2
    assert worst_group(values, higher_is_better=False) == 3
    assert worst_group(np.array([np.nan, np.nan]), higher_is_better=True) is None
