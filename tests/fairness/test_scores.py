"""Score metrics per group (AUC, average precision, Brier, ECE, reliability, threshold sweep) against
scikit-learn per group and slow oracles written out here, from a score column and from --model."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from typer.testing import CliRunner

from tests.tabular_synthetic import favourable_scores_by_hand, synthetic_frame
from xaudit.cli import app
from xaudit.fairness import AuditSettings, Grouping, PredictionColumns, group_fairness, load_predictions
from xaudit.fairness.scores import group_scores, threshold_sweep


def _auc_by_pairs(labels, scores) -> float:
    """P(score of a positive > score of a negative) + ½ P(tie), over every pair."""
    positive, negative = scores[labels == 1], scores[labels == 0]
    wins = sum((p > n) + 0.5 * (p == n) for p, n in itertools.product(positive, negative))
    return wins / (len(positive) * len(negative))


def _ap_by_definition(labels, scores) -> float:
    """Σ (R_k − R_{k−1}) P_k over the distinct score thresholds, highest first."""
    total, previous_recall, ap = labels.sum(), 0.0, 0.0
    for threshold in sorted(set(scores), reverse=True):
        chosen = scores >= threshold
        recall, precision = labels[chosen].sum() / total, labels[chosen].mean()
        ap += (recall - previous_recall) * precision
        previous_recall = recall
    return ap


def _ece_by_loop(labels, scores, bins=10) -> float:
    """Σ_b n_b / n · |observed − mean score| over bins (k/10, (k+1)/10], the first closed at 0."""
    total = 0.0
    for k in range(bins):
        low, high = k / bins, (k + 1) / bins
        inside = [(y, s) for y, s in zip(labels, scores) if (low < s <= high) or (k == 0 and s == 0)]
        if inside:
            ys, ss = zip(*inside)
            total += len(inside) * abs(np.mean(ys) - np.mean(ss))
    return total / len(labels)


@pytest.fixture
def scored(predictions) -> pd.DataFrame:
    return predictions  # scores that depend on the label (AUC about 0.75) and on the group


def test_group_scores_equal_sklearn_and_the_slow_oracles(scored):
    for _, part in scored.groupby("g"):
        y, s = part.y.to_numpy(), part.score.to_numpy()
        row = group_scores("x", y, s)
        assert row.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        assert row.auc == pytest.approx(_auc_by_pairs(y, s), abs=1e-12)
        assert row.average_precision == pytest.approx(average_precision_score(y, s), abs=1e-12)
        assert row.average_precision == pytest.approx(_ap_by_definition(y, s), abs=1e-12)
        assert row.brier == pytest.approx(brier_score_loss(y, s), abs=1e-12)
        assert row.brier == pytest.approx(np.mean([(si - yi) ** 2 for yi, si in zip(y, s)]), abs=1e-12)
        assert row.ece == pytest.approx(_ece_by_loop(y, s), abs=1e-12)
        observed, predicted = calibration_curve(y, s, n_bins=10, strategy="uniform")
        assert [b["observed"] for b in row.reliability] == pytest.approx(observed, abs=1e-12)
        assert [b["mean_score"] for b in row.reliability] == pytest.approx(predicted, abs=1e-12)
        assert sum(b["n"] for b in row.reliability) == len(y)
    assert math.isnan(group_scores("x", np.array([1, 1]), np.array([0.3, 0.9])).auc)  # one class: undefined


def test_threshold_sweep_equals_a_loop_over_cutoffs(scored):
    groups = ["a", "b", "c", "d"]
    codes = scored.g.map({g: i for i, g in enumerate(groups)}).to_numpy()
    cutoffs = np.round(np.linspace(0, 1, 21), 2)
    sweep = threshold_sweep(scored.y.to_numpy(), scored.score.to_numpy(), codes, groups, ["a", "b", "c"], 0.8,
                            cutoffs)
    passing = []
    for i, t in enumerate(cutoffs):
        rates = {g: (part.score >= t).mean() for g, part in scored.groupby("g")}
        tprs = {g: (part.score[part.y == 1] >= t).mean() for g, part in scored.groupby("g")}
        fprs = {g: (part.score[part.y == 0] >= t).mean() for g, part in scored.groupby("g")}
        for g in groups:
            assert sweep.selection_rate[g][i] == pytest.approx(rates[g], abs=1e-12)
            assert sweep.tpr[g][i] == pytest.approx(tprs[g], abs=1e-12)
        judged = [rates[g] for g in ("a", "b", "c")]
        impact = min(judged) / max(judged) if max(judged) > 0 else math.nan
        assert sweep.impact_ratio[i] == pytest.approx(impact, abs=1e-12, nan_ok=True)
        assert sweep.tpr_gap[i] == pytest.approx(max(tprs[g] for g in "abc") - min(tprs[g] for g in "abc"),
                                                 abs=1e-12)
        assert sweep.fpr_gap[i] == pytest.approx(max(fprs[g] for g in "abc") - min(fprs[g] for g in "abc"),
                                                 abs=1e-12)
        passing.append(not math.isnan(impact) and impact >= 0.8)
    covered = [t for t in cutoffs if any(low <= t <= high for low, high in sweep.passing)]
    assert covered == [t for t, ok in zip(cutoffs, passing) if ok]
    assert 0 < len(covered) < len(cutoffs)  # some cut-offs pass and some do not: the range says something


def test_score_column_through_the_cli_equals_sklearn_per_group(scored, tmp_path):
    path = tmp_path / "rows.csv"
    scored.to_csv(path, index=False)
    result = CliRunner().invoke(app, ["fairness", "--data", str(path), "--label-col", "y", "--score-col", "score",
                                      "--group-cols", "g", "-f", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["scores"]
    for row in scores["groups"]:
        part = scored[scored.g == row["group"]]
        assert row["auc"] == pytest.approx(roc_auc_score(part.y, part.score), abs=1e-12)
        assert row["average_precision"] == pytest.approx(average_precision_score(part.y, part.score), abs=1e-12)
        assert row["brier"] == pytest.approx(brier_score_loss(part.y, part.score), abs=1e-12)
    assert scores["overall"]["auc"] == pytest.approx(roc_auc_score(scored.y, scored.score), abs=1e-12)
    assert scores["overall"]["auc"] > 0.65  # the scores carry the label's signal
    assert scores["threshold_sweep"]["judged"] == ["a", "b", "c"]  # d is too small to judge


def test_chunked_reading_and_log_odds_give_the_same_metrics(scored):
    table = scored.assign(z=logit(scored.score.clip(1e-6, 1 - 1e-6)))
    whole = _audited(table, "score", 10_000)
    chunked = _audited(table, "score", 37)
    assert chunked.scores == whole.scores
    as_logit = _audited(table, "z", 50, kind="logit")
    for a, b in zip(as_logit.scores.groups, whole.scores.groups):
        assert a.auc == pytest.approx(b.auc, abs=1e-12)  # ranks survive the logistic function


def _audited(table, column, chunk_rows, kind="probability"):
    loaded = load_predictions(table, PredictionColumns("y", score=column, score_kind=kind), Grouping(columns=("g",)),
                              chunk_rows=chunk_rows)
    return group_fairness(loaded.counts, AuditSettings(), scores=loaded.scores)


def test_model_scores_equal_sklearn_per_group(tiny_tabular_dir, tmp_path):
    frame = synthetic_frame(500, seed=4)
    score = favourable_scores_by_hand(str(tiny_tabular_dir), frame)
    noise = np.random.default_rng(4).normal(0, 0.5 * score.std(), len(score))
    frame["repaid"] = np.where(score + noise > np.median(score), "yes", "no")  # labels that follow the model
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(app, ["fairness", "--model", str(tiny_tabular_dir), "--data", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["scores"]
    groups = frame.sex.map({"male": "M", "female": "F"})
    y = (frame.repaid == "yes").to_numpy().astype(int)
    for row in scores["groups"]:
        chosen = (groups == row["group"]).to_numpy()
        assert row["auc"] == pytest.approx(roc_auc_score(y[chosen], score[chosen]), abs=1e-6)
        assert row["average_precision"] == pytest.approx(average_precision_score(y[chosen], score[chosen]), abs=1e-6)
        assert row["brier"] == pytest.approx(brier_score_loss(y[chosen], score[chosen]), abs=1e-6)
        assert row["auc"] > 0.7
