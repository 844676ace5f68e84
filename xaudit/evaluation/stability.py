"""Stability: max-sensitivity of an explanation under small input noise (Yeh et al. 2019).

For ``samples`` Gaussian perturbations δ (token embeddings for text, with standard
deviation ``noise`` × the RMS of the example's embedding entries; input pixels for images,
standard deviation ``noise``), the relative change ``‖a(x+δ) − a(x)‖₂ / ‖a(x)‖₂`` of the
attribution is computed, and its maximum over the samples is reported (lower: more stable).
The target class is held fixed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import torch

from ..attribution.base import AttributionMethod
from ..models.base import Batch, ModelAdapter


def noise_for(adapter: ModelAdapter, batch: Batch, scale: float, generator: torch.Generator) -> torch.Tensor:
    embeddings = adapter.embed(batch)
    noise = torch.randn(embeddings.shape, generator=generator, dtype=embeddings.dtype)
    if adapter.modality == "text":
        mask = batch.inputs["attention_mask"].to(embeddings.dtype).unsqueeze(-1)
        rms = ((embeddings.cpu() ** 2 * mask).sum(dim=(1, 2)) / (mask.sum(dim=(1, 2)) * embeddings.shape[-1])).sqrt()
        return noise * scale * rms.view(-1, 1, 1)
    return noise * scale


def layer_scores(methods: Sequence[AttributionMethod], adapter: ModelAdapter, batch: Batch,
                 targets: torch.Tensor, seed: int, timings: dict[str, float] | None = None
                 ) -> dict[str, list[np.ndarray]]:
    """Per method, per example: ``(layers, n)`` for layered methods, ``(1, n)`` otherwise.

    Attention-graph methods (raw attention, rollout, flow) share one attention forward pass.
    ``timings`` accumulates each method's seconds (an attention-graph method's include the shared
    pass: what it costs run alone).
    """
    clock = {} if timings is None else timings
    graph = [m for m in methods if m.from_attentions]
    start = time.perf_counter()
    attentions = adapter.attentions(batch) if graph else None
    shared = time.perf_counter() - start
    out = {}
    for method in methods:
        start = time.perf_counter()
        if method.from_attentions:
            out[method.name] = method.scores_from(adapter, batch, attentions)
        else:
            results = method.attribute(adapter, batch, target=targets.tolist(), seed=seed)
            out[method.name] = [r.layer_scores if r.layer_scores is not None else r.scores[None, :] for r in results]
        clock[method.name] = clock.get(method.name, 0.0) + time.perf_counter() - start \
            + (shared if method.from_attentions else 0.0)
    return out


def max_sensitivity(
    methods: Sequence[AttributionMethod],
    adapter: ModelAdapter,
    batch: Batch,
    targets: torch.Tensor,
    reference: dict[str, list[np.ndarray]],
    samples: int,
    noise: float,
    generator: torch.Generator,
    seed: int,
) -> dict[str, list[np.ndarray]]:
    """Per method, per example, per layer: the largest relative change over ``samples`` perturbations.

    NaN where the unperturbed attribution is all zero (relative change undefined).
    """
    norms = {name: [np.linalg.norm(r, axis=-1) for r in rows] for name, rows in reference.items()}
    worst = {name: [np.zeros(len(r)) for r in rows] for name, rows in reference.items()}
    for _ in range(samples):
        noisy = adapter.perturbed(batch, noise_for(adapter, batch, noise, generator))
        for name, rows in layer_scores(methods, adapter, noisy, targets, seed).items():
            for row, scores in enumerate(rows):
                norm = norms[name][row]
                change = np.linalg.norm(scores - reference[name][row], axis=-1) / np.where(norm > 0, norm, 1.0)
                worst[name][row] = np.maximum(worst[name][row], change)
    return {name: [np.where(n > 0, w, np.nan) for n, w in zip(norms[name], rows)] for name, rows in worst.items()}
