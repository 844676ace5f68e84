"""Fixtures for the group fairness tests: random predictions and fairlearn as the oracle."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from sklearn.metrics import accuracy_score


def fairlearn_frame(y_true, y_pred, sensitive_features) -> MetricFrame:
    """fairlearn's MetricFrame for the four rates it shares with xaudit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns on groups without positives
        return MetricFrame(
            metrics={"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate,
                     "accuracy": accuracy_score},
            y_true=np.asarray(y_true), y_pred=np.asarray(y_pred), sensitive_features=sensitive_features)


@pytest.fixture(scope="session")
def fairlearn():
    return fairlearn_frame


@pytest.fixture
def predictions() -> pd.DataFrame:
    """600 rows, groups of different sizes and rates, one tiny group, no missing values."""
    rng = np.random.default_rng(7)
    n = 600
    group = rng.choice(["a", "b", "c", "d"], size=n, p=[0.5, 0.3, 0.17, 0.03])
    race = rng.choice(["x", "y"], size=n)
    label = rng.integers(0, 2, size=n)
    score = np.clip(rng.normal(0.45 + 0.2 * label + np.where(group == "a", 0.1, 0.0), 0.2), 0, 1).round(4)
    return pd.DataFrame({"id": np.arange(n), "g": group, "race": race, "y": label, "score": score,
                         "yhat": (score >= 0.5).astype(int)})
