"""Sampling methods (KernelSHAP, LIME) fit a surrogate per example: run them one example at a time,
on that example's own units (padding cut), with blank-out's blank as the absent value."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ._inputs import unit_feature_mask
from .base import RawScores

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter

Explain = Callable[[Callable[["torch.Tensor"], "torch.Tensor"], "torch.Tensor", "torch.Tensor", "torch.Tensor",
                    int], "torch.Tensor"]
"""``(forward, x, blank, feature_mask, target) -> attributions shaped like x``."""


def one_example(batch: Batch, row: int) -> Batch:
    """Row ``row`` of ``batch`` alone, its padding cut."""
    single = batch.select([row])
    if batch.modality == "text":
        n = batch.lengths[row]
        single.inputs = {k: v[:, :n] if v.dim() >= 2 else v for k, v in single.inputs.items()}
        if single.embedding_noise is not None:
            single.embedding_noise = single.embedding_noise[:, :n]
    return single


def per_example_scores(adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None,
                       explain: Explain) -> RawScores:
    """Scores per unit from ``explain`` run on each example alone, for its target (else its prediction).

    Each example's sampling starts from the seed the method was called with, so an example's
    scores do not depend on the others in its batch."""
    import torch

    from ..models.base import unit_view

    if targets is None:
        with torch.no_grad():
            targets = adapter.forward(batch).argmax(dim=-1)
    seed = torch.initial_seed()
    rows = []
    for row in range(len(batch)):
        torch.manual_seed(seed)
        single = one_example(batch, row)
        x = adapter.embed(single)
        blank = adapter.blank_value(single)
        forward = lambda e, s=single: adapter.forward_from_embeddings(e, s)  # noqa: E731
        with torch.no_grad():
            attributions = explain(forward, x, blank, unit_feature_mask(x, adapter), int(targets[row]))
        rows.append(np.asarray(unit_view(attributions, adapter.modality)[0, :, 0].double().cpu()))
    return RawScores(rows)
