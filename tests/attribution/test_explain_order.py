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
