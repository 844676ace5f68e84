"""Every result type reads back what it writes: from_dict(to_dict()) is equal, through JSON text."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xaudit.cli import app
from xaudit.errors import DataError
from xaudit.schema import check_envelope


@pytest.fixture
def models_env(tiny_models_dir, monkeypatch):
    monkeypatch.setenv("XAUDIT_MODELS_DIR", str(tiny_models_dir))


def _cli_json(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_attribute_json_reads_back_as_explanations(models_env):
    from xaudit.attribution.explain import Explanation

    text = _cli_json("attribute", "-m", "bert", "--method", "flow,ig,saliency", "--tokens", "--text", "the keys",
                     "--text", "my old dog near the houses", "-f", "json")
    for item in json.loads(text):
        back = Explanation.from_dict(item)
        assert back.to_dict() == item
        assert set(back.attributions) == {"flow", "ig", "saliency"}
        assert back.attributions["flow"].layer_scores is not None


def test_evaluate_json_reads_back(models_env):
    from xaudit.evaluation.runner import EvaluationResult

    text = _cli_json("evaluate", "-m", "lstm", "--n-evaluate", "4", "--stability-samples", "1", "-f", "json")
    back = EvaluationResult.from_json(text)
    assert back.to_dict() == json.loads(text) and back.summaries


def test_fairness_json_reads_back():
    from xaudit.fairness import FairnessResult

    text = _cli_json("fairness", "--example", "credit", "--n-boot", "20", "-f", "json")
    back = FairnessResult.from_json(text)
    assert back.to_dict() == json.loads(text)
    assert back.summary().keys() == FairnessResult.from_dict(json.loads(text)).summary().keys()


def test_every_command_json_starts_with_the_envelope(models_env):
    text = _cli_json("fairness", "--example", "credit", "--n-boot", "0", "-f", "json")
    assert list(json.loads(text))[:3] == ["schema_version", "kind", "xaudit_version"]


def test_envelope_checks_kind_and_version():
    with pytest.raises(DataError, match="expected a JSON document of kind 'evaluation'"):
        check_envelope({"schema_version": 1, "kind": "group_fairness"}, "evaluation")
    with pytest.raises(DataError, match="unsupported schema_version 7"):
        check_envelope({"schema_version": 7, "kind": "evaluation"}, "evaluation")
