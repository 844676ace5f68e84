"""Attribution by group and refusal reasons against independent recomputations: explain rows with
``xaudit.attribution.explain`` directly, group by hand, average; association measures against scipy and OLS."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import association as scipy_association
from scipy.stats.contingency import crosstab
from typer.testing import CliRunner

from tests.tabular_synthetic import favourable_scores_by_hand, synthetic_frame
from xaudit.attribution.explain import explain
from xaudit.attribution.registry import build_methods
from xaudit.cli import app
from xaudit.inputs import parse_rows
from xaudit.errors import ParameterError
from xaudit.fairness import AuditSettings
from xaudit.fairness.association import correlation_ratio, cramers_v
from xaudit.fairness.attribution_groups import AttributionByGroup, run_attribution_by_group
from xaudit.fairness.reasons import DecisionReasons, reasons_from_scores, refusal_reasons
from xaudit.models import load_model


def scores_by_explain(model: str, frame: pd.DataFrame, method: str = "ig") -> tuple[list[str], np.ndarray]:
    adapter = load_model(model)
    done = explain(adapter, frame.to_dict("records"), build_methods([method], {}),
                   target=adapter.favourable_index())
    return done[0].first.units, np.stack([e.first.scores for e in done])


@pytest.fixture
def applicants(tmp_path):
    """Applicants whose ``status`` goes with ``sex`` (a proxy), ``amount`` does not."""
    frame = synthetic_frame(300, seed=5)
    rng = np.random.default_rng(3)
    keep = rng.random(len(frame)) < 0.2
    frame["status"] = np.where(keep, frame["status"], np.where(frame["sex"] == "female", "A11", "A14"))
    path = tmp_path / "applicants.csv"
    frame.to_csv(path, index=False)
    return frame, path


def test_means_and_shares_equal_a_recomputation_by_hand(tiny_tabular_dir, applicants):
    frame, path = applicants
    result = run_attribution_by_group(model=str(tiny_tabular_dir), data=path, explain="ig",
                                      settings=AuditSettings(n_boot=200))
    units, scores = scores_by_explain(str(tiny_tabular_dir), frame)
    assert list(result.features) == units
    gender = frame["sex"].map({"male": "M", "female": "F"}).to_numpy()
    protected = ["age", "sex"]
    proxies = [f for f in units if f not in protected and max(
        cramers_v(frame[f], frame["sex"]) if f == "status" else correlation_ratio(frame["sex"], frame[f]),
        abs(np.corrcoef(frame[f].astype(float), frame["age"])[0, 1]) if f == "amount"
        else correlation_ratio(frame[f], frame["age"])) >= 0.3]
    assert proxies == ["status"]
    assert [p.feature for p in result.proxies] == proxies and set(result.protected) == set(protected)
    for row in (*result.groups, result.overall):
        members = np.ones(len(frame), bool) if row.group == "overall" else gender == row.group
        means = np.abs(scores[members]).mean(axis=0)
        assert row.n == members.sum()
        for i, feature in enumerate(units):
            assert row.mean_abs[feature] == pytest.approx(means[i], rel=1e-9, abs=1e-12)
            low, high = row.intervals[feature]
            assert low <= row.mean_abs[feature] <= high
        share = {f: means[i] / means.sum() for i, f in enumerate(units)}
        assert row.protected_share == pytest.approx(share["age"] + share["sex"], rel=1e-9)
        assert row.proxy_share == pytest.approx(share["status"], rel=1e-9)
    assert AttributionByGroup.from_json(result.to_json()) == result
    frame_out = result.to_frame()
    assert len(frame_out) == (len(result.groups) + 1) * len(units)
    assert set(frame_out.loc[frame_out.feature == "status", "role"]) == {"proxy"}


def test_sampled_rows_and_threshold(tiny_tabular_dir, applicants):
    _, path = applicants
    result = run_attribution_by_group(model=str(tiny_tabular_dir), data=path, max_rows=50, proxy_threshold=0.99,
                                      group_cols=["age_group"], settings=AuditSettings(n_boot=0))
    assert result.settings["rows_explained"] == 50 and result.settings["rows_in_table"] == 300
    assert result.overall.n == 50 and result.proxies == () and result.overall.proxy_share == 0
    assert result.overall.intervals is None
    with pytest.raises(ParameterError, match="proxy_threshold"):
        run_attribution_by_group(model=str(tiny_tabular_dir), data=path, proxy_threshold=2.0)


def test_cramers_v_and_correlation_ratio_equal_scipy_and_ols():
    rng = np.random.default_rng(0)
    x = pd.Series(rng.choice(list("abc"), 500))
    y = pd.Series(np.where(rng.random(500) < 0.5, x, rng.choice(list("pq"), 500)))
    table = crosstab(x.to_numpy(), y.to_numpy()).count
    assert cramers_v(x, y) == pytest.approx(scipy_association(table, method="cramer", correction=False), rel=1e-12)
    values = pd.Series(rng.normal(size=500) + (x == "a") * 1.5)
    dummies = pd.get_dummies(x).to_numpy(float)
    fitted = dummies @ np.linalg.lstsq(dummies, values.to_numpy(), rcond=None)[0]
    r2 = 1 - ((values - fitted) ** 2).sum() / ((values - values.mean()) ** 2).sum()
    assert correlation_ratio(x, values) == pytest.approx(np.sqrt(r2), rel=1e-9)
    assert cramers_v(x, pd.Series(["k"] * 500)) == 0.0


def test_reasons_are_the_most_negative_attributions(tiny_tabular_dir, applicants):
    frame, _ = applicants
    adapter = load_model(str(tiny_tabular_dir))
    inputs = frame[adapter.schema.names]
    scores = np.linspace(0.1, 0.9, len(frame))
    result = refusal_reasons(adapter, inputs, scores, threshold=0.5, n=4, top=2)
    refused = np.flatnonzero(scores < 0.5)[:4]
    assert [r.row for r in result.refusals] == list(refused)
    units, attributions = scores_by_explain(str(tiny_tabular_dir), inputs.iloc[refused])
    for refusal, row in zip(result.refusals, attributions):
        negative = sorted((a, f) for f, a in zip(units, row) if a < 0)[:2]
        assert [r.feature for r in refusal.reasons] == [f for _, f in negative]
        assert [r.attribution for r in refusal.reasons] == pytest.approx([a for a, _ in negative], rel=1e-9)
        assert all(r.value == str(inputs.iloc[refusal.row][r.feature]) for r in refusal.reasons)
    assert DecisionReasons.from_json(result.to_json()) == result
    assert reasons_from_scores(["a", "b", "c"], np.array([[0.5, -1.0, -0.2]]), 5) == [[("b", -1.0), ("c", -0.2)]]
    with pytest.raises(ParameterError, match="'top' parameter"):
        reasons_from_scores(["a"], np.zeros((1, 1)), 0)


def test_cli_json_table_and_refusals(tiny_tabular_dir, applicants):
    _, path = applicants
    base = ["fairness", "--model", str(tiny_tabular_dir), "--data", str(path)]
    result = CliRunner().invoke(app, [*base, "--explain", "ig", "-f", "json", "--n-boot", "50"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["kind"] == "model_fairness_audit" and payload["counterfactual"] == []
    assert payload["attribution_by_group"]["proxies"][0]["feature"] == "status"
    table = CliRunner().invoke(app, [*base, "--explain", "ig", "--n-boot", "20"])
    assert table.exit_code == 0 and "proxy share" in table.stdout
    for extra, message in ((["--proxy-threshold", "0.5"], "applies to --explain only"),
                           (["--explain", "ig", "--counts", str(path)], "--counts does not apply to --model"),
                           (["--explain", "igg"], "unknown method 'igg'")):
        refused = CliRunner().invoke(app, [*base, *extra])
        assert refused.exit_code == 2 and message in refused.output, refused.output


def test_cli_reasons_for_the_refused_rows_of_a_range(tiny_tabular_dir, applicants):
    """`attribute --reasons --rows 10:40`: the refused rows among them (scores recomputed by hand), numbered as in
    the table, each with the reasons of ``refusal_reasons`` on those rows."""
    frame, path = applicants
    result = CliRunner().invoke(app, ["attribute", "--model", str(tiny_tabular_dir), "--data", str(path),
                                      "--rows", "10:40", "--reasons", "-f", "json"])
    assert result.exit_code == 0, result.output
    payload = DecisionReasons.from_json(result.stdout)
    assert payload.method == "ig"
    chosen = frame.iloc[10:40]
    scores = favourable_scores_by_hand(str(tiny_tabular_dir), chosen)
    assert [r.row for r in payload.refusals] == [10 + i for i in np.flatnonzero(scores < 0.5)]
    assert 0 < len(payload.refusals) < 30
    adapter = load_model(str(tiny_tabular_dir))
    inputs = chosen[adapter.schema.names].astype(str).reset_index(drop=True)
    direct = refusal_reasons(adapter, inputs, scores, 0.5, n=30, row_ids=range(10, 40))
    assert [[x.feature for x in r.reasons] for r in payload.refusals] == \
        [[x.feature for x in r.reasons] for r in direct.refusals]
    table = CliRunner().invoke(app, ["attribute", "--model", str(tiny_tabular_dir), "--data", str(path),
                                     "--rows", "10:40", "--reasons"])
    assert table.exit_code == 0 and f"{len(payload.refusals)} of 30 rows refused" in " ".join(table.stdout.split())
    wrong = CliRunner().invoke(app, ["attribute", "--model", str(tiny_tabular_dir), "--data", str(path),
                                     "--reasons", "--target", "good"])
    assert wrong.exit_code == 2 and "--reasons applies to a tabular model" in wrong.output


def test_parse_rows():
    assert parse_rows("1,7", 10) == [1, 7]
    assert parse_rows("0:3, 8:", 10) == [0, 1, 2, 8, 9]
    assert parse_rows(":2", 10) == [0, 1]
    with pytest.raises(ParameterError, match="ranges such as 0:20"):
        parse_rows("1-3", 10)
