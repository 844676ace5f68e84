"""Attention methods read the model's own attention at its decision position ([CLS], or the mask of a
masked LM), checked against the Hugging Face model run with ``output_attentions=True``, one text at a time."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.oracles import flow_networkx, rollout_loop
from xaudit.attribution import get_method
from xaudit.datasets.reference import held_out_examples
from xaudit.models.registry import card_of

MLM_TEXTS = ["the cat [MASK] on the mat .", "we [MASK] the old house near the river in the summer ."]


def model_attention(adapter, text: str, masked: bool) -> tuple[np.ndarray, int]:
    """``(layers, heads, n, n)`` from the HF model itself, and the decision position read off the ids:
    the mask's for a masked LM, else [CLS]'s."""
    encoded = adapter.tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        out = adapter.model(**encoded, output_attentions=True)
    ids = encoded["input_ids"][0].tolist()
    assert ids[0] == adapter.tokenizer.cls_token_id and ids[-1] == adapter.tokenizer.sep_token_id
    position = ids.index(adapter.tokenizer.mask_token_id) if masked else 0
    return torch.stack(out.attentions)[:, 0].double().numpy(), position


def cases(trained_adapters) -> list[tuple[object, list[str], bool]]:
    """(adapter, texts of different lengths, whether it is a masked LM); short texts first (flow is slow)."""
    texts = sorted(held_out_examples(card_of("bert"), 40).inputs, key=len)
    return [(trained_adapters["bert"], [texts[0], texts[-1], texts[20]], False),
            (trained_adapters["mlm"], MLM_TEXTS, True)]


def test_decision_positions_are_cls_and_the_mask(trained_adapters):
    bert, mlm = trained_adapters["bert"], trained_adapters["mlm"]
    assert bert.output_positions(bert.encode(["his road", "the dogs outside his school"])) == [0, 0]
    batch = mlm.encode(MLM_TEXTS)
    assert mlm.output_positions(batch) == [units.index("[MASK]") for units in batch.units] == [3, 2]


def test_raw_attention_is_the_models_own_row_at_the_decision_position(trained_adapters):
    for adapter, texts, masked in cases(trained_adapters):
        results = get_method("attention").attribute(adapter, adapter.encode(texts))
        for text, result in zip(texts, results):
            attn, position = model_attention(adapter, text, masked)
            expected = attn.mean(axis=1)[:, position, :]  # heads averaged, the output token's row
            assert not np.allclose(expected, attn.mean(axis=1)[:, :, position], atol=1e-3)  # a row, not a column
            np.testing.assert_allclose(result.layer_scores, expected, atol=1e-5)
            np.testing.assert_allclose(result.scores, expected[-1], atol=1e-5)


def test_rollout_and_flow_explain_the_decision_position(trained_adapters):
    for adapter, texts, masked in cases(trained_adapters):
        batch = adapter.encode(texts[:2])
        rollout = get_method("rollout").attribute(adapter, batch)
        (flow,) = get_method("flow").attribute(adapter, adapter.encode(texts[:1]))  # networkx is slow: the shortest
        for row, text in enumerate(texts[:2]):
            attn, position = model_attention(adapter, text, masked)
            np.testing.assert_allclose(rollout[row].layer_scores, rollout_loop(attn, position), atol=1e-5)
            if row == 0:
                np.testing.assert_allclose(flow.layer_scores, flow_networkx(attn, position), atol=1e-5)


@pytest.mark.parametrize("name", ["attention", "rollout", "flow"])
def test_one_shared_attention_pass_gives_each_methods_own_scores(trained_adapters, name):
    """``scores_from`` (several methods reading one attention pass, as the stability measures do) equals
    ``attribute``'s per-layer scores, padded batch and masked LM included."""
    for adapter, texts, _ in cases(trained_adapters):
        batch = adapter.encode(texts[:2])
        method = get_method(name)
        shared = method.scores_from(adapter, batch, adapter.attentions(batch))
        alone = method.attribute(adapter, batch)
        assert len(shared) == 2 and shared[0].shape != shared[1].shape  # each cut to its own length
        for scores, result in zip(shared, alone):
            np.testing.assert_allclose(scores, result.layer_scores, atol=1e-12)


@pytest.mark.parametrize("name", ["attention", "rollout", "flow"])
def test_a_shared_pass_reads_the_attention_it_is_given_and_runs_none_of_its_own(trained_adapters, name,
                                                                                 monkeypatch):
    adapter = trained_adapters["bert"]
    batch = adapter.encode(["his road was long", "her road"])
    attentions = adapter.attentions(batch)

    def no_second_pass(batch):
        raise AssertionError("a shared pass computed the attention again")

    monkeypatch.setattr(adapter, "attentions", no_second_pass)
    method = get_method(name)
    shared = method.scores_from(adapter, batch, attentions)
    uniform = method.scores_from(adapter, batch, torch.ones_like(attentions))  # not the model's attention
    assert not np.allclose(shared[0], uniform[0])


def test_methods_not_computed_from_attention_refuse_a_shared_pass(trained_adapters):
    adapter = trained_adapters["bert"]
    batch = adapter.encode(["his road"])
    with pytest.raises(NotImplementedError, match="'saliency' is not computed from attention weights alone"):
        get_method("saliency").scores_from(adapter, batch, adapter.attentions(batch))


def test_an_output_index_asked_for_is_the_row_explained(trained_adapters):
    from xaudit.errors import ParameterError

    adapter = trained_adapters["bert"]
    text = "the keys to the old cabinet near my dogs"
    attn, _ = model_attention(adapter, text, masked=False)
    batch = adapter.encode([text])
    (raw,) = get_method("attention", output_index=2).attribute(adapter, batch)
    (rolled,) = get_method("rollout", output_index=2).attribute(adapter, batch)
    np.testing.assert_allclose(raw.layer_scores, attn.mean(axis=1)[:, 2, :], atol=1e-5)
    np.testing.assert_allclose(rolled.layer_scores, rollout_loop(attn, 2), atol=1e-5)
    assert not np.allclose(rolled.layer_scores, rollout_loop(attn, 0), atol=1e-3)
    with pytest.raises(ParameterError, match=r"must be an int >= -\d+ and <= \d+\. Got 99 instead"):
        get_method("rollout", output_index=99).attribute(adapter, batch)


def test_the_layer_asked_for_is_the_one_scored_from_first_to_last(trained_adapters):
    from xaudit.errors import ParameterError

    adapter = trained_adapters["bert"]
    batch = adapter.encode(["the keys to the old cabinet"])
    (result,) = get_method("attention").attribute(adapter, batch)
    layers = len(result.layer_scores)
    for layer in (1, layers):
        (chosen,) = get_method("attention").attribute(adapter, batch, layer=layer)
        assert chosen.layer == layer
        np.testing.assert_array_equal(chosen.scores, result.layer_scores[layer - 1])
    for layer in (0, layers + 1):
        with pytest.raises(ParameterError, match=rf"^The 'layer' parameter must be an int >= 1 and <= {layers}\. "
                                                 rf"Got {layer} instead\.$"):
            get_method("attention").attribute(adapter, batch, layer=layer)


def test_a_shared_attention_pass_explains_the_output_index_asked_for(trained_adapters):
    adapter = trained_adapters["bert"]
    batch = adapter.encode(["the keys to the old cabinet near my dogs"])
    method = get_method("rollout", output_index=2)
    (shared,) = method.scores_from(adapter, batch, adapter.attentions(batch))
    np.testing.assert_allclose(shared, method.attribute(adapter, batch)[0].layer_scores, atol=1e-12)
    assert not np.allclose(shared, get_method("rollout").attribute(adapter, batch)[0].layer_scores, atol=1e-3)
