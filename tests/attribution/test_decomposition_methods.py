"""attention-norm, alti and value-zeroing against slow oracles on the shipped (trained) bert and vit.

The oracles read transformers' own forward pass (``output_hidden_states``, ``output_attentions``, hooks on the
named modules) and loop over heads and tokens: attention norms ‖Σ_h α f_h(x_j)‖ from the module weights (Kobayashi
et al. 2020); ALTI's contributions from the layer norm's own input and output (Ferrando et al. 2022), and its
decomposition summed back to the attention block's actual output; value zeroing by one full forward pass per
token with a hook zeroing that value row (Mohebbi et al. 2023). Composition is a loop rollout of the per-layer
matrices. A batch of different lengths equals its texts alone; models the methods cannot take apart are refused.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from tests.zoo import inputs_for
from xaudit.attribution import get_method
from xaudit.attribution.alti import decompose
from xaudit.cli import app
from xaudit.datasets import digits
from xaudit.errors import ModelError
from xaudit.models import load_model
from xaudit.models.attention_blocks import blocks
from xaudit.models.summary import summarize

TEXTS = ["the keys to the old cabinet near my dogs are", "the author"]
METHODS = ("attention-norm", "alti", "value-zeroing")


@pytest.fixture(scope="module")
def bert():
    return load_model("bert")


@pytest.fixture(scope="module")
def vit():
    return load_model("vit")


def hf_pass(adapter, item, hooks=()):
    """Per layer the input hidden states ``(n, d)`` and attention ``(heads, n, n)`` (float64; the output of layer l
    is ``hidden_states[l + 1]``), from transformers' own forward pass on a text or an image with ``hooks`` (module,
    forward hook) on."""
    if adapter.modality == "image":
        encoded = {"pixel_values": adapter.encode([item]).inputs["pixel_values"]}
    else:
        encoded = adapter.tokenizer([item], return_tensors="pt")
    handles = [module.register_forward_hook(hook) for module, hook in hooks]
    try:
        with torch.no_grad():
            out = adapter.model(**encoded, output_attentions=True, output_hidden_states=True)
    finally:
        for handle in handles:
            handle.remove()
    return [h[0].double() for h in out.hidden_states], [a[0].double() for a in out.attentions]


def head_vectors(layer, x: torch.Tensor) -> list[torch.Tensor]:
    """f_h(x) = (x W_V + b_V)_h W_O[h] for each head h of a BertLayer, head by head."""
    attention = layer.attention.self
    dense = layer.attention.output.dense.weight.double()
    size = attention.attention_head_size
    value = x @ attention.value.weight.double().T + attention.value.bias.double()
    return [value[h * size:(h + 1) * size] @ dense[:, h * size:(h + 1) * size].T
            for h in range(attention.num_attention_heads)]


def mixed(layer, x, attention, i: int, j: int) -> torch.Tensor:
    """Σ_h α^h_ij f_h(x_j), head by head."""
    vectors = head_vectors(layer, x[j])
    return sum(attention[h, i, j] * vectors[h] for h in range(len(vectors)))


def normalised(matrix: np.ndarray) -> np.ndarray:
    return matrix / matrix.sum(axis=1, keepdims=True)


def rollout_by_loops(matrices: list[np.ndarray], position: int) -> np.ndarray:
    """R = I; R <- C_l R element by element; the position's row after each layer."""
    n = len(matrices[0])
    rolled = [[float(i == j) for j in range(n)] for i in range(n)]
    rows = []
    for matrix in matrices:
        rolled = [[sum(matrix[i][k] * rolled[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
        rows.append(list(rolled[position]))
    return np.asarray(rows)


def method_rows(adapter, text: str, name: str, composition: str) -> np.ndarray:
    (result,) = get_method(name, composition=composition).attribute(adapter, adapter.encode([text]))
    return result.layer_scores


@torch.no_grad()
def norm_matrices(bert, text: str, residual: bool) -> list[np.ndarray]:
    hidden, attentions = hf_pass(bert, text)
    matrices = []
    for layer, x, attention in zip(bert.model.bert.encoder.layer, hidden, attentions):
        n = len(x)
        matrix = np.array([[float(torch.linalg.vector_norm(mixed(layer, x, attention, i, j)
                                                          + (x[j] if residual and i == j else 0)))
                            for j in range(n)] for i in range(n)])
        matrices.append(normalised(matrix) if residual else matrix)
    return matrices


@pytest.mark.parametrize("text", TEXTS)
def test_attention_norm_equals_the_loop_over_heads_and_tokens(bert, text):
    per_layer = norm_matrices(bert, text, residual=False)
    np.testing.assert_allclose(method_rows(bert, text, "attention-norm", "per-layer"),
                               [matrix[0] for matrix in per_layer], rtol=1e-5, atol=1e-5)
    composed = method_rows(bert, text, "attention-norm", "rollout")
    np.testing.assert_allclose(composed, rollout_by_loops(norm_matrices(bert, text, residual=True), 0), atol=1e-5)
    np.testing.assert_allclose(composed.sum(axis=1), 1.0, atol=1e-9)


def layer_norm_traffic(bert, text: str) -> tuple[list, list, list]:
    """Per layer, the input and the output of the attention block's LayerNorm (BertSelfOutput), from hooks."""
    seen_in, seen_out = [], []

    def hook(_module, inputs, output):
        seen_in.append(inputs[0][0].double())
        seen_out.append(output[0].double())

    norms = [layer.attention.output.LayerNorm for layer in bert.model.bert.encoder.layer]
    hidden, attentions = hf_pass(bert, text, [(norm, hook) for norm in norms])
    return list(zip(hidden, attentions)), seen_in, seen_out


@pytest.mark.parametrize("text", TEXTS)
def test_alti_decomposition_sums_to_the_attention_block_output(bert, text):
    inputs, _, outputs = layer_norm_traffic(bert, text)
    for block, (x, attention), actual in zip(blocks(bert.model), inputs, outputs):
        decomposed, bias = decompose(block, x.float(), attention.float())
        assert decomposed.shape == (len(x), len(x), x.shape[1])
        torch.testing.assert_close(decomposed.sum(dim=1) + bias, actual, atol=1e-5, rtol=0)


def block_outputs(adapter, item) -> tuple[list, list, list]:
    """Per layer its input, its attention and its attention block's actual output: the layer norm's output
    (post-LN), or the input plus the output projection's output (pre-LN: ViT's residual stream)."""
    seen = []
    layers = blocks(adapter.model)
    watched = [block.output if block.pre_norm else block.norm for block in layers]
    hidden, attentions = hf_pass(adapter, item, [(m, lambda _m, _i, out: seen.append(out[0].double()))
                                                 for m in watched])
    return hidden, attentions, [y + (x if block.pre_norm else 0) for block, x, y in zip(layers, hidden, seen)]


def test_alti_decomposition_of_a_pre_ln_vit_sums_to_the_residual_stream(vit):
    image = digits.splits(0).test.images[3]
    assert blocks(vit.model)[0].pre_norm and blocks(vit.model)[0].output is vit.model.vit.layers[0].attention.o_proj
    hidden, attentions, outputs = block_outputs(vit, image)
    for block, x, attention, actual in zip(blocks(vit.model), hidden, attentions, outputs):
        decomposed, bias = decompose(block, x.float(), attention.float())
        torch.testing.assert_close(decomposed.sum(dim=1) + bias, actual, atol=1e-5, rtol=0)


@torch.no_grad()
def alti_matrices(bert, text: str) -> list[np.ndarray]:
    """c_ij = max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁), T_i(x_j) = γ (v_ij − mean v_ij) / σ(LayerNorm input_i), by loops."""
    inputs, norm_inputs, outputs = layer_norm_traffic(bert, text)
    matrices = []
    for layer, (x, attention), summed, y in zip(bert.model.bert.encoder.layer, inputs, norm_inputs, outputs):
        norm = layer.attention.output.LayerNorm
        n = len(x)
        matrix = np.zeros((n, n))
        for i in range(n):
            sigma = torch.sqrt(summed[i].var(unbiased=False) + norm.eps)
            for j in range(n):
                v = mixed(layer, x, attention, i, j) + (x[j] if i == j else 0)
                t = norm.weight.double() * (v - v.mean()) / sigma
                matrix[i, j] = max(0.0, float(y[i].abs().sum() - (y[i] - t).abs().sum()))
        matrices.append(normalised(matrix))
    return matrices


@pytest.mark.parametrize("text", TEXTS)
def test_alti_equals_the_loop_oracle(bert, text):
    matrices = alti_matrices(bert, text)
    # Both sides compute in float64 from the same float32 activations (the oracle's y_i is the layer norm's float32
    # output); a 0.4% slip in σ moves the normalised contributions by < 1e-5, hence a tolerance tighter than 1e-5.
    np.testing.assert_allclose(method_rows(bert, text, "alti", "per-layer"), [m[0] for m in matrices], atol=1e-7)
    np.testing.assert_allclose(method_rows(bert, text, "alti", "rollout"), rollout_by_loops(matrices, 0), atol=1e-7)


def value_zeroing_matrices(adapter, text: str) -> list[np.ndarray]:
    """1 − cos(h_i, h_i^¬j) of hidden_states[l + 1], one full forward pass per layer l and token j with a hook
    zeroing token j's value row in layer l."""
    hidden, _ = hf_pass(adapter, text)
    matrices = []
    for layer, block in enumerate(blocks(adapter.model)):
        n = len(hidden[0])
        matrix = np.zeros((n, n))
        for j in range(n):
            def zero(_module, _inputs, values, j=j):
                values = values.clone()
                values[:, j] = 0
                return values

            altered = hf_pass(adapter, text, [(block.value, zero)])[0][layer + 1]
            for i in range(n):
                matrix[i, j] = 1 - float(torch.nn.functional.cosine_similarity(altered[i], hidden[layer + 1][i],
                                                                               dim=0))
        matrices.append(normalised(matrix))
    return matrices


@pytest.mark.parametrize("text", TEXTS)
def test_value_zeroing_equals_full_passes_with_a_hook(bert, text):
    assert blocks(bert.model)[0].value is bert.model.bert.encoder.layer[0].attention.self.value
    matrices = value_zeroing_matrices(bert, text)
    np.testing.assert_allclose(method_rows(bert, text, "value-zeroing", "per-layer"), [m[0] for m in matrices],
                               atol=1e-5)
    np.testing.assert_allclose(method_rows(bert, text, "value-zeroing", "rollout"), rollout_by_loops(matrices, 0),
                               atol=1e-5)


def test_value_zeroing_reruns_each_layer_once_per_example(bert):
    """The n zeroings of an example are n copies in one call of the layer, not n passes of the model."""
    calls = []
    layer = bert.model.bert.encoder.layer[2]
    handle = layer.register_forward_hook(lambda _m, inputs, _o: calls.append(inputs[0].shape[0]))
    try:
        get_method("value-zeroing").attribute(bert, bert.encode(TEXTS))
    finally:
        handle.remove()
    lengths = [len(units) for units in bert.encode(TEXTS).units]
    assert sorted(calls) == sorted([2, 2, *lengths])  # prediction and trace passes (the batch), one rerun each


@pytest.mark.parametrize("name", ["distilbert", "roberta", "electra", "deit", "bert-mlm"])
def test_decomposition_and_value_zeroing_on_other_families(zoo_folder, name):
    """The modules named per model type are the ones the model computes with: the ALTI identity holds and value
    zeroing equals full passes with a hook, on a zoo model of each family (random weights)."""
    adapter = load_model(str(zoo_folder(name)))
    item = inputs_for(name, adapter)[0]
    hidden, attentions, outputs = block_outputs(adapter, item)
    for block, x, attention, actual in zip(blocks(adapter.model), hidden, attentions, outputs):
        decomposed, bias = decompose(block, x.float(), attention.float())
        torch.testing.assert_close(decomposed.sum(dim=1) + bias, actual, atol=1e-5, rtol=0)
    position = adapter.output_positions(adapter.encode([item]))[0]
    (result,) = get_method("value-zeroing").attribute(adapter, adapter.encode([item]))
    oracle = rollout_by_loops(value_zeroing_matrices(adapter, item), position)
    np.testing.assert_allclose(result.layer_scores, adapter.attention_to_units(torch.from_numpy(oracle)).numpy(),
                               atol=1e-5)


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("composition", ["rollout", "per-layer"])
def test_a_padded_batch_equals_each_text_alone(bert, name, composition):
    method = get_method(name, composition=composition)
    together = method.attribute(bert, bert.encode(TEXTS))
    for text, batched in zip(TEXTS, together):
        (alone,) = method.attribute(bert, bert.encode([text]))
        assert batched.layer_scores.shape == alone.layer_scores.shape == (6, len(alone.units))
        np.testing.assert_allclose(batched.layer_scores, alone.layer_scores, atol=1e-6, rtol=1e-5)
        if composition == "rollout":
            np.testing.assert_allclose(batched.layer_scores.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("name", METHODS)
def test_models_without_attention_blocks_are_refused_with_the_reason(name):
    method = get_method(name)
    for model, why in [("lstm", "recurrent model without attention"), ("cnn", "conv model without attention")]:
        adapter = load_model(model)
        reason = method.why_not(adapter)
        assert reason is not None and f"method '{name}'" in reason and why in reason
        with pytest.raises(ModelError, match=why):
            method.attribute(adapter, adapter.encode(["my dog"] if adapter.modality == "text" else
                                                      list(digits.splits(0).test.images[:1])))
    before_loading = method.why_not(summarize("gpt2-encoder"))  # a custom encoder: refused before it loads
    assert "model type 'xaudit-gpt2-encoder' is not among those whose attention blocks xaudit decomposes" in (
        before_loading)
    encoder = load_model("gpt2-encoder")
    assert method.why_not(encoder) == before_loading
    with pytest.raises(ModelError, match="xaudit-gpt2-encoder"):
        method.attribute(encoder, encoder.encode(["my dog"]))


@pytest.mark.parametrize("name", METHODS)
def test_attribute_command_runs_each_method(name):
    result = CliRunner().invoke(app, ["attribute", "--model", "bert", "--text", "the keys to the cabinet are",
                                      "--method", name])
    assert result.exit_code == 0, result.output
    refused = CliRunner().invoke(app, ["attribute", "--model", "gpt2-encoder", "--text", "the keys", "--method", name])
    assert refused.exit_code != 0 and "xaudit-gpt2-encoder" in refused.output


def test_the_output_index_picks_the_explained_row(bert):
    """``output_index`` explains another token than [CLS]: that row of the composed matrices; out of range refused."""
    from xaudit.errors import ParameterError

    text = TEXTS[0]
    (result,) = get_method("attention-norm", output_index=2).attribute(bert, bert.encode([text]))
    matrices = norm_matrices(bert, text, residual=True)
    np.testing.assert_allclose(result.layer_scores, rollout_by_loops(matrices, 2), atol=1e-5)
    assert not np.allclose(result.layer_scores, rollout_by_loops(matrices, 0), atol=1e-3)
    with pytest.raises(ParameterError, match=r"must be an int >= -\d+ and <= \d+\. Got 99 instead"):
        get_method("alti", output_index=99).attribute(bert, bert.encode([text]))
