"""Stability: max-sensitivity of an explanation under small input noise (Yeh et al. 2019).

For ``samples`` Gaussian perturbations δ (token embeddings for text, with standard
deviation ``noise`` × the RMS of the example's embedding entries; input pixels for images,
standard deviation ``noise``), the relative change ``‖a(x+δ) − a(x)‖₂ / ‖a(x)‖₂`` of the
attribution is computed, and its maximum over the samples is reported (lower: more stable).
The target class is held fixed.
"""

from __future__ import annotations

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


def all_layer_scores(method: AttributionMethod, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor,
                     seed: int) -> list[np.ndarray]:
    """Per example: ``(layers, n)`` for layered methods, ``(1, n)`` otherwise."""
    results = method.attribute(adapter, batch, target=targets.tolist(), seed=seed)
    return [r.layer_scores if r.layer_scores is not None else r.scores[None, :] for r in results]


def max_sensitivity(
    method: AttributionMethod,
    adapter: ModelAdapter,
    batch: Batch,
    targets: torch.Tensor,
    reference: list[np.ndarray],
    samples: int,
    noise: float,
    generator: torch.Generator,
    seed: int,
) -> list[np.ndarray]:
    """Per example, per layer: the largest relative change over ``samples`` perturbations.

    NaN where the unperturbed attribution is all zero (relative change undefined).
    """
    norms = [np.linalg.norm(r, axis=-1) for r in reference]
    worst = [np.zeros(len(r)) for r in reference]
    for _ in range(samples):
        noisy = adapter.perturbed(batch, noise_for(adapter, batch, noise, generator))
        for row, scores in enumerate(all_layer_scores(method, adapter, noisy, targets, seed)):
            change = np.linalg.norm(scores - reference[row], axis=-1) / np.where(norms[row] > 0, norms[row], 1.0)
            worst[row] = np.maximum(worst[row], change)
    return [np.where(n > 0, w, np.nan) for n, w in zip(norms, worst)]
