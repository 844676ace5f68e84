"""``AttributionMethod.attribute``'s own arguments and records: the decision position each result carries, the
default seed, a causal LM's explained continuation, targets of the wrong length, the output index's bounds,
and the tabular reduction of gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xaudit.attribution import get_method
from xaudit.errors import ParameterError

TEXT = "the keys to the old cabinet near my dogs"


def test_each_result_records_the_position_the_model_decides_at(trained_adapters):
    bert, lstm, mlm = trained_adapters["bert"], trained_adapters["lstm"], trained_adapters["mlm"]
    assert [r.decision_position for r in get_method("saliency").attribute(bert, bert.encode([TEXT, "his road"]))] == [0, 0]
    assert get_method("rollout", output_index=3).attribute(bert, bert.encode([TEXT]))[0].decision_position == 3
    (masked,) = get_method("saliency").attribute(mlm, mlm.encode(["the cat [MASK] on the mat ."]))
    assert masked.decision_position == 3 and masked.units[3] == "[MASK]"
    assert get_method("saliency").attribute(lstm, lstm.encode([TEXT]))[0].decision_position is None


def test_the_default_seed_is_zero(trained_adapters):
    adapter = trained_adapters["bert"]
    batch = adapter.encode([TEXT])
    method = get_method("smoothgrad", noise_samples=3)
    (default,), (zero,), (one,) = (method.attribute(adapter, batch), method.attribute(adapter, batch, seed=0),
                                   method.attribute(adapter, batch, seed=1))
    np.testing.assert_array_equal(default.scores, zero.scores)
    assert not np.allclose(default.scores, one.scores)


def test_a_causal_lm_explains_its_continuation_whatever_it_predicts(tiny_adapters):
    adapter = tiny_adapters["gpt2-lm"]  # explaining " he" against " she": column 1 of its two-column view
    batch = adapter.encode(["the doctor said that"])
    (result,) = get_method("saliency").attribute(adapter, batch)
    (asked,) = get_method("saliency").attribute(adapter, batch, target=adapter.explained_class)
    assert result.target == adapter.explained_class == 1 and result.prediction == 0  # not what it predicts
    np.testing.assert_array_equal(result.scores, asked.scores)


def test_targets_must_be_one_per_example(trained_adapters):
    adapter = trained_adapters["bert"]
    with pytest.raises(ParameterError, match=r"^got 3 targets for 2 examples$"):
        get_method("saliency").attribute(adapter, adapter.encode([TEXT, "his road"]), target=[0, 1, 0])


def test_the_output_index_may_count_from_the_end_but_not_past_it(trained_adapters):
    adapter = trained_adapters["bert"]
    batch = adapter.encode(["his road"])  # [CLS] his road [SEP]: n = 4
    (first,) = get_method("attention", output_index=0).attribute(adapter, batch)
    (from_end,) = get_method("attention", output_index=-4).attribute(adapter, batch)
    np.testing.assert_array_equal(first.layer_scores, from_end.layer_scores)
    get_method("attention", output_index=3).attribute(adapter, batch)
    for index in (4, -5):
        with pytest.raises(ParameterError, match=rf"^The 'output_index' parameter must be an int >= -4 and <= 3\. "
                                                 rf"Got {index} instead\.$"):
            get_method("attention", output_index=index).attribute(adapter, batch)


def test_tabular_saliency_sums_each_columns_absolute_gradients(tiny_adapters):
    """A table column's one-hot parts are summed as |gradient| (the largest part alone would drop the others)."""
    from tests.tabular_synthetic import sample_rows

    adapter = tiny_adapters["credit"]
    batch = adapter.encode(sample_rows(3))
    (result, *_) = get_method("saliency").attribute(adapter, batch)
    x = adapter.embed(batch).detach().requires_grad_(True)
    logits = adapter.forward_from_embeddings(x, batch)
    (gradient,) = torch.autograd.grad(logits[0, result.target], x)
    expected = gradient[0].abs().sum(dim=-1).numpy()
    np.testing.assert_allclose(result.scores, expected, rtol=1e-6, atol=1e-12)
    assert not np.allclose(expected, gradient[0].abs().amax(dim=-1).numpy())
