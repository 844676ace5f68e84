"""``xaudit fairness`` through typer's CliRunner: outputs, exit codes, no partial files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from xaudit.cli import app

runner = CliRunner()
BASE = ["fairness", "--label-col", "y", "--pred-col", "yhat", "--group-cols", "g", "--n-boot", "50"]


@pytest.fixture
def rows_csv(predictions, tmp_path):
    path = tmp_path / "rows.csv"
    predictions.to_csv(path, index=False)
    return path


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_json_output_has_groups_and_parity(rows_csv, predictions):
    result = _run(*BASE, "--data", rows_csv, "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [g["group"] for g in payload["groups"]] == ["a", "b", "c", "d"]
    a = payload["groups"][0]
    assert a["n"] == int((predictions.g == "a").sum())
    assert a["selection_rate"] == pytest.approx(predictions.yhat[predictions.g == "a"].mean(), abs=1e-12)
    assert {"tpr", "fpr", "accuracy", "intervals"} <= a.keys()
    for key in ("statistical_parity", "performance_parity", "accuracy_equality"):
        assert {"difference", "ratio", "worst_group", "impact_ratio"} <= payload["parity"][key].keys()
    assert payload["groups"][3]["too_small"] is True  # group d: 3% of 600 rows, under 30 rows
    assert payload["source"]["rows"]["rows_read"] == 600


def test_counts_input_gives_the_same_json(rows_csv, predictions, tmp_path):
    counts = predictions.assign(tp=(predictions.y == 1) & (predictions.yhat == 1),
                                fp=(predictions.y == 0) & (predictions.yhat == 1),
                                tn=(predictions.y == 0) & (predictions.yhat == 0),
                                fn=(predictions.y == 1) & (predictions.yhat == 0))
    table = counts.groupby("g")[["tp", "fp", "tn", "fn"]].sum().reset_index()
    table.to_csv(tmp_path / "counts.csv", index=False)
    from_rows = json.loads(_run(*BASE, "--data", rows_csv, "--format", "json", "--seed", "4").stdout)
    result = _run("fairness", "--counts", tmp_path / "counts.csv", "--group-cols", "g", "--n-boot", "50",
                  "--format", "json", "--seed", "4")
    assert result.exit_code == 0, result.output
    from_counts = json.loads(result.stdout)
    assert from_rows.pop("source")["input"] == "predictions" and from_counts.pop("source")["input"] == "counts"
    assert from_rows == from_counts


def test_output_file_csv_and_table(rows_csv, tmp_path):
    out = tmp_path / "report.csv"
    result = _run(*BASE, "--data", rows_csv, "--format", "csv", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    frame = pd.read_csv(out)
    assert list(frame.group) == ["a", "b", "c", "d", "overall"] and "selection_rate_low" in frame
    table = _run(*BASE, "--data", rows_csv)
    assert table.exit_code == 0
    assert "Rates per group" in table.stdout and "too small to judge" in table.stdout


def test_table_says_undefined_for_a_group_without_positives(tmp_path):
    frame = pd.DataFrame({"y": [0] * 40 + [1, 0] * 20, "yhat": [1, 0] * 40, "g": ["none"] * 40 + ["some"] * 40})
    frame.to_parquet(tmp_path / "p.parquet")
    result = _run(*BASE, "--data", tmp_path / "p.parquet")
    assert result.exit_code == 0, result.output
    assert "undefined" in result.stdout
    payload = json.loads(_run(*BASE, "--data", tmp_path / "p.parquet", "--format", "json").stdout)
    assert payload["groups"][0]["tpr"] is None


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--label-col", "label"], 2, "column 'label' not found in"),
    (["--groups", "a,zz"], 2, "unknown group 'zz' in --groups; the data has: a, b, c, d"),
    (["--reference", "zz"], 2, "unknown reference 'zz'"),
    (["--positive", "yes"], 2, "--positive 'yes' occurs in neither"),
    (["--n-boot", "-3"], 2, "The 'n_boot' parameter must be an int >= 0. Got -3 instead."),
    (["--fail-on", "ratio<0.8"], 2, "unknown metric 'ratio'"),
    (["--threshold", "0.3"], 2, "--threshold applies to a score column"),
    (["--define", "M=g:a"], 2, "not both or neither"),
])
def test_usage_errors_exit_2_without_output(rows_csv, tmp_path, args, code, message):
    out = tmp_path / "out.json"
    result = _run(*BASE, "--data", rows_csv, "--format", "json", "-o", out, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr and result.stderr.startswith("Error:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [rows_csv]


def test_data_errors_exit_3_without_output(predictions, tmp_path):
    cases = {
        "labels.csv": predictions.assign(y=np.where(predictions.y == 1, "good", "bad")),
        "empty.csv": None,
    }
    for name, frame in cases.items():
        path = tmp_path / name
        if frame is None:
            path.write_text("")
        else:
            frame.to_csv(path, index=False)
        out = tmp_path / f"{name}.json"
        result = _run(*BASE, "--data", path, "--format", "json", "-o", out)
        assert result.exit_code == 3, result.output
        assert result.stderr.startswith("Error:") and not out.exists()
    missing = _run(*BASE, "--data", tmp_path / "nowhere.csv")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr  # a usage error, found before any work


def test_missing_labels_warn_or_fail_with_strict(predictions, tmp_path):
    holes = predictions.astype({"y": float})
    holes.loc[:4, "y"] = np.nan
    path = tmp_path / "holes.csv"
    holes.to_csv(path, index=False)
    result = _run(*BASE, "--data", path, "--format", "json")
    assert result.exit_code == 0
    assert "Warning: dropped 5 rows with a missing label" in result.stderr
    assert json.loads(result.stdout)["source"]["rows"]["dropped"] == 5
    out = tmp_path / "strict.json"
    strict = _run(*BASE, "--data", path, "--strict", "-o", out)
    assert strict.exit_code == 3 and "--strict" in strict.stderr and not out.exists()


def test_fail_on_exits_1_after_writing_the_report(rows_csv, tmp_path):
    out = tmp_path / "gate.json"
    breached = _run(*BASE, "--data", rows_csv, "--format", "json", "-o", out,
                    "--fail-on", "statistical_parity_ratio<0.99", "--fail-on", "accuracy_equality_ratio<0.0")
    assert breached.exit_code == 1
    assert "Breached: statistical_parity_ratio = " in breached.stderr and "accuracy_equality" not in breached.stderr
    assert json.loads(out.read_text())["parity"]["statistical_parity"]["ratio"] < 0.99
    passed = _run(*BASE, "--data", rows_csv, "--format", "json", "-o", out, "--fail-on", "statistical_parity_ratio<0.1")
    assert passed.exit_code == 0


def test_sources_are_exclusive_and_counts_take_no_label_options(rows_csv):
    assert "give exactly one of --data, --sql, --counts and --example" in _run(*BASE).stderr
    both = _run(*BASE, "--data", rows_csv, "--example", "credit")
    assert both.exit_code == 2
    counts = _run("fairness", "--counts", rows_csv, "--group-cols", "g", "--label-col", "y")
    assert counts.exit_code == 2 and "--label-col does not apply to --counts" in counts.stderr


def test_example_and_definitions(tmp_path):
    result = _run("fairness", "--example", "credit", "--format", "json", "--n-boot", "0")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["source"]["data"] == "example:credit"
    assert payload["parity"]["statistical_parity"]["below_four_fifths"] == ["female"]
    defined = _run("fairness", "--example", "credit", "--format", "json", "--n-boot", "0",
                   "--define", "young women=sex:female&age_group:under 25", "--define", "others=sex:male")
    assert defined.exit_code == 0, defined.output
    groups = [g["group"] for g in json.loads(defined.stdout)["groups"]]
    assert groups == ["young women", "others"]
    unknown = _run("fairness", "--example", "debit")
    assert unknown.exit_code == 2 and "unknown example 'debit'; choose one of: credit" in unknown.stderr


def test_table_and_csv_show_each_group_against_the_reference_with_methods(rows_csv):
    table = _run(*BASE, "--data", rows_csv)
    assert table.exit_code == 0, table.output
    flowing = " ".join(table.stdout.split())  # the notes wrap at the terminal's width
    for text in ("Each group against", "detectable", "Wilson score", "Newcombe hybrid score", "MOVER-R",
                 "point summaries, no interval"):
        assert text in flowing, text
    frame = pd.read_csv(pd.io.common.StringIO(_run(*BASE, "--data", rows_csv, "--format", "csv").stdout))
    for column in ("statistical_parity_difference_to_reference", "statistical_parity_difference_to_reference_low",
                   "statistical_parity_difference_to_reference_high", "statistical_parity_detectable_difference"):
        assert column in frame.columns, column
    others = frame[(frame.kind == "group") & frame.statistical_parity_difference_to_reference_low.notna()]
    assert len(others) == 3  # every group but the reference
    assert (others.statistical_parity_difference_to_reference_low
            <= others.statistical_parity_difference_to_reference).all()
