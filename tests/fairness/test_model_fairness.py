"""``xaudit fairness --model``: a tabular model's own decisions audited, equal to the predict route and fairlearn."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.tabular_synthetic import favourable_scores_by_hand, synthetic_frame
from xaudit.cli import app

SHARED = ("selection_rate", "tpr", "fpr", "accuracy")
PARITY_OF = {"statistical_parity": "selection_rate", "performance_parity": "tpr", "predictive_equality": "fpr",
             "accuracy_equality": "accuracy"}


def run(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "-f", "json", "--n-boot", "50"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def audited(payload: dict) -> dict:
    """Everything an audit computes (not where its input came from)."""
    return {key: payload[key] for key in ("groups", "overall", "parity", "equalized_odds", "reference_group")}


def same(ours: float | None, theirs: float) -> bool:
    """Equal to 1e-12; an undefined rate (None in our JSON) matches fairlearn's NaN."""
    return np.isnan(theirs) if ours is None else ours == pytest.approx(theirs, abs=1e-12)


def assert_equals_fairlearn(payload: dict, fairlearn, y: np.ndarray, y_hat: np.ndarray, groups: np.ndarray) -> None:
    reference = fairlearn(y, y_hat, groups)
    assert sorted(g["group"] for g in payload["groups"]) == sorted(reference.by_group.index)
    for group in payload["groups"]:
        assert group["n"] == int((groups == group["group"]).sum())
        for rate in SHARED:
            assert same(group[rate], reference.by_group.loc[group["group"], rate]), (group["group"], rate)
    for parity, rate in PARITY_OF.items():
        assert same(payload["parity"][parity]["difference"], reference.difference()[rate]), parity
        assert same(payload["parity"][parity]["ratio"], reference.ratio()[rate]), parity


@pytest.fixture
def applicants(tmp_path) -> tuple[pd.DataFrame, object]:
    frame = synthetic_frame(400, seed=11)
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    return frame, path


@pytest.mark.parametrize(("options", "threshold", "groups_of"), [
    ((), 0.5, lambda f: f["sex"].map({"male": "M", "female": "F"}).to_numpy()),  # the card's default: a value map
    (("--threshold", "0.7"), 0.7, lambda f: f["sex"].map({"male": "M", "female": "F"}).to_numpy()),
    (("--group-cols", "age_group"), 0.5, lambda f: np.where(f["age"] < 25, "under 25", "25 and over")),  # a cut
    (("--group-cols", "status"), 0.5, lambda f: f["status"].to_numpy()),  # a table column
])
def test_model_decisions_equal_fairlearn(tiny_tabular_dir, applicants, fairlearn, options, threshold, groups_of):
    frame, path = applicants
    payload = run("fairness", "--model", str(tiny_tabular_dir), "--data", str(path), *options)
    score = favourable_scores_by_hand(str(tiny_tabular_dir), frame)
    y, y_hat = (frame["repaid"] == "yes").to_numpy().astype(int), (score >= threshold).astype(int)
    assert 0 < y_hat.sum() < len(y_hat)  # both decisions occur, so the audit compares something
    assert_equals_fairlearn(payload, fairlearn, y, y_hat, groups_of(frame))
    assert payload["source"]["model"] == str(tiny_tabular_dir) and payload["source"]["input"] == "model decisions"


def test_model_route_equals_predict_output_fed_to_data(tiny_tabular_dir, applicants, tmp_path):
    frame, path = applicants
    model = str(tiny_tabular_dir)
    direct = run("fairness", "--model", model, "--data", str(path))
    predicted = tmp_path / "decisions.csv"
    assert CliRunner().invoke(app, ["predict", "--model", model, "--data", str(path), "-f", "csv",
                                    "-o", str(predicted)]).exit_code == 0
    joined = pd.read_csv(predicted).merge(frame.rename_axis("row").reset_index(), on="row")
    joined["gender"] = joined["sex"].map({"male": "M", "female": "F"})
    joined["outcome"] = joined["repaid"].map({"yes": "good", "no": "bad"})  # labels named like the predictions
    joined.to_csv(tmp_path / "joined.csv", index=False)
    by_score = run("fairness", "--data", str(tmp_path / "joined.csv"), "--label-col", "repaid", "--positive", "yes",
                   "--score-col", "score", "--group-cols", "gender")
    by_label = run("fairness", "--data", str(tmp_path / "joined.csv"), "--label-col", "outcome", "--positive", "good",
                   "--pred-col", "prediction", "--group-cols", "gender")
    assert audited(direct) == audited(by_score) == audited(by_label)


def test_save_predictions_holds_decisions_label_and_groups(tiny_tabular_dir, applicants, tmp_path):
    frame, path = applicants
    saved = tmp_path / "decisions.parquet"
    result = CliRunner().invoke(app, ["fairness", "--model", str(tiny_tabular_dir), "--data", str(path),
                                      "--save-predictions", str(saved), "--n-boot", "0", "-f", "json"])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(saved)
    assert list(table.columns) == ["row", "prediction", "score", "repaid", "sex", "gender"]
    np.testing.assert_allclose(table["score"], favourable_scores_by_hand(str(tiny_tabular_dir), frame), rtol=1e-6)
    assert table["repaid"].tolist() == frame["repaid"].tolist()


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--pred-col", "p"), 2, "--pred-col does not apply to --model"),
    (("--save-predictions", "x.txt"), 2, "--save-predictions must end in one of"),
    (("--label-col", "nope"), 3, "column 'nope' not found"),
    (("--group-cols", "nope"), 3, "column 'nope' not found"),
])
def test_bad_options(tiny_tabular_dir, applicants, args, code, message):
    _, path = applicants
    result = CliRunner().invoke(app, ["fairness", "--model", str(tiny_tabular_dir), "--data", str(path), *args])
    assert result.exit_code == code and message in result.output, result.output


def test_model_without_data(tiny_tabular_dir, tmp_path, monkeypatch):
    result = CliRunner().invoke(app, ["fairness", "--model", str(tiny_tabular_dir)])
    assert result.exit_code == 2 and "--model needs --data" in result.output, result.output  # its card names none
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["fairness", "--model", "credit"])
    assert result.exit_code == 3, result.output
    assert "give --data, or put german/german.csv in the shared data folder" in result.output


@pytest.mark.data
def test_model_defaults_to_the_table_it_was_trained_on(data_dir, monkeypatch):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(data_dir))
    assert audited(run("fairness", "--model", "credit")) == audited(
        run("fairness", "--model", "credit", "--data", str(data_dir / "german" / "german.csv")))


@pytest.mark.data
def test_credit_on_german_credit_equals_predict_route_and_fairlearn(data_dir, fairlearn, tmp_path):
    german = data_dir / "german" / "german.csv"
    direct = run("fairness", "--model", "credit", "--data", str(german), "--groups", "male,female")
    predicted = tmp_path / "decisions.csv"
    assert CliRunner().invoke(app, ["predict", "--model", "credit", "--data", str(german), "-f", "csv",
                                    "-o", str(predicted)]).exit_code == 0
    frame = pd.read_csv(german, dtype={"credit": str})
    joined = pd.read_csv(predicted).merge(frame.rename_axis("row").reset_index(), on="row")
    joined.to_csv(tmp_path / "joined.csv", index=False)
    sex = ["--define", "male=personal_status:A91|A93|A94", "--define", "female=personal_status:A92|A95"]
    via_predict = run("fairness", "--data", str(tmp_path / "joined.csv"), "--label-col", "credit", "--positive", "1",
                      "--score-col", "score", *sex, "--groups", "male,female")
    assert audited(direct) == audited(via_predict)
    # german.txt: A91, A93, A94 male; A92, A95 female
    sex_of = np.where(frame["personal_status"].isin(["A91", "A93", "A94"]), "male", "female")
    y_hat = (favourable_scores_by_hand("credit", frame) >= 0.5).astype(int)
    assert_equals_fairlearn(direct, fairlearn, (frame["credit"] == "1").to_numpy().astype(int), y_hat, sex_of)


@pytest.mark.data
def test_auditing_the_training_table_warns(data_dir, tiny_tabular_dir, applicants):
    from xaudit.fairness import AuditSettings
    from xaudit.fairness.model_decisions import run_model_fairness

    _, notes = run_model_fairness(model="credit", data=data_dir / "german" / "german.csv",
                                  settings=AuditSettings(n_boot=0))
    assert any("is the table model 'credit' was trained on" in note for note in notes)
    _, notes = run_model_fairness(model=str(tiny_tabular_dir), data=applicants[1], settings=AuditSettings(n_boot=0))
    assert notes == []
