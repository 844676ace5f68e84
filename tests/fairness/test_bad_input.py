"""Bad input to ``xaudit fairness``: one column in two roles, group names with commas, scores outside
[0, 1]; each a clear error with exit 2 or 3 and nothing written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from typer.testing import CliRunner

from xaudit.cli import app

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def rows_csv(predictions, tmp_path):
    path = tmp_path / "rows.csv"
    predictions.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("options", "roles"), [
    (["--label-col", "y", "--pred-col", "y", "--group-cols", "g"], ("--label-col", "--pred-col")),
    (["--label-col", "y", "--pred-col", "yhat", "--group-cols", "y"], ("--label-col", "--group-cols")),
    (["--label-col", "y", "--pred-col", "yhat", "--group-cols", "g,yhat"], ("--pred-col", "--group-cols")),
    (["--label-col", "y", "--score-col", "score", "--define", "A=score:1"], ("--score-col", "--define")),
])
def test_one_column_in_two_roles_is_a_usage_error_naming_both(rows_csv, tmp_path, options, roles):
    out = tmp_path / "out.json"
    result = _run("fairness", "--data", rows_csv, *options, "-f", "json", "-o", out)
    assert result.exit_code == 2, result.output
    assert all(role in result.output for role in roles), result.output
    assert not out.exists()


def test_a_group_column_equal_to_the_models_label_is_refused_before_deciding(tiny_tabular_dir, tmp_path):
    from tests.tabular_synthetic import synthetic_frame

    path = tmp_path / "applicants.csv"
    synthetic_frame(60, seed=1).to_csv(path, index=False)
    result = _run("fairness", "--model", tiny_tabular_dir, "--data", path, "--group-cols", "repaid")
    assert result.exit_code == 2, result.output
    assert "--label-col" in result.output and "--group-cols" in result.output and "'repaid'" in result.output


@pytest.fixture
def comma_names(tmp_path):
    rng = np.random.default_rng(3)
    names = rng.choice(["Smith, J", "Doe", "Roe, R"], size=300)
    frame = pd.DataFrame({"who": names, "y": rng.integers(0, 2, 300), "yhat": rng.integers(0, 2, 300)})
    path = tmp_path / "names.csv"
    frame.to_csv(path, index=False)
    return frame, path


@pytest.mark.parametrize("selection", [["--group", "Smith, J", "--group", "Doe"], ["--groups", '"Smith, J",Doe'],
                                       ["--groups", "Doe", "--group", "Smith, J"]])
def test_group_names_with_commas_can_be_selected(comma_names, selection):
    frame, path = comma_names
    result = _run("fairness", "--data", path, "--label-col", "y", "--pred-col", "yhat", "--group-cols", "who",
                  *selection, "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = ["Doe", "Smith, J"] if selection[:2] == ["--groups", "Doe"] else ["Smith, J", "Doe"]
    assert [g["group"] for g in payload["groups"]] == expected
    for row in payload["groups"]:
        part = frame[frame.who == row["group"]]
        assert row["n"] == len(part) and row["selection_rate"] == pytest.approx(part.yhat.mean())


def test_scores_outside_zero_one_are_refused_unless_logit(predictions, tmp_path):
    rng = np.random.default_rng(5)
    probability = np.clip(predictions.score.to_numpy(), 0.01, 0.99)
    table = predictions.assign(logit=logit(probability), noisy=probability + rng.normal(0, 0.001, len(probability)))
    path = tmp_path / "scores.csv"
    table.to_csv(path, index=False)
    base = ["fairness", "--data", path, "--label-col", "y", "--group-cols", "g", "-f", "json"]
    out = tmp_path / "out.json"
    refused = _run(*base, "--score-col", "logit", "-o", out)
    assert refused.exit_code == 3 and "outside [0, 1]" in refused.output and "--score-kind" in refused.output
    assert not out.exists()
    as_logit = _run(*base, "--score-col", "logit", "--score-kind", "logit", "--threshold", "0.6")
    assert as_logit.exit_code == 0, as_logit.output
    for row in json.loads(as_logit.stdout)["groups"]:
        part = table[table.g == row["group"]]
        # log-odds back through the logistic function, then the threshold on the probability
        assert row["selection_rate"] == pytest.approx((1 / (1 + np.exp(-part.logit)) >= 0.6).mean())
    bad_kind = _run(*base, "--score-col", "logit", "--score-kind", "odds")
    assert bad_kind.exit_code == 2 and "probability" in bad_kind.output
    no_score = _run(*base, "--pred-col", "yhat", "--score-kind", "logit")
    assert no_score.exit_code == 2 and "--score-col" in no_score.output


def test_multiclass_decisions_are_a_clear_error_and_one_vs_rest_with_positive(predictions, tmp_path):
    rng = np.random.default_rng(9)
    table = predictions.assign(y=rng.choice(["low", "mid", "high"], len(predictions)),
                               yhat=rng.choice(["low", "mid", "high"], len(predictions)))
    path = tmp_path / "three.csv"
    table.to_csv(path, index=False)
    base = ["fairness", "--data", path, "--label-col", "y", "--pred-col", "yhat", "--group-cols", "g", "-f", "json"]
    refused = _run(*base)
    assert refused.exit_code == 3 and "3 classes" in refused.output and "one-vs-rest" in refused.output
    result = _run(*base, "--positive", "high")
    assert result.exit_code == 0, result.output
    for row in json.loads(result.stdout)["groups"]:
        part = table[table.g == row["group"]]
        assert row["selection_rate"] == pytest.approx((part.yhat == "high").mean())
        assert row["tpr"] == pytest.approx((part.yhat[part.y == "high"] == "high").mean())
