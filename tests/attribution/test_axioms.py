"""Axioms: IG completeness, Taylor exactness on linear and quadratic models."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from xaudit.attribution import get_method
from xaudit.models.text import SPECIAL_TOKENS, WordVocab
from xaudit.models.torch_adapters import RecurrentAdapter


class Quadratic(nn.Module):
    """logit_0 = Σ_i e_iᵀ Q e_i + Σ_{i,j} e_iᵀ P e_j + cᵀ Σ_i e_i; logit_1 = 0 (no sequence model)."""

    def __init__(self, vocab: int, dim: int = 4):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.embedding = nn.Embedding(vocab, dim)
        self.Q = nn.Parameter(torch.randn(dim, dim, generator=generator))
        self.P = nn.Parameter(torch.randn(dim, dim, generator=generator) * 0.3)
        self.c = nn.Parameter(torch.randn(dim, generator=generator))

    def forward(self, input_ids, attention_mask):
        e = self.embedding(input_ids) * attention_mask.unsqueeze(-1)
        total = e.sum(dim=1)
        value = torch.einsum("bnd,de,bne->b", e, self.Q, e) + torch.einsum("bd,de,be->b", total, self.P, total)
        value = value + total @ self.c
        return torch.stack([value, torch.zeros_like(value)], dim=1)


@pytest.fixture
def quadratic_adapter():
    vocab = WordVocab(list(SPECIAL_TOKENS) + ["a", "b", "c", "d"])
    torch.manual_seed(0)
    return RecurrentAdapter(Quadratic(len(vocab)).double(), vocab, ["q", "zero"], "quadratic")


def test_second_order_taylor_is_exact_on_a_quadratic(quadratic_adapter):
    batch = quadratic_adapter.encode(["a b c d", "d a"])
    for result in get_method("taylor", order=2, baseline="zero").attribute(quadratic_adapter, batch, target=0):
        assert abs(result.extras["remainder"]) < 1e-9 * max(1.0, abs(result.extras["f_x_minus_f_b"]))
    first = get_method("taylor", order=1, baseline="zero").attribute(quadratic_adapter, batch, target=0)
    assert max(abs(r.extras["remainder"]) for r in first) > 1e-3  # first order alone is not exact here


def test_first_order_taylor_is_exact_on_a_linear_model():
    vocab = WordVocab(list(SPECIAL_TOKENS) + ["a", "b"])

    class Linear(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(len(vocab), 3)
            self.head = nn.Linear(3, 2)

        def forward(self, input_ids, attention_mask):
            return self.head((self.embedding(input_ids) * attention_mask.unsqueeze(-1)).sum(1))

    torch.manual_seed(1)
    adapter = RecurrentAdapter(Linear().double(), vocab, ["x", "y"], "linear")
    for result in get_method("taylor", baseline="zero").attribute(adapter, adapter.encode(["a b a"])):
        assert abs(result.extras["remainder"]) < 1e-12


@pytest.mark.parametrize("name", ["bert", "lstm", "cnn", "vit", "credit"])
def test_integrated_gradients_completeness(tiny_adapters, name):
    import numpy as np

    from tests.tabular_synthetic import sample_rows
    from xaudit.datasets import digits

    adapter = tiny_adapters[name]
    inputs = {"text": ["the keys to the old cabinet"], "tabular": sample_rows(1)}.get(
        adapter.modality, [digits.splits(0).test.images[0]])
    batch = adapter.encode(inputs)
    (result,) = get_method("ig", n_steps=64).attribute(adapter, batch)
    x, b = adapter.embed(batch), adapter.baseline(batch)
    with torch.no_grad():
        gap = float(adapter.forward_from_embeddings(x, batch)[0, result.target]
                    - adapter.forward_from_embeddings(b, batch)[0, result.target])
    assert result.scores.sum() == pytest.approx(gap, abs=1e-4 + 1e-2 * abs(gap))
    if adapter.modality == "text":  # specials keep their embeddings in the baseline: the words carry it all
        assert result.to_words().scores.sum() == pytest.approx(gap, abs=1e-4 + 1e-2 * abs(gap))
    assert abs(result.extras["convergence_delta"]) <= 1e-4 + 1e-2 * abs(gap)
    assert np.isfinite(result.scores).all()


def test_blankout_equals_replacing_the_token_id(tiny_adapters):
    adapter = tiny_adapters["bert"]
    text = "the keys to the old cabinet"
    batch = adapter.encode([text])
    (result,) = get_method("blankout").attribute(adapter, batch)
    probs = adapter.predict_proba(batch)[0, result.target]
    for position in range(len(result.units)):
        ids = batch.inputs["input_ids"].clone()
        ids[0, position] = adapter.tokenizer.unk_token_id
        blanked = type(batch)(**{**batch.__dict__, "inputs": {**batch.inputs, "input_ids": ids}})
        expected = float(probs - adapter.predict_proba(blanked)[0, result.target])
        assert result.scores[position] == pytest.approx(expected, abs=1e-6)


def test_saliency_is_the_gradient_norm(tiny_adapters):
    adapter = tiny_adapters["lstm"]
    batch = adapter.encode(["the keys to the old cabinet"])
    (result,) = get_method("saliency").attribute(adapter, batch, target=1)
    x = adapter.embed(batch).requires_grad_(True)
    (grad,) = torch.autograd.grad(adapter.forward_from_embeddings(x, batch)[0, 1], x)
    torch.testing.assert_close(torch.from_numpy(result.scores), grad[0].norm(dim=-1).double())
