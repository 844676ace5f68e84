"""Flow and rollout against slow, obviously correct references (networkx, loops)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracles import flow_networkx, paper_capacities, random_attention, rollout_loop
from xaudit import attention_flow, attention_rollout
from xaudit.attribution.flow import raw_flows
from xaudit.errors import DataError, ParameterError


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    layers=st.integers(1, 5),
    heads=st.integers(1, 3),
    n=st.integers(2, 9),
    concentration=st.sampled_from([0.05, 0.3, 1.0, 10.0]),
    output=st.integers(0, 8),
)
def test_flow_equals_networkx_on_random_graphs(seed, layers, heads, n, concentration, output):
    attn = random_attention(np.random.default_rng(seed), layers, heads, n, concentration)
    output %= n
    np.testing.assert_allclose(attention_flow(attn, output), flow_networkx(attn, output), atol=1e-8, rtol=0)


def test_flow_all_pairs_equals_networkx():
    attn = random_attention(np.random.default_rng(1), 4, 2, 7, 0.5)
    np.testing.assert_allclose(attention_flow(attn, None), flow_networkx(attn, None), atol=1e-8, rtol=0)


def test_flow_with_sparse_attention_and_zero_capacities():
    rng = np.random.default_rng(2)
    attn = random_attention(rng, 4, 1, 6, 1.0)
    attn[attn < 0.15] = 0.0  # many missing edges; rows renormalised below
    attn /= attn.sum(-1, keepdims=True)
    np.testing.assert_allclose(attention_flow(attn, 2), flow_networkx(attn, 2), atol=1e-8, rtol=0)


def test_raw_flow_threads_do_not_change_results():
    caps = paper_capacities(random_attention(np.random.default_rng(3), 5, 2, 12))
    sources = [(layer, o) for layer in range(1, 6) for o in range(12)]
    np.testing.assert_array_equal(raw_flows(caps, sources, threads=1), raw_flows(caps, sources, threads=3))


def test_flow_first_layer_and_two_layer_closed_forms():
    caps = paper_capacities(random_attention(np.random.default_rng(4), 2, 1, 5))
    flows = raw_flows(caps, [(1, 0), (2, 0)], threads=1)
    np.testing.assert_allclose(flows[0], caps[0, 0])
    np.testing.assert_allclose(flows[1], [sum(min(caps[1, 0, k], caps[0, k, j]) for k in range(5)) for j in range(5)])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), layers=st.integers(1, 5), n=st.integers(1, 8), output=st.integers(0, 7))
def test_rollout_equals_loop_and_rows_sum_to_one(seed, layers, n, output):
    attn = random_attention(np.random.default_rng(seed), layers, 2, n)
    output %= n
    rolled = attention_rollout(attn, output)
    np.testing.assert_allclose(rolled, rollout_loop(attn, output), atol=1e-12)
    np.testing.assert_allclose(rolled.sum(axis=-1), np.ones(layers), atol=1e-12)
    np.testing.assert_allclose(attention_rollout(attn, None)[:, output], rolled)


def test_flow_rows_are_normalised_and_accept_tensors_and_head_averaged_input():
    attn = random_attention(np.random.default_rng(5), 3, 4, 6)
    flows = attention_flow(torch.from_numpy(attn).float(), 0)
    assert flows.shape == (3, 6)
    np.testing.assert_allclose(flows.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(attention_flow(attn.mean(axis=1), 0), attention_flow(attn, 0), atol=1e-12)


@pytest.mark.parametrize("function", [attention_flow, attention_rollout])
def test_bad_attention_input(function):
    with pytest.raises(DataError, match="shape"):
        function(np.ones((2, 3, 4)))
    with pytest.raises(DataError, match="negative"):
        function(-np.ones((1, 3, 3)))
    with pytest.raises(DataError, match="NaN"):
        function(np.full((1, 3, 3), np.nan))
    with pytest.raises(ParameterError, match="output_index"):
        function(np.ones((1, 3, 3)) / 3, output_index=5)


def test_flow_on_real_model_attention_equals_networkx(tiny_adapters):
    adapter = tiny_adapters["bert"]
    batch = adapter.encode(["the keys to the old cabinet near my dogs"])
    attn = adapter.attentions(batch)[:, 0].double().numpy()
    np.testing.assert_allclose(attention_flow(attn, 0), flow_networkx(attn, 0), atol=1e-8, rtol=0)


@pytest.fixture(scope="module")
def shipped_bert_attentions():
    """transformers' own ``outputs.attentions`` (with grad) of the shipped bert on a padded batch."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from xaudit.models.registry import reference_dir

    folder = reference_dir("bert")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, attn_implementation="eager").eval()
    texts = ["the keys to the old cabinet near my dogs", "the author"]
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    outputs = model(**batch, output_attentions=True)
    singles = [model(**tokenizer([text], return_tensors="pt"), output_attentions=True).attentions for text in texts]
    return outputs.attentions, batch["attention_mask"].sum(-1).tolist(), singles


@pytest.mark.parametrize("function", [attention_flow, attention_rollout])
def test_transformers_outputs_and_batches_give_each_inputs_own_result(shipped_bert_attentions, function):
    """A tuple of (batch, heads, n, n) tensors with grad is accepted; each row of the batch equals the
    input run alone (padding: its positions dropped), and equals the oracle on that input."""
    attentions, lengths, singles = shipped_bert_attentions
    assert attentions[0].requires_grad
    batched = function(attentions, output_index=0)
    assert batched.shape == (2, len(attentions), max(lengths))
    for row, (length, single) in enumerate(zip(lengths, singles)):
        alone = function(single, output_index=0)
        assert alone.shape == (1, len(attentions), length)
        np.testing.assert_allclose(batched[row, :, :length], alone[0], atol=1e-5)
        np.testing.assert_allclose(batched[row, :, length:], 0.0, atol=1e-6)
        stacked = torch.stack([layer[0] for layer in single]).detach().double().numpy()  # (layers, heads, n, n)
        oracle = flow_networkx(stacked, 0) if function is attention_flow else rollout_loop(stacked, 0)
        np.testing.assert_allclose(alone[0], oracle, atol=1e-8)


def test_five_dimensional_attention_is_a_batch():
    attn = np.stack([random_attention(np.random.default_rng(s), 2, 2, 5) for s in range(3)], axis=1)
    flows = attention_flow(attn, 0)  # (layers, batch, heads, n, n)
    assert flows.shape == (3, 2, 5)
    for row in range(3):
        np.testing.assert_allclose(flows[row], flow_networkx(attn[:, row], 0), atol=1e-8)


def test_all_pairs_flow_on_a_long_input_warns_of_its_cost():
    from xaudit.attribution.flow import ALL_PAIRS_WARNING_TOKENS

    n = ALL_PAIRS_WARNING_TOKENS + 1
    attn = random_attention(np.random.default_rng(0), 1, 1, n)
    with pytest.warns(UserWarning, match="all-pairs attention flow solves 257 max-flow problems"):
        flows = attention_flow(attn, None)
    assert flows.shape == (1, n, n)
    np.testing.assert_allclose(flows[0, 3], attention_flow(attn, 3)[0], atol=1e-12)


def test_rollout_and_flow_explain_the_first_token_by_default():
    attn = random_attention(np.random.default_rng(7), 3, 2, 5)
    np.testing.assert_allclose(attention_rollout(attn), rollout_loop(attn, 0), atol=1e-12)
    np.testing.assert_array_equal(attention_flow(attn), attention_flow(attn, 0))
    assert not np.allclose(attention_rollout(attn), rollout_loop(attn, 1))


def test_the_residual_graph_renormalises_rows_that_do_not_sum_to_one():
    from xaudit.attribution.attention_graph import with_residual

    weights = np.array([[[1.0, 1.0], [0.5, 0.0]]])  # rows sum to 2 and 0.5
    # row 0: (0.5·1 + 0.5, 0.5·1) = (1, 0.5), over 1.5; row 1: (0.5·0.5, 0.5·0 + 0.5) = (0.25, 0.5), over 0.75
    np.testing.assert_allclose(with_residual(weights), [[[1.0 / 1.5, 0.5 / 1.5], [0.25 / 0.75, 0.5 / 0.75]]])


def test_attention_is_read_as_float64_and_bad_attention_is_refused_with_its_reason():
    from xaudit.attribution.attention_graph import attention_batch

    array, batched = attention_batch(random_attention(np.random.default_rng(0), 2, 2, 3).astype(np.float32))
    assert array.dtype == np.float64 and array.shape == (1, 2, 3, 3) and not batched
    shape = (r"^attention must have shape \(layers, heads, n, n\) or \(layers, n, n\), or be a batch: \(layers, "
             r"batch, heads, n, n\) or transformers' tuple of \(batch, heads, n, n\) tensors; got \(1, 2, 3, 4\)$")
    with pytest.raises(DataError, match=shape):
        attention_batch(np.ones((2, 3, 4)))
    bad = random_attention(np.random.default_rng(0), 2, 1, 3)
    bad[1, 0, 2, 1] = np.nan
    with pytest.raises(DataError, match=r"^attention contains NaN or infinite values$"):
        attention_batch(bad)
    bad[1, 0, 2, 1] = -0.1
    with pytest.raises(DataError, match=r"^attention contains negative weights$"):
        attention_batch(bad)
