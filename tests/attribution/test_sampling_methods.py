"""KernelSHAP and LIME against closed forms: exact Shapley values by enumerating every coalition,
and the additive case, where both must recover each unit's exact contribution."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from torch import nn

from tests.attribution.test_axioms import Quadratic
from xaudit.attribution import get_method
from xaudit.models.text import SPECIAL_TOKENS, WordVocab
from xaudit.models.torch_adapters import RecurrentAdapter

VOCAB = WordVocab(list(SPECIAL_TOKENS) + ["a", "b", "c", "d"])


class Additive(nn.Module):
    """logit_0 = w · Σ_i e_i + b: every unit contributes w · (e_i − e_absent), with no interactions."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(len(VOCAB), 3)
        self.head = nn.Linear(3, 2)

    def forward(self, input_ids, attention_mask):
        return self.head((self.embedding(input_ids) * attention_mask.unsqueeze(-1)).sum(1))


def adapter_of(module: nn.Module) -> RecurrentAdapter:
    torch.manual_seed(3)
    return RecurrentAdapter(module.double(), VOCAB, ["zero", "one"], module.__class__.__name__.lower())


def exact_shapley(adapter, text: str, target: int) -> np.ndarray:
    """φ_i = Σ_S |S|!(n−|S|−1)!/n! (f(S ∪ i) − f(S)), absent units at the blank value, every S."""
    batch = adapter.encode([text])
    x, blank = adapter.embed(batch), adapter.blank_value(batch).expand_as(adapter.embed(batch))
    n = x.shape[1]

    def value(present: frozenset[int]) -> float:
        mixed = torch.stack([x[0, i] if i in present else blank[0, i] for i in range(n)])[None]
        with torch.no_grad():
            return float(adapter.forward_from_embeddings(mixed, batch)[0, target])

    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                phi[i] += weight * (value(frozenset(subset) | {i}) - value(frozenset(subset)))
    return phi


@pytest.mark.parametrize("method", ["kernel-shap", "lime"])
def test_additive_model_scores_are_each_units_exact_contribution(method):
    adapter = adapter_of(Additive())
    text = "a b c d a"
    (result,) = get_method(method, n_samples=300).attribute(adapter, adapter.encode([text]), target=0)
    np.testing.assert_allclose(result.scores, exact_shapley(adapter, text, 0), atol=1e-6)


def test_kernel_shap_approaches_exact_shapley_values_with_interactions():
    adapter = adapter_of(Quadratic(len(VOCAB)))
    text = "a b c d"
    exact = exact_shapley(adapter, text, 0)
    (result,) = get_method("kernel-shap", n_samples=3000).attribute(adapter, adapter.encode([text]), target=0)
    assert np.abs(result.scores - exact).max() < 0.05 * np.abs(exact).max()
    assert result.scores.sum() == pytest.approx(exact.sum(), rel=1e-5)  # efficiency: f(x) − f(blank)


@pytest.mark.parametrize("method", ["kernel-shap", "lime"])
def test_a_batch_gives_each_example_its_own_scores(method):
    adapter = adapter_of(Quadratic(len(VOCAB)))
    texts = ["a b c d", "d a", "c c b"]
    together = get_method(method, n_samples=60).attribute(adapter, adapter.encode(texts), target=0, seed=4)
    for text, batched in zip(texts, together):
        (alone,) = get_method(method, n_samples=60).attribute(adapter, adapter.encode([text]), target=0, seed=4)
        np.testing.assert_allclose(batched.scores, alone.scores, atol=1e-9)


def captum_lime(adapter, text: str, target: int, n_samples: int, seed: int) -> np.ndarray:
    """Captum's Lime configured as the method documents it (exp(−d²/w²) on the cosine distance, w = 1; least
    squares; ``n_samples``), on the bare forward from embeddings, from the same seed."""
    from captum._utils.models.linear_model import SkLearnLinearRegression
    from captum.attr import Lime
    from captum.attr._core.lime import get_exp_kernel_similarity_function

    from xaudit.attribution._inputs import unit_feature_mask

    batch = adapter.encode([text])
    x, blank = adapter.embed(batch), adapter.blank_value(batch)
    torch.manual_seed(seed)
    lime = Lime(lambda e: adapter.forward_from_embeddings(e, batch), interpretable_model=SkLearnLinearRegression(),
                similarity_func=get_exp_kernel_similarity_function("cosine", kernel_width=1.0))
    with torch.no_grad():
        scores = lime.attribute(x, baselines=blank, target=target, feature_mask=unit_feature_mask(x, adapter),
                                n_samples=n_samples)
    return scores[0, :, 0].numpy()


def test_lime_equals_captums_with_the_documented_kernel_and_sample_count():
    """On a model with interactions the kernel's weights change the fit, so a different kernel, width or
    sample count gives other coefficients; the explained class is the one asked for, not the prediction."""
    quadratic = adapter_of(Quadratic(len(VOCAB)))
    (result,) = get_method("lime", n_samples=120).attribute(quadratic, quadratic.encode(["a b c d"]), target=0, seed=4)
    np.testing.assert_allclose(result.scores, captum_lime(quadratic, "a b c d", 0, 120, 4), rtol=1e-9, atol=1e-12)
    assert not np.allclose(result.scores, captum_lime(quadratic, "a b c d", 0, 50, 4), atol=1e-6)
    additive = adapter_of(Additive())
    batch = additive.encode(["a b c"])
    with torch.no_grad():
        other = 1 - int(additive.forward(batch).argmax())
    (result,) = get_method("lime", n_samples=80).attribute(additive, batch, target=other, seed=4)
    assert result.target == other
    np.testing.assert_allclose(result.scores, captum_lime(additive, "a b c", other, 80, 4), rtol=1e-9, atol=1e-12)
