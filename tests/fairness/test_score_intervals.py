"""Intervals of per-group score metrics: the weighted metrics equal scikit-learn's on repeated rows, the
AUC interval covers the true AUC of a binormal model at about the nominal rate, and the audit carries them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit
from scipy.stats import norm
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from xaudit.fairness import AuditSettings, Grouping, PredictionColumns, group_fairness, load_predictions
from xaudit.fairness.result import FairnessResult
from xaudit.fairness.intervals import gap_interval
from xaudit.fairness.score_intervals import score_intervals, weighted_metrics
from xaudit.fairness.scores import group_scores, threshold_sweep


@pytest.mark.parametrize("seed", range(6))
def test_weighted_metrics_equal_sklearn_on_the_repeated_rows(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 120)
    scores = np.round(np.clip(rng.normal(0.4 + 0.2 * labels, 0.2), 0, 1), 2)  # rounded: ties
    weights = rng.integers(0, 4, (3, len(labels)))
    for row, metrics in zip(weights, weighted_metrics(labels, scores, weights.astype(float), 10)):
        y, s = np.repeat(labels, row), np.repeat(scores, row)
        expected = [roc_auc_score(y, s), average_precision_score(y, s), brier_score_loss(y, s),
                    group_scores("x", y, s).ece]
        assert metrics == pytest.approx(expected, abs=1e-12)


def test_auc_interval_covers_the_true_auc_at_about_the_nominal_rate():
    """Binormal scores (y=1 ~ N(1.2, 1), y=0 ~ N(0, 1), squashed monotonically into [0, 1]): the true AUC is
    Φ(1.2 / √2). 300 data sets of 80 + 120 rows, 400 resamples each; 95% intervals."""
    rng, truth, covered, trials = np.random.default_rng(7), norm.cdf(1.2 / math.sqrt(2)), 0, 300
    for _ in range(trials):
        labels = np.r_[np.ones(80, int), np.zeros(120, int)]
        scores = expit(rng.normal(1.2 * labels, 1.0))
        low, high = score_intervals(labels, scores, 10, 0.95, 400, rng)["auc"]
        covered += low <= truth <= high
    assert 0.90 <= covered / trials <= 0.99  # binomial sd at 0.95 over 300 trials: 0.013


def test_one_class_leaves_ranking_undefined_and_calibration_resampled():
    intervals = score_intervals(np.ones(30, int), np.linspace(0.2, 0.9, 30), 10, 0.95, 50, np.random.default_rng(0))
    assert math.isnan(intervals["auc"][0]) and not math.isnan(intervals["average_precision"][1])
    assert intervals["brier"][0] <= intervals["brier"][1]


def test_the_audit_gives_each_group_its_score_intervals(predictions, tmp_path):
    path = tmp_path / "p.csv"
    predictions.to_csv(path, index=False)
    loaded = load_predictions(path, PredictionColumns(label="y", score="score", threshold=0.5), Grouping(("g",)))
    result = group_fairness(loaded.counts, AuditSettings(n_boot=200), scores=loaded.scores)
    for row in (*result.scores.groups, result.scores.overall):
        for name in ("auc", "average_precision", "brier"):
            low, high = row.intervals[name]
            assert low <= getattr(row, name) <= high, (row.group, name)
        assert row.intervals["ece"][1] >= row.ece
    assert FairnessResult.from_dict(result.to_dict()).scores == result.scores
    again = group_fairness(loaded.counts, AuditSettings(n_boot=200), scores=loaded.scores)
    assert again.scores == result.scores  # seeded
    assert group_fairness(loaded.counts, AuditSettings(n_boot=0), scores=loaded.scores).scores.overall.intervals \
        is None


def test_sweep_gives_the_impact_ratio_interval_at_each_cutoff_and_where_passing_is_shown(predictions):
    groups, judged = ["a", "b", "c", "d"], ["a", "b", "c"]
    codes = predictions.g.map({g: i for i, g in enumerate(groups)}).to_numpy()
    cutoffs = np.round(np.linspace(0, 1, 21), 2)
    sweep = threshold_sweep(predictions.y.to_numpy(), predictions.score.to_numpy(), codes, groups, judged, 0.8,
                            cutoffs, 0.9)
    shown = []
    for i, t in enumerate(cutoffs):
        tally = predictions[predictions.g.isin(judged)].assign(chosen=predictions.score >= t) \
            .groupby("g").chosen.agg(["sum", "count"])
        rate = tally["sum"] / tally["count"]
        low, high = rate.idxmin(), rate.idxmax()
        expected = gap_interval(int(tally.loc[low, "sum"]), int(tally.loc[low, "count"]),
                                int(tally.loc[high, "sum"]), int(tally.loc[high, "count"]), "ratio", 0.9)
        assert sweep.impact_ratio_interval[i] == pytest.approx(expected, nan_ok=True)
        assert np.isnan(expected[0]) or expected[0] <= sweep.impact_ratio[i] <= expected[1]
        shown.append(not np.isnan(expected[0]) and expected[0] >= 0.8)
    covered = [t for t in cutoffs if any(a <= t <= b for a, b in sweep.shown_passing)]
    assert covered == [t for t, ok in zip(cutoffs, shown) if ok] and covered
    passing = [t for t in cutoffs if any(a <= t <= b for a, b in sweep.passing)]
    assert set(covered) < set(passing)  # shown to pass is stricter than passing on the point estimate
    assert "shown to pass, the impact ratio's interval wholly ≥ 0.8" in sweep.describe_passing()
