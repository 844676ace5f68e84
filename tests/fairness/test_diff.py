"""``xaudit diff`` and ``xaudit fairness --baseline``: changes against values recomputed with pandas, findings
against the two audits' flags, fingerprints against hashlib, CI gates and bad baselines."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from xaudit.cli import app


def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def audits(predictions, tmp_path):
    path = tmp_path / "rows.csv"
    predictions.to_csv(path, index=False)
    base = ["fairness", "--data", path, "--label-col", "y", "--score-col", "score", "--group-cols", "g", "-f", "json"]
    for name, threshold in (("old", "0.4"), ("new", "0.6")):
        result = _run(*base, "--threshold", threshold, "-o", tmp_path / f"{name}.json")
        assert result.exit_code == 0, result.output
    return path, base, tmp_path / "old.json", tmp_path / "new.json"


def test_diff_reports_changes_findings_and_fingerprints(audits, predictions, tmp_path):
    path, _, old, new = audits
    result = _run("diff", old, new, "-f", "json")
    assert result.exit_code == 0, result.output
    (change,) = json.loads(result.stdout)["audits"]
    rates = {t: predictions.groupby("g").score.apply(lambda s: (s >= t).mean()) for t in (0.4, 0.6)}
    by_key = {(m["metric"], m["group"]): m for m in change["groups"]}
    for group in "abcd":
        row = by_key[("selection_rate", group)]
        assert row["old"] == pytest.approx(rates[0.4][group]) and row["new"] == pytest.approx(rates[0.6][group])
        assert row["change"] == pytest.approx(rates[0.6][group] - rates[0.4][group])
        assert row["old_interval"][0] <= row["old"] <= row["old_interval"][1]
    summary = {m["metric"]: m for m in change["summary"]}
    ratio = {t: rates[t].min() / rates[t].max() for t in (0.4, 0.6)}
    assert summary["statistical_parity_ratio"]["change"] == pytest.approx(ratio[0.6] - ratio[0.4])
    flags = {}
    for name, file in (("old", old), ("new", new)):
        payload = json.loads(file.read_text())
        flags[name] = {(g, p["rate"]) for p in payload["parity"].values() for g in (p["below_four_fifths"] or [])}
    new_flags = {f"{g}: {'selection rate' if r == 'selection_rate' else 'true positive rate'} below four-fifths of "
                 "the reference's" for g, r in flags["new"] - flags["old"]}
    assert new_flags and new_flags == {f for f in change["findings"]["new"] if "four-fifths" in f}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert change["fingerprints"]["data"] == {"old": digest, "new": digest, "status": "same"}
    csv = _run("diff", old, new, "-f", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(csv.stdout))
    assert {"audit", "level", "metric", "group", "old", "new", "change", "old_low", "new_high"} <= set(frame.columns)


def test_changed_data_is_fingerprinted(audits, predictions, tmp_path):
    path, base, old, _ = audits
    predictions.assign(score=predictions.score * 0.9).to_csv(path, index=False)
    result = _run(*base, "--threshold", "0.4", "--baseline", old)
    assert result.exit_code == 0, result.output
    change = json.loads(result.stdout)["since_baseline"]
    assert change["fingerprints"]["data"]["status"] == "changed"
    assert change["fingerprints"]["data"]["new"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_fail_on_a_drop_since_the_baseline(audits, tmp_path):
    _, base, old, new = audits
    drop = json.loads(old.read_text())["parity"]["statistical_parity"]["ratio"] - \
        json.loads(new.read_text())["parity"]["statistical_parity"]["ratio"]
    assert drop > 0.02
    gated = [*base, "--threshold", "0.6", "--baseline", old]
    breached = _run(*gated, "--fail-on", "statistical_parity_ratio_drop>0.02", "-o", tmp_path / "gated.json")
    assert breached.exit_code == 1 and "statistical_parity_ratio_drop" in breached.output
    assert (tmp_path / "gated.json").exists()  # the audit is written, then the run fails
    passed = _run(*gated, "--fail-on", f"statistical_parity_ratio_drop>{drop + 0.01:.4f}")
    assert passed.exit_code == 0, passed.output
    unchanged = _run(*base, "--threshold", "0.4", "--baseline", old, "--fail-on", "statistical_parity_ratio_rise>0")
    assert unchanged.exit_code == 0
    without = _run(*base, "--fail-on", "statistical_parity_ratio_drop>0.02")
    assert without.exit_code == 2 and "--baseline" in without.output


def test_bad_baselines_are_one_clear_error_and_write_nothing(audits, predictions, tmp_path):
    path, base, old, _ = audits
    payload = json.loads(old.read_text())
    other_schema = tmp_path / "v0.json"
    other_schema.write_text(json.dumps(payload | {"schema_version": 0}))
    other_kind = tmp_path / "decisions.json"
    other_kind.write_text(json.dumps({"schema_version": payload["schema_version"], "kind": "decisions"}))
    by_race = tmp_path / "race.json"
    assert _run("fairness", "--data", path, "--label-col", "y", "--score-col", "score", "--group-cols", "race",
                "-f", "json", "-o", by_race).exit_code == 0
    out = tmp_path / "out.json"
    for baseline, message in ((other_schema, "schema_version"), (other_kind, "decisions"), (by_race, "race"),
                              (tmp_path / "missing.json", "not found")):
        result = _run(*base, "--baseline", baseline, "-o", out)
        assert result.exit_code == 3 and message in result.output, result.output
        assert not out.exists()
    assert _run("diff", old, other_kind).exit_code == 3
