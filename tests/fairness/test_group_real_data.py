"""UCI Adult and German credit (../shared/data): our numbers equal fairlearn's to 1e-12."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from typer.testing import CliRunner

from xaudit.cli import app
from xaudit.fairness import AuditSettings, Grouping, PredictionColumns, group_fairness, load_predictions

pytestmark = pytest.mark.data
SHARED = ("selection_rate", "tpr", "fpr", "accuracy")
PARITY_OF = {"statistical_parity": "selection_rate", "performance_parity": "tpr", "predictive_equality": "fpr",
             "accuracy_equality": "accuracy"}
ADULT_FEATURES = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]


@pytest.fixture(scope="module")
def adult(data_dir, tmp_path_factory) -> tuple[pd.DataFrame, object]:
    """Adult with the predictions of a logistic regression trained here, written to a CSV file."""
    frame = pd.read_csv(data_dir / "adult" / "adult.csv")
    y = (frame["income-per-year"] == ">50K").astype(int)
    features = StandardScaler().fit_transform(frame[ADULT_FEATURES])
    model = LogisticRegression(max_iter=1000).fit(features, y)
    frame["prediction"] = np.where(model.predict(features) == 1, ">50K", "<=50K")
    path = tmp_path_factory.mktemp("adult") / "adult_predictions.csv"
    frame.to_csv(path, index=False)
    return frame, path


def _binary(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (frame["income-per-year"] == ">50K").to_numpy().astype(int), \
        (frame["prediction"] == ">50K").to_numpy().astype(int)


def _assert_equal_to_fairlearn(result, frame, key=lambda row: row.group):
    by_group = frame.by_group
    for row in result.groups:
        for rate in SHARED:
            assert row.rates[rate] == pytest.approx(by_group.loc[key(row), rate], abs=1e-12), (row.group, rate)
    for parity, rate in PARITY_OF.items():
        assert result.parity[parity].difference == pytest.approx(frame.difference()[rate], abs=1e-12)
        assert result.parity[parity].ratio == pytest.approx(frame.ratio()[rate], abs=1e-12)
    for rate in SHARED:
        assert result.overall.rates[rate] == pytest.approx(frame.overall[rate], abs=1e-12)


@pytest.mark.parametrize("columns", [("sex",), ("race",), ("sex", "race")])
def test_adult_equals_fairlearn(adult, fairlearn, columns):
    frame, path = adult
    loaded = load_predictions(path, PredictionColumns("income-per-year", "prediction", positive=">50K"),
                              Grouping(columns=columns), chunk_rows=5000)
    assert loaded.report.rows_read == len(frame) and loaded.report.dropped == 0
    result = group_fairness(loaded.counts, AuditSettings(n_boot=0))
    y, y_hat = _binary(frame)
    reference = fairlearn(y, y_hat, frame[list(columns)])
    key = (lambda row: row.group) if len(columns) == 1 else (lambda row: tuple(row.group.split("/")))
    _assert_equal_to_fairlearn(result, reference, key)
    assert len(result.groups) == len(reference.by_group)


def test_adult_cli_json_equals_fairlearn(adult, fairlearn):
    frame, path = adult
    result = CliRunner().invoke(app, [
        "fairness", "--data", str(path), "--label-col", "income-per-year", "--pred-col", "prediction",
        "--positive", ">50K", "--group-cols", "sex", "--format", "json", "--n-boot", "200"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    y, y_hat = _binary(frame)
    reference = fairlearn(y, y_hat, frame["sex"])
    for group in payload["groups"]:
        for rate in SHARED:
            assert group[rate] == pytest.approx(reference.by_group.loc[group["group"], rate], abs=1e-12)
        low, high = group["intervals"]["selection_rate"]
        assert low < group["selection_rate"] < high
    assert payload["parity"]["statistical_parity"]["ratio"] == pytest.approx(
        reference.ratio()["selection_rate"], abs=1e-12)
    assert payload["parity"]["statistical_parity"]["worst_group"] == "Female"


def test_german_credit_sex_from_personal_status(data_dir, fairlearn, tmp_path):
    frame = pd.read_csv(data_dir / "german" / "german.csv")
    # a fixed rule for the decision: 1 (good) for modest amounts over at most two years, else 2 (bad)
    frame["decision"] = np.where((frame.credit_amount < 5000) & (frame.month <= 24), 1, 2)
    path = tmp_path / "german_decisions.parquet"
    frame.to_parquet(path)
    result = CliRunner().invoke(app, [
        "fairness", "--data", str(path), "--label-col", "credit", "--pred-col", "decision", "--positive", "1",
        "--define", "male=personal_status:A91|A93|A94", "--define", "female=personal_status:A92|A95",
        "--format", "json", "--n-boot", "0"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    # german.txt: A91, A93, A94 are male; A92, A95 female
    sex = np.where(frame.personal_status.isin(["A91", "A93", "A94"]), "male", "female")
    reference = fairlearn((frame.credit == 1).astype(int), (frame.decision == 1).astype(int), sex)
    assert [g["group"] for g in payload["groups"]] == ["male", "female"]
    for group in payload["groups"]:
        assert group["n"] == int((sex == group["group"]).sum())
        for rate in SHARED:
            assert group[rate] == pytest.approx(reference.by_group.loc[group["group"], rate], abs=1e-12)
    for parity, rate in PARITY_OF.items():
        assert payload["parity"][parity]["difference"] == pytest.approx(reference.difference()[rate], abs=1e-12)
