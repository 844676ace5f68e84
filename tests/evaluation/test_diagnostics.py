"""Degeneracy diagnostics against hand computations on the bag-of-words model."""

from __future__ import annotations

import numpy as np
import pytest

from tests.evaluation.test_paper_protocol import bag
from xaudit.evaluation.diagnostics import degeneracy, words_moved


def test_words_moved_counts_drops_above_one_percent_of_the_largest():
    assert words_moved(np.array([1.0, -0.5, 0.011, 0.01, 0.0])) == 3  # 0.01 is not above 1% of 1.0
    assert words_moved(np.zeros(3)) == 0
    assert words_moved(np.array([])) == 0


def test_degeneracy_by_hand():
    adapter = bag()  # logit_1 = Σ w: a 0.5, b 1.0, c 1.5, d 2.0; logit_0 = 0
    texts, labels, attractors = ["a d", "c", "b b"], [1, 0, 0], [0, 1, 1]
    result = degeneracy(adapter, texts, labels, attractors, batch_size=2)
    gaps = [2.5, -1.5, -2.0]  # z_gold − z_other
    assert result.logit_gap_quantiles["50%"] == pytest.approx(float(np.quantile(gaps, 0.5)))
    assert result.logit_gap_quantiles["5%"] == pytest.approx(float(np.quantile(gaps, 0.05)))
    # "a d", gold 1: drops σ(2.5) − σ(2.0) and σ(2.5) − σ(0.5), both above 1% of the larger: 2 words
    # "c", gold 0: one word; "b b", gold 0: two equal drops: 2 words
    assert result.words_moved_mean == pytest.approx(5 / 3) and result.words_moved_median == 2
    assert result.words_mean == pytest.approx(5 / 3)
    # gold 0: blanking a word of positive weight raises p_0, so all three of its words drop negatively
    assert result.negative_drop_share == pytest.approx(3 / 5)
    # predictions: 1 (2.5 > 0), 1 (1.5 > 0, gold 0: wrong), 1 (wrong)
    assert result.accuracy_by_attractors == {"0": 1.0, "1": 0.0}
    assert result.n_by_attractors == {"0": 1, "1": 2}
