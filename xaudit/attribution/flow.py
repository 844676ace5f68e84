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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache, partial
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..validation import Param
from ._attention import OUTPUT_INDEX, AttentionGraphMethod
from ._maxflow import max_flows
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


def parse_layers(text: str | None) -> tuple[int, ...] | None:
    """The ``layers`` parameter of the flow method: ``"4,12"`` -> ``(4, 12)``; None: every layer."""
    if text is None:
        return None
    try:
        layers = tuple(int(part) for part in text.split(","))
    except ValueError:
        layers = ()
    if not layers or min(layers) < 1:
        raise ParameterError(f"The 'layers' parameter must be comma-separated layer numbers >= 1, such as '12' or "
                             f"'4,8,12'. Got {text!r} instead.")
    return layers


def attention_flow(attn: object, output_index: int | None = 0, threads: int | None = None,
                   layers: Sequence[int] | None = None) -> np.ndarray:
    """Attention flow of attention ``(layers, heads, n, n)`` or ``(layers, n, n)``.

    Returns ``(layers, n)``: row l holds the normalised flow from token ``output_index``
    after layer l+1 to each input token. With ``output_index=None``, every token of every
    layer is a source (the paper's all-pairs variant) and the result is ``(layers, n, n)``.
    ``layers`` (1-based layer numbers; default every layer) limits the work to those layers:
    each layer's flows are solved on their own, so its rows equal the all-layers result, and
    the rows of the other layers are NaN. A batch (transformers' ``outputs.attentions``
    tuple, or ``(layers, batch, heads, n, n)``) gives one such result per input, stacked on
    a leading batch axis.
    """
    batch, batched = attention_batch(attn)
    size, n_layers, n, _ = batch.shape
    check_output_index(output_index, n)
    wanted = range(1, n_layers + 1) if layers is None else sorted(set(layers))
    if not wanted or wanted[0] < 1 or wanted[-1] > n_layers:
        raise ParameterError(f"The 'layers' parameter must be layer numbers >= 1 and <= {n_layers}. "
                             f"Got {layers!r} instead.")
    if output_index is None and n > ALL_PAIRS_WARNING_TOKENS:
        warnings.warn(f"all-pairs attention flow solves {size * len(wanted) * n:,} max-flow problems on graphs "
                      f"of up to {(n_layers + 1) * n:,} nodes; this can take minutes. Pass output_index for one "
                      "token's flows.", stacklevel=2)
    outputs = range(n) if output_index is None else [output_index % n]
    sources = [(layer, o) for layer in wanted for o in outputs]
    rows = np.asarray(wanted) - 1
    results = []
    for attention in batch:
        flows = np.full((n_layers, len(outputs), n), np.nan)
        flows[rows] = raw_flows(with_residual(attention), sources, threads).reshape(len(rows), len(outputs), n)
        flows[rows] /= flows[rows].sum(axis=-1, keepdims=True)
        results.append(flows if output_index is None else flows[:, 0, :])
    return np.stack(results) if batched else results[0]


LAYERS = Param("layers", str, None, "Layers whose flow is computed, comma-separated (e.g. 12 or 4,8,12; default: "
               "every layer). The others' per-layer scores are NaN: ask for the layer you choose.",
               optional=True, cli=False)
"""Python API only: the commands' own ``--layers`` (evaluate) and ``--layer`` already mean other things."""


class FlowMethod(AttentionGraphMethod):
    name = "flow"
    title = "Attention flow"
    definition = ("Maximum flow from the output node (layer l, [CLS]) to each input token in the layered graph "
                  "with edge capacities Â, normalised over tokens; solved exactly.")
    citation = "Abnar & Zuidema (2020), Quantifying Attention Flow in Transformers, ACL."
    parameters = (OUTPUT_INDEX, LAYERS)
    compute = staticmethod(attention_flow)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.layers = parse_layers(self.params["layers"])

    def computation(self) -> Callable[[np.ndarray, int], np.ndarray]:
        return type(self).compute if self.layers is None else partial(attention_flow, layers=self.layers)
