"""Slow, obviously correct reference implementations used only by the tests."""

from __future__ import annotations

import networkx as nx
import numpy as np


def paper_capacities(attn: np.ndarray) -> np.ndarray:
    """Heads averaged, ``A + I`` rows renormalised, as in the paper's notebooks."""
    attn = np.asarray(attn, dtype=np.float64)
    if attn.ndim == 4:
        attn = attn.mean(axis=1)
    residual = attn + np.eye(attn.shape[-1])[None]
    return residual / residual.sum(axis=-1)[..., None]


def rollout_loop(attn: np.ndarray, output_index: int) -> np.ndarray:
    """Rollout by explicit loops over layers, rows and columns (no matrix products)."""
    caps = paper_capacities(attn)
    layers, n, _ = caps.shape
    joint = caps[0].copy()
    rows = [joint[output_index].copy()]
    for layer in range(1, layers):
        new = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                new[i, j] = sum(caps[layer, i, k] * joint[k, j] for k in range(n))
        joint = new
        rows.append(joint[output_index].copy())
    return np.array(rows)


def flow_networkx(attn: np.ndarray, output_index: int | None, layers_wanted=None) -> np.ndarray:
    """The paper's graph in networkx; max flow with Edmonds-Karp, normalised per source.

    Node ``(l, i)``; edge ``(l, i) -> (l-1, j)`` with capacity ``Â_l[i, j]``.
    """
    caps = paper_capacities(attn)
    layers, n, _ = caps.shape
    graph = nx.DiGraph()
    for layer in range(1, layers + 1):
        for i in range(n):
            for j in range(n):
                graph.add_edge((layer, i), (layer - 1, j), capacity=float(caps[layer - 1, i, j]))
    outputs = range(n) if output_index is None else [output_index]
    result = np.zeros((layers, len(outputs), n))
    for layer in layers_wanted or range(1, layers + 1):
        for o_pos, o in enumerate(outputs):
            for j in range(n):
                result[layer - 1, o_pos, j] = nx.maximum_flow_value(
                    graph, (layer, o), (0, j), flow_func=nx.algorithms.flow.edmonds_karp
                )
            result[layer - 1, o_pos] /= result[layer - 1, o_pos].sum()
    return result if output_index is None else result[:, 0, :]


def random_attention(rng: np.random.Generator, layers: int, heads: int, n: int, concentration: float = 1.0):
    """Row-stochastic random attention ``(layers, heads, n, n)`` from a Dirichlet."""
    return rng.dirichlet(np.full(n, concentration), size=(layers, heads, n))


def peaked_attention(rng: np.random.Generator, layers: int, heads: int, n: int, scale: float = 3.0,
                     sinks: tuple[int, ...] = (0, -1), boost: float = 4.0) -> np.ndarray:
    """Softmax of scaled Gaussian logits; the ``sinks`` positions ([CLS], [SEP]) get ``boost`` added."""
    logits = rng.normal(size=(layers, heads, n, n)) * scale
    for sink in sinks:
        logits[..., sink] += boost
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)
