"""``explain`` batches texts by length but returns results in the order of its inputs."""

from __future__ import annotations

import numpy as np

from xaudit.attribution import get_method
from xaudit.attribution.explain import explain


def test_results_come_back_in_input_order(trained_adapters):
    adapter = trained_adapters["lstm"]
    texts = ["the dogs near the old house in the garden of the painters", "his road", "her cabinets outside our school",
             "the keys", "the painter that my tall neighbours praised"]  # lengths out of order
    labels = [1, 0, 1, 1, 0]
    methods = [get_method("saliency"), get_method("blankout")]
    results = explain(adapter, texts, methods, ids=[f"id{i}" for i in range(len(texts))], true_labels=labels,
                      batch_size=2)
    assert [r.input for r in results] == texts
    assert [r.input_id for r in results] == [f"id{i}" for i in range(len(texts))]
    assert [r.true_label for r in results] == [adapter.labels[label] for label in labels]
    for text, result in zip(texts, results):
        (alone,) = explain(adapter, [text], methods)
        assert result.first.units == text.split()
        for name in ("saliency", "blankout"):
            np.testing.assert_allclose(result.attributions[name].scores, alone.attributions[name].scores, atol=1e-6)


TEXTS = ["the dogs near the old house in the garden of the painters", "his road", "the keys to the cabinet " * 20,
         "her cabinets outside our school", "the keys"]
"""Lengths out of order; the third is longer than the shipped bert's 64 tokens and is truncated."""


def test_every_argument_reaches_each_input_as_if_it_were_explained_alone(trained_adapters):
    """Per-input targets (``true``), a layer, a seed, ids, words or tokens: each explanation equals the method's
    own ``attribute`` on that input alone with the same arguments."""
    adapter = trained_adapters["bert"]
    labels = [1, 0, 1, 0, 1]
    calls = []
    methods = [get_method("smoothgrad", noise_samples=3), get_method("attention")]
    results = explain(adapter, TEXTS, methods, true_labels=labels, target="true", layer=1, words=False,
                      batch_size=2, seed=7, progress=lambda *a: calls.append(a))
    assert calls == [("explaining", 2, 5), ("explaining", 4, 5), ("explaining", 5, 5)]
    assert [r.input_id for r in results] == ["0", "1", "2", "3", "4"]
    assert [r.truncated_tokens for r in results] == [0, 0, adapter.encode([TEXTS[2]]).truncated[0], 0, 0]
    assert results[2].truncated_tokens > 0
    for index, (text, result) in enumerate(zip(TEXTS, results)):
        batch = adapter.encode([text])
        for method in methods:
            (alone,) = method.attribute(adapter, batch, target=[labels[index]], layer=1, seed=7)
            got = result.attributions[method.name]
            assert (got.units, got.target, got.layer, got.input_id) == (alone.units, labels[index], alone.layer,
                                                                      str(index))
            np.testing.assert_allclose(got.scores, alone.scores, atol=1e-6)
        assert result.first.units[0] == "[CLS]"  # tokens, as asked
    (other,) = methods[0].attribute(adapter, adapter.encode([TEXTS[0]]), target=[labels[0]], seed=8)
    assert not np.allclose(results[0].attributions["smoothgrad"].scores, other.scores, atol=1e-6)  # seeds matter


def test_defaults_are_words_seed_zero_the_prediction_and_batches_of_32_by_length(trained_adapters):
    adapter = trained_adapters["bert"]
    encoded = []
    original = adapter.encode

    class Spy:
        def __getattr__(self, name):
            return getattr(adapter, name)

        def encode(self, texts):
            encoded.append(list(texts))
            return original(texts)

    texts = [TEXTS[i % 5] + " ." * (i // 5) for i in range(40)]
    results = explain(Spy(), texts, [get_method("smoothgrad", noise_samples=2)])
    assert [len(b) for b in encoded] == [32, 8]
    assert sorted(len(t) for t in encoded[0]) == sorted(len(t) for t in texts)[:32]  # the shortest first
    for text, result in list(zip(texts, results))[:5]:
        (alone,) = get_method("smoothgrad", noise_samples=2).attribute(adapter, adapter.encode([text]), seed=0)
        words = alone.to_words()
        assert result.first.units == words.units and result.first.units[0] != "[CLS]"
        assert result.first.target == result.first.prediction
        np.testing.assert_allclose(result.first.scores, words.scores, atol=1e-6)


def test_the_target_keywords():
    import pytest

    from xaudit.attribution.explain import true_targets
    from xaudit.errors import ParameterError

    assert true_targets("predicted", [0, 1], 2) is None and true_targets(None, None, 2) is None
    assert true_targets("true", [1, 0, 1], 3) == [1, 0, 1] and true_targets(1, None, 3) == 1
    assert true_targets("plural", None, 3) == "plural" and true_targets([0, 1], None, 2) == [0, 1]
    message = (r"^`target` 'true' needs a label for every input \(inputs from a labelled test split carry one\); "
               r"give a class, or 'predicted'$")
    for labels in (None, [1, 0], [1, None, 0]):
        with pytest.raises(ParameterError, match=message):
            true_targets("true", labels, 3)
