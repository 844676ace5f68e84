"""The cascading randomisation test on the shipped BERT (which learned its task): gradients change as layers
are re-initialised, an explanation that ignores the model does not and fails; one step recomputed by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from xaudit.attribution import get_method
from xaudit.attribution.base import AttributionMethod, RawScores
from xaudit.datasets.reference import held_out_examples
from xaudit.evaluation.sanity import (UNCHANGED, SanityStep, blind_to_the_head, cascading_randomisation, layer_groups,
                                     reinitialise, verdicts)
from xaudit.models.registry import card_of


class Position(AttributionMethod):
    """A deliberately model-independent explanation: later tokens score higher."""

    name = "position"
    title = "Position"
    definition = "i"
    citation = "none"
    requires: frozenset[str] = frozenset()

    def _scores(self, adapter, batch, targets):
        return RawScores([np.arange(n, dtype=np.float64) + 1 for n in batch.lengths])


@pytest.fixture(scope="module")
def bert_inputs():
    split = held_out_examples(card_of("bert"), 12)
    return split.inputs, torch.tensor(split.labels)


def test_layers_run_top_down_and_cover_every_parameter_but_the_input_embeddings(trained_adapters):
    model = trained_adapters["bert"].model
    groups = layer_groups(model, model.get_input_embeddings())
    names = [name for name, _ in groups]
    assert names[0].startswith("head") and "classifier" in names[0]
    assert names[1:-1] == [f"layer {i}" for i in range(6, 0, -1)] and names[-1] == "embeddings"
    covered = [p for _, modules in groups for m in modules for p in m.parameters(recurse=False)]
    expected = [p for p in model.parameters() if all(p is not q for q in model.get_input_embeddings().parameters())]
    assert len(covered) == len(expected) and {id(p) for p in covered} == {id(p) for p in expected}
    cnn = trained_adapters["cnn"].model
    assert [name for name, _ in layer_groups(cnn)] == ["head.4", "head.1", "features.5", "features.2", "features.0"]


def test_reinitialising_is_seeded_and_changes_the_weights():
    first, second = nn.Linear(4, 3), nn.Linear(4, 3)
    before = first.weight.detach().clone()
    reinitialise([first], 7)
    reinitialise([second], 7)
    assert torch.equal(first.weight, second.weight) and not torch.equal(first.weight, before)


def test_gradients_change_and_a_model_independent_explanation_fails(trained_adapters, bert_inputs):
    adapter = trained_adapters["bert"]
    inputs, labels = bert_inputs
    batch = adapter.encode(inputs)
    before = [p.detach().clone() for p in adapter.model.parameters()]
    steps = cascading_randomisation(adapter, [batch], [labels], [get_method("saliency"), Position(),
                                                                 get_method("attention")], seed=0)
    assert all(torch.equal(p, q) for p, q in zip(before, adapter.model.parameters()))  # the trained model is untouched
    saliency = [s for s in steps if s.method == "saliency"]
    position = [s for s in steps if s.method == "position"]
    assert len(saliency) == len(position) == 8 and [s.k for s in saliency] == list(range(1, 9))
    assert all(s.mean == pytest.approx(1.0) and s.n == len(inputs) for s in position)
    assert saliency[-1].mean < 0.5 and saliency[-1].mean < saliency[0].mean - 0.3
    assert saliency[-1].ci_low <= saliency[-1].mean <= saliency[-1].ci_high
    assert verdicts(steps) == {"saliency": True, "position": False, "attention": True}
    attention = [s for s in steps if s.method == "attention"]
    assert attention[0].mean == pytest.approx(1.0) and attention[1].mean < 0.5  # the head is never read
    assert saliency[0].mean < UNCHANGED and blind_to_the_head(steps) == ["position", "attention"]


def test_blind_to_the_head_reads_the_first_step_only():
    def step(method, k, mean):
        return SanityStep(method, k, "head" if k == 1 else f"layer {k}", mean, None, None, 3, 0)

    steps = [step("a", 1, 0.995), step("b", 1, 0.98), step("c", 1, None), step("d", 1, UNCHANGED),
             step("b", 2, 1.0), step("e", 2, 1.0)]
    assert blind_to_the_head(steps) == ["a", "d"]
    assert blind_to_the_head(steps, threshold=0.9) == ["a", "b", "d"]


def test_the_first_step_equals_a_hand_computation(trained_adapters, bert_inputs):
    """Head re-initialised by hand on a copy, saliency on both models, scipy's Spearman of |scores| per
    example over the word tokens, averaged."""
    import copy

    adapter = trained_adapters["bert"]
    inputs, labels = bert_inputs
    batch = adapter.encode(inputs)
    (step, *_) = cascading_randomisation(adapter, [batch], [labels], [get_method("saliency")], seed=3)
    randomised = copy.deepcopy(adapter)
    head = [randomised.model.bert.pooler.dense, randomised.model.classifier]
    torch.manual_seed(3 + 1)
    for module in head:
        module.reset_parameters()
    trained = get_method("saliency").attribute(adapter, batch, target=labels.tolist())
    random = get_method("saliency").attribute(randomised, batch, target=labels.tolist())
    rhos = []
    for a, b, special in zip(trained, random, batch.special):
        words = [i for i, s in enumerate(special) if not s]
        rhos.append(spearmanr(np.abs(a.scores[words]), np.abs(b.scores[words])).statistic)
    assert step.randomised.startswith("head") and step.mean == pytest.approx(np.mean(rhos), abs=1e-9)
