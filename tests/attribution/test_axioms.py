"""Axioms: IG completeness, Taylor exactness on linear and quadratic models."""

from __future__ import annotations

import numpy as np
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


def quadratic_gradient(model: Quadratic, e: np.ndarray) -> np.ndarray:
    """``∂logit_0/∂e_i = (Q + Qᵀ) e_i + (P + Pᵀ) Σ_j e_j + c`` for ``e`` ``(n, d)``, by hand."""
    Q, P, c = (t.detach().double().numpy() for t in (model.Q, model.P, model.c))
    return e @ (Q + Q.T).T + (P + P.T) @ e.sum(axis=0) + c


@pytest.mark.parametrize("baseline", ["unk", "zero"])
def test_taylor_and_ig_per_token_equal_the_closed_forms_on_a_quadratic(quadratic_adapter, baseline):
    """Per token, not only in sum: first-order Taylor ``(x_i−b_i)·∇_i f(x)``, second order minus
    ``½ (x_i−b_i)·[H(x−b)]_i`` with ``[H v]_i = (Q+Qᵀ) v_i + (P+Pᵀ) Σ_j v_j``, and integrated
    gradients ``(x_i−b_i)·∇_i f((x+b)/2)`` (the path integral of a linear gradient is its midpoint)."""
    model = quadratic_adapter.model
    texts = ["a b c d", "d a", "c"]
    batch = quadratic_adapter.encode(texts)
    first = get_method("taylor", baseline=baseline).attribute(quadratic_adapter, batch, target=0)
    second = get_method("taylor", order=2, baseline=baseline).attribute(quadratic_adapter, batch, target=0)
    ig = get_method("ig", baseline=baseline, n_steps=4).attribute(quadratic_adapter, batch, target=0)
    weights = model.embedding.weight.detach().double().numpy()
    vocab = quadratic_adapter.vocab
    for row, text in enumerate(texts):
        x = weights[[vocab.index[w] for w in text.split()]]
        b = np.zeros_like(x) if baseline == "zero" else np.broadcast_to(weights[vocab.index["[UNK]"]], x.shape)
        d = x - b
        Q, P = model.Q.detach().double().numpy(), model.P.detach().double().numpy()
        hessian_d = d @ (Q + Q.T).T + (P + P.T) @ d.sum(axis=0)
        taylor = (d * quadratic_gradient(model, x)).sum(axis=1)
        np.testing.assert_allclose(first[row].scores, taylor, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(second[row].scores, taylor - 0.5 * (d * hessian_d).sum(axis=1), rtol=1e-9,
                                   atol=1e-12)
        np.testing.assert_allclose(ig[row].scores, (d * quadratic_gradient(model, (x + b) / 2)).sum(axis=1),
                                   rtol=1e-9, atol=1e-12)


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
    model = Linear().double()
    adapter = RecurrentAdapter(model, vocab, ["x", "y"], "linear")
    batch = adapter.encode(["a b a", "b"])
    for result in get_method("taylor", baseline="zero").attribute(adapter, batch):
        assert abs(result.extras["remainder"]) < 1e-12
    # Per token: a_i = IG_i = (x_i − b_i)·W_t, with b the [UNK] embedding.
    weights, head = model.embedding.weight.detach().numpy(), model.head.weight.detach().numpy()
    for method in (get_method("taylor", baseline="unk"), get_method("ig", baseline="unk", n_steps=2)):
        for result, text in zip(method.attribute(adapter, batch, target=1), ["a b a", "b"]):
            d = weights[[vocab.index[w] for w in text.split()]] - weights[vocab.index["[UNK]"]]
            np.testing.assert_allclose(result.scores, d @ head[1], rtol=1e-9, atol=1e-12)


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
