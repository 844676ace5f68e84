"""The command line through typer's CliRunner: output formats, exit codes, errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xaudit.cli import app

runner = CliRunner()


@pytest.fixture
def models_env(tiny_models_dir, monkeypatch):
    monkeypatch.setenv("XAUDIT_MODELS_DIR", str(tiny_models_dir))


def run(*args: str):
    return runner.invoke(app, list(args))


def test_version_and_help():
    assert run("--version").stdout.startswith("xaudit ")
    result = run("--help")
    assert result.exit_code == 0 and "attribute" in result.stdout and "models" in result.stdout


def test_models_json_lists_the_four_models(models_env):
    result = run("models", "--format", "json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert list(payload)[:3] == ["schema_version", "kind", "xaudit_version"] and payload["kind"] == "reference_models"
    rows = payload["models"]
    assert {r["name"] for r in rows} >= {"bert", "lstm", "cnn", "vit"}
    assert all({"name", "kind", "task", "metrics"} <= set(r) for r in rows)
    assert all("test_accuracy" in r["metrics"] for r in rows if r["name"] in {"bert", "lstm", "cnn", "vit"})


def test_attribute_json_has_tokens_scores_prediction(models_env):
    result = run("attribute", "--model", "bert", "--method", "flow,saliency", "--text", "The keys to the cabinet",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload)[:3] == ["schema_version", "kind", "xaudit_version"] and payload["kind"] == "explanations"
    (example,) = payload["examples"]
    assert payload["model"] == example["model"] == "bert"
    assert example["tokens"] == ["The", "keys", "to", "the", "cabinet"]
    assert set(example["scores"]) == {"flow", "saliency"}
    assert len(example["scores"]["flow"]) == 5 and example["prediction"]["label"] in {"singular", "plural"}


def test_attribute_input_file_and_csv(models_env, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "the keys"}\n{"text": "my old dog near the houses"}\n')
    out = tmp_path / "out.csv"
    result = run("attribute", "-m", "lstm", "--method", "blankout", "--input", str(source), "-f", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("kind,model,input_id,method,position,unit,score") and len(lines) == 1 + 2 + 6


def test_attribute_image_with_png(models_env, tmp_path):
    png = tmp_path / "heat.png"
    result = run("attribute", "-m", "vit", "--method", "rollout,saliency", "--digit", "4", "--png", str(png))
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "rollout" in result.stdout and "true label" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-m", "bert", "--method", "flw", "--text", "x"], 2, "unknown method 'flw'; choose one of: alti, attention"),
        (["-m", "brt", "--text", "x"], 3, "unknown model 'brt'"),  # a hub id, offline
        (["-m", "lstm", "--method", "flow", "--text", "x"], 3, "needs attention weights"),
        (["-m", "bert", "--text", "  "], 3, "empty text"),
        (["-m", "bert", "--input", "/no/such/file.txt"], 2, "does not exist"),
        (["-m", "bert", "--digit", "3"], 2, "--digit does not fit a text model"),
        (["-m", "cnn", "--digit", "100000"], 2, "'digit' parameter"),
        (["-m", "bert", "--text", "x", "--target", "dual"], 2, "unknown target 'dual'"),
        (["-m", "bert", "--text", "x", "--method", "attention", "--output-index", "9"], 2, "'output_index'"),
        (["-m", "bert", "--text", "x", "--device", "cuda"], 2, "no CUDA device"),
        (["-m", "bert"], 2, "no input given"),
    ],
)
def test_attribute_errors_are_one_line(models_env, monkeypatch, args, code, message):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = run("attribute", *args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_no_partial_output_file_on_error(models_env, tmp_path):
    out = tmp_path / "out.json"
    result = run("attribute", "-m", "lstm", "--method", "flow", "--text", "x", "-f", "json", "-o", str(out))
    assert result.exit_code == 3 and not out.exists()


def test_long_text_warns_about_truncation(models_env):
    long_text = " ".join(["the old dog"] * 30)
    result = run("attribute", "-m", "bert", "--text", long_text, "-f", "json")
    assert result.exit_code == 0
    assert "tokens were dropped" in result.stderr
    assert json.loads(result.stdout)["examples"][0]["truncated_tokens"] == 90 + 2 - 64


def run_process(*args: str):
    """The installed entry point in a child process: what a user's terminal shows, tracebacks included."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", "from xaudit.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=300)


def test_debug_prints_the_traceback_and_only_with_debug():
    args = ["attribute", "-m", "bert", "--method", "flw", "--text", "x"]
    quiet = run_process(*args)
    assert quiet.returncode == 2 and "unknown method 'flw'" in quiet.stderr
    assert "Traceback" not in quiet.stderr and len(quiet.stderr.strip().splitlines()) == 1
    for loud in (run_process("--debug", *args), run_process(*args, "--debug")):
        assert loud.returncode != 0
        assert "Traceback (most recent call last)" in loud.stderr
        assert "xaudit.errors.ParameterError: unknown method 'flw'" in loud.stderr


def test_predict_and_train_tiny(tmp_path, models_env):
    result = run("predict", "-m", "cnn", "--digit", "0", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["predictions"][0]["true_label"] == "0"
    result = run("train", "cnn", "--preset", "tiny", "--out", str(tmp_path / "cnn"))
    assert result.exit_code == 0 and (tmp_path / "cnn" / "card.json").exists()
    assert run("train", "cnn", "--device", "tpu").exit_code == 2


def test_evaluate_json_and_markdown(models_env, tmp_path):
    report = tmp_path / "repro.md"
    result = run("evaluate", "-m", "bert", "--methods", "attention,rollout,flow", "--against", "blankout,saliency",
                 "--n", "6", "--stability-samples", "1", "--no-removal", "-f", "json", "--markdown", str(report))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_examples"] == 6 and data["methods"] == ["attention", "rollout", "flow"]
    assert {r["measure"] for r in data["results"]} == {"spearman_vs_blankout", "spearman_vs_saliency", "gini",
                                                       "max_sensitivity"}
    text = report.read_text()
    assert "Table 1: vs blank-out scores" in text and "0.29±0.39" in text  # published values beside ours


def test_evaluate_every_reference_model_kind(models_env):
    for model in ("lstm", "cnn", "vit"):
        result = run("evaluate", "-m", model, "--n", "3", "--stability-samples", "1", "-f", "csv")
        assert result.exit_code == 0, result.output
        header, first = result.stdout.splitlines()[:2]
        assert header.startswith("kind,model,method,measure,layer,mean,std,n,n_undefined,ci_low,ci_high,")
        assert first.startswith(f"evaluation,{model},") and f"\ntiming,{model},saliency," in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--layers", "1,x"], 2, "'layers' parameter"),
        (["--target", "maybe"], 2, "unknown target 'maybe'"),
        (["--methods", "flow", "--n", "0"], 2, "'n' parameter must be an int >= 1"),
    ],
)
def test_evaluate_errors(models_env, args, code, message):
    result = run("evaluate", "-m", "bert", *args)
    assert result.exit_code == code and message in result.output


def test_evaluate_input_file_without_labels_needs_predicted_target(models_env, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "the keys"}\n{"text": "my dog", "label": "singular"}\n')
    result = run("evaluate", "-m", "lstm", "--input", str(source), "--stability-samples", "0")
    assert result.exit_code == 2 and "needs a label for every input" in result.output
    result = run("evaluate", "-m", "lstm", "--input", str(source), "--stability-samples", "0", "--target",
                 "predicted", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["n_examples"] == 2


def test_rich_markup_in_user_text_is_shown_literally(models_env):
    result = run("predict", "-m", "lstm", "--text", "the keys [/] to [bold]x[/bold]")
    assert result.exit_code == 0, result.output
    assert "[/]" in result.stdout and "[bold]x[/bold]" in result.stdout


def test_unwritable_output_is_one_line_and_leaves_no_side_file(models_env, tmp_path):
    png = tmp_path / "heat.png"
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = run("attribute", "-m", "cnn", "--digit", "1", "--png", str(png), "-o", str(blocked / "out.txt"))
    assert result.exit_code == 3 and "Error:" in result.output and "Traceback" not in result.output
    assert not png.exists()


def test_unexpected_errors_are_one_line_with_exit_4(models_env, monkeypatch):
    import xaudit.models.predict as predict_module

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(predict_module, "predict_proba", boom)
    result = run("predict", "-m", "cnn", "--digit", "1")
    assert result.exit_code == 4 and "internal error: RuntimeError: simulated bug" in result.output
    assert "Traceback" not in result.output
    loud = run("--debug", "predict", "-m", "cnn", "--digit", "1")
    assert loud.exit_code != 0 and isinstance(loud.exception, RuntimeError) and "simulated bug" in str(loud.exception)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "bert", "--layers", "7"], "<= 2 for model 'bert'"),
        (["-m", "lstm", "--markdown", "x.md"], "--markdown writes Abnar & Zuidema's tables"),
        (["-m", "cnn", "--input", "x.jsonl"], "--input holds texts"),
    ],
)
def test_evaluate_refuses_options_that_do_not_fit(models_env, args, message):
    result = run("evaluate", *args)
    assert result.exit_code == 2 and message in result.output


def test_old_spellings_are_hidden_aliases(models_env):
    """evaluate's --methods and --n still work (kept for one release) and give what --method / --n-evaluate give."""
    args = ["-m", "bert", "--stability-samples", "0", "--no-removal", "-f", "json", "--against", "blankout"]
    old = run("evaluate", *args, "--methods", "rollout", "--n", "3")
    new = run("evaluate", *args, "--method", "rollout", "--n-evaluate", "3")
    assert old.exit_code == new.exit_code == 0, old.output
    assert json.loads(old.stdout)["results"] == json.loads(new.stdout)["results"]
    assert "--methods" not in run("evaluate", "--help").stdout


def test_debug_after_the_subcommand_shows_the_traceback(models_env):
    quiet = run("attribute", "-m", "bert", "--method", "flw", "--text", "x")
    loud = run("attribute", "-m", "bert", "--method", "flw", "--text", "x", "--debug")
    assert quiet.exit_code == 2 and loud.exception is not None and "unknown method" in str(loud.exception)


def test_method_options_come_from_the_declarations(models_env):
    from xaudit.attribution import METHODS, method_options

    help_text = run("attribute", "--help").stdout
    for param in method_options().values():
        assert param.option in help_text
    assert all(name in help_text for name in METHODS)
    refused = run("attribute", "-m", "bert", "--text", "x", "--method", "saliency", "--order", "2")
    assert refused.exit_code == 2 and "--order applies to taylor" in refused.output


def test_a_new_method_with_a_parameter_gets_its_option_and_report_text(monkeypatch, models_env):
    """One class plus one registry entry: the CLI option, its check and the report's methods text follow."""
    import numpy as np

    from xaudit.attribution import registry
    from xaudit.attribution.base import AttributionMethod, RawScores
    from xaudit.report.document import MethodText
    from xaudit.report.methods_text import methods
    from xaudit.validation import Param

    class Constant(AttributionMethod):
        name, title, citation = "constant", "Constant scores", "A test (2026)."
        definition = "Every unit scores the declared value v."
        requires = frozenset()
        parameters = (Param("value", float, 1.0, "Score of every unit.", minimum=0.0),)

        def _scores(self, adapter, batch, targets):
            return RawScores([np.full(n, self.params["value"]) for n in batch.lengths])

    monkeypatch.setitem(registry.METHODS, "constant", Constant)
    from xaudit.cli import attribute_cmd, options

    fresh = options.with_method_options(attribute_cmd.attribute.__wrapped__)
    import typer

    app_ = typer.Typer()
    options.command(app_, "attribute", fresh)
    result = runner.invoke(app_, ["-m", "lstm", "--method", "constant", "--value", "2.5", "--text", "my dogs",
                                  "-f", "json"])
    assert result.exit_code == 0, result.output
    (example,) = json.loads(result.stdout)["examples"]
    assert example["scores"]["constant"] == [2.5, 2.5] and example["params"]["constant"] == {"value": 2.5}
    bad = runner.invoke(app_, ["-m", "lstm", "--method", "constant", "--value", "-1", "--text", "x"])
    assert bad.exit_code == 2 and "The 'value' parameter must be a number >= 0.0" in bad.output
    assert MethodText("Constant scores", Constant.definition, "A test (2026).") in methods()


def test_the_paper_tables_gain_rows_for_the_newer_layered_methods_that_ran(models_env, tmp_path):
    from xaudit.evaluation.paper_tables import _cell

    report = tmp_path / "repro.md"
    result = run("evaluate", "-m", "bert", "--method", "rollout,alti", "--against", "blankout", "--n", "4",
                 "--stability-samples", "0", "--no-removal", "-f", "json", "--markdown", str(report))
    assert result.exit_code == 0, result.output
    summaries = {(r["method"], r["layer"]): r for r in json.loads(result.stdout)["results"]
                 if r["measure"] == "spearman_vs_blankout"}
    rows = {line.split(" | ")[0].strip("| "): line for line in report.read_text().splitlines()
            if line.startswith("| ALTI |") or line.startswith("| Value zeroing |")}
    assert list(rows) == ["ALTI"]  # value zeroing did not run: no row
    cells = [cell.strip() for cell in rows["ALTI"].strip("|").split("|")[1:]]
    layers = sorted(layer for method, layer in summaries if method == "alti")
    assert len(layers) >= 2 and len(cells) == len(layers)
    assert cells == [_cell(summaries["alti", layer]["mean"], summaries["alti", layer]["std"]) for layer in layers]
