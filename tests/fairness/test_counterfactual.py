"""Counterfactual flips (``--counterfactual``) against a direct recomputation: rerun the network by hand."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, chi2
from typer.testing import CliRunner

from tests.tabular_synthetic import favourable_scores_by_hand, synthetic_frame
from xaudit.cli import app
from xaudit.errors import ParameterError
from xaudit.fairness import AuditSettings
from xaudit.fairness.counterfactual import CounterfactualResult, parse_counterfactual, run_counterfactual
from xaudit.models import load_model


def mcnemar_by_hand(b: int, c: int) -> float:
    """Exact binomial under 25 discordant pairs, else chi-square with continuity correction (McNemar 1947)."""
    if b + c < 25:
        return 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
    return float(chi2.sf((abs(b - c) - 1) ** 2 / (b + c), 1))


def assert_matches_recomputation(result: CounterfactualResult, model: str, frame: pd.DataFrame,
                                 changed: pd.DataFrame, group: np.ndarray, threshold: float = 0.5) -> None:
    before, after = favourable_scores_by_hand(model, frame), favourable_scores_by_hand(model, changed)
    for row in result.groups:
        members = group == row.group
        was, now = before[members] >= threshold, after[members] >= threshold
        assert row.n == members.sum()
        assert row.counts["to_unfavourable"] == int((was & ~now).sum())
        assert row.counts["to_favourable"] == int((~was & now).sum())
        assert row.flip_rate == pytest.approx((was != now).mean(), abs=1e-12)
        assert row.mean_score_change == pytest.approx((after[members] - before[members]).mean(), abs=1e-9)
        assert row.mcnemar_p == pytest.approx(mcnemar_by_hand(row.counts["to_unfavourable"],
                                                              row.counts["to_favourable"]), rel=1e-9)
        low, high = row.flip_rate_interval
        assert low <= row.flip_rate <= high
    assert result.overall.n == sum(row.n for row in result.groups)


@pytest.fixture
def applicants(tmp_path):
    frame = synthetic_frame(600, seed=21)
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    return frame, path


def test_two_category_attribute_swaps_and_equals_a_direct_recomputation(tiny_tabular_dir, applicants):
    frame, path = applicants
    result = run_counterfactual(model=str(tiny_tabular_dir), data=path, counterfactual="sex",
                                settings=AuditSettings(n_boot=300))
    assert result.swap == {"female": "male", "male": "female"}
    changed = frame.assign(sex=frame["sex"].map(result.swap))
    gender = frame["sex"].map({"male": "M", "female": "F"}).to_numpy()  # the card's default groups
    assert [row.group for row in result.groups] == ["F", "M"]
    assert_matches_recomputation(result, str(tiny_tabular_dir), frame, changed, gender)
    assert result.overall.flipped > 0  # the random network does use sex


def test_given_map_groups_and_threshold(tiny_tabular_dir, applicants):
    frame, path = applicants
    result = run_counterfactual(model=str(tiny_tabular_dir), data=path, counterfactual="status=A11:A14,A12:A14,A14:A11",
                                group_cols=["age_group"], threshold=0.4, settings=AuditSettings(n_boot=100))
    changed = frame.assign(status=frame["status"].map({"A11": "A14", "A12": "A14", "A14": "A11"}))
    age_group = np.where(frame["age"] < 25, "under 25", "25 and over")
    assert_matches_recomputation(result, str(tiny_tabular_dir), frame, changed, age_group, threshold=0.4)
    assert CounterfactualResult.from_json(result.to_json()) == result


def test_a_model_that_ignores_the_attribute_never_flips(tiny_tabular_dir, applicants, tmp_path):
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "blind"
    shutil.copytree(tiny_tabular_dir, folder)
    adapter = load_model(str(folder))
    state = load_file(str(folder / "model.safetensors"))
    sex = adapter.schema.names.index("sex")
    start = sum(c.width for c in adapter.schema.columns[:sex])
    state["layers.0.weight"][:, start:start + adapter.schema.columns[sex].width] = 0
    save_file(state, str(folder / "model.safetensors"))
    result = run_counterfactual(model=str(folder), data=applicants[1], counterfactual="sex",
                                settings=AuditSettings(n_boot=100))
    for row in (*result.groups, result.overall):
        assert row.flipped == 0 and row.mean_score_change == 0 and row.mcnemar_p == 1.0
        assert row.flip_rate_interval == (0.0, 0.0)


@pytest.mark.parametrize(("text", "message"), [
    ("age", "must name a categorical input of model"),
    ("status", "needs a value for every category of 'status'; none for 'A11'"),
    ("sex=male:robot,female:male", "maps 'sex' to 'robot': not another of its categories"),
])
def test_bad_attribute_or_map(tiny_tabular_dir, applicants, text, message):
    with pytest.raises(ParameterError, match=message):
        run_counterfactual(model=str(tiny_tabular_dir), data=applicants[1], counterfactual=text)


def test_parse():
    assert parse_counterfactual("sex") == ("sex", None)
    assert parse_counterfactual("s=a:b, b:a") == ("s", {"a": "b", "b": "a"})
    with pytest.raises(ParameterError, match="write ATTR or ATTR=FROM:TO,FROM:TO"):
        parse_counterfactual("s=a-b")


def test_cli_json_csv_and_refusals(tiny_tabular_dir, applicants):
    _, path = applicants
    base = ["fairness", "--model", str(tiny_tabular_dir), "--data", str(path), "--counterfactual", "sex"]
    result = CliRunner().invoke(app, [*base, "-f", "json", "--n-boot", "50"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["kind"] == "model_fairness_audit" and payload["group_fairness"]["kind"] == "group_fairness"
    assert [c["attribute"] for c in payload["counterfactual"]] == ["sex"]
    csv = CliRunner().invoke(app, [*base, "-f", "csv", "--n-boot", "50"])
    assert csv.exit_code == 0 and csv.stdout.splitlines()[0].startswith("part,model,")
    parts = pd.read_csv(io.StringIO(csv.stdout))["part"]
    assert set(parts) == {"group_fairness", "counterfactual"}
    for extra, message in ((["--pred-col", "y"], "--pred-col does not apply to --model"),
                           (["--counterfactual", "sex=a:b"], "none for 'female'"),
                           (["--counterfactual", "sex"], "changes 'sex' twice")):
        refused = CliRunner().invoke(app, [*base, *extra])
        assert refused.exit_code == 2 and message in refused.output, refused.output
    no_model = CliRunner().invoke(app, ["fairness", "--data", str(path), "--counterfactual", "sex"])
    assert no_model.exit_code == 2 and "--counterfactual needs a tabular --model" in no_model.output


@pytest.mark.data
def test_credit_personal_status_on_german_credit(data_dir):
    german = data_dir / "german" / "german.csv"
    result = run_counterfactual(model="credit", data=german, counterfactual="personal_status",
                                settings=AuditSettings(n_boot=200))
    # german.txt: A91, A93, A94 male; A92 female (no A95 rows): every male code to A92, A92 to A91 (the card's map)
    assert result.swap == {"A91": "A92", "A93": "A92", "A94": "A92", "A92": "A91"}
    by_sex = run_counterfactual(model="credit", data=german, counterfactual="sex", settings=AuditSettings(n_boot=200))
    # `sex` is the card's grouping read from personal_status: the same change, named as the user asked
    assert (by_sex.attribute, by_sex.grouping, by_sex.groups) == ("personal_status", "sex", result.groups)
    frame = pd.read_csv(german, dtype=str)
    changed = frame.assign(personal_status=frame["personal_status"].map(result.swap))
    sex = np.where(frame["personal_status"].isin(["A91", "A93", "A94"]), "male", "female")
    assert_matches_recomputation(result, "credit", frame, changed, sex)
