"""Gradient methods per unit against captum run directly, on the shipped models (which have signal).

The oracle takes each example alone (no padding), builds the baseline from token ids ([UNK]
in place of every non-special token) or from the image, and reduces captum's per-feature
attributions to units itself; the method runs on a padded batch of all examples.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from captum.attr import InputXGradient, IntegratedGradients

from xaudit.attribution import get_method
from xaudit.datasets.reference import held_out_examples
from xaudit.models.registry import card_of

MODELS = ["bert", "lstm", "cnn", "vit"]


def examples(name: str, n: int = 3) -> list[object]:
    return held_out_examples(card_of(name), n).inputs


def unk_ids(adapter, batch) -> torch.Tensor:
    """The batch's ids with every non-special token replaced by the model's [UNK] id."""
    ids = batch.inputs["input_ids"].clone()
    unk = adapter.tokenizer.unk_token_id if hasattr(adapter, "tokenizer") else adapter.vocab.unk_id
    for row, special in enumerate(batch.special):
        for position, is_special in enumerate(special):
            if not is_special:
                ids[row, position] = unk
    return ids


def oracle_inputs(adapter, item) -> tuple[torch.Tensor, torch.Tensor, object]:
    """``x``, the baseline ``b`` and the batch of one example, built without the adapter's baseline code."""
    batch = adapter.encode([item])
    x = adapter.embed(batch).detach()
    if adapter.modality == "text":
        b = adapter._embedding_layer()(unk_ids(adapter, batch)).detach()
    else:
        b = torch.full_like(x, float(adapter.baseline(batch).flatten()[0]))  # black: one constant value
        assert torch.equal(adapter.baseline(batch), b)
    return x, b, batch


def per_unit(attributions: torch.Tensor, modality: str) -> np.ndarray:
    """Sum over each unit's features: the embedding dimension, or the channels of a pixel."""
    values = attributions.detach().double()[0]
    return (values.sum(dim=-1) if modality == "text" else values.sum(dim=0).flatten()).numpy()


def forward_of(adapter, batch):
    return lambda e: adapter.forward_from_embeddings(e, batch)


@pytest.mark.parametrize("name", MODELS)
def test_integrated_gradients_per_unit_equal_captums(trained_adapters, name):
    adapter = trained_adapters[name]
    items = examples(name)
    results = get_method("ig", n_steps=32).attribute(adapter, adapter.encode(items))
    for item, result in zip(items, results):
        x, b, batch = oracle_inputs(adapter, item)
        expected, _ = IntegratedGradients(forward_of(adapter, batch)).attribute(
            x, baselines=b, target=result.target, n_steps=32, method="gausslegendre", return_convergence_delta=True)
        expected = per_unit(expected, adapter.modality)
        scale = np.abs(expected).max()
        assert scale > 1e-3  # a model with signal: attributions far from zero
        np.testing.assert_allclose(result.scores, expected, atol=1e-4 * scale, rtol=1e-3)


@pytest.mark.parametrize("name", MODELS)
def test_taylor_per_unit_equals_captums_input_x_gradient_from_the_baseline(trained_adapters, name):
    """``(x_i − b_i)·∇_i f(x)`` is captum's input × gradient of ``g(d) = f(b + d)`` at ``d = x − b``."""
    adapter = trained_adapters[name]
    items = examples(name)
    results = get_method("taylor").attribute(adapter, adapter.encode(items))
    for item, result in zip(items, results):
        x, b, batch = oracle_inputs(adapter, item)
        shifted = lambda d: forward_of(adapter, batch)(b + d)  # noqa: E731
        d = (x - b).requires_grad_(True)
        expected = per_unit(InputXGradient(shifted).attribute(d, target=result.target), adapter.modality)
        scale = np.abs(expected).max()
        assert scale > 1e-3
        np.testing.assert_allclose(result.scores, expected, atol=1e-4 * scale, rtol=1e-3)


@pytest.mark.parametrize("name", MODELS)
def test_integrated_gradients_completeness(trained_adapters, name):
    """Σ IG = f(x) − f(b), on a model whose gap is large (the tiny models' is below any tolerance)."""
    adapter = trained_adapters[name]
    batch = adapter.encode(examples(name, 1))
    (result,) = get_method("ig", n_steps=64).attribute(adapter, batch)
    x, b = adapter.embed(batch), adapter.baseline(batch)
    with torch.no_grad():
        gap = float(adapter.forward_from_embeddings(x, batch)[0, result.target]
                    - adapter.forward_from_embeddings(b, batch)[0, result.target])
    assert abs(gap) > 0.1
    assert result.scores.sum() == pytest.approx(gap, abs=1e-2 * abs(gap))
    if adapter.modality == "text":  # specials keep their embeddings in the baseline: the words carry it all
        assert result.to_words().scores.sum() == pytest.approx(gap, abs=1e-2 * abs(gap))
    assert abs(result.extras["convergence_delta"]) <= 1e-2 * abs(gap)
