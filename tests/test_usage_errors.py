"""Usage errors come before any model loads or data is read (exit 2), and help pages read well."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from xaudit.cli import app

COMMANDS = ["models", "train", "predict", "attribute", "evaluate", "reproduce", "fairness", "cloze", "report"]
USAGE_ERRORS = [
    (["attribute", "-m", "bert"], "no input given"),
    (["attribute", "-m", "bert", "--digit", "3"], "--digit does not fit a text model"),
    (["attribute", "-m", "cnn", "--text", "x"], "--text does not fit an image model"),
    (["attribute", "-m", "bert", "--text", "x", "--method", "flw"], "unknown method 'flw'"),
    (["attribute", "-m", "bert", "--text", "x", "--method", "attention", "--layer", "7"], "<= 6. Got 7"),
    (["attribute", "-m", "bert", "--text", "x", "--target", "dual"], "unknown target 'dual'"),
    (["attribute", "-m", "./no/such/folder", "--text", "x"], "no such model file or folder"),
    (["attribute", "-m", "bert", "--input", "/no/such/file.txt"], "does not exist"),
    (["predict", "-m", "cnn"], "no input given"),
    (["evaluate", "-m", "bert", "--layers", "9", "--method", "flow"], "<= 6 for model 'bert'. Got 9"),
    (["evaluate", "-m", "bert", "--target", "dual"], "unknown target 'dual'"),
    (["evaluate", "-m", "lstm", "--markdown", "t.md"], "needs a transformer"),
    (["evaluate", "-m", "bert", "--protocol", "papr"], "unknown protocol 'papr'"),
    (["evaluate", "-m", "bert", "--method", "flow", "--steps", "5"], "--steps applies to ig, smoothgrad-ig"),
    (["evaluate", "-m", "bert", "--protocol", "paper", "--against", "ig"], "only the references blankout, saliency"),
    (["report", "--model", "./foo"], "no such model file or folder: ./foo"),
    (["report", "--method", "flw"], "unknown method 'flw'"),
    (["report", "--model", "cnn,lstm", "--method", "flow"], "none of the methods flow applies"),
    (["fairness", "--example", "nosuch"], "unknown example 'nosuch'"),
    (["fairness", "--data", "/no/such.csv", "--label-col", "y"], "does not exist"),
    (["cloze", "--k", "x"], "'k' parameter"),
    (["cloze", "--model", "./nosuch"], "no such model file or folder: ./nosuch"),
    (["train", "foo"], "'foo' is not one of"),
]
ATTENTION_NEEDED = (["attribute", "-m", "cnn", "--digit", "3", "--method", "flow"], "needs attention weights")


@pytest.fixture
def nothing_loads(monkeypatch):
    """Loading a model, reading MozArt or building a report fails the test: checks must come first."""
    import xaudit.cloze.audit
    import xaudit.models.loading

    def refuse(*args, **kwargs):
        raise AssertionError("work started before the request was checked")

    monkeypatch.setattr(xaudit.models.loading, "load_model", refuse)
    monkeypatch.setattr(xaudit.cloze.audit, "load_mozart", refuse)


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_usage_errors_exit_2_before_any_work(nothing_loads, args, message):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "work started" not in result.output


def test_a_method_the_model_cannot_run_is_refused_before_loading(nothing_loads):
    args, message = ATTENTION_NEEDED
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3 and message in result.output  # a model error, as after loading


def test_usage_errors_do_not_import_torch():
    """The whole process: a usage error answers without importing torch (which takes seconds)."""
    script = (
        "import sys\nfrom typer.testing import CliRunner\nfrom xaudit.cli import app\n"
        f"for args, _ in {USAGE_ERRORS!r}:\n"
        "    assert CliRunner().invoke(app, args).exit_code == 2, args\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_pages_show_an_example_choices_and_no_type_names(command):
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "<str>" not in result.stdout and "<list[" not in result.stdout
