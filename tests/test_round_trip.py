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
    from xaudit.attribution.explain import Explanations

    text = _cli_json("attribute", "-m", "bert", "--method", "flow,ig,saliency", "--tokens", "--text", "the keys",
                     "--text", "my old dog near the houses", "-f", "json")
    back = Explanations.from_json(text)
    assert back.to_dict() == json.loads(text) and back.model == "bert"
    assert [e.input for e in back.examples] == ["the keys", "my old dog near the houses"]
    for example in back.examples:
        assert set(example.attributions) == {"flow", "ig", "saliency"}
        assert example.attributions["flow"].layer_scores is not None


def test_predict_json_reads_back_and_matches_the_model(models_env, tiny_adapters):
    import io

    import pandas as pd
    import torch

    from xaudit.models.predict import Predictions

    texts = ["the keys to the cabinet", "my dog"]
    text = _cli_json("predict", "-m", "lstm", "--text", texts[0], "--text", texts[1], "-f", "json")
    back = Predictions.from_json(text)
    assert back.to_dict() == json.loads(text)
    adapter = tiny_adapters["lstm"]
    with torch.no_grad():
        probabilities = torch.softmax(adapter.forward(adapter.encode(texts)), dim=-1)
    assert [r.index for r in back.rows] == probabilities.argmax(-1).tolist()
    assert [r.label for r in back.rows] == [adapter.labels[i] for i in probabilities.argmax(-1).tolist()]
    assert [r.probability for r in back.rows] == pytest.approx(probabilities.max(-1).values.tolist(), abs=1e-6)
    frame = pd.read_csv(io.StringIO(_cli_json("predict", "-m", "lstm", "--text", texts[0], "-f", "csv")))
    assert list(frame["kind"]) == ["prediction"] and list(frame["model"]) == ["lstm"]
    assert frame["probability"][0] == pytest.approx(back.rows[0].probability)


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


@pytest.mark.parametrize(("args", "kind"), [
    (["models"], "reference_models"),
    (["predict", "-m", "lstm", "--text", "my dogs"], "predictions"),
    (["attribute", "-m", "lstm", "--text", "my dogs"], "explanations"),
    (["evaluate", "-m", "lstm", "--n-evaluate", "3", "--stability-samples", "0", "--no-removal"], "evaluation"),
    (["fairness", "--example", "credit", "--n-boot", "0"], "group_fairness"),
])
def test_every_command_json_starts_with_the_envelope(models_env, args, kind):
    payload = json.loads(_cli_json(*args, "-f", "json"))
    assert list(payload)[:3] == ["schema_version", "kind", "xaudit_version"] and payload["kind"] == kind


@pytest.mark.parametrize("args", [
    ["predict", "-m", "lstm", "--text", "my dogs"],
    ["attribute", "-m", "lstm", "--text", "my dogs"],
    ["evaluate", "-m", "lstm", "--n-evaluate", "3", "--stability-samples", "0", "--no-removal"],
])
def test_every_csv_names_its_row_type_and_model(models_env, args):
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(_cli_json(*args, "-f", "csv")))
    assert list(frame.columns[:2]) == ["kind", "model"] and set(frame["model"]) == {"lstm"}
    assert frame["kind"].notna().all()


def test_envelope_checks_kind_and_version():
    with pytest.raises(DataError, match="expected a JSON document of kind 'evaluation'"):
        check_envelope({"schema_version": 1, "kind": "group_fairness"}, "evaluation")
    with pytest.raises(DataError, match="unsupported schema_version 7"):
        check_envelope({"schema_version": 7, "kind": "evaluation"}, "evaluation")
