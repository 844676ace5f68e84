"""AOPC, deletion area, removal candidates and max-sensitivity against hand computations.

The ERASER oracle (DeYoung et al. 2020) computes every probability with numpy from the
bag-of-words weights, never through the adapter: rank the units by score (ties by position),
``k = ceil(q·m)``, blank the top k (comprehensiveness) or all but the top k (sufficiency),
average over the bins {1, 5, 10, 20, 50}%; the deletion curve removes the top q for
q = 0, 0.1, …, 1 and its area is the trapezoid sum.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.evaluation.test_measures import BagOfWords, Fixed
from xaudit.attribution import get_method
from xaudit.datasets.reference import held_out_examples
from xaudit.evaluation.perturbation import candidate_units
from xaudit.evaluation.runner import evaluate
from xaudit.models.registry import card_of
from xaudit.models.text import SPECIAL_TOKENS, WordVocab
from xaudit.models.torch_adapters import RecurrentAdapter

WORDS = [f"w{i}" for i in range(10)]


@pytest.fixture
def signed_bag():
    vocab = WordVocab(list(SPECIAL_TOKENS) + WORDS)
    weights = np.random.default_rng(3).normal(0, 0.3, (len(vocab), 3))  # three embedding dimensions
    weights[[vocab.unk_id, vocab.pad_id]] = 0.0
    model = BagOfWords(len(vocab), weights).double()  # small signed weights: no saturation
    per_word = {w: float(weights[vocab.index[w]] @ [1.0, 2.0, 3.0]) for w in WORDS}  # the model's (d+1) mix
    return RecurrentAdapter(model, vocab, ["no", "yes"], "signed-bag"), per_word


def p_yes(weights: dict[str, float], tokens: list[str | None]) -> float:
    """σ(Σ w) over the tokens left (None: blanked to [UNK], weight 0)."""
    return 1.0 / (1.0 + math.exp(-sum(weights[t] for t in tokens if t is not None)))


def hand_measures(weights: dict[str, float], tokens: list[str], scores: np.ndarray) -> dict[str, float]:
    m = len(tokens)
    order = sorted(range(m), key=lambda i: (-scores[i], i))

    def k_of(q: float) -> int:
        return math.ceil(round(q * m, 9))

    def without(k: int) -> float:
        return p_yes(weights, [None if i in order[:k] else t for i, t in enumerate(tokens)])

    def only(k: int) -> float:
        return p_yes(weights, [t if i in order[:k] else None for i, t in enumerate(tokens)])

    full = p_yes(weights, tokens)
    bins = [0.01, 0.05, 0.10, 0.20, 0.50]
    curve = [without(k_of(j / 10)) for j in range(11)]
    return {"aopc_comprehensiveness": sum(full - without(k_of(q)) for q in bins) / len(bins),
            "aopc_sufficiency": sum(full - only(k_of(q)) for q in bins) / len(bins),
            "deletion_auc": sum(0.1 * (curve[j] + curve[j + 1]) / 2 for j in range(10))}


def test_aopc_and_deletion_area_equal_erasers_definition_by_hand(signed_bag):
    adapter, weights = signed_bag
    rng = np.random.default_rng(4)
    texts = [" ".join(rng.choice(WORDS, size=n)) for n in (12, 20, 7)]  # bins give different k at these lengths
    scores = [rng.normal(size=len(t.split())) for t in texts]
    scores[0][[2, 5]] = scores[0].max() + 1.0  # a tie: broken by position
    result = evaluate(adapter, texts, [1, 1, 1], [Fixed(scores)], [], stability_samples=0)
    expected = [hand_measures(weights, t.split(), s) for t, s in zip(texts, scores)]
    for measure in ("aopc_comprehensiveness", "aopc_sufficiency", "deletion_auc"):
        summary = result.get("fixed", measure, None)
        values = [e[measure] for e in expected]
        assert summary.n == 3
        assert summary.mean == pytest.approx(np.mean(values), abs=1e-6)  # float32 inside the adapter
        assert summary.std == pytest.approx(np.std(values), abs=1e-6)  # float32 inside the adapter


@pytest.mark.parametrize("name", ["bert", "mlm"])
def test_special_tokens_are_never_removal_candidates(trained_adapters, name):
    adapter = trained_adapters[name]
    texts = held_out_examples(card_of("bert"), 4).inputs if name == "bert" else \
        ["the cat [MASK] on the mat .", "we [MASK] the house ."]
    batch = adapter.encode(texts)
    specials = {adapter.tokenizer.cls_token, adapter.tokenizer.sep_token, adapter.tokenizer.pad_token}
    for row, units in enumerate(batch.units):
        assert units[0] == adapter.tokenizer.cls_token and units[-1] == adapter.tokenizer.sep_token
        assert candidate_units(batch, row).tolist() == [i for i, u in enumerate(units) if u not in specials]


def test_every_pixel_is_a_removal_candidate(trained_adapters):
    adapter = trained_adapters["cnn"]
    batch = adapter.encode(held_out_examples(card_of("cnn"), 2).inputs)
    for row, units in enumerate(batch.units):
        assert candidate_units(batch, row).tolist() == list(range(len(units))) and len(units) == 64


def test_max_sensitivity_is_zero_without_noise_and_grows_with_it(trained_adapters):
    adapter = trained_adapters["lstm"]
    split = held_out_examples(card_of("lstm"), 4)
    means = []
    for noise in (0.0, 0.02, 0.2, 1.0):
        result = evaluate(adapter, split.inputs, split.labels, [get_method("saliency")], [], stability_samples=2,
                          noise=noise, removal=False, seed=0)
        summary = result.get("saliency", "max_sensitivity", None)
        assert summary.n == 4
        means.append(summary.mean)
    assert means[0] == pytest.approx(0.0, abs=1e-12)
    assert 0 < means[1] < means[2] < means[3]
