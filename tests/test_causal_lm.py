"""Causal LMs (GPT-2, Llama-style) explain the log-probability of a continuation, or its difference with a foil's:
the explained value equals a direct computation with the model, batches score as their texts one at a time, IG
sums to it, attention methods read the predicting position; from the CLI and the Python API."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from xaudit.attribution import get_method
from xaudit.attribution.explain import explain
from xaudit.cli import app
from xaudit.models import load_model

LMS = ["gpt2-lm", "llama-lm"]
TEXTS = ["the doctor said that", "my dog", "the author that the senators admire near our city said that"]


@pytest.fixture(scope="module", params=LMS)
def lm(request, zoo_folder):
    return request.param, load_model(str(zoo_folder(request.param)))


def direct_log_probability(adapter, text: str, continuation: str) -> float:
    """``Σ_j log p(c_j | text, c_<j)`` from the model run on the token ids of text + continuation, no padding."""
    tokenizer, model = adapter.tokenizer, adapter.model
    prompt = tokenizer(text)["input_ids"]
    added = tokenizer(continuation, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([prompt + added])).logits[0].double()
    log_p = torch.log_softmax(logits, dim=-1)
    return float(sum(log_p[len(prompt) - 1 + j, token] for j, token in enumerate(added)))


def test_the_target_log_probability_is_the_models_own(lm):
    _, adapter = lm
    view = adapter.with_continuation(" he would")  # two tokens or more: summed
    assert len(view.target_ids) >= 2
    batch = view.encode(TEXTS)
    assert len(set(batch.lengths)) == 3  # padded batch
    with torch.no_grad():
        logits = view.forward(batch).double()
    expected = torch.tensor([direct_log_probability(adapter, t, " he would") for t in TEXTS], dtype=torch.float64)
    torch.testing.assert_close(logits[:, 1], expected, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(torch.softmax(logits, -1)[:, 1], expected.exp(), atol=1e-5, rtol=1e-4)  # p(target)


def test_a_foil_explains_the_difference(lm):
    _, adapter = lm
    view = adapter.with_continuation(" he", foil=" she")
    with torch.no_grad():
        logits = view.forward(view.encode(TEXTS)).double()
    expected = [direct_log_probability(adapter, t, " he") - direct_log_probability(adapter, t, " she") for t in TEXTS]
    torch.testing.assert_close(logits[:, 1], torch.tensor(expected, dtype=torch.float64), atol=1e-4, rtol=1e-4)
    assert view.labels == [" she", " he"]


def test_integrated_gradients_sum_to_the_explained_difference(lm):
    _, adapter = lm
    view = adapter.with_continuation(" he", foil=" she")
    batch = view.encode(TEXTS[:2])
    results = get_method("ig", n_steps=64).attribute(view, batch)
    with torch.no_grad():
        change = (view.forward(batch) - view.forward_from_embeddings(view.baseline(batch), batch))[:, 1]
    for row, result in enumerate(results):
        assert result.target == 1 and result.target_label == " he"
        delta = result.extras["convergence_delta"]
        assert abs(result.scores.sum() - float(change[row])) <= abs(delta) + 1e-5
        assert abs(delta) < 0.05 * max(1e-3, abs(float(change[row]))) + 1e-4


def test_attention_methods_read_the_predicting_position(lm):
    _, adapter = lm
    view = adapter.with_continuation(" he", foil=" she")
    batch = view.encode(TEXTS)
    positions = [n - 1 for n in batch.lengths]
    attention = get_method("attention").attribute(view, batch)
    rollout = get_method("rollout").attribute(view, batch)
    for row, text in enumerate(TEXTS):
        encoded = adapter.tokenizer([text], return_tensors="pt")
        with torch.no_grad():
            own = torch.stack(adapter.model(**encoded, output_attentions=True).attentions)[:, 0].mean(dim=1)
        np.testing.assert_allclose(attention[row].layer_scores, own[:, -1].double().numpy(), atol=1e-6)
        assert attention[row].decision_position == rollout[row].decision_position == positions[row]
        np.testing.assert_allclose(rollout[row].layer_scores.sum(axis=1), 1.0, atol=1e-9)
        assert (rollout[row].layer_scores[:, :-1] > 0).all()  # causal attention: every earlier token is seen


def test_without_a_continuation_the_model_asks_for_one(lm):
    from xaudit.errors import ParameterError

    _, adapter = lm
    with pytest.raises(ParameterError, match="causal LM.*--target"):
        adapter.forward(adapter.encode(TEXTS[:1]))


def test_python_api_explains_he_rather_than_she(zoo_folder):
    adapter = load_model(str(zoo_folder("gpt2-lm"))).with_continuation(" he", foil=" she")
    (explanation,) = explain(adapter, ["The doctor said that"], [get_method("saliency"), get_method("rollout")])
    assert explanation.first.target_label == " he"
    assert explanation.attributions["rollout"].decision_position == len(adapter.encode(["The doctor said that"]).units[0]) - 1
    assert explanation.first.units == ["The", "doctor", "said", "that"]


def test_cli_explains_a_continuation_against_a_foil(zoo_folder):
    folder = str(zoo_folder("gpt2-lm"))
    args = ["attribute", "--model", folder, "--text", "The doctor said that", "--target", " he", "--foil", " she",
            "--method", "ig,rollout", "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    (example,) = json.loads(result.stdout)["examples"]
    assert example["target"]["label"] == " he" and example["prediction"]["label"] in (" he", " she")
    adapter = load_model(folder)
    d = direct_log_probability(adapter, "The doctor said that", " he") - \
        direct_log_probability(adapter, "The doctor said that", " she")
    assert example["target"]["probability"] == pytest.approx(1 / (1 + np.exp(-d)), rel=1e-4)
    assert example["decision_position"]["rollout"] == len(adapter.tokenizer("The doctor said that")["input_ids"]) - 1
    missing = CliRunner().invoke(app, ["attribute", "--model", folder, "--text", "The doctor said that"])
    assert missing.exit_code == 2 and "causal LM" in missing.output and "Traceback" not in missing.output


def test_foil_is_refused_for_a_classifier(zoo_folder):
    result = CliRunner().invoke(app, ["attribute", "--model", str(zoo_folder("gpt2")), "--text", "my dog",
                                      "--foil", " she"])
    assert result.exit_code == 2 and "--foil applies to causal LMs" in result.output
