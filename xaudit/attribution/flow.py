"""Attention flow (Abnar & Zuidema 2020): maximum flow in the layered attention graph.

Node (l, i) for layer l = 0..L and token i; edge (l, i) -> (l-1, j) with capacity
``Â_l[i, j]`` (see ``attention_graph.with_residual``). The flow of input token j for
output token c after layer l is the maximum flow from (l, c) to (0, j), normalised over j.
Solved exactly by a C implementation of Dinic's algorithm (``_maxflow.c``); the
networkx construction of the paper is the test oracle.

Many raw flows saturate at the source's capacity (1) and tie: rank-based consumers
must round before ranking.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np

from ._maxflow import max_flows
from ._attention import AttentionGraphMethod
from .attention_graph import attention_batch, check_output_index, with_residual


def _usable_cpus() -> int:
    """CPUs this process may run on (respects affinity and container limits set that way)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@lru_cache(maxsize=1)
def _executor() -> ThreadPoolExecutor:
    """One pool for the process; the solver releases the GIL, so threads run in parallel."""
    return ThreadPoolExecutor(_usable_cpus(), thread_name_prefix="xaudit-flow")


def raw_flows(capacities: np.ndarray, sources: list[tuple[int, int]], threads: int | None = None) -> np.ndarray:
    """Unnormalised max-flow values ``(len(sources), n)`` from each (layer, token) source.

    ``capacities`` is ``(layers, n, n)``; layers in ``sources`` are 1-based. Work is split
    over ``threads`` (default: the CPU count); the solver releases the GIL.
    """
    caps = np.ascontiguousarray(capacities, dtype=np.float64)
    layers, n, _ = caps.shape
    jobs = np.ascontiguousarray(sources, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((len(jobs), n), dtype=np.float64)
    threads = max(1, min(threads or _usable_cpus(), len(jobs)))
    if threads == 1:
        max_flows(caps, layers, n, jobs, out)
        return out
    # Interleave jobs so that the costly high layers are spread over the threads.
    parts = [np.arange(t, len(jobs), threads) for t in range(threads)]
    results = [np.zeros((len(p), n)) for p in parts]

    def run(index: int) -> None:
        max_flows(caps, layers, n, np.ascontiguousarray(jobs[parts[index]]), results[index])

    list(_executor().map(run, range(threads)))
    for part, result in zip(parts, results):
        out[part] = result
    return out


ALL_PAIRS_WARNING_TOKENS = 256
"""All-pairs flow solves layers × n max-flow problems: above this many tokens it warns of the cost."""


def attention_flow(attn: object, output_index: int | None = 0, threads: int | None = None) -> np.ndarray:
    """Attention flow of attention ``(layers, heads, n, n)`` or ``(layers, n, n)``.

    Returns ``(layers, n)``: row l holds the normalised flow from token ``output_index``
    after layer l+1 to each input token. With ``output_index=None``, every token of every
    layer is a source (the paper's all-pairs variant) and the result is ``(layers, n, n)``.
    A batch (transformers' ``outputs.attentions`` tuple, or ``(layers, batch, heads, n, n)``)
    gives one such result per input, stacked on a leading batch axis.
    """
    batch, batched = attention_batch(attn)
    size, layers, n, _ = batch.shape
    check_output_index(output_index, n)
    if output_index is None and n > ALL_PAIRS_WARNING_TOKENS:
        warnings.warn(f"all-pairs attention flow solves {size * layers * n:,} max-flow problems on graphs of "
                      f"{(layers + 1) * n:,} nodes; this can take minutes. Pass output_index for one token's "
                      "flows.", stacklevel=2)
    outputs = range(n) if output_index is None else [output_index % n]
    sources = [(layer, o) for layer in range(1, layers + 1) for o in outputs]
    results = []
    for attention in batch:
        flows = raw_flows(with_residual(attention), sources, threads).reshape(layers, len(outputs), n)
        flows /= flows.sum(axis=-1, keepdims=True)
        results.append(flows if output_index is None else flows[:, 0, :])
    return np.stack(results) if batched else results[0]


class FlowMethod(AttentionGraphMethod):
    name = "flow"
    title = "Attention flow"
    definition = ("Maximum flow from the output node (layer l, [CLS]) to each input token in the layered graph "
                  "with edge capacities Â, normalised over tokens; solved exactly.")
    citation = "Abnar & Zuidema (2020), Quantifying Attention Flow in Transformers, ACL."
    compute = staticmethod(attention_flow)
