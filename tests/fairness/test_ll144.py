"""``--preset ll144``: the LL144 bias-audit tables against pandas group-bys written out here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.tabular_synthetic import favourable_scores_by_hand, synthetic_frame
from xaudit.cli import app
from xaudit.fairness.ll144 import LL144Audit


def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def applicants(tmp_path):
    rng = np.random.default_rng(11)
    n = 2000
    sex = rng.choice(["Female", "Male", None], size=n, p=[0.45, 0.5, 0.05])
    race = rng.choice(["Asian", "Black", "Hispanic", "White", "Native", None], size=n,
                      p=[0.1, 0.15, 0.2, 0.49, 0.015, 0.045])
    score = np.clip(rng.normal(0.5 + 0.1 * (sex == "Male") - 0.1 * (race == "Black"), 0.2), 0, 1)
    frame = pd.DataFrame({"sex": sex, "race": race, "score": score, "hired": (score >= 0.55).astype(int)})
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    return frame, path


def _expected(frame: pd.DataFrame, columns: list[str], hit: pd.Series) -> tuple[dict, int]:
    """Per category: n, rate, impact ratio against the highest rate among categories with >= 2% of the known rows."""
    known = frame[columns].notna().all(axis=1)
    key = frame.loc[known, columns].astype(str).agg("/".join, axis=1)
    n, rate = key.value_counts(), hit[known].groupby(key).mean()
    included = [c for c in n.index if n[c] / known.sum() >= 0.02]
    top = max(rate[c] for c in included)
    return {c: (int(n[c]), rate[c], rate[c] / top if c in included else None) for c in n.index}, int((~known).sum())


@pytest.mark.parametrize("outcome", ["selection", "scoring"])
def test_tables_equal_group_bys(applicants, outcome):
    frame, path = applicants
    option = ["--pred-col", "hired"] if outcome == "selection" else ["--score-col", "score"]
    result = _run("fairness", "--preset", "ll144", "--data", path, "--group-cols", "sex,race", *option, "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    hit = frame.hired == 1 if outcome == "selection" else frame.score > frame.score.median()
    assert payload["rate"] == f"{outcome} rate" and "5-301" in payload["citation"]
    if outcome == "scoring":
        assert payload["median_score"] == pytest.approx(frame.score.median())
    for table, columns in zip(payload["tables"], (["sex"], ["race"], ["sex", "race"])):
        expected, unknown = _expected(frame, columns, hit)
        assert table["unknown"] == unknown > 0
        assert {c["category"] for c in table["categories"]} == set(expected)
        for row in table["categories"]:
            n, rate, ratio = expected[row["category"]]
            assert row["n"] == n and row["rate"] == pytest.approx(rate, abs=1e-12)
            assert (row["impact_ratio"] is None) == (ratio is None) == (row["excluded"] is not None)
            if ratio is not None:
                assert row["impact_ratio"] == pytest.approx(ratio, abs=1e-12)
    excluded = [c["category"] for c in payload["tables"][1]["categories"] if c["excluded"]]
    assert excluded == ["Native"] and "under 2%" in payload["tables"][1]["categories"][3]["excluded"]
    assert LL144Audit.from_dict(payload).to_dict() == payload


def test_csv_and_table_forms(applicants, tmp_path):
    _, path = applicants
    base = ["fairness", "--preset", "ll144", "--data", path, "--group-cols", "sex,race", "--pred-col", "hired"]
    assert _run(*base, "-f", "csv", "-o", tmp_path / "ll144.csv").exit_code == 0
    frame = pd.read_csv(tmp_path / "ll144.csv")
    assert list(frame.columns) == ["dimension", "category", "n", "share", "selection rate", "impact_ratio", "excluded"]
    assert set(frame.dimension) == {"sex", "race/ethnicity", "intersectional"}
    assert (frame.category == "(unknown)").sum() == 3
    shown = _run(*base, "-o", tmp_path / "ll144.txt")
    assert shown.exit_code == 0, shown.output
    text = (tmp_path / "ll144.txt").read_text()
    assert "LL144 impact ratios by intersectional (sex × race)" in text and "6 RCNY § 5-301" in text


@pytest.mark.parametrize(("options", "code", "message"), [
    (["--preset", "ll145", "--group-cols", "sex,race", "--pred-col", "hired"], 2, "ll144"),
    (["--preset", "ll144", "--group-cols", "sex", "--pred-col", "hired"], 2, "SEX,RACE"),
    (["--preset", "ll144", "--group-cols", "sex,ethnicity", "--pred-col", "hired"], 2, "ethnicity"),
    (["--preset", "ll144", "--group-cols", "sex,race"], 2, "--pred-col"),
    (["--preset", "ll144", "--group-cols", "sex,race", "--pred-col", "hired", "--define", "A=sex:Male"], 2,
     "--define"),
])
def test_bad_preset_input_is_one_clear_error(applicants, tmp_path, options, code, message):
    _, path = applicants
    out = tmp_path / "out.json"
    result = _run("fairness", "--data", path, *options, "-f", "json", "-o", out)
    assert result.exit_code == code, result.output
    assert message in result.output and not out.exists()


def test_model_decisions(tiny_tabular_dir, tmp_path):
    frame = synthetic_frame(600, seed=5)
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    result = _run("fairness", "--preset", "ll144", "--model", tiny_tabular_dir, "--data", path,
                  "--group-cols", "gender,status", "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    selected = pd.Series(favourable_scores_by_hand(str(tiny_tabular_dir), frame) >= 0.5)
    table = frame.assign(gender=frame.sex.map({"male": "M", "female": "F"}))
    assert 0 < selected.mean() < 1
    expected, unknown = _expected(table, ["gender", "status"], selected)
    intersectional = payload["tables"][2]
    assert unknown == intersectional["unknown"] == 0
    for row in intersectional["categories"]:
        n, rate, ratio = expected[row["category"]]
        assert row["n"] == n and row["rate"] == pytest.approx(rate, abs=1e-12)
        assert row["impact_ratio"] == pytest.approx(ratio, abs=1e-12)


def test_values_named_unknown_count_as_unknown(applicants, tmp_path):
    frame, _ = applicants
    coded = frame.assign(race=frame.race.fillna("Decline to state"))
    path = tmp_path / "coded.csv"
    coded.to_csv(path, index=False)
    base = ["fairness", "--preset", "ll144", "--data", path, "--group-cols", "sex,race", "--pred-col", "hired",
            "-f", "json"]
    named = json.loads(_run(*base, "--unknown", "Decline to state").stdout)
    missing = json.loads(_run("fairness", "--preset", "ll144", "--data", applicants[1], "--group-cols", "sex,race",
                              "--pred-col", "hired", "-f", "json").stdout)
    assert named["tables"] == missing["tables"]  # the named value is treated exactly as a missing one
    as_category = json.loads(_run(*base).stdout)["tables"][1]
    assert "Decline to state" in [c["category"] for c in as_category["categories"]] and as_category["unknown"] == 0
    outside = _run("fairness", "--data", path, "--label-col", "hired", "--score-col", "score", "--group-cols", "sex",
                   "--unknown", "x")
    assert outside.exit_code == 2 and "--unknown applies to --preset ll144 only" in outside.output
