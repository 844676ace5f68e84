"""Gradient-weighted rollout (Chefer et al. 2021) against a loop over transformers' own attentions
and their gradients, on the shipped bert (which learned its task) and the shipped vit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xaudit.attribution import get_method
from xaudit.attribution.explain import explain
from xaudit.models import load_model

TEXTS = ["the keys to the old cabinet near my dogs", "the author"]


def rollout_by_loops(attentions, gradients, position: int) -> np.ndarray:
    """R = I; R <- R + mean_h(max(g·a, 0)) R, element by element; the position's row after each layer."""
    layers, heads, n, _ = attentions.shape
    relevance = [[float(i == j) for j in range(n)] for i in range(n)]
    rows = []
    for layer in range(layers):
        weighted = [[sum(max(float(gradients[layer, h, i, j] * attentions[layer, h, i, j]), 0.0)
                         for h in range(heads)) / heads for j in range(n)] for i in range(n)]
        relevance = [[relevance[i][j] + sum(weighted[i][k] * relevance[k][j] for k in range(n)) for j in range(n)]
                     for i in range(n)]
        rows.append(list(relevance[position]))
    return np.asarray(rows)


@pytest.fixture(scope="module")
def bert():
    return load_model("bert")


@pytest.mark.parametrize("target", [None, "singular"])
def test_grad_rollout_equals_the_loop_on_transformers_own_gradients(bert, target):
    result = explain(bert, TEXTS, [get_method("grad-rollout")], target=target, words=False)
    for text, explanation in zip(TEXTS, result):
        encoded = bert.tokenizer([text], return_tensors="pt")
        out = bert.model(**encoded, output_attentions=True)
        index = int(out.logits.argmax()) if target is None else bert.labels.index(target)
        gradients = torch.autograd.grad(out.logits[0, index], out.attentions)
        oracle = rollout_by_loops(torch.stack(out.attentions)[:, 0].detach(), torch.stack(gradients)[:, 0], 0)
        attribution = explanation.attributions["grad-rollout"]
        assert attribution.target == index
        np.testing.assert_allclose(attribution.layer_scores, oracle, rtol=1e-4, atol=1e-9)
        assert np.ptp(attribution.scores) > 0  # the trained model's gradients single tokens out


def test_grad_rollout_leaves_the_model_untouched(bert):
    explain(bert, TEXTS[:1], [get_method("grad-rollout")])
    assert all(p.grad is None for p in bert.model.parameters())
    assert not bert.model.training


def test_grad_rollout_on_vit_maps_patches_to_pixels():
    from xaudit.datasets import digits

    vit = load_model("vit")
    image = digits.splits(0).test.images[3]
    (explanation,) = explain(vit, [image], [get_method("grad-rollout")])
    scores = explanation.attributions["grad-rollout"].scores
    assert scores.shape == (64,)
    patches = scores.reshape(4, 2, 4, 2).transpose(0, 2, 1, 3).reshape(16, 4)
    assert np.allclose(patches, patches[:, :1])  # each 2x2 patch's pixels share its score


def test_grad_rollout_explains_the_output_position_asked_for(bert):
    text = TEXTS[0]
    (result,) = get_method("grad-rollout", output_index=3).attribute(bert, bert.encode([text]))
    encoded = bert.tokenizer([text], return_tensors="pt")
    out = bert.model(**encoded, output_attentions=True)
    gradients = torch.autograd.grad(out.logits[0, result.target], out.attentions)
    oracle = rollout_by_loops(torch.stack(out.attentions)[:, 0].detach(), torch.stack(gradients)[:, 0], 3)
    np.testing.assert_allclose(result.layer_scores, oracle, rtol=1e-4, atol=1e-9)
    assert not np.allclose(oracle, rollout_by_loops(torch.stack(out.attentions)[:, 0].detach(),
                                                    torch.stack(gradients)[:, 0], 0))
    from xaudit.errors import ParameterError

    with pytest.raises(ParameterError, match=r"must be an int >= -\d+ and <= \d+\. Got 40 instead"):
        get_method("grad-rollout", output_index=40).attribute(bert, bert.encode([text]))
