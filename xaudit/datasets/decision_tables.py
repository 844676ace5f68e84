"""Decision data for the report's group-fairness section, with predictions made by our code.

- UCI Adult and German credit (from the shared data folder): a logistic regression
  (scikit-learn, standardised numeric and one-hot categorical features, the protected
  attributes left out) trained on a seeded 70% split; the audit uses its predictions on
  the held-out 30%.
- Without the shared data: the built-in synthetic credit decisions (``synthetic_credit.py``),
  whose disparity is planted and known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .synthetic_credit import credit_decisions


@dataclass(frozen=True)
class DecisionTable:
    """Held-out decisions to audit: label and prediction columns (1 = favourable) and groupings."""

    name: str
    frame: pd.DataFrame
    label: str
    prediction: str
    groupings: tuple[tuple[str, ...], ...]
    description: str
    files: list[Path] = field(default_factory=list)


def _held_out_predictions(frame: pd.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str],
                          seed: int) -> tuple[pd.DataFrame, np.ndarray, float]:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    train, test = train_test_split(np.arange(len(frame)), test_size=0.3, random_state=seed, stratify=y)
    features = ColumnTransformer([("num", StandardScaler(), numeric),
                                  ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])
    model = make_pipeline(features, LogisticRegression(max_iter=2000))
    model.fit(frame.iloc[train], y[train])
    predicted = model.predict(frame.iloc[test])
    return frame.iloc[test].reset_index(drop=True), predicted, float((predicted == y[test]).mean())


def adult(data_dir: Path, seed: int = 0) -> DecisionTable:
    path = data_dir / "adult" / "adult.csv"
    if not path.exists():
        raise DataError(f"UCI Adult not found at {path}")
    frame = pd.read_csv(path, skipinitialspace=True)
    y = (frame["income-per-year"].astype(str).str.strip().str.rstrip(".") == ">50K").to_numpy().astype(int)
    numeric = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    categorical = [c for c in ("workclass", "marital-status", "occupation", "relationship") if c in frame]
    test, predicted, accuracy = _held_out_predictions(frame, y, numeric, categorical, seed)
    test = test.assign(income_over_50k=(test["income-per-year"].astype(str).str.strip().str.rstrip(".")
                                        == ">50K").astype(int), predicted=predicted)
    return DecisionTable(
        "UCI Adult", test, "income_over_50k", "predicted", (("sex",), ("race",), ("sex", "race")),
        f"Income above $50K predicted by a logistic regression trained by xaudit (seed {seed}) on 70% of UCI "
        f"Adult without sex or race as inputs (relationship and marital status, which carry information about sex, "
        f"are inputs); audited on the held-out {len(test):,} rows (accuracy {accuracy:.3f}).",
        [path],
    )


GERMAN_SEX = {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}


def german(data_dir: Path, seed: int = 0) -> DecisionTable:
    path = data_dir / "german" / "german.csv"
    if not path.exists():
        raise DataError(f"German credit not found at {path}")
    frame = pd.read_csv(path)
    frame["sex"] = frame["personal_status"].map(GERMAN_SEX)
    frame["age_group"] = np.where(frame["age"] < 25, "under 25", "25 and over")
    y = (frame["credit"] == 1).to_numpy().astype(int)  # 1 = good credit, the favourable outcome
    numeric = ["month", "credit_amount", "investment_as_income_percentage", "residence_since",
               "number_of_credits", "people_liable_for"]
    categorical = ["status", "credit_history", "purpose", "savings", "employment", "property", "housing"]
    test, predicted, accuracy = _held_out_predictions(frame, y, numeric, categorical, seed)
    test = test.assign(good_credit=(test["credit"] == 1).astype(int), predicted=predicted)
    return DecisionTable(
        "German credit", test, "good_credit", "predicted", (("sex",), ("age_group",), ("sex", "age_group")),
        f"Good credit risk predicted by a logistic regression trained by xaudit (seed {seed}) on 70% of the "
        f"Statlog German credit data without sex (from personal_status) or age; audited on the held-out "
        f"{len(test):,} rows (accuracy {accuracy:.3f}).",
        [path],
    )


def synthetic(seed: int = 0) -> DecisionTable:
    return DecisionTable(
        "Synthetic credit decisions", credit_decisions(seed=seed), "repaid", "approved",
        (("sex",), ("age_group",), ("sex", "age_group")),
        "Built-in synthetic data generated by xaudit with a planted disparity: women and under-25s are penalised "
        "in the approval score although they repay as often (see xaudit/datasets/synthetic_credit.py).",
    )


def tables(data_dir: Path | None, seed: int = 0) -> list[DecisionTable]:
    """Adult and German credit when the shared data is there, else the synthetic example."""
    if data_dir is not None and (data_dir / "adult" / "adult.csv").exists():
        found = [adult(data_dir, seed)]
        if (data_dir / "german" / "german.csv").exists():
            found.append(german(data_dir, seed))
        return found
    return [synthetic(seed)]
