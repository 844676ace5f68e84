"""Explanation-quality measures on constructed cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from xaudit.attribution import get_method
from xaudit.attribution.base import AttributionMethod, RawScores
from xaudit.evaluation.perturbation import removal_measures, removal_probabilities
from xaudit.evaluation.ranking import rank_ready, spearman
from xaudit.evaluation.runner import evaluate
from xaudit.evaluation.sparsity import gini
from xaudit.models.text import SPECIAL_TOKENS, WordVocab
from xaudit.models.torch_adapters import RecurrentAdapter

WORDS = ["a", "b", "c", "d", "e", "f"]


class BagOfWords(nn.Module):
    """logit_1 = Σ_i Σ_d (d+1)·e_id: each token's contribution is known exactly; logit_0 = 0.

    Default: one dimension, weights 0.5·id ([UNK] 0); or the given ``weights``, ``(vocab,)`` or
    ``(vocab, dims)`` (dimensions weighted differently, so mixing up positions and dimensions shows).
    """

    def __init__(self, vocab_size: int, weights: np.ndarray | None = None):
        super().__init__()
        if weights is None:
            weights = np.arange(vocab_size) * 0.5
            weights[1] = 0.0  # [UNK] contributes nothing
        weights = np.asarray(weights, dtype=np.float64).reshape(vocab_size, -1)
        self.embedding = nn.Embedding(vocab_size, weights.shape[1])
        self.register_buffer("mix", torch.arange(1, weights.shape[1] + 1, dtype=torch.float32))
        with torch.no_grad():
            self.embedding.weight.copy_(torch.as_tensor(weights, dtype=torch.float32))

    def forward(self, input_ids, attention_mask):
        value = (self.embedding(input_ids) * attention_mask.unsqueeze(-1)).sum(dim=1) @ self.mix.to(
            self.embedding.weight.dtype)
        return torch.stack([torch.zeros_like(value), value], dim=1)


@pytest.fixture
def bag():
    vocab = WordVocab(list(SPECIAL_TOKENS) + WORDS)
    return RecurrentAdapter(BagOfWords(len(vocab)), vocab, ["no", "yes"], "bag")


class Fixed(AttributionMethod):
    """Scores given in advance (to test the measures, not a method)."""

    name = "fixed"
    requires = frozenset()

    def __init__(self, scores):
        super().__init__()
        self.fixed = scores

    def _scores(self, adapter, batch, targets):
        return RawScores([np.asarray(self.fixed[row][: len(batch.units[row])]) for row in range(len(batch))])


def test_gini_extremes():
    n = 7
    one_hot = np.eye(n)[2]
    assert gini(one_hot) == pytest.approx(1 - 1 / n)
    assert gini(np.ones(n)) == pytest.approx(0.0)
    rng = np.random.default_rng(0)
    assert all(gini(rng.random(n)) < gini(one_hot) for _ in range(200))
    assert gini(np.zeros(n)) is None
    assert gini(-one_hot) == gini(one_hot)  # magnitudes only


def test_spearman_cases():
    scores = np.array([0.3, 0.1, 0.9, 0.5])
    assert spearman(scores, scores * 10 + 1) == pytest.approx(1.0)  # a perfectly faithful attribution
    assert spearman(scores, -scores) == pytest.approx(-1.0)
    assert spearman(np.full(4, 0.25), scores) is None  # constant: undefined, not 0
    assert spearman(scores, np.full(4, 0.25)) is None  # on either side
    assert spearman(np.array([]), np.array([])) is None
    assert spearman(np.array([1.0]), np.array([2.0])) is None


def test_spearman_equals_scipy_with_ties():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(2, 12))
        a, b = rng.integers(0, 4, n).astype(float), rng.normal(size=n)
        ours = spearman(a, b)
        if ours is None:
            assert len(set(a)) == 1
            continue
        assert ours == pytest.approx(spearmanr(a, b).statistic, abs=1e-12)


def test_rounding_is_relative_to_the_largest_magnitude():
    np.testing.assert_array_equal(rank_ready(np.array([2e3, 2e3 * (1 + 1e-10), 1e3])), [1.0, 1.0, 0.5])
    tiny = rank_ready(np.array([1e-9, 2e-9, 4e-9]))  # tiny scores keep their order
    assert len(set(tiny)) == 3 and tiny[2] == 1.0
    assert rank_ready(np.array([])).size == 0


def test_saturated_flow_values_tie_after_rounding():
    noisy = np.array([1.0, 1.0 - 1e-15, 1.0 + 2e-16, 0.4])
    assert len(set(rank_ready(noisy))) == 2
    assert spearman(noisy, np.array([0.5, 0.9, 0.1, 0.0])) == pytest.approx(spearman(
        np.array([1.0, 1.0, 1.0, 0.4]), np.array([0.5, 0.9, 0.1, 0.0])))


def test_removal_equals_replacing_tokens_by_unk(bag):
    batch = bag.encode(["a f c", "e b"])
    orders = [np.array([1, 2, 0]), np.array([0, 1])]  # unit indices, most important first
    targets = torch.tensor([1, 1])
    removed = removal_probabilities(bag, batch, orders, targets, [0.0, 0.33, 1.0], keep=False)

    def p_yes(text: str) -> float:
        return float(bag.predict_proba(bag.encode([text]))[0, 1])

    np.testing.assert_allclose(removed[0], [p_yes("a f c"), p_yes("a [UNK] c"), p_yes("[UNK] [UNK] [UNK]")], atol=1e-6)
    kept = removal_probabilities(bag, batch, orders, targets, [0.5], keep=True)
    np.testing.assert_allclose(kept[1], [p_yes("e [UNK]")], atol=1e-6)


def test_true_contributions_beat_reversed_ones(bag):
    texts = ["a f c e", "b d f a", "f e d c"]
    batch = bag.encode(texts)
    true = [bag.embed(batch)[row, : len(batch.units[row]), 0].numpy() for row in range(len(texts))]
    targets = torch.ones(len(texts), dtype=torch.long)
    base = bag.predict_proba(batch)[:, 1].numpy()
    good = removal_measures(bag, batch, true, targets, base)
    bad = removal_measures(bag, batch, [-t for t in true], targets, base)
    for g, b in zip(good, bad):
        assert g["aopc_comprehensiveness"] > b["aopc_comprehensiveness"]
        assert g["aopc_sufficiency"] < b["aopc_sufficiency"]
        assert g["deletion_auc"] < b["deletion_auc"]


def test_linear_model_saliency_is_perfectly_stable(bag):
    result = evaluate(bag, ["a b c", "d e f a"], [1, 1], [get_method("saliency")], [get_method("blankout")],
                      stability_samples=3, noise=0.5, removal=False)
    stability = result.get("saliency", "max_sensitivity", None)
    assert stability.mean == pytest.approx(0.0, abs=1e-12) and stability.n == 2


def test_blankout_against_the_exact_contributions(bag):
    # Blank-out of a bag of words ranks tokens by their weight: Spearman with the true contributions is 1.
    result = evaluate(bag, ["a f c e", "f b d"], [1, 1], [Fixed([[0, 2.5, 1.5, 2.0], [2.5, 0.0, 1.0]])],
                      [get_method("blankout")], stability_samples=0, removal=False)
    summary = result.get("fixed", "spearman_vs_blankout", None)
    assert summary.mean == pytest.approx(1.0) and summary.std == pytest.approx(0.0)


def test_constant_attributions_are_counted_as_undefined(bag):
    result = evaluate(bag, ["a b c", "d e f"], [1, 1], [Fixed([[1, 1, 1], [0.2, 0.3, 0.1]])],
                      [get_method("blankout")], stability_samples=0, removal=False)
    summary = result.get("fixed", "spearman_vs_blankout", None)
    assert summary.n == 1 and summary.n_undefined == 1
    assert result.get("fixed", "gini", None).n == 2


def test_result_json_shape(tiny_adapters):
    from xaudit.datasets import agreement

    test = agreement.splits(300, 100, 100, 2020).test[:6]
    adapter = tiny_adapters["bert"]
    result = evaluate(adapter, [e.text for e in test], [e.label for e in test],
                      [get_method("flow"), get_method("ig")], [get_method("blankout"), get_method("saliency")],
                      stability_samples=1, batch_size=4)
    data = result.to_dict()
    assert data["schema_version"] == 1 and data["n_examples"] == 6
    keys = {(r["method"], r["measure"], r["layer"]) for r in data["results"]}
    assert ("flow", "spearman_vs_blankout", 1) in keys and ("flow", "gini", 2) in keys
    # removal measures only at the last layer by default (they cost many forward passes)
    assert ("flow", "aopc_comprehensiveness", 2) in keys and ("flow", "aopc_comprehensiveness", 1) not in keys
    assert data["settings"]["removal_layers"] == "last"
    assert ("ig", "aopc_comprehensiveness", None) in keys and ("ig", "max_sensitivity", None) in keys
    assert all({"mean", "std", "n", "n_undefined"} <= set(r) for r in data["results"])
    frame = result.to_frame()
    assert (frame["kind"] == "evaluation").sum() == len(data["results"])
    assert (frame["kind"] == "paired_test").sum() == len(data["tests"]) > 0
    assert set(frame.loc[frame["kind"] == "timing", "method"]) == {"flow", "ig"}
