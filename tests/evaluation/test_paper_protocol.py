"""The paper protocol (Abnar & Zuidema 2020, the authors' code) against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.evaluation.test_measures import BagOfWords, Fixed
from xaudit.attribution.registry import build_methods
from xaudit.errors import ParameterError
from xaudit.evaluation.paper_references import PaperBlankout, PaperGradient
from xaudit.evaluation.protocols import paper_references, protocol_of
from xaudit.evaluation.ranking import dense_spearman
from xaudit.evaluation.runner import evaluate
from xaudit.models.base import Batch
from xaudit.models.text import SPECIAL_TOKENS, WordVocab
from xaudit.models.torch_adapters import RecurrentAdapter

WORDS = ["a", "b", "c", "d"]
WEIGHTS = {"a": 0.5, "b": 1.0, "c": 1.5, "d": 2.0}  # logit_1 = Σ w(token), logit_0 = 0; [UNK] weighs 0


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


class FirstTokenSpecial(RecurrentAdapter):
    """The bag model, its first token marked special (a stand-in for [CLS])."""

    def encode(self, inputs):
        batch = super().encode(inputs)
        batch.special = [[True] + s[1:] for s in batch.special]
        return batch


def bag(dims: int = 1, adapter=RecurrentAdapter):
    vocab = WordVocab(list(SPECIAL_TOKENS) + WORDS)
    weights = np.zeros((len(vocab), dims))
    for word, weight in WEIGHTS.items():
        weights[vocab.index[word], 0] = weight
    return adapter(BagOfWords(len(vocab), weights), vocab, ["singular", "plural"], "bag")


def test_dense_spearman_by_hand():
    # dense ranks [1,2,2,3] and [3,1,2,4]: d = [-2,1,0,-1], Σd² = 6, 1 − 36/(4·15) = 0.4
    assert dense_spearman(np.array([0.1, 0.5, 0.5, 0.9]), np.array([3.0, 1.0, 2.0, 4.0])) == pytest.approx(0.4)
    # a constant side is a number here: ranks [1,1,1] vs [1,2,3], Σd² = 5, 1 − 30/24
    assert dense_spearman(np.ones(3), np.array([1.0, 2.0, 3.0])) == pytest.approx(-0.25)
    assert dense_spearman(np.array([1.0]), np.array([2.0])) == 0.0  # NaN (0/0) counted as 0
    assert dense_spearman(np.array([1.0, np.nan]), np.array([2.0, 1.0])) == 0.0


def test_paper_blankout_by_hand():
    import torch

    adapter = bag()
    batch = adapter.encode(["a c b", "d"])
    z = 0.5 + 1.5 + 1.0
    for target, p in ((1, sigmoid), (0, lambda v: 1 - sigmoid(v))):
        scores = PaperBlankout()._scores(adapter, batch, torch.tensor([target, target])).scores
        expected = [abs(p(z) - p(z - 0.5)), abs(p(z) - p(z - 1.5)), 0.0]  # the first token blanked, the last 0
        np.testing.assert_allclose(scores[0], expected, rtol=1e-6)
        np.testing.assert_array_equal(scores[1], [0.0])  # a one-token sentence: only its final token


def test_paper_gradient_by_hand():
    import torch

    adapter = bag(dims=2)  # logit_1 = Σ_i (e_i0 + 2·e_i1): Σ_d mix_d = 3
    batch = adapter.encode(["a c b"])
    z = 3.0
    scores = PaperGradient()._scores(adapter, batch, torch.tensor([1])).scores[0]
    # ∂(p0 − p1)/∂e_id = −2σ(z)(1 − σ(z))·mix_d; summed over d, absolute: 6σ(z)(1 − σ(z)) (the L2 norm: √5 times 2)
    np.testing.assert_allclose(scores, [6 * sigmoid(z) * (1 - sigmoid(z))] * 3, rtol=1e-5)


def test_units_of_each_protocol():
    batch = Batch({}, [["[CLS]", "a", "b", "[SEP]"]], "text", special=[[True, False, False, True]])
    np.testing.assert_array_equal(protocol_of("paper").units(batch, 0), [0, 1, 2, 3])
    np.testing.assert_array_equal(protocol_of("xaudit").units(batch, 0), [1, 2])


def test_runner_correlates_the_whole_sequence_under_the_paper_protocol():
    adapter = bag(adapter=FirstTokenSpecial)
    fixed = Fixed([[0.2, 0.9, 0.5, 0.1]])
    run = {"layers": None, "stability_samples": 0, "removal": False}
    paper = evaluate(adapter, ["a c b d"], [1], [fixed], paper_references(["blankout", "saliency"]),
                     protocol="paper", **run)
    # blank-out |σ(5) − σ(5 − w_i)|, the last token 0: dense ranks [2,4,3,1], those of the fixed scores too
    assert paper.get("fixed", "spearman_vs_blankout", None).mean == pytest.approx(1.0)
    # equal gradients everywhere: dense ranks [1,1,1,1] vs [2,4,3,1], Σd² = 14, 1 − 84/60
    assert paper.get("fixed", "spearman_vs_saliency", None).mean == pytest.approx(-0.4)
    assert paper.settings["protocol"] == "paper"
    ours = evaluate(adapter, ["a c b d"], [1], [fixed], build_methods(["blankout"], {}), **run)
    # xaudit: words only (positions 1..3), the last one blanked too: drops of w = 1.5, 1.0, 2.0 rank [2,1,3], the fixed scores [3,2,1]: r = −0.5
    assert ours.get("fixed", "spearman_vs_blankout", None).mean == pytest.approx(-0.5)


def test_paper_protocol_refuses_other_references_and_unknown_protocols():
    with pytest.raises(ParameterError, match="only the references blankout, saliency; got 'ig'"):
        paper_references(["ig"])
    with pytest.raises(ParameterError, match="unknown protocol 'papr'; choose one of: paper, xaudit"):
        protocol_of("papr")


def test_dense_spearman_of_two_units_is_the_formula_not_zero():
    from xaudit.evaluation.ranking import dense_spearman

    # n = 2: d = (1, -1) reversed gives 1 - 6·2/(2·3) = -1; same order gives 1.
    assert dense_spearman([0.1, 0.9], [5.0, 1.0]) == -1.0
    assert dense_spearman([0.1, 0.9], [1.0, 5.0]) == 1.0
    assert dense_spearman([0.3], [0.2]) == 0.0
