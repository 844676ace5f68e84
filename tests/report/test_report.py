"""The HTML report: escaping, self-containment, structure (in a real browser when Chromium is there)."""

from __future__ import annotations

import json
import re

import pytest

from tests.report.conftest import ATTRIBUTE_PAYLOAD, SCRIPT_PAYLOAD, browser
from xaudit.report.document import AuditReport
from xaudit.report.embed import embedded_view, script_json

SECTIONS = ("summary", "group-fairness", "cloze", "explanations", "methods", "provenance")


def test_payloads_never_appear_unescaped(hostile_report):
    html = hostile_report[0].read_text()
    for payload in (SCRIPT_PAYLOAD, ATTRIBUTE_PAYLOAD, "<img src=x"):
        assert payload not in html
    assert "&lt;script&gt;" in html  # the group name and title are shown, as text
    assert html.count("<script") == 1  # only the JSON data element


def test_embedded_json_round_trips_and_cannot_close_its_element(hostile_report):
    html_path, data = hostile_report
    html = html_path.read_text()
    body = re.search(r'<script type="application/json" id="xaudit-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in body and ">" not in body
    embedded = json.loads(body)
    assert embedded == json.loads(json.dumps(embedded_view(data)))
    assert embedded["title"] == data["title"] and "layer_scores" not in embedded["explanations"][0]["examples"][0]
    assert any("layer_scores" in e for block in data["explanations"] for e in block["examples"])
    assert "\\u003c/script\\u003e" in script_json({"x": "</script>"})


def test_the_report_json_reads_back_as_the_same_typed_report(hostile_report):
    data = hostile_report[1]
    report = AuditReport.from_dict(data)
    assert report.to_dict() == data
    assert report.group_fairness[0].result.reference_group and report.cloze.result.n_annotations == 8
    assert {f.subject for f in report.findings} >= {report.group_fairness[0].title, report.cloze.result.model}


def test_no_external_references(hostile_report):
    html = hostile_report[0].read_text()
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", html, re.I)
    assert "@import" not in html and "<link" not in html


def test_sections_and_tables_are_present(hostile_report):
    html = hostile_report[0].read_text()
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert html.count("<table") >= 6
    assert "four-fifths" in html and "Most influential tokens overall" in html


def test_cloze_section_holds_the_paper_tables_and_the_human_baseline(hostile_report):
    html, data = hostile_report[0].read_text(), hostile_report[1]
    cloze = data["cloze"]
    titles = [table["title"] for table in cloze["tables"]]
    assert titles[:3] == [f"P@1 of {cloze['result']['model']} (%)", f"P@5 of {cloze['result']['model']} (%)",
                          "Human baseline: annotators who gave the original word (%)"]
    human = {row[0]: row[1:3] for row in cloze["tables"][2]["rows"]}
    assert human["FN"] == ["100.0", "100.0"] and human["MN"] == ["0.0", "0.0"]  # women wrote "sees", men not
    assert cloze["result"]["n_annotations"] == 8
    assert "mean (σ_gd)" in html and "Cloze P@1" in json.dumps(data["findings"])
    assert any(f["path"].endswith("en_data_with_annotations.jsonl") for f in data["provenance"]["data_files"])


def test_findings_flag_the_planted_disparity(hostile_report):
    _, data = hostile_report
    assert data["findings"][0]["severity"] == "high"
    assert "plain" in data["findings"][0]["text"]  # the group whose selection rate is cut


def test_browser_renders_without_running_injected_code(hostile_report, tmp_path):
    html_path, _ = hostile_report
    dom = browser("--dump-dom", html_path.as_uri()).stdout
    assert "data-pwned" not in dom
    assert "<img src=\"x\"" not in dom and "<img src=x" not in dom
    for section in SECTIONS:
        assert f'id="{section}"' in dom
    assert dom.count("<table") >= 6
    assert "&lt;script&gt;document.body.dataset.pwned" in dom  # shown as text
    shot = tmp_path / "report.png"
    browser("--window-size=1280,1800", f"--screenshot={shot}", html_path.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_report_cli_writes_html_and_json(tiny_models_dir, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from xaudit.cli import app

    monkeypatch.setenv("XAUDIT_MODELS_DIR", str(tiny_models_dir))
    monkeypatch.delenv("XAUDIT_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no ../shared/data here: the built-in synthetic example is used
    result = CliRunner().invoke(app, ["report", "-o", "out/audit.html", "--model", "cnn", "--method",
                                      "saliency,flow", "--n-evaluate", "3", "--n-boot", "20"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "audit.json").read_text()
    data = json.loads(text)
    assert data["group_fairness"][0]["dataset"] == "Synthetic credit decisions"
    assert "built-in" in (tmp_path / "out" / "audit.html").read_text() or "Synthetic" in data["data_source"]
    (block,) = data["explanations"]  # flow does not apply to the CNN: skipped with the reason, saliency kept
    assert block["methods"] == ["saliency"] and list(block["examples"][0]["scores"]) == ["saliency"]
    assert "needs attention weights" in block["skipped"]["flow"]
    assert "Skipped flow: method &#39;flow&#39; needs attention weights" in (tmp_path / "out" / "audit.html").read_text()
    assert AuditReport.from_json(text).to_dict() == data


def test_report_group_options_match_xaudit_fairness(tiny_models_dir, monkeypatch, tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from xaudit.cli import app

    monkeypatch.setenv("XAUDIT_MODELS_DIR", str(tiny_models_dir))
    rows = [{"sex": sex, "native": native, "y": i % 2, "yhat": (i // 2) % 2}
            for i, (sex, native) in enumerate([("male", 1), ("female", 1), ("male", 0), ("female", 0)] * 50)]
    pd.DataFrame(rows).to_csv(tmp_path / "preds.csv", index=False)
    result = CliRunner().invoke(app, [
        "report", "-o", str(tmp_path / "audit.html"), "--model", "cnn", "--n-evaluate", "2", "--n-boot", "10",
        "--no-cloze", "--data", str(tmp_path / "preds.csv"), "--label-col", "y", "--pred-col", "yhat",
        "--define", "MN=sex:male&native:1", "--define", "FN=sex:female&native:1", "--groups", "FN,MN"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "audit.json").read_text())
    assert [g["group"] for g in data["group_fairness"][0]["result"]["groups"]] == ["FN", "MN"]
    assert data["cloze"] is None
    (tmp_path / "audit.toml").write_text(f'models = ["cnn"]\nn_evaluate = 2\nn_boot = 10\n[cloze]\nenabled = false\n'
                                         f'[fairness]\ndata = "{tmp_path / "preds.csv"}"\nlabel_col = "y"\n'
                                         'pred_col = "yhat"\ngroup_cols = ["sex"]\n')
    overridden = CliRunner().invoke(app, ["report", "-o", str(tmp_path / "second.html"), "--config",
                                          str(tmp_path / "audit.toml"), "--groups", "male"])
    assert overridden.exit_code == 0, overridden.output
    data = json.loads((tmp_path / "second.json").read_text())
    assert [g["group"] for g in data["group_fairness"][0]["result"]["groups"]] == ["male"]


def test_report_explains_a_masked_lm_on_masked_texts(tiny_mlm_dir, synthetic_data, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from xaudit.cli import app

    monkeypatch.setenv("XAUDIT_DATA_DIR", str(synthetic_data))
    result = CliRunner().invoke(app, ["report", "-o", str(tmp_path / "audit.html"), "--model", str(tiny_mlm_dir),
                                      "--method", "saliency", "--n-evaluate", "2", "--n-boot", "10"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "audit.json").read_text())
    (block,) = data["explanations"]
    inputs = [e["input"] for e in block["examples"]]
    assert all(text.count("[MASK]") == 1 for text in inputs) and len(inputs) > 4  # showcase + held-out corpus
    assert data["cloze"] is None and "MozArt was not found" in data["data_source"]
    html = (tmp_path / "audit.html").read_text()
    assert "Attention per head" in html and html.count('<svg class="heads"') == len(block["heads"]["weights"])
    assert "sanity: ρ with every layer random" in html


def test_report_config_file_and_its_errors(tiny_models_dir, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from xaudit.cli import app

    monkeypatch.setenv("XAUDIT_MODELS_DIR", str(tiny_models_dir))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text('modelz = ["bert"]\n')
    result = CliRunner().invoke(app, ["report", "--config", "bad.toml"])
    assert result.exit_code == 2 and "unknown key 'modelz'" in result.output
    (tmp_path / "broken.toml").write_text("models = [\n")
    result = CliRunner().invoke(app, ["report", "--config", "broken.toml"])
    assert result.exit_code == 3 and "not valid TOML" in result.output
    for bad, message in (('models = "bert"', "'models' in bad2.toml must be a list of strings"),
                         ("n_evaluate = -5", "'n_evaluate' parameter must be an int >= 0"),
                         ('[fairness]\ndata = "p.csv"\nlabel_col = "y"\ngroup_cols = "sex"', "'group_cols'")):
        (tmp_path / "bad2.toml").write_text(bad + "\n")
        result = CliRunner().invoke(app, ["report", "--config", "bad2.toml"])
        assert result.exit_code == 2 and message in result.output, result.output
    (tmp_path / "ok.toml").write_text('title = "T"\nmodels = ["cnn"]\nn_evaluate = 2\nn_boot = 10\n')
    result = CliRunner().invoke(app, ["report", "--config", "ok.toml", "-o", "r.html"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r.json").read_text())["title"] == "T"
    assert not list(tmp_path.glob(".r.html.*"))  # no temporary files left behind


@pytest.mark.parametrize("args", [["--data", "x.csv"], ["--seed", "-1"], ["--groups", "MN,FN"],
                                  ["--label-col", "y"]])
def test_report_bad_options(args, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from xaudit.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report", *args])
    assert result.exit_code == 2 and not (tmp_path / "reports").exists()
