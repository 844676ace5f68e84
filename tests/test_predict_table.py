"""``xaudit predict --data``: decisions of a tabular model, checked against the network run by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.tabular_synthetic import favourable_scores_by_hand, synthetic_frame
from xaudit.cli import app
from xaudit.models import load_model
from xaudit.models.decisions import Decisions, decide


def run(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def table(tmp_path) -> tuple[pd.DataFrame, object]:
    frame = synthetic_frame(50, seed=4).assign(extra="ignored")
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    return frame, path


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_predict_writes_one_decision_per_row(tiny_tabular_dir, table, tmp_path, fmt):
    frame, path = table
    out = tmp_path / f"decisions.{fmt}"
    result = run("predict", "--model", str(tiny_tabular_dir), "--data", str(path), "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        written = pd.read_csv(out)
    else:
        payload = json.loads(out.read_text())
        assert payload["kind"] == "decisions" and payload["favourable_label"] == "good"
        written = pd.DataFrame(payload["decisions"])
    expected = favourable_scores_by_hand(str(tiny_tabular_dir), frame)
    assert written["row"].tolist() == list(range(len(frame)))
    np.testing.assert_allclose(written["score"], expected, rtol=1e-6, atol=1e-9)
    assert written["prediction"].tolist() == np.where(expected >= 0.5, "good", "bad").tolist()


def test_batched_equals_row_by_row_and_formats_agree(tiny_tabular_dir, table, tmp_path):
    frame, path = table
    adapter = load_model(str(tiny_tabular_dir))
    together, _ = decide(adapter, path)
    alone, _ = decide(adapter, path, batch_size=1)
    np.testing.assert_allclose(together.scores, alone.scores, rtol=1e-6, atol=1e-9)
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    for other in ("t.parquet", "t.jsonl"):
        np.testing.assert_allclose(decide(adapter, tmp_path / other)[0].scores, together.scores, rtol=1e-6)
    assert Decisions.from_json(together.to_json()).to_frame().equals(together.to_frame())


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns="amount"), "column 'amount' not found"),
    (lambda f: f.assign(status=["A11"] * 30 + ["A19"] + ["A12"] * 19),
     "column 'status', row 30: unseen category 'A19'"),
    (lambda f: f.assign(age=[30] * 44 + ["old"] + [30] * 5), "column 'age', row 44: 'old' is not a number"),
    (lambda f: f.assign(sex=["male"] * 7 + [None] + ["female"] * 42), "column 'sex', row 7: missing value"),
])
def test_bad_input_is_one_error_naming_column_and_row_and_writes_nothing(tiny_tabular_dir, tmp_path, change, message):
    path, out = tmp_path / "bad.csv", tmp_path / "out.csv"
    change(synthetic_frame(50, seed=4)).to_csv(path, index=False)
    result = run("predict", "--model", str(tiny_tabular_dir), "--data", str(path), "-f", "csv", "-o", str(out))
    assert result.exit_code == 3
    assert message in result.output and result.output.count("Error:") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_batches_number_rows_from_the_start_of_the_table(tiny_tabular_dir, tmp_path):
    from xaudit.errors import DataError

    frame = synthetic_frame(50, seed=4)
    frame.loc[37, "sex"] = "other"
    with pytest.raises(DataError, match="row 37: unseen category"):
        decide(load_model(str(tiny_tabular_dir)), frame, batch_size=8)


def test_tabular_model_takes_a_table_only(tiny_tabular_dir, tmp_path, monkeypatch):
    result = run("predict", "--model", str(tiny_tabular_dir), "--text", "hello")
    assert result.exit_code == 2 and "--text given; a tabular model reads a table: use --data" in result.output
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("a\n1\n")
    result = run("predict", "--model", "cnn", "--data", "x.csv")  # found from the card, before loading
    assert result.exit_code == 2 and "--data does not fit an image model" in result.output


@pytest.mark.data
def test_predict_credit_on_german_credit(data_dir, tmp_path):
    out = tmp_path / "decisions.csv"
    result = run("predict", "--model", "credit", "--data", str(data_dir / "german" / "german.csv"), "-f", "csv",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    frame = pd.read_csv(data_dir / "german" / "german.csv")
    expected = favourable_scores_by_hand("credit", frame)
    assert len(written) == len(frame) == 1000
    np.testing.assert_allclose(written["score"], expected, rtol=1e-6)
