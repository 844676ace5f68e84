"""The reproduction report: the paper's patterns on its own numbers, and a small end-to-end run (CI's version)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from xaudit.cli import app
from xaudit.evaluation.paper_tables import PAPER
from xaudit.evaluation.reproduction import PATTERNS


def published(reference):
    return lambda method, layer: PAPER[reference][method][layer - 1][0]


@pytest.mark.parametrize(("reference", "expected"), [
    ("blankout", {"l1": True, "dip": True, "above": True, "flow_ge_rollout": False}),  # flow 0.70 < rollout 0.71 at L6
    ("saliency", {"l1": True, "dip": True, "above": True, "flow_ge_rollout": True}),
])
def test_the_patterns_on_the_papers_own_tables(reference, expected):
    assert {p.key: p.check(published(reference), list(range(1, 7))) for p in PATTERNS} == expected


def test_patterns_by_hand():
    flat = {"attention": [0.5, 0.3, 0.05, 0.08, 0.2, 0.3], "rollout": [0.4, 0.5, 0.6, 0.6, 0.6, 0.6],
            "flow": [0.4, 0.5, 0.6, 0.59, 0.7, 0.7]}
    means = lambda method, layer: flat[method][layer - 1]  # noqa: E731
    checks = {p.key: p.check(means, list(range(1, 7))) for p in PATTERNS}
    # raw 0.5 vs 0.4 at L1; dip to 0.05, back to 0.3; rollout/flow above raw from L3; flow < rollout at L4
    assert checks == {"l1": True, "dip": True, "above": True, "flow_ge_rollout": False}
    assert PATTERNS[1].check(means, [1, 2, 3, 4]) is None  # no layer after the dip: not decidable


def test_reproduce_writes_both_protocols_from_the_run(tmp_path):
    from xaudit.evaluation.reproduction import reproduce
    from xaudit.evaluation.reproduction_report import markdown
    from xaudit.training.recipes import train

    folder = tmp_path / "gpt2-encoder"
    train("gpt2-encoder", folder, preset="tiny")
    out = tmp_path / "report.md"
    result = CliRunner().invoke(app, ["reproduce", "-m", str(folder), "--n-evaluate", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for heading in ("## Table 1", "## Table 2", "Ours, `paper` protocol", "Ours, `xaudit` protocol",
                    "## Degeneracy diagnostics", "| pattern | published |", "pool layers 1..l"):
        assert heading in text
    run = reproduce(str(folder), 4)
    flow = run.results["paper"].get("flow", "spearman_vs_saliency", 2)
    assert f"{flow.mean:.2f}±{flow.std:.2f}" in text  # the same seeded run: the numbers come from it
    assert markdown(run, "cmd").split("## Setup")[1] == text.split("## Setup")[1]
