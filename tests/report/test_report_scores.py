"""The report's score section (ranking, calibration, reliability curve, threshold sweep) and power statements."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from xaudit.cli import app


def test_report_shows_scores_charts_and_power_statements(tiny_models_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("XAUDIT_MODELS_DIR", str(tiny_models_dir))
    rng = np.random.default_rng(2)
    group = rng.choice(["<b>x</b>", "y", "z"], size=700, p=[0.6, 0.37, 0.03])
    label = rng.integers(0, 2, 700)
    score = np.clip(rng.normal(0.35 + 0.3 * label, 0.2), 0, 1)
    frame = pd.DataFrame({"g": group, "y": label, "score": score})
    frame.to_csv(tmp_path / "scores.csv", index=False)
    result = CliRunner().invoke(app, [
        "report", "-o", str(tmp_path / "audit.html"), "--model", "cnn", "--n-evaluate", "2", "--n-boot", "10",
        "--no-cloze", "--data", str(tmp_path / "scores.csv"), "--label-col", "y", "--score-col", "score",
        "--group-cols", "g"])
    assert result.exit_code == 0, result.output
    audit = json.loads((tmp_path / "audit.json").read_text())["group_fairness"][0]["result"]
    for row in audit["scores"]["groups"]:
        part = frame[frame.g == row["group"]]
        assert row["auc"] == pytest.approx(roc_auc_score(part.y, part.score), abs=1e-12)
    html = (tmp_path / "audit.html").read_text()
    assert "Reliability: observed rate against mean score" in html and "Against the cut-off" in html
    assert "pass the four-fifths rule" in html and "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    small = next(g for g in audit["groups"] if g["group"] == "z")
    assert small["too_small"]
    gap = audit["parity"]["statistical_parity"]["detectable_difference"]["z"]
    assert f"too small to judge: n = {small['n']}: could detect a selection rate gap of {gap:.2f} or more" in html
