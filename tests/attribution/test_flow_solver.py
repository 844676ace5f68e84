"""The warm-started max-flow solver of attention flow against the networkx oracle, and ``layers=``.

The solver reuses each sink's maximum flow as the start for the next sink and stops at the
source/sink capacity bound; these tests pin exactness on the attention that makes those
shortcuts matter: peaked heads with tokens that absorb most attention ([CLS], [SEP]), ties,
empty rows and the smallest graphs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracles import flow_networkx, paper_capacities, peaked_attention, random_attention
from xaudit import attention_flow
from xaudit.attribution import flow as flow_module
from xaudit.attribution.flow import FlowMethod, raw_flows
from xaudit.errors import ParameterError


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), layers=st.integers(1, 5), heads=st.integers(1, 4), n=st.integers(2, 14),
       scale=st.sampled_from([0.5, 3.0, 8.0]), boost=st.sampled_from([0.0, 4.0, 10.0]), output=st.integers(0, 13))
def test_flow_equals_networkx_on_peaked_attention_with_sink_tokens(seed, layers, heads, n, scale, boost, output):
    attn = peaked_attention(np.random.default_rng(seed), layers, heads, n, scale, boost=boost)
    output %= n
    np.testing.assert_allclose(attention_flow(attn, output), flow_networkx(attn, output), atol=1e-8, rtol=0)


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("kind", ["random", "peaked"])
def test_flow_equals_networkx_on_larger_graphs(seed, kind):
    """Enough sinks per source (24) that each warm start begins from a long chain of earlier flows;
    layer 3 (low layers: the min cut often lies inside the graph, so Dinic's phases run) and layer 6."""
    rng = np.random.default_rng(seed)
    attn = random_attention(rng, 6, 4, 24) if kind == "random" else peaked_attention(rng, 6, 4, 24)
    ours = attention_flow(attn, 0, layers=[3, 6])[[2, 5]]
    np.testing.assert_allclose(ours, flow_networkx(attn, 0, layers_wanted=[3, 6])[[2, 5]], atol=1e-8, rtol=0)


def test_raw_flows_do_not_depend_on_which_sources_are_solved_together():
    """Each source starts from a zero flow: solving it alone, after others or in another order is the same."""
    caps = paper_capacities(peaked_attention(np.random.default_rng(6), 5, 2, 16))
    sources = [(layer, o) for layer in (5, 2, 4) for o in (0, 7, 15)]
    together = raw_flows(caps, sources, threads=1)
    for row, source in enumerate(sources):
        np.testing.assert_array_equal(raw_flows(caps, [source], threads=1)[0], together[row])
    np.testing.assert_array_equal(raw_flows(caps, sources[::-1], threads=1)[::-1], together)


@pytest.mark.parametrize("name,attn", [
    ("one token", np.ones((3, 1, 1))),
    ("one layer", random_attention(np.random.default_rng(7), 1, 2, 6)),
    ("uniform: every flow ties", np.full((4, 6, 6), 1 / 6)),
    ("identity", np.tile(np.eye(5), (3, 1, 1))),
    ("all attention on [CLS]", np.tile(np.eye(6)[[0] * 6], (4, 1, 1))),
    ("empty rows", np.concatenate([np.zeros((2, 2, 6)), np.full((2, 4, 6), 1 / 6)], axis=1)),
])
def test_flow_equals_networkx_on_degenerate_attention(name, attn):
    for output in range(attn.shape[-1]):
        np.testing.assert_allclose(attention_flow(attn, output), flow_networkx(attn, output), atol=1e-8, rtol=0,
                                   err_msg=name)


def test_requested_layers_equal_the_all_layers_result_and_only_they_are_solved(monkeypatch):
    attn = peaked_attention(np.random.default_rng(8), 6, 3, 12)
    every = attention_flow(attn, 0)
    solved = []
    original = flow_module.raw_flows

    def recording(capacities, sources, threads=None):
        solved.extend(sources)
        return original(capacities, sources, threads)

    monkeypatch.setattr(flow_module, "raw_flows", recording)
    some = attention_flow(attn, 0, layers=[6, 2])
    assert solved == [(2, 0), (6, 0)]
    np.testing.assert_array_equal(some[[1, 5]], every[[1, 5]])
    assert np.isnan(some[[0, 2, 3, 4]]).all()
    pairs = attention_flow(attn, None, layers=[3])
    np.testing.assert_array_equal(pairs[2], attention_flow(attn, None)[2])


@pytest.mark.parametrize("layers", [[], [0], [7], [1, 9]])
def test_layers_outside_the_model_are_refused(layers):
    with pytest.raises(ParameterError, match="'layers' parameter must be layer numbers >= 1 and <= 6"):
        attention_flow(random_attention(np.random.default_rng(0), 6, 1, 4), 0, layers=layers)


@pytest.mark.parametrize("text", ["", "x", "0", "3,,4", "-1"])
def test_flow_method_refuses_malformed_layers(text):
    with pytest.raises(ParameterError, match="comma-separated layer numbers"):
        FlowMethod(layers=text)


def test_flow_method_with_layers_scores_the_chosen_layer_as_with_every_layer(tiny_adapters):
    adapter = tiny_adapters["bert"]
    batch = adapter.encode(["the keys to the old cabinet near my dogs"])
    last = len(adapter.attentions(batch))
    full = FlowMethod().attribute(adapter, batch)[0]
    only = FlowMethod(layers=str(last)).attribute(adapter, batch)[0]
    np.testing.assert_array_equal(only.scores, full.scores)
    assert only.params["layers"] == str(last)
    assert np.isnan(only.layer_scores[:-1]).all()


def test_flow_layers_are_read_as_comma_separated_numbers_from_one():
    from xaudit.attribution.flow import parse_layers

    assert parse_layers(None) is None
    assert parse_layers("1") == (1,) and parse_layers("4,8,12") == (4, 8, 12) and parse_layers("12, 1") == (12, 1)
    assert FlowMethod(layers="1,3").layers == (1, 3)


def test_the_solver_pool_uses_the_cpus_this_process_may_run_on(monkeypatch):
    """Affinity where the platform has it, else the CPU count, else one."""
    import os

    from xaudit.attribution.flow import _usable_cpus

    if hasattr(os, "sched_getaffinity"):
        assert _usable_cpus() == len(os.sched_getaffinity(0))
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
        assert _usable_cpus() == 3
        monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 5)
    assert _usable_cpus() == 5
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert _usable_cpus() == 1


def test_raw_flows_read_float32_capacities_and_python_sources():
    attn = random_attention(np.random.default_rng(3), 3, 1, 5)[:, 0]
    expected = raw_flows(attn, [(3, 0), (2, 4)], threads=1)
    np.testing.assert_allclose(raw_flows(attn.astype(np.float32), [(3, 0), (2, 4)], threads=1), expected, rtol=1e-6)
    np.testing.assert_allclose(raw_flows(attn.astype(np.float32), [(3, 0), (2, 4)]), expected, rtol=1e-6)


def test_all_pairs_flow_warns_of_its_cost_above_the_token_limit():
    import warnings

    from xaudit.attribution.flow import ALL_PAIRS_WARNING_TOKENS as limit

    big = random_attention(np.random.default_rng(0), 1, 1, limit + 1)
    with pytest.warns(UserWarning) as caught:
        attention_flow(big, None)
    (warning,) = caught
    assert str(warning.message) == (
        f"all-pairs attention flow solves {limit + 1:,} max-flow problems on graphs of up to {2 * (limit + 1):,} "
        "nodes; this can take minutes. Pass output_index for one token's flows.")
    assert warning.filename != flow_module.__file__  # points at a caller, not at the library
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        attention_flow(big, 0)
        attention_flow(random_attention(np.random.default_rng(0), 1, 1, limit), None)
