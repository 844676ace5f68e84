"""Methods that sample per example (KernelSHAP, LIME, SmoothGrad, GradientSHAP) run one example at a time,
on that example's own units (padding cut), each from the seed the method was called with, so an
example's scores do not depend on the others in its batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ._inputs import per_unit, unit_feature_mask
from .base import RawScores

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter

Forward = Callable[["torch.Tensor"], "torch.Tensor"]
Explain = Callable[[Forward, "torch.Tensor", "torch.Tensor", "torch.Tensor", int], "torch.Tensor"]
"""``(forward, x, blank, feature_mask, target) -> attributions shaped like x``."""
ExplainGradients = Callable[[Forward, "torch.Tensor", "Batch", int], "torch.Tensor"]
"""``(forward, x, single-example batch, target) -> attributions shaped like x``."""


def one_example(batch: Batch, row: int) -> Batch:
    """Row ``row`` of ``batch`` alone, its padding cut."""
    single = batch.select([row])
    if batch.modality == "text":
        n = batch.lengths[row]
        single.inputs = {k: v[:, :n] if v.dim() >= 2 else v for k, v in single.inputs.items()}
        if single.embedding_noise is not None:
            single.embedding_noise = single.embedding_noise[:, :n]
    return single


def _each_example(adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None,
                  run: Callable[[Batch, int], np.ndarray]) -> RawScores:
    """``run(single-example batch, target)`` per row, each from the caller's seed (torch's, and numpy's
    global generator, which captum's GradientShap draws from; numpy's state is restored afterwards)."""
    import torch

    if targets is None:
        with torch.no_grad():
            targets = adapter.forward(batch).argmax(dim=-1)
    seed = torch.initial_seed()
    saved = np.random.get_state()
    rows = []
    try:
        for row in range(len(batch)):
            torch.manual_seed(seed)
            np.random.seed(seed % 2**32)
            rows.append(run(one_example(batch, row), int(targets[row])))
    finally:
        np.random.set_state(saved)
    return RawScores(rows)


def per_example_scores(adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None,
                       explain: Explain) -> RawScores:
    """Scores per unit from ``explain`` (forward passes only, one value per unit via the feature mask)
    run on each example alone, for its target (else its prediction), with blank-out's blank as the
    absent value."""
    import torch

    from ..models.base import unit_view

    def run(single: Batch, target: int) -> np.ndarray:
        x = adapter.embed(single)
        forward = lambda e: adapter.forward_from_embeddings(e, single)  # noqa: E731
        with torch.no_grad():
            attributions = explain(forward, x, adapter.blank_value(single), unit_feature_mask(x, adapter), target)
        return np.asarray(unit_view(attributions, adapter.modality)[0, :, 0].double().cpu())

    return _each_example(adapter, batch, targets, run)


def per_example_gradients(adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None,
                          explain: ExplainGradients, reduce: str) -> RawScores:
    """Scores per unit from a gradient method ``explain`` run on each example alone, its input-shaped
    attributions reduced over each unit's features with ``reduce`` (see ``_inputs.per_unit``)."""

    def run(single: Batch, target: int) -> np.ndarray:
        forward = lambda e: adapter.forward_from_embeddings(e, single)  # noqa: E731
        attributions = explain(forward, adapter.embed(single), single, target)
        return per_unit(attributions.detach(), adapter, reduce)[0].double().cpu().numpy()

    return _each_example(adapter, batch, targets, run)


def noise_scale(x: torch.Tensor, level: float) -> float:
    """SmoothGrad's noise standard deviation: ``level · (max x − min x)`` over the example's input entries
    (Smilkov et al. 2017, §3, who find 10–20% best)."""
    return float(level * (x.max() - x.min()))
