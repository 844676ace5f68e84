"""Every ``xaudit`` command in the README parses and passes its checks as written.

Each command runs through the CLI in a folder holding the files it names, with the work
itself (loading a model, reading a table or MozArt, building a report, training) replaced
by a sentinel: a command is fine when it gets as far as its work, or finishes. Lines with
``...`` are elisions, not commands.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xaudit.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
WORK = [("xaudit.models.loading", "load_model"), ("xaudit.report.build", "load_model"), ("xaudit.cloze.audit", "load_mozart"),
        ("xaudit.report.build", "build_report"), ("xaudit.fairness.pipeline", "run_group_fairness"),
        ("xaudit.training.recipes", "train"), ("xaudit.fairness.diff", "read_audits"),
        ("xaudit.fairness.ll144", "run_ll144")]
"""The work each command may start; also where a module binds ``load_model`` on import (importing it here
first binds the real one, which the patch then replaces and restores, instead of the sentinel for good)."""
NAMED_FILES = ["sentences.txt", "sentences.jsonl", "predictions.csv", "answers.csv", "answers.jsonl", "preds.csv", "preds.parquet",
               "counts.parquet", "audit.toml", "mbert.jsonl", "german.csv", "adult.csv", "reviews.csv",
               "applications.csv", "old.json", "new.json"]
SHARED_FILES = ["german/german.csv", "adult/adult.csv"]


class WorkStarted(Exception):
    pass


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" # ")[0].strip()
            if line.startswith("xaudit ") and "..." not in line:
                commands.append(line)
    return commands


def test_the_readme_has_commands():
    assert len(readme_commands()) >= 20


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_parses_and_passes_its_checks(command, tmp_path, monkeypatch, tiny_mlm_dir, tiny_models_dir,
                                                     zoo_folder):
    import importlib
    import shutil

    def work(*args, **kwargs):
        raise WorkStarted("work started")

    modules = [importlib.import_module(module) for module, _ in WORK]  # all imported before any is patched
    for module, (_, name) in zip(modules, WORK):
        monkeypatch.setattr(module, name, work)
    checkout = tmp_path / "xaudit"  # a checkout with the shared data folder beside it, as the README assumes
    mozart = tmp_path / "shared" / "data" / "mozart"
    mozart.mkdir(parents=True)
    for language in ("en", "es", "de", "fr"):
        (mozart / f"{language}_data_with_annotations.jsonl").write_text("")
    for name in SHARED_FILES:
        (mozart.parent / name).parent.mkdir(exist_ok=True)
        (mozart.parent / name).write_text("")
    (checkout / "reports").mkdir(parents=True)
    for name in NAMED_FILES:
        (checkout / name).write_text("")
    shutil.copytree(tiny_mlm_dir, checkout / "my-mlm")
    shutil.copytree(tiny_models_dir / "bert", checkout / "my-classifier")
    shutil.copytree(zoo_folder("gpt2-lm"), checkout / "my-gpt2")
    monkeypatch.chdir(checkout)
    monkeypatch.delenv("XAUDIT_DATA_DIR", raising=False)
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0 or "WorkStarted: work started" in result.output, result.output
