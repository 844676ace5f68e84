"""``xaudit report --baseline OLD.json``: the "since the last audit" section, and the sign-off block from the config."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from xaudit.cli import app


def test_since_the_last_audit_and_sign_off(tiny_models_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("XAUDIT_MODELS_DIR", str(tiny_models_dir))
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"sex": rng.choice(["f", "m"], 600), "y": rng.integers(0, 2, 600)})
    frame["score"] = np.clip(rng.normal(0.5 + 0.1 * (frame.sex == "m"), 0.2), 0, 1)
    frame.to_csv(tmp_path / "scores.csv", index=False)
    (tmp_path / "audit.toml").write_text(
        'models = ["cnn"]\nn_evaluate = 2\nn_boot = 10\n[cloze]\nenabled = false\n'
        f'[fairness]\ndata = "{tmp_path / "scores.csv"}"\nlabel_col = "y"\nscore_col = "score"\n'
        'group_cols = ["sex"]\n[sign_off]\nauditor = "A. <b>Auditor</b>"\ndate = "2026-12-03"\n'
        'scope = "scores of the test model"\nintended_use = "screening, reviewed by a person"\n')
    base = ["report", "--config", str(tmp_path / "audit.toml")]
    first = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "old.html"), "--threshold", "0.4"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "new.html"), "--threshold", "0.6", "--baseline",
                                      str(tmp_path / "old.json")])
    assert second.exit_code == 0, second.output
    old, new = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("old", "new"))
    (change,) = new["since_last_audit"]["audits"]
    before = old["group_fairness"][0]["result"]["parity"]["statistical_parity"]["ratio"]
    after = new["group_fairness"][0]["result"]["parity"]["statistical_parity"]["ratio"]
    summary = {m["metric"]: m for m in change["summary"]}
    assert summary["statistical_parity_ratio"]["old"] == before and summary["statistical_parity_ratio"]["new"] == after
    assert change["fingerprints"]["data"]["status"] == "same"
    html = (tmp_path / "new.html").read_text()
    assert "Since the last audit" in html and f"<td>{after:.3f}</td>" in html
    assert "A. &lt;b&gt;Auditor&lt;/b&gt;" in html and "screening, reviewed by a person" in html
    assert new["sign_off"]["date"] == "2026-12-03"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1, "kind": "decisions"}))
    refused = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "x.html"), "--baseline", str(bad)])
    assert refused.exit_code == 3 and not (tmp_path / "x.html").exists()
    (tmp_path / "typo.toml").write_text('[sign_off]\nauditr = "x"\n')
    typo = CliRunner().invoke(app, ["report", "--config", str(tmp_path / "typo.toml"), "-o", str(tmp_path / "y.html")])
    assert typo.exit_code == 2 and "auditr" in typo.output
